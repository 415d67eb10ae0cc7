import { ts } from "ts-morph";
import { defineRule } from "../../src/core/rule.js";
import { isFunctionLike, memberName, nodeText, unwrap } from "../../src/core/ast.js";
import { enclosingHandler } from "../../src/core/arch-handlers.js";
import { isDataAccessCall } from "../../src/core/data-access.js";
import { findDeclaration, functionOfDeclaration } from "../../src/core/scope.js";
import type { ImportTable } from "../../src/core/imports.js";

const HTTP_MODULES = ["axios", "got", "node-fetch", "undici", "ky", "superagent"];

function isAsyncFn(fn: ts.FunctionLikeDeclaration | undefined): boolean {
  if (!fn) return false;
  if (ts.getCombinedModifierFlags(fn as ts.Declaration) & ts.ModifierFlags.Async) return true;
  if (fn.modifiers?.some((m) => m.kind === ts.SyntaxKind.AsyncKeyword)) return true;
  return !!fn.type && /^Promise</.test(fn.type.getText());
}

/** An async method of the class a `this.x()` call is made in. */
function thisMethod(call: ts.CallExpression): ts.FunctionLikeDeclaration | undefined {
  const callee = unwrap(call.expression);
  if (!ts.isPropertyAccessExpression(callee) || callee.expression.kind !== ts.SyntaxKind.ThisKeyword) return undefined;
  let cls: ts.Node | undefined = call.parent;
  while (cls && !ts.isClassLike(cls)) cls = cls.parent;
  if (!cls || !ts.isClassLike(cls)) return undefined;
  for (const m of cls.members) {
    if (ts.isMethodDeclaration(m) && m.name.getText() === callee.name.text) return m;
    if (ts.isPropertyDeclaration(m) && m.name.getText() === callee.name.text && m.initializer) {
      const init = unwrap(m.initializer);
      if (ts.isArrowFunction(init) || ts.isFunctionExpression(init)) return init;
    }
  }
  return undefined;
}

/** Why the call returns a promise, or undefined when we cannot tell. */
function promiseKind(call: ts.CallExpression, imports: ImportTable): string | undefined {
  if (call.arguments.some((a) => isFunctionLike(unwrap(a)))) return undefined; // callback style: db.query(sql, (err, rows) => …)
  const callee = unwrap(call.expression);
  if (ts.isIdentifier(callee)) {
    if (callee.text === "fetch" && !imports.bindings.has("fetch")) return "fetch";
    const decl = findDeclaration(callee);
    if (decl && isAsyncFn(functionOfDeclaration(decl))) return "async";
  }
  if (isAsyncFn(thisMethod(call))) return "async";
  const r = imports.resolveCall(call);
  if (r?.module && HTTP_MODULES.some((m) => r.module === m || r.module!.startsWith(m + "/"))) return "http";
  if (isDataAccessCall(call, imports, "any")) return "db";
  return undefined;
}

export default defineRule({
  meta: {
    id: "architecture/floating-promise",
    category: "architecture",
    severity: "warning",
    cwe: ["CWE-755", "CWE-252"],
    title: "Promise in a request handler is neither awaited nor handled",
    description:
      "A promise-returning call used as a bare statement: the handler answers before the work is done, its result and errors are ignored, and a " +
      "rejection becomes an `unhandledRejection` that crashes the process on Node 15+ (or is silently lost). Writes can be cut off by the response or a deploy.",
    fix: "`await` it (inside try/catch), return it, or, for deliberate fire-and-forget, hand it to a queue or write `void work().catch((err) => logger.error({ err }, \"…\"))`.",
  },
  create(ctx) {
    if (!ctx.file.isServerCode) return {};
    return {
      ExpressionStatement(st) {
        const e = unwrap(st.expression);
        if (!ts.isCallExpression(e)) return;
        const name = memberName(e.expression);
        if (name === "catch" || name === "then" || name === "finally") return; // handled (or deliberately chained)
        const kind = promiseKind(e, ctx.file.imports);
        if (!kind) return;
        if (!enclosingHandler(st)) return;
        const text = nodeText(e.expression).replace(/\s+/g, "");
        ctx.report({
          node: e,
          message: `\`${text.length > 50 ? "…" + text.slice(-48) : text}(…)\` returns a promise that is not awaited, returned or \`.catch\`ed in a request handler: its failure is lost or crashes the process.`,
        });
      },
    };
  },
});
