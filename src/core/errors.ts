import { ts } from "ts-morph";
import { isFunctionLike, walk } from "./ast.js";

/** The name a catch clause binds (`catch (err)`), or undefined for `catch {}` / destructuring. */
export function caughtName(clause: ts.CatchClause): string | undefined {
  const d = clause.variableDeclaration;
  return d && ts.isIdentifier(d.name) ? d.name.text : undefined;
}

/** The error parameter name of a `.catch(err => …)` / `.then(ok, err => …)` callback. */
export function callbackErrorName(fn: ts.FunctionLikeDeclaration): string | undefined {
  const p = fn.parameters[0];
  return p && ts.isIdentifier(p.name) ? p.name.text : undefined;
}

/** Names that say "ignored on purpose": `_`, `_err`, `_e`, `ignored`. */
export function isIgnoredName(name: string | undefined): boolean {
  return !!name && /^(_\w*|ignored?|unused)$/.test(name);
}

/** Every identifier in `node` reading `name` (not property names, not shadowed by a nested parameter of the same name). */
export function referencesTo(node: ts.Node, name: string): ts.Identifier[] {
  const out: ts.Identifier[] = [];
  const visit = (n: ts.Node): void => {
    if (isFunctionLike(n) && n.parameters.some((p) => ts.isIdentifier(p.name) && p.name.text === name)) return;
    if (ts.isIdentifier(n) && n.text === name) {
      const p = n.parent;
      const isPropName = (ts.isPropertyAccessExpression(p) && p.name === n) || (ts.isPropertyAssignment(p) && p.name === n);
      if (!isPropName) out.push(n);
    }
    ts.forEachChild(n, visit);
  };
  if (ts.isIdentifier(node)) visit(node);
  else ts.forEachChild(node, visit);
  return out;
}

/** Is `id` used only to read `.message` (or another string field), losing the stack? */
export function isMessageOnlyUse(id: ts.Identifier): boolean {
  let n: ts.Node = id;
  while (ts.isParenthesizedExpression(n.parent) || ts.isAsExpression(n.parent) || ts.isNonNullExpression(n.parent)) n = n.parent;
  const p = n.parent;
  return ts.isPropertyAccessExpression(p) && p.expression === n && /^(message|code|name)$/.test(p.name.text);
}

/** Does a block contain `throw`, `return`, `break`, `continue` or a call to `next(…)`/`reject(…)` at this function level? */
export function hasControlFlowExit(node: ts.Node): boolean {
  let found = false;
  walk(node, (n) => {
    if (found || isFunctionLike(n)) return false;
    if (ts.isThrowStatement(n) || ts.isReturnStatement(n) || ts.isBreakStatement(n) || ts.isContinueStatement(n)) found = true;
    return undefined;
  });
  return found;
}
