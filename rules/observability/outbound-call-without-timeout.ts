import { ts } from "ts-morph";
import { defineRule } from "../../src/core/rule.js";
import { endLineOf, enclosingFunction, hasSpread, isBooleanLiteral, isFunctionLike, isLoop, firstChildOf, lineOf, memberName, objectProperty, stringValue, unwrap, walk } from "../../src/core/ast.js";
import { outboundCallOf, type OutboundCall } from "../../src/core/outbound.js";
import { findDeclaration } from "../../src/core/scope.js";

/** Option names that bound a request's duration, per client. */
const TIMEOUT_KEYS: Record<OutboundCall["client"], string[]> = {
  fetch: ["signal"],
  axios: ["timeout", "signal", "cancelToken"],
  got: ["timeout", "signal"],
  undici: ["headersTimeout", "bodyTimeout", "signal"],
  http: ["timeout", "signal"],
  ky: ["timeout", "signal"],
  superagent: [],
};
const PG_TIMEOUT_KEYS = ["connectionTimeoutMillis", "statement_timeout", "query_timeout", "connect_timeout"];
const DELAY_CALL = /^(sleep|delay|wait|waitFor|setTimeout|backoff|pause|timeout|retryAfter|exponentialBackoff)$|sleep|delay|backoff/i;
const DEFAULT_MS = "10_000";

type Seen = "has" | "missing" | "unknown";

/** Does an options expression set one of `keys`? "unknown" when it cannot be seen (spread, variable from elsewhere, call). */
function optionsHave(options: ts.Expression | undefined, keys: string[], depth = 0): Seen {
  if (!options) return "missing";
  const o = unwrap(options);
  if (ts.isObjectLiteralExpression(o)) {
    if (keys.some((k) => objectProperty(o, k) !== undefined)) return "has";
    return hasSpread(o) ? "unknown" : "missing";
  }
  if (ts.isIdentifier(o) && depth < 3) {
    if (o.text === "undefined") return "missing";
    const d = findDeclaration(o);
    if (d && ts.isVariableDeclaration(d) && d.initializer) {
      // const opts = {…}; opts.timeout = 5000 later is possible: look for an assignment to a key in the same scope
      const scopeText = d.getSourceFile().text;
      if (keys.some((k) => new RegExp(`\\b${o.text}\\.${k}\\s*=`).test(scopeText))) return "has";
      return optionsHave(d.initializer, keys, depth + 1);
    }
  }
  return "unknown";
}

