import { ts } from "ts-morph";
import { defineRule } from "../../src/core/rule.js";
import { enclosingFunction, memberName, receiverOf, unwrap, walk } from "../../src/core/ast.js";
import { interpolations } from "../../src/core/strings.js";
import { type Taint, taintOf } from "../../src/core/taint.js";
import { findDeclaration } from "../../src/core/scope.js";

/** Terminal styling libraries: they wrap text in ANSI codes and keep CR/LF, so the styled value is as dangerous as the raw one. */
const STYLING_MODULES = new Set(["chalk", "colors", "colors/safe", "ansi-colors", "colorette", "kleur", "kleur/colors", "cli-color", "picocolors", "wrap-ansi", "slice-ansi", "cli-highlight", "cli-truncate", "strip-indent", "indent-string"]);

const LOG_METHODS = new Set(["log", "info", "warn", "warning", "error", "debug", "trace", "fatal", "verbose", "silly", "notice", "critical", "crit", "alert", "emerg", "http"]);
const LOGGER_NAME = /^(console|logger|log|logging|winston|pino|bunyan|signale|consola|audit|auditLog|\w*Logger|\w*logger|\w*Log)$/;
/** Whole parsed objects: loggers serialize them (JSON / util.inspect), escaping line breaks. */
const WHOLE_OBJECT = /^[\w$]+(\.request)?\.(body|query|params|headers|cookies|signedCookies|files)$|^[\w$]+\.(queryStringParameters|pathParameters|multiValueHeaders)$/;

/** URL, path and header values cannot carry a raw CR/LF (Node's HTTP parser rejects them): request-logging lines are fine. */
const NO_NEWLINE_SOURCE = /^[\w$]+(\.request|\.req)?\.(url|originalUrl|path|baseUrl|method|ip|ips|hostname|host|protocol|href|headers|header|get|rawPath)\b/;

/** Values a command-line tool receives from whoever runs it: printing them back is not a log forgery. */
const CLI_SOURCE = /^(process\.(argv|env|stdin|execArgv)|argv|yargs|commander|program\.(args|opts))\b/;

type Imports = { resolveCall(c: ts.CallExpression): { module?: string } | undefined };

/** `const log = console.log` / `const warn = logger.warn.bind(logger)`: a logging method taken as a value. */
function isLoggerAlias(callee: ts.Identifier): boolean {
  const d = findDeclaration(callee);
  if (!d || !ts.isVariableDeclaration(d) || !d.initializer || !(d.parent.flags & ts.NodeFlags.Const)) return false;
  let init = unwrap(d.initializer);
  if (ts.isCallExpression(init) && memberName(init.expression) === "bind") init = unwrap((init.expression as ts.PropertyAccessExpression).expression);
  if (!ts.isPropertyAccessExpression(init) || !LOG_METHODS.has(init.name.text)) return false;
  const owner = unwrap(init.expression);
  return ts.isIdentifier(owner) && LOGGER_NAME.test(owner.text);
}

function isLoggerCall(call: ts.CallExpression, imports: Imports): boolean {
  const callee = unwrap(call.expression);
  if (ts.isIdentifier(callee)) return imports.resolveCall(call)?.module === "debug" || isLoggerAlias(callee);
  const name = memberName(callee);
  if (!name || !LOG_METHODS.has(name)) return false;
  const recv = receiverOf(call);
  if (!recv) return false;
  const r = unwrap(recv);
  const last = ts.isIdentifier(r) ? r.text : ts.isPropertyAccessExpression(r) ? r.name.text : ts.isCallExpression(r) ? memberName(r.expression) : undefined;
  if (!last) return false;
  if (ts.isCallExpression(r)) return /^(child|getLogger|createLogger|logger|scope|withTag|tag)$/.test(last); // logger.child({ … }).info(…)
  if (ts.isIdentifier(r) && r.text === "console") return true;
  return LOGGER_NAME.test(last) && last !== "console" || last === "console";
}

function messageTaint(arg: ts.Expression, imports: Imports): Taint | undefined {
  const t = messageTaintInner(arg, imports);
  return t && (!NO_NEWLINE_SOURCE.test(t.source) || decodedFromUrl(unstyled(arg, imports))) ? t : undefined;
}

