import { ts } from "ts-morph";
import { defineRule } from "../../src/core/rule.js";
import { enclosingFunction, isFunctionLike, memberName, stringValue, unwrap, walk } from "../../src/core/ast.js";
import { hasExplanatoryComment } from "../../src/core/comments.js";
import { callbackErrorName, caughtName, isIgnoredName, referencesTo } from "../../src/core/errors.js";
import { isRequestHandler, responseParamName } from "../../src/core/handlers.js";
import { loggerCallOf } from "../../src/core/loggers.js";

const QUIET_LEVELS = new Set(["debug", "trace", "verbose", "silly"]);
const SEND_METHODS = new Set(["json", "send", "end", "jsonp", "render", "sendFile"]);
const STATUS_METHODS = new Set(["status", "code", "sendStatus", "writeHead"]);
/**
 * Releasing something that may already be gone: removing a temp file or build folder, closing a connection or a
 * browser, killing a child process. Ignoring its failure is the usual best-effort idiom (the resource is gone
 * either way, and a cleanup error must not mask the real outcome), e.g. `await rm(dir, { recursive: true }).catch(() => {})`.
 */
const CLEANUP_CALLS = /^(rm|rmdir|unlink|rimraf|rmrf|close|destroy|disconnect|quit|kill|terminate|release|abort|unsubscribe|unwatch|removeAllListeners)(Sync)?$/;

function isCleanupCall(e: ts.Expression): boolean {
  let x = unwrap(e);
  if (ts.isAwaitExpression(x)) x = unwrap(x.expression);
  if (!ts.isCallExpression(x)) return false;
  const name = ts.isIdentifier(x.expression) ? x.expression.text : memberName(x.expression);
  return !!name && CLEANUP_CALLS.test(name);
}

/** A `try` whose statements only release resources. */
function onlyCleanup(block: ts.Block): boolean {
  return block.statements.length > 0 && block.statements.every((st) => ts.isExpressionStatement(st) && isCleanupCall(st.expression));
}