/** `const req = http.request(…); req.setTimeout(5000)` / `.on("timeout", …)` / chained `https.get(…).setTimeout(…)`. */
function timeoutSetLater(call: ts.CallExpression): boolean {
  let p: ts.Node = call;
  while (p.parent && (ts.isPropertyAccessExpression(p.parent) || ts.isCallExpression(p.parent) || ts.isParenthesizedExpression(p.parent))) p = p.parent;
  if (/\.setTimeout\(|\.on\(\s*["']timeout["']/.test(p.getText())) return true;
  const decl = p.parent;
  if (decl && ts.isVariableDeclaration(decl) && ts.isIdentifier(decl.name)) {
    const scope = enclosingFunction(decl) ?? decl.getSourceFile();
    const name = decl.name.text;
    return new RegExp(`\\b${name}\\.(setTimeout\\(|on\\(\\s*["']timeout["']|once\\(\\s*["']timeout["'])`).test(scope.getText());
  }
  return false;
}

/** Retry loop shape: `while (true) { try { await x(); break } catch {} }` with no delay and no way out but success. */
function isHotRetryLoop(loop: ts.IterationStatement): boolean {
  const constantTrue =
    (ts.isWhileStatement(loop) && (isBooleanLiteral(loop.expression, true) || (ts.isNumericLiteral(unwrap(loop.expression)) && unwrap(loop.expression).getText() !== "0"))) ||
    (ts.isDoStatement(loop) && isBooleanLiteral(loop.expression, true)) ||
    (ts.isForStatement(loop) && !loop.condition);
  if (!constantTrue) return false;
  let retryTry = false;
  let delay = false;
  let exitOutsideTry = false;
  const body = loop.statement;
  walk(body, (n) => {
    if (isFunctionLike(n) && !(n.parent && ts.isNewExpression(n.parent))) return false;
    if (isLoop(n)) return false;
    if (ts.isCallExpression(n)) {
      const name = memberName(n.expression);
      if (name && DELAY_CALL.test(name)) delay = true;
    }
    if (ts.isTryStatement(n) && n.catchClause) {
      let awaits = false;
      let exits = false;
      walk(n.tryBlock, (m) => {
        if (isFunctionLike(m) || isLoop(m)) return false;
        if (ts.isAwaitExpression(m) || ts.isCallExpression(m)) awaits = true;
        if (ts.isBreakStatement(m) || ts.isReturnStatement(m)) exits = true;
        return undefined;
      });
      let catchExits = false;
      walk(n.catchClause.block, (m) => {
        if (isFunctionLike(m) && !(m.parent && ts.isNewExpression(m.parent))) return false;
        if (isLoop(m)) return false;
        if (ts.isThrowStatement(m) || ts.isReturnStatement(m) || ts.isBreakStatement(m)) catchExits = true;
        if (ts.isCallExpression(m) && /^(exit|abort)$/.test(memberName(m.expression) ?? "")) catchExits = true;
        return undefined;
      });
      if (awaits && exits && !catchExits) retryTry = true;
      if (catchExits) exitOutsideTry = true;
      // the try block's own statements were examined; the catch's calls still count for delays
      walk(n.catchClause.block, (m) => {
        if (ts.isCallExpression(m) && DELAY_CALL.test(memberName(m.expression) ?? "")) delay = true;
        return undefined;
      });
      if (n.finallyBlock) walk(n.finallyBlock, (m) => {
        if (ts.isCallExpression(m) && DELAY_CALL.test(memberName(m.expression) ?? "")) delay = true;
        return undefined;
      });
      return false;
    }
    if (ts.isThrowStatement(n) || ts.isBreakStatement(n) || ts.isReturnStatement(n)) exitOutsideTry = true;
    return undefined;
  });
  return retryTry && !delay && !exitOutsideTry;
}

const CLIENT_LABEL: Record<OutboundCall["client"], string> = {
  fetch: "`fetch`", axios: "axios", got: "got", undici: "undici `request`", http: "`http.request`", ky: "ky", superagent: "superagent",
};

export default defineRule({
  meta: {
    id: "observability/outbound-call-without-timeout",
    category: "observability",
    severity: "warning",
    cwe: ["CWE-1088", "CWE-400"],
    title: "Outbound call without a timeout",
    description:
      "A call to another service with no deadline waits as long as the remote keeps the socket open. When that dependency degrades, " +
      "requests pile up holding sockets, memory and DB connections until this service falls over too (cascading failure). " +
      "Retry loops with no delay or cap turn a dependency outage into a hot loop against it.",
    fix:
      "Give every call a deadline: `fetch(url, { signal: AbortSignal.timeout(5000) })`, `axios.create({ timeout: 5000 })`, `got(url, { timeout: { request: 5000 } })`, " +
      "`req.setTimeout(5000)`; pg: `connectionTimeoutMillis` and `statement_timeout`; retries: cap attempts and back off between them.",
  },
  create(ctx) {
    const file = ctx.file;
    if (!file.isServerCode) return {};
    const imports = file.imports;
    const axiosDefaultTimeout = ctx.project.filesMatching(/\baxios\.defaults\.timeout\s*=/).size > 0;

    const reportCall = (call: ts.CallExpression, o: OutboundCall): void => {
      const keys = TIMEOUT_KEYS[o.client];
      if (!keys.length) return;
      const seen = optionsHave(o.options, keys);
      if (seen !== "missing") return;
      if (o.client === "http" && timeoutSetLater(call)) return;
      if (o.client === "axios" && o.kind === "call" && axiosDefaultTimeout) return;
      if (o.client === "fetch") {
        const first = call.arguments[0] && unwrap(call.arguments[0]);
        if (first && ts.isNewExpression(first)) return; // fetch(new Request(url, { signal }))
      }
      if (o.kind === "factory") {
        const decl = call.parent;
        if (ts.isVariableDeclaration(decl) && ts.isIdentifier(decl.name) && new RegExp(`\\b${decl.name.text}\\.defaults\\.timeout\\s*=`).test(file.text)) return;
      }
      const line = lineOf(call);
      const single = endLineOf(call) === line;
      const text = file.lineText(line);
      let fix;
      if (single && text.split(call.getText()).length === 2 && !o.options && call.arguments.length === o.optionsIndex) {
        const option = o.client === "fetch" ? `{ signal: AbortSignal.timeout(${DEFAULT_MS}) }` : o.client === "axios" ? `{ timeout: ${DEFAULT_MS} }` : undefined;
        if (option) {
          const callText = call.getText();
          const fixed = callText.replace(/\)$/, `${call.arguments.length ? ", " : ""}${option})`);
          fix = { description: "add a deadline", text: text.replace(callText, () => fixed) };
        }
      } else if (single && o.options && ts.isObjectLiteralExpression(unwrap(o.options)) && (o.client === "fetch" || o.client === "axios")) {
        const obj = unwrap(o.options) as ts.ObjectLiteralExpression;
        const objText = obj.getText();
        if (obj.properties.length && text.split(objText).length === 2 && /\s*}$/.test(objText)) {
          const add = o.client === "fetch" ? `signal: AbortSignal.timeout(${DEFAULT_MS})` : `timeout: ${DEFAULT_MS}`;
          const fixed = objText.replace(/,?\s*}$/, `, ${add} }`);
          fix = { description: "add a deadline", text: text.replace(objText, () => fixed) };
        }
      }
      const what =
        o.kind === "factory"
          ? `${o.client === "axios" ? "`axios.create`" : "`got.extend`"} without \`timeout\`: every request made with this client can hang forever (${o.client} has no default timeout).`
          : o.client === "fetch"
            ? "`fetch` without an abort signal: a slow upstream holds this request for up to 5 minutes (undici's header/body defaults), then the next one, until the service runs out of sockets and memory."
            : o.client === "undici"
              ? "undici `request` without `headersTimeout`/`bodyTimeout`: it falls back to 300-second defaults, far longer than any caller waits."
              : `${o.client === "http" ? `\`${call.expression.getText()}\`` : CLIENT_LABEL[o.client]} call without a timeout: ${o.client === "http" ? "Node's http client" : o.client} waits forever for a hung upstream, tying up sockets and the request that made the call.`;
      ctx.report({ node: call, message: what, severity: o.client === "undici" ? "notice" : undefined, fix });
    };

    const checkLoop = (loop: ts.IterationStatement): void => {
      if (!isHotRetryLoop(loop)) return;
      ctx.report({
        node: firstChildOf(loop),
        message: "Retry loop with no delay and no attempt cap: while the dependency is down this spins as fast as it can fail, hammering it and burning CPU. Cap the attempts and back off (exponential, with jitter).",
      });
    };

    return {
      CallExpression(call) {
        const o = outboundCallOf(call, imports);
        if (o && o.kind !== "instance") reportCall(call, o);
      },
      NewExpression(n) {
        if (!imports.isCallTo(n, ["pg", "pg-pool"], ["Pool", "Client", "default"])) return;
        const cfg = n.arguments?.[0];
        if (!cfg) return; // configured from PG* environment variables
        const seen = optionsHave(cfg, PG_TIMEOUT_KEYS);
        if (seen !== "missing") return;
        const cs = objectProperty(unwrap(cfg), "connectionString");
        if (cs && /timeout/i.test(stringValue(cs) ?? "")) return;
        ctx.report({
          node: n,
          message: "pg pool without `connectionTimeoutMillis` or `statement_timeout`: when the database is saturated, `pool.connect()` and queries wait forever and every request hangs behind them. Set both (e.g. 5 s to connect, 30 s per statement).",
          severity: "notice",
        });
      },
      WhileStatement: checkLoop,
      DoStatement: checkLoop,
      ForStatement: checkLoop,
    };
  },
});