/** `url.parse(req.url, true).query.x`, `new URL(req.url).searchParams.get(…)`, `querystring.parse(…)`: percent-decoded, so %0a becomes a line break. */
const DECODED_QUERY = /\bparse\([^()]*\.url\b[^()]*,\s*true\s*\)[\s\S]*\.query\b|\.query\b[\s\S]*\bparse\([^()]*\.url\b[^()]*,\s*true\s*\)|\.searchParams\b|\b(querystring|qs)\.parse\(|\bdecodeURI(Component)?\(/;

/** The text of an expression plus the initializers of the local variables it reads (a few hops), within its function. */
function decodedFromUrl(arg: ts.Expression): boolean {
  const fn = enclosingFunction(arg);
  const texts: string[] = [];
  const seen = new Set<string>();
  const visit = (n: ts.Node, depth: number): void => {
    texts.push(n.getText());
    if (depth > 3 || !fn) return;
    const follow = (c: ts.Node): void => {
      if (!ts.isIdentifier(c) || seen.has(c.text)) return;
      seen.add(c.text);
      walk(fn, (d) => {
        if (ts.isVariableDeclaration(d) && ts.isIdentifier(d.name) && d.name.text === c.text && d.initializer) visit(d.initializer, depth + 1);
      });
    };
    follow(n); // `console.log("user:", username)`: the argument itself is the variable (walk only visits children)
    walk(n, follow);
  };
  visit(arg, 0);
  return DECODED_QUERY.test(texts.join("\n"));
}

/** `chalk.red(x)`, `kleur.blue().bold()(x)`, `wrapAnsi(colors.red(x), 20)` → `x`: styling keeps the line breaks. */
function unstyled(arg: ts.Expression, imports: Imports): ts.Expression {
  let a = unwrap(arg);
  for (let i = 0; i < 6 && ts.isCallExpression(a) && a.arguments.length; i++) {
    const m = imports.resolveCall(a)?.module;
    if (!m || !STYLING_MODULES.has(m)) break;
    a = unwrap(a.arguments[0]);
  }
  return a;
}

/** Tainted text that ends up in the log line: string builds, or a direct string-valued source. */
function messageTaintInner(arg: ts.Expression, imports: Imports): Taint | undefined {
  const a = unstyled(arg, imports);
  if (ts.isObjectLiteralExpression(a) || ts.isArrayLiteralExpression(a)) return undefined; // structured fields are serialized
  if (ts.isTemplateExpression(a) || ts.isBinaryExpression(a) && a.operatorToken.kind === ts.SyntaxKind.PlusToken) {
    for (const part of interpolations(a)) {
      const t = taintOf(part, "log");
      if (t && !WHOLE_OBJECT.test(t.source)) return t;
    }
    return undefined;
  }
  if (ts.isCallExpression(a) && /^(String|format|sprintf|concat|join|trim|toString)$/.test(memberName(a.expression) ?? "")) {
    const t = taintOf(a, "log");
    return t && !WHOLE_OBJECT.test(t.source) ? t : undefined;
  }
  const t = taintOf(a, "log");
  if (!t || WHOLE_OBJECT.test(t.source)) return undefined;
  // A variable holding a built string, or a field of the request (req.query.user, req.body.name, a header)
  if (ts.isIdentifier(a) || ts.isPropertyAccessExpression(a) || ts.isElementAccessExpression(a) || ts.isCallExpression(a)) return t;
  return undefined;
}

export default defineRule({
  meta: {
    id: "security/log-injection",
    category: "security",
    severity: "warning",
    cwe: ["CWE-117"],
    title: "Request data written into a log message unneutralized",
    description:
      "Text from the request is spliced into a log message. A value containing CR/LF forges extra log lines (fake `login succeeded for admin` " +
      "entries), hides an attack from whoever reads the logs, or injects markup into log viewers.",
    fix: "Log request values as structured fields (`logger.info({ user }, \"login\")`), or strip line breaks first (`value.replace(/[\\r\\n]/g, \"\")`) / `JSON.stringify(value)`.",
  },
  create(ctx) {
    // bin/, scripts, CLIs, files with a shebang: their console output is a terminal, and argv comes from the operator
    const cliTool = ctx.file.isScript || /(^|\/)[^/]*cli[^/]*\.[cm]?[jt]s$/i.test(ctx.file.path);
    return {
      CallExpression(call) {
        if (!call.arguments.length || !isLoggerCall(call, ctx.file.imports)) return;
        const name = memberName(call.expression);
        const args = name === "log" && call.arguments.length > 1 && /^['"](info|warn|error|debug|verbose|silly|http)['"]$/.test(call.arguments[0].getText()) ? call.arguments.slice(1) : call.arguments;
        for (const a of args) {
          const t = messageTaint(a, ctx.file.imports);
          if (t && cliTool && CLI_SOURCE.test(t.source)) continue;
          if (t) {
            ctx.report({ node: call, message: `Log message includes \`${t.source}\` unneutralized: CR/LF in it forges log entries. Log it as a structured field or strip line breaks.` });
            return;
          }
        }
      },
    };
  },
});
