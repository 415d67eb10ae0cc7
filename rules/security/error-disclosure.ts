import { ts } from "ts-morph";
import { defineRule } from "../../src/core/rule.js";
import { isFunctionLike, memberName, receiverOf, unwrap } from "../../src/core/ast.js";
import { findDeclaration } from "../../src/core/scope.js";

const SEND_METHODS = new Set(["send", "json", "end", "write", "jsonp", "render"]);
const ERROR_NAME = /^(err|error|e|ex|exc|exception|er|error_?\w*|\w*Error|\w*Err)$/;
const LEAKY_PROPS = /^(stack|sql|sqlMessage|sqlState|query|original|parent|errors|config|request|response|cause|detail|where|hint)$/;
const DEV_GATE = /NODE_ENV|isDev|isDevelopment|development|isProd|isProduction|production|\bdebug\b|DEBUG|expose|showErrors|verbose|config\.env|app\.get\(\s*['"]env['"]\s*\)|env\s*===|IS_DEV/;

type Kind = "whole" | "stack" | "message";

/** Is this identifier an error value: catch variable, error-handler first param, node callback `err` param, `.catch(err => …)` param? */
function isErrorIdentifier(id: ts.Identifier): boolean {
  const d = findDeclaration(id);
  if (!d) return false;
  if (ts.isVariableDeclaration(d) && d.parent && ts.isCatchClause(d.parent)) return true;
  if (ts.isParameter(d)) {
    const fn = d.parent;
    if (!isFunctionLike(fn)) return false;
    const idx = fn.parameters.indexOf(d);
    const name = id.text;
    // (err, req, res, next) express error handler; (err, rows) node callback; .catch((e) => …); fastify setErrorHandler((error, request, reply))
    if (idx === 0 && fn.parameters.length === 4) return true;
    if (idx === 0 && ERROR_NAME.test(name)) return true;
    if (idx === 0 && fn.parent && ts.isCallExpression(fn.parent) && /^(catch|setErrorHandler|onError|on)$/.test(memberName(fn.parent.expression) ?? "")) return ERROR_NAME.test(name) || memberName(fn.parent.expression) !== "on";
    return false;
  }
  if (ts.isVariableDeclaration(d) && d.initializer) {
    // const error = err as Error / const e = toError(err)
    const init = unwrap(d.initializer);
    return ts.isIdentifier(init) && init !== id && isErrorIdentifier(init);
  }
  return false;
}

/** How much of an error a value exposes. */
function exposure(expr: ts.Expression, depth = 0): { kind: Kind; text: string } | undefined {
  if (depth > 4) return undefined;
  const e = unwrap(expr);
  if (ts.isIdentifier(e)) return isErrorIdentifier(e) ? { kind: "whole", text: e.text } : undefined;
  if (ts.isPropertyAccessExpression(e) && ts.isIdentifier(unwrap(e.expression)) && isErrorIdentifier(unwrap(e.expression) as ts.Identifier)) {
    const p = e.name.text;
    if (LEAKY_PROPS.test(p)) return { kind: "stack", text: e.getText() };
    if (p === "message" || p === "msg") return { kind: "message", text: e.getText() };
    return undefined;
  }
  if (ts.isPropertyAccessExpression(e) && e.name.text === "stack") return { kind: "stack", text: e.getText() };
  if (ts.isCallExpression(e)) {
    const n = memberName(e.expression) ?? "";
    const recv = receiverOf(e);
    if (n === "toString" && recv) {
      const x = exposure(recv, depth + 1);
      return x && x.kind === "whole" ? { kind: "message", text: e.getText() } : x;
    }
    if (n === "String" && e.arguments[0]) {
      const x = exposure(e.arguments[0], depth + 1);
      return x && x.kind === "whole" ? { kind: "message", text: e.getText() } : x;
    }
    if (n === "stringify" || n === "inspect" || n === "serializeError" || n === "format") {
      return e.arguments[0] ? exposure(e.arguments[0], depth + 1) : undefined;
    }
    return undefined;
  }
  if (ts.isTemplateExpression(e)) {
    let best: { kind: Kind; text: string } | undefined;
    for (const s of e.templateSpans) {
      const x = exposure(s.expression, depth + 1);
      if (x?.kind === "stack") return x;
      if (x) best = { kind: "message", text: x.text }; // `${err}` is err.toString()
    }
    return best;
  }
  if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.PlusToken) {
    const l = exposure(e.left, depth + 1);
    const r = exposure(e.right, depth + 1);
    const x = l?.kind === "stack" ? l : r?.kind === "stack" ? r : l ?? r;
    return x && x.kind === "whole" ? { kind: "message", text: x.text } : x;
  }
  if (ts.isObjectLiteralExpression(e)) {
    let best: { kind: Kind; text: string } | undefined;
    for (const p of e.properties) {
      const v = ts.isPropertyAssignment(p) ? p.initializer : ts.isShorthandPropertyAssignment(p) ? p.name : ts.isSpreadAssignment(p) ? p.expression : undefined;
      if (!v) continue;
      const x = exposure(v, depth + 1);
      if (!x) continue;
      if (x.kind !== "message") return x;
      best ??= x;
    }
    return best;
  }
  return undefined;
}

/** Inside `if (process.env.NODE_ENV !== "production")` / `isDev ? err.stack : undefined`: development-only disclosure. */
function devGated(node: ts.Node): boolean {
  for (let p = node.parent; p; p = p.parent) {
    if (ts.isIfStatement(p) && DEV_GATE.test(p.expression.getText())) return true;
    if (ts.isConditionalExpression(p) && DEV_GATE.test(p.condition.getText())) return true;
    if (ts.isBinaryExpression(p) && p.operatorToken.kind === ts.SyntaxKind.AmpersandAmpersandToken && DEV_GATE.test(p.left.getText())) return true;
    if (isFunctionLike(p)) {
      // early return for production: if (isProd) return res.status(500).json({ error: "Internal" })
      return false;
    }
  }
  return false;
}

/** The status of `res.status(400).json(…)` / `reply.code(404).send(…)` / `res.statusCode = 4xx`, if literal. */
function statusOf(call: ts.CallExpression): number | undefined {
  let r = receiverOf(call);
  while (r && ts.isCallExpression(unwrap(r))) {
    const c = unwrap(r) as ts.CallExpression;
    const n = memberName(c.expression);
    if ((n === "status" || n === "code" || n === "sendStatus") && c.arguments[0] && ts.isNumericLiteral(unwrap(c.arguments[0]))) return Number((unwrap(c.arguments[0]) as ts.NumericLiteral).text);
    r = receiverOf(c);
  }
  return undefined;
}

function isInErrorPath(node: ts.Node): boolean {
  for (let p = node.parent; p; p = p.parent) {
    if (ts.isCatchClause(p)) return true;
    if (isFunctionLike(p)) {
      if (p.parameters.length === 4) return true;
      const first = p.parameters[0];
      if (first && ts.isIdentifier(first.name) && ERROR_NAME.test(first.name.text)) return true;
      if (p.parent && ts.isCallExpression(p.parent) && /^(catch|setErrorHandler|onError)$/.test(memberName(p.parent.expression) ?? "")) return true;
    }
  }
  return false;
}

export default defineRule({
  meta: {
    id: "security/error-disclosure",
    category: "security",
    severity: "warning",
    cwe: ["CWE-209", "CWE-200", "CWE-497"],
    title: "Error details sent to the client",
    description:
      "Stack traces, raw error objects and driver errors (SQL text, file paths, library versions, internal hostnames) are returned in HTTP responses. " +
      "They map your internals for an attacker and often reveal the exact query to inject into.",
    fix: "Log the error server-side and return a generic message with a correlation id: `res.status(500).json({ error: \"Internal server error\", requestId })`; only show details when NODE_ENV is development.",
  },
  create(ctx) {
    if (!ctx.file.isServerCode) return {};
    const imports = ctx.file.imports;
    const report = (node: ts.Node, x: { kind: Kind; text: string }, sink: string, status: number | undefined): void => {
      if (devGated(node)) return;
      // `err.message` alone is everywhere (validation errors, 4xx): too common to flag with confidence.
      if (x.kind === "message") {
        if (ctx.options.reportMessages !== true || (status !== undefined && status < 500) || !isInErrorPath(node)) return;
        ctx.report({ node, severity: "notice", message: `\`${x.text}\` of an internal error is sent to the client via ${sink}: driver and library messages reveal internals. Return a generic message and log the error.` });
        return;
      }
      // A 4xx answers the client's own mistake (validation, auth): the handler chose to explain it. Stacks still count.
      if (x.kind === "whole" && status !== undefined && status < 500) return;
      ctx.report({ node, message: `${x.kind === "stack" ? `\`${x.text}\`` : `The whole error object \`${x.text}\``} is sent to the client via ${sink}: stack traces and driver errors reveal internals. Log it and return a generic message.` });
    };
    return {
      CallExpression(call) {
        const name = memberName(call.expression);
        if (!name) return;
        // app.use(errorhandler()) without a development gate
        const r = imports.resolveCall(call);
        if (r?.module === "errorhandler" && ts.isIdentifier(unwrap(call.expression))) {
          if (!devGated(call)) ctx.report({ node: call, message: "`errorhandler()` sends full stack traces to clients; only mount it when NODE_ENV is development." });
          return;
        }
        if (!SEND_METHODS.has(name) || !call.arguments.length) return;
        let recv = receiverOf(call);
        while (recv && ts.isCallExpression(unwrap(recv))) recv = receiverOf(unwrap(recv) as ts.CallExpression);
        const recvText = recv ? unwrap(recv).getText() : "";
        const isReply = /^(reply|h)$/.test(recvText);
        if (!isReply && !/^(res|response|resp|ctx\.res|ctx\.response|this\.res)$/.test(recvText)) return;
        const arg = name === "render" ? call.arguments[1] : call.arguments[0];
        if (!arg) return;
        const x = exposure(arg);
        if (!x) return;
        if (isReply && (x.kind !== "stack" || ts.isIdentifier(unwrap(arg)))) return; // fastify's reply.send(err) serializes only message/statusCode
        if (name === "render" && x.kind !== "stack") return; // templates usually print only message
        report(call, x, `\`res.${name}\``, statusOf(call));
      },
      BinaryExpression(b) {
        // ctx.body = err.stack / ctx.body = { error: err }
        if (b.operatorToken.kind !== ts.SyntaxKind.EqualsToken) return;
        const left = unwrap(b.left).getText();
        if (!/^(ctx|context)\.(body|response\.body)$/.test(left)) return;
        const x = exposure(b.right);
        if (!x) return;
        let status: number | undefined;
        const m = /\b(ctx|context)\.status\s*=\s*(\d{3})/.exec(b.parent?.parent?.getText() ?? "");
        if (m) status = Number(m[2]);
        report(b, x, "`ctx.body`", status);
      },
    };
  },
});