export default defineRule({
  meta: {
    id: "observability/swallowed-error",
    category: "observability",
    severity: "warning",
    cwe: ["CWE-390", "CWE-391"],
    title: "Error caught and silently dropped",
    description:
      "A failure that is caught and neither logged with its error object, rethrown nor turned into an error response leaves no trace: " +
      "the request 'succeeds', data is silently missing and on-call has nothing to search for when users report it.",
    fix:
      "Log the error object (`logger.warn({ err }, \"…\")`), rethrow it, or return an error response. If ignoring is intended, " +
      "say so in a comment inside the catch (`// ignore: the cache is optional`) or return an explicit fallback value.",
  },
  create(ctx) {
    const file = ctx.file;
    if (!file.isServerCode) return {};
    const sf = file.sourceFile;
    const hasLogger = file.importsLogger || /\blogger\b/.test(file.text);

    /** Statement that only logs, without the error: `logger.warn("failed")`. */
    const isConstantLog = (st: ts.Statement, errName: string | undefined): boolean => {
      if (!ts.isExpressionStatement(st)) return false;
      const e = unwrap(st.expression);
      if (!ts.isCallExpression(e)) return false;
      const log = loggerCallOf(e, file.imports, hasLogger);
      if (!log || QUIET_LEVELS.has(log.level)) return false;
      return !errName || referencesTo(e, errName).length === 0;
    };

    /** A catch in a request handler that answers with a success status without looking at the error. */
    const respondsSuccess = (block: ts.Block, errName: string | undefined): ts.Node | undefined => {
      const fn = enclosingFunction(block);
      if (!fn || !isRequestHandler(fn)) return undefined;
      if (errName && referencesTo(block, errName).length) return undefined;
      const res = responseParamName(fn);
      let send: ts.Node | undefined;
      let errorStatus = false;
      walk(block, (n) => {
        if (isFunctionLike(n)) return false;
        if (ts.isThrowStatement(n)) errorStatus = true;
        if (ts.isCallExpression(n)) {
          const name = memberName(n.expression);
          if (name === "next" && n.arguments.length) errorStatus = true;
          if (name && STATUS_METHODS.has(name)) {
            const code = n.arguments[0] && unwrap(n.arguments[0]);
            if (!code || !ts.isNumericLiteral(code) || Number(code.text) >= 400) errorStatus = true;
          }
          const recv = ts.isPropertyAccessExpression(n.expression) ? n.expression.expression : undefined;
          const root = recv && recv.getText().split(/[.(]/)[0];
          if (name && SEND_METHODS.has(name) && res && root === res) send ??= n;
        }
        if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
          const left = n.left.getText();
          if (/\.(status|statusCode)$/.test(left)) {
            const v = unwrap(n.right);
            if (!ts.isNumericLiteral(v) || Number(v.text) >= 400) errorStatus = true;
          }
          if (/^ctx\.body$/.test(left)) send ??= n;
        }
        return undefined;
      });
      return !errorStatus ? send : undefined;
    };

    const isNoop = (e: ts.Expression): boolean => {
      const x = unwrap(e);
      if (ts.isIdentifier(x) || ts.isPropertyAccessExpression(x)) return /^(noop|_\.noop|lodash\.noop|R\.identity|Function\.prototype)$/.test(x.getText());
      return false;
    };

    const resultDiscarded = (call: ts.CallExpression): boolean => {
      let p: ts.Node = call.parent;
      while (ts.isParenthesizedExpression(p)) p = p.parent;
      if (ts.isAwaitExpression(p)) p = p.parent;
      return ts.isExpressionStatement(p) || ts.isVoidExpression(p);
    };

    /** `.catch(() => {})`, `.catch(noop)`, `.catch(() => logger.warn("x"))`: why, or undefined when the handler does something. */
    const ignoringHandler = (handler: ts.Expression, call: ts.CallExpression): string | undefined => {
      const h = unwrap(handler);
      if (isNoop(h)) return "`noop` rejection handler";
      if (!ts.isArrowFunction(h) && !ts.isFunctionExpression(h)) return undefined;
      if (hasExplanatoryComment(h.body, sf)) return undefined;
      const errName = callbackErrorName(h);
      if (isIgnoredName(errName)) return undefined;
      if (ts.isBlock(h.body)) {
        if (!h.body.statements.length) return "empty rejection handler";
        if (h.body.statements.every((s) => isConstantLog(s, errName))) return "rejection handler that logs a message without the error";
        return undefined;
      }
      const body = unwrap(h.body);
      if ((ts.isIdentifier(body) && body.text === "undefined") || ts.isVoidExpression(body)) return resultDiscarded(call) ? "rejection handler that returns nothing" : undefined;
      if (ts.isCallExpression(body)) {
        const log = loggerCallOf(body, file.imports, hasLogger);
        if (log && !QUIET_LEVELS.has(log.level) && (!errName || !referencesTo(body, errName).length)) return "rejection handler that logs a message without the error";
      }
      return undefined;
    };

    return {
      CatchClause(clause) {
        const block = clause.block;
        if (hasExplanatoryComment(block, sf)) return;
        const errName = caughtName(clause);
        if (isIgnoredName(errName)) return;
        if (ts.isTryStatement(clause.parent) && onlyCleanup(clause.parent.tryBlock)) return;
        const sts = block.statements;
        if (!sts.length) {
          ctx.report({
            node: clause,
            message: "Empty `catch`: the failure disappears without a log line, metric or error response. Log the error object, rethrow, or write why it is safe to ignore in a comment.",
          });
          return;
        }
        if (sts.every((s) => isConstantLog(s, errName))) {
          ctx.report({
            node: clause,
            message: errName
              ? `This \`catch\` only logs a fixed message and drops \`${errName}\`: the cause, stack and error code never reach the logs. Pass the error object (\`{ err: ${errName} }\`).`
              : "This `catch` only logs a fixed message and drops the error: the cause, stack and error code never reach the logs. Bind it and log the error object.",
          });
          return;
        }
        const send = respondsSuccess(block, errName);
        if (send) {
          ctx.report({
            node: clause,
            message: "The request failed but this `catch` answers with a success status and drops the error: clients, dashboards and alerts all see a healthy 2xx. Respond 5xx (or pass the error to `next(err)`) and log it.",
          });
        }
      },
      CallExpression(call) {
        const name = memberName(call.expression);
        if (!ts.isPropertyAccessExpression(unwrap(call.expression))) return;
        let handler: ts.Expression | undefined;
        if (name === "catch" && call.arguments.length === 1) handler = call.arguments[0];
        else if (name === "then" && call.arguments.length === 2) handler = call.arguments[1];
        if (!handler) return;
        // zod/yup `.catch(value)` takes a fallback value, not a function
        if (stringValue(handler) !== undefined) return;
        const target = ts.isPropertyAccessExpression(unwrap(call.expression)) ? (unwrap(call.expression) as ts.PropertyAccessExpression).expression : undefined;
        if (target && isCleanupCall(target)) return;
        const why = ignoringHandler(handler, call);
        if (!why) return;
        ctx.report({
          node: handler,
          message: `Promise rejection swallowed (${why}): the failure leaves no trace in logs or metrics. Log the error object or let it propagate; if it is truly optional, say why in a comment.`,
        });
      },
    };
  },
});
