import { ts } from "ts-morph";
import { defineRule } from "../../src/core/rule.js";
import { calleeName, endLineOf, isFunctionLike, lineOf, unwrap } from "../../src/core/ast.js";
import { callbackErrorName, caughtName, isIgnoredName, isMessageOnlyUse, referencesTo } from "../../src/core/errors.js";
import { loggerCallOf } from "../../src/core/loggers.js";

/** Built-in errors whose second argument is `{ cause }` (ES2022, Node ≥ 16.9). */
const BUILTIN_ERRORS = new Set(["Error", "TypeError", "RangeError", "SyntaxError", "ReferenceError", "EvalError", "URIError"]);
/** Client errors: translating a failure into a 4xx is a deliberate mapping, the cause rarely matters to operators. */
const CLIENT_ERROR = /^(BadRequest|Unauthorized|Forbidden|NotFound|Conflict|Gone|UnprocessableEntity|PayloadTooLarge|UnsupportedMediaType|NotAcceptable|MethodNotAllowed|PreconditionFailed|TooManyRequests|Validation|Invalid\w*|Unauthenticated|PermissionDenied|AccessDenied)\w*(Error|Exception)$/;
const ERROR_LEVELS = new Set(["error", "fatal", "crit", "critical", "alert", "emerg", "warn", "warning"]);

/** The catch clause (or `.catch(err => …)` callback) whose error `node` sits in, without crossing other functions. */
function enclosingCatch(node: ts.Node): { errName: string; body: ts.Node } | undefined {
  for (let p: ts.Node | undefined = node.parent; p; p = p.parent) {
    if (ts.isCatchClause(p)) {
      const name = caughtName(p);
      return name && !isIgnoredName(name) ? { errName: name, body: p.block } : undefined;
    }
    if (isFunctionLike(p)) {
      const call = p.parent;
      if (call && ts.isCallExpression(call) && calleeName(call) === "catch" && call.arguments.length === 1 && unwrap(call.arguments[0]) === p) {
        const name = callbackErrorName(p);
        return name && !isIgnoredName(name) ? { errName: name, body: p.body ?? p } : undefined;
      }
      return undefined;
    }
  }
  return undefined;
}

export default defineRule({
  meta: {
    id: "observability/lost-error-cause",
    category: "observability",
    severity: "warning",
    cwe: ["CWE-755"],
    title: "Original error dropped when rethrowing or logging",
    description:
      "Throwing a new error from a catch without `{ cause }`, or logging only `err.message`, throws away the original stack, error code " +
      "and driver details: the log says \"failed to load user\" but not that the database refused the connection.",
    fix: "Chain the original: `throw new Error(\"failed to load user\", { cause: err })`; log the error object: `logger.error({ err }, \"failed\")`.",
  },
  create(ctx) {
    const file = ctx.file;
    if (!file.isServerCode) return {};
    const hasLogger = file.importsLogger || /\blogger\b/.test(file.text);
    return {
      ThrowStatement(st) {
        const e = st.expression && unwrap(st.expression);
        if (!e || !ts.isNewExpression(e)) return;
        const ctor = calleeName(e);
        if (!ctor || !/(Error|Exception)$/.test(ctor) || CLIENT_ERROR.test(ctor)) return;
        const c = enclosingCatch(st);
        if (!c) return;
        // The thrown error mentions the caught one (message, cause, wrapper): the brief's line is drawn there.
        if (e.arguments?.some((a) => referencesTo(a, c.errName).length || (ts.isIdentifier(a) && a.text === c.errName))) return;
        // Any other use of the caught error (logged as an object, inspected, passed on) means it was not silently dropped;
        // reading only `.message` elsewhere still loses the stack.
        if (referencesTo(c.body, c.errName).some((id) => !isMessageOnlyUse(id))) return;
        const line = lineOf(st);
        let fix;
        if (BUILTIN_ERRORS.has(ctor) && e.arguments?.length === 1 && endLineOf(st) === line) {
          const text = file.lineText(line);
          const argEnd = e.arguments[0].getEnd() - file.sourceFile.getLineStarts()[line - 1];
          if (argEnd > 0 && text.slice(argEnd).startsWith(")")) {
            fix = { description: "chain the caught error as `cause`", text: `${text.slice(0, argEnd)}, { cause: ${c.errName} }${text.slice(argEnd)}` };
          }
        }
        ctx.report({
          node: st,
          message: `\`throw new ${ctor}(…)\` inside a catch drops \`${c.errName}\`: the original stack and error code never reach the logs or error tracker. Pass \`{ cause: ${c.errName} }\`.`,
          fix,
        });
      },
      CallExpression(call) {
        const log = loggerCallOf(call, file.imports, hasLogger);
        if (!log || !(ERROR_LEVELS.has(log.level) || (log.console && log.level === "log"))) return;
        const c = enclosingCatch(call);
        if (!c) return;
        const inCall = referencesTo(call, c.errName);
        if (!inCall.length || !inCall.every(isMessageOnlyUse)) return;
        // The error goes somewhere else too (rethrown, next(err), logged elsewhere): the stack is not lost.
        const all = referencesTo(c.body, c.errName);
        if (all.some((id) => !inCall.includes(id) && !isMessageOnlyUse(id))) return;
        const line = lineOf(call);
        const text = file.lineText(line);
        let fix;
        const only = call.arguments.length === 1 ? unwrap(call.arguments[0]) : undefined;
        const single = only && ts.isPropertyAccessExpression(only) && only.name.text === "message" && ts.isIdentifier(unwrap(only.expression));
        if (single && endLineOf(call) === line && text.split(only.getText()).length === 2) {
          const errText = unwrap(only.expression).getText();
          if (log.console) fix = { description: "log the error object", text: text.replace(only.getText(), errText) };
          else if (log.fieldsPosition === "first") fix = { description: "log the error object", text: text.replace(only.getText(), `{ ${errText === "err" ? "err" : `err: ${errText}`} }, ${only.getText()}`) };
          else if (log.fieldsPosition === "last") fix = { description: "log the error object", text: text.replace(only.getText(), `${only.getText()}, { error: ${errText} }`) };
        }
        ctx.report({
          node: call,
          message: `Only \`${c.errName}.message\` is logged: the stack trace, error code and cause are lost, so the log line cannot be traced to the failing call. Log the error object.`,
          severity: "notice",
          fix,
        });
      },
    };
  },
});
