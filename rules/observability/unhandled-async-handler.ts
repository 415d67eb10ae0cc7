import { ts } from "ts-morph";
import { defineRule } from "../../src/core/rule.js";
import { enclosingFunction, isFunctionLike, memberName, stringValue, unwrap, walk, walkSameFunction } from "../../src/core/ast.js";
import { directRouteCall } from "../../src/core/handlers.js";
import { rootIdentifier } from "../../src/core/sources.js";
import { findDeclaration, functionOfDeclaration } from "../../src/core/scope.js";

/** Modules that make Express forward async errors (or replace its router with one that does). */
const ASYNC_SAFE_MODULES = ["express-async-errors", "express-async-handler", "@awaitjs/express", "express-promise-router", "express-async-router", "@root/async-router"];
const STREAM_FACTORIES: [string[], string[]][] = [
  [["fs"], ["createReadStream", "createWriteStream"]],
  [["net", "tls"], ["connect", "createConnection"]],
];
const EXIT_CALL = /^(exit|abort|kill|shutdown|gracefulShutdown|terminate|crash|die|close|stop)$|shutdown|terminate/i;

function hasErrorListener(text: string): boolean {
  return /\.(on|once|addListener|prependListener)\(\s*["'`]error["'`]/.test(text);
}

/** Is an await inside a try block that has a catch (in the same function)? */
function isCaught(node: ts.Node, fn: ts.Node): boolean {
  for (let p: ts.Node | undefined = node.parent; p && p !== fn; p = p.parent) {
    if (ts.isBlock(p) && p.parent && ts.isTryStatement(p.parent) && p.parent.tryBlock === p && p.parent.catchClause) return true;
  }
  return false;
}

/**
 * Does an uncaughtException handler end the process: throw, `process.exit`, a shutdown-named call, an imported helper
 * (it may exit), or a local function that does (`exitHandler()` → `server.close(() => process.exit(1))`)?
 */
function handlerExits(fn: ts.Node, seen: Set<ts.Node>): boolean {
  if (seen.has(fn) || seen.size > 8) return false;
  seen.add(fn);
  let exits = false;
  walk(fn, (n) => {
    if (exits) return false;
    if (ts.isThrowStatement(n)) exits = true;
    if (ts.isCallExpression(n)) {
      const name = memberName(n.expression);
      if (name && EXIT_CALL.test(name)) exits = true;
      if (ts.isIdentifier(n.expression)) {
        const local = functionOfDeclaration(findDeclaration(n.expression));
        if (!local) {
          if (!/^(log|warn|error|report|capture|notify)\w*$/i.test(n.expression.text)) exits = true; // an imported helper may exit
        } else if (handlerExits(local, seen)) exits = true;
      }
    }
    if (ts.isBinaryExpression(n) && /process\.exitCode$/.test(n.left.getText())) exits = true;
    return undefined;
  });
  return exits;
}

export default defineRule({
  meta: {
    id: "observability/unhandled-async-handler",
    category: "observability",
    severity: "warning",
    cwe: ["CWE-755", "CWE-248"],
    title: "Async error with nowhere to go",
    description:
      "Express 4 does not catch rejected promises from async handlers: the request hangs until the client times out and Node logs an " +
      "unhandled rejection (or exits, since Node 15). Streams and emitters without an 'error' listener throw on the first ENOENT/ECONNRESET " +
      "and crash the whole process. An uncaughtException handler that carries on leaves the process in an unknown state.",
    fix:
      "Wrap async handlers (`asyncHandler(fn)`, `import \"express-async-errors\"`, or Express 5), or try/catch and call `next(err)`; add " +
      "`.on(\"error\", …)` or use `stream.pipeline()`; in uncaughtException log and `process.exit(1)`.",
  },
  create(ctx) {
    const file = ctx.file;
    if (!file.isServerCode) return {};
    const imports = file.imports;
    const express5 = Number(ctx.options.expressVersion ?? 4) >= 5;
    // express-async-errors patches Express globally: one import anywhere in the analysed project covers every router
    const expressAsyncSafe = express5 || file.imports.hasModule(...ASYNC_SAFE_MODULES) ||
      [...ctx.project.filesMatching(/["']express-async-errors["']/)].some((p) => ctx.project.files.get(p)!.imports.hasModule(ASYNC_SAFE_MODULES[0]));

    const checkHandler = (fn: ts.ArrowFunction | ts.FunctionExpression): void => {
      if (expressAsyncSafe || !fn.modifiers?.some((m) => m.kind === ts.SyntaxKind.AsyncKeyword)) return;
      const route = directRouteCall(fn);
      if (!route) return;
      const r = imports.resolveCall(route);
      if (r?.module !== "express" || !r.instance) return;
      let uncaught: ts.Node | undefined;
      walkSameFunction(fn.body, (n) => {
        if (!uncaught && (ts.isAwaitExpression(n) || (ts.isForOfStatement(n) && n.awaitModifier)) && !isCaught(n, fn)) uncaught = n;
      });
      if (!ts.isBlock(fn.body) && ts.isAwaitExpression(unwrap(fn.body))) uncaught ??= fn.body;
      if (!uncaught) return;
      ctx.report({
        node: fn,
        message: "Async Express handler awaits without try/catch or an async wrapper: Express 4 ignores the rejected promise, so the request hangs until the client times out and the error surfaces only as an unhandled rejection (fatal since Node 15). Wrap it (asyncHandler / express-async-errors) or catch and call `next(err)`.",
      });
    };

    const checkStream = (node: ts.CallExpression | ts.NewExpression, what: string): void => {
      // chained: fs.createReadStream(p).pipe(res)
      let top: ts.Node = node;
      while (top.parent && (ts.isPropertyAccessExpression(top.parent) || (ts.isCallExpression(top.parent) && top.parent.expression === top))) top = top.parent;
      if (top !== node) {
        const text = top.getText();
        if (hasErrorListener(text) || !/^\.?pipe$/.test(memberName((node.parent as ts.PropertyAccessExpression).name) ?? "")) return;
        ctx.report({ node, message: `\`${what}\` is piped without an 'error' listener: a missing file or dropped connection emits 'error', nobody listens, and the process crashes. Use \`pipeline(…)\` (stream/promises) or add \`.on("error", …)\`.` });
        return;
      }
      let p: ts.Node = node.parent;
      while (ts.isParenthesizedExpression(p) || ts.isAsExpression(p)) p = p.parent;
      if (!ts.isVariableDeclaration(p) || !ts.isIdentifier(p.name)) return; // passed along: pipeline(), reply.send(), ctx.body = … handle it
      const name = p.name.text;
      const scope = enclosingFunction(p) ?? p.getSourceFile();
      let handled = false;
      walk(scope, (n) => {
        if (handled || !ts.isIdentifier(n) || n.text !== name || n === p.name) return;
        if (findDeclaration(n) !== p) return;
        const parent = n.parent;
        if (ts.isPropertyAccessExpression(parent) && parent.expression === n) {
          const call = parent.parent;
          if (ts.isCallExpression(call) && call.expression === parent) {
            if (["on", "once", "addListener", "prependListener"].includes(parent.name.text) && stringValue(call.arguments[0]) === "error") handled = true;
            return; // s.pipe(x), s.write(), s.on("data")…
          }
          return;
        }
        handled = true; // escapes: argument, return, assignment — someone else may handle it
      });
      if (handled) return;
      ctx.report({ node, message: `\`${what}\` has no 'error' listener: the first ENOENT, EPIPE or ECONNRESET is thrown as an uncaught exception and takes the whole process down with every in-flight request. Add \`.on("error", …)\` or use \`pipeline(…)\`.` });
    };

    return {
      ArrowFunction: checkHandler,
      FunctionExpression: checkHandler,
      CallExpression(call) {
        for (const [mods, names] of STREAM_FACTORIES) {
          if (imports.isCallTo(call, mods, names)) {
            checkStream(call, `${imports.resolveCall(call)?.module}.${imports.resolveCall(call)?.name}`);
            return;
          }
        }
        // process.on("uncaughtException", handler) that logs and carries on
        const method = memberName(call.expression);
        if ((method === "on" || method === "once") && rootIdentifier(call.expression)?.text === "process" && stringValue(call.arguments[0]) === "uncaughtException") {
          let fn: ts.Node | undefined = call.arguments[1] && unwrap(call.arguments[1]);
          if (fn && ts.isIdentifier(fn)) fn = functionOfDeclaration(findDeclaration(fn));
          if (!fn || !isFunctionLike(fn)) return;
          if (!handlerExits(fn, new Set())) {
            ctx.report({ node: call, message: "This `uncaughtException` handler logs and keeps the process running: after an uncaught exception state is undefined (half-written responses, leaked connections, broken invariants). Log, then exit (`process.exit(1)`) and let the supervisor restart it." });
          }
        }
      },
      NewExpression(n) {
        if (!imports.isCallTo(n, "events", ["EventEmitter", "default", "events"])) return;
        let p: ts.Node = n.parent;
        while (ts.isParenthesizedExpression(p)) p = p.parent;
        if (!ts.isVariableDeclaration(p) || !ts.isIdentifier(p.name)) return;
        const name = p.name.text;
        const scope = enclosingFunction(p) ?? p.getSourceFile();
        const text = scope.getText();
        // only emitters this file makes emit 'error'
        if (!new RegExp(`\\b${name}\\.emit\\(\\s*["'\`]error["'\`]`).test(text)) return;
        if (new RegExp(`\\b${name}\\.(on|once|addListener|prependListener)\\(\\s*["'\`]error["'\`]`).test(text)) return;
        ctx.report({ node: n, message: `\`${name}\` emits 'error' but nothing in this file listens for it: an emitted 'error' without a listener is thrown and crashes the process. Add \`${name}.on("error", …)\`.` });
      },
    };
  },
});
