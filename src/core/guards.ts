import { ts } from "ts-morph";
import { isFunctionLike } from "./ast.js";
import type { Declaration } from "./scope.js";

/** Checks that restrict a value to known-good ones: allow-lists, regex tests, prefix checks, equality with literals. */
const GUARD_CALL = /\.(includes|has|test|startsWith|match|isValid\w*|indexOf)\s*\(|\b(is[A-Z]\w*|validate\w*|check\w*|isAllowed\w*)\s*\(/;

function mentions(cond: ts.Expression, name: string): boolean {
  const text = cond.getText();
  if (!/^[\w$]+$/.test(name)) return text.includes(name);
  return new RegExp(`(^|[^\\w$.])${name.replace(/[$]/g, "\\$")}\\b`).test(text);
}

/**
 * Does `cond` restrict `name`? `holds` says where the value is used: "true" where the condition held (then-branch),
 * "false" where it failed (after `if (cond) return`). `x === "a"` narrows x only where it holds, `x !== "a"` only
 * where it fails; "either" accepts both (callers that do not know the branch).
 */
export function isGuardCondition(cond: ts.Expression, name: string, holds: "true" | "false" | "either" = "either"): boolean {
  if (!mentions(cond, name)) return false;
  const text = cond.getText();
  if (GUARD_CALL.test(text)) return true;
  // x === "a" || x === "b"; typeof x !== "string" style checks narrow to literals/types. `x != ""` only tests that
  // there is a value: it narrows nothing.
  const narrowing = text.replace(/!==?\s*(''|""|``)|(''|""|``)\s*!==?/g, "");
  const equal = /(===|==)\s*(['"`]|\d)/.test(narrowing) || /(['"`]|\d)\s*(===|==)/.test(narrowing);
  const unequal = /(!==|!=)\s*(['"`]|\d)/.test(narrowing) || /(['"`]|\d)\s*(!==|!=)/.test(narrowing);
  if (holds === "true") return equal;
  if (holds === "false") return unequal;
  return equal || unequal;
}

function exits(st: ts.Statement): boolean {
  if (ts.isReturnStatement(st) || ts.isThrowStatement(st) || ts.isContinueStatement(st) || ts.isBreakStatement(st)) return true;
  if (ts.isBlock(st)) return st.statements.some(exits);
  if (ts.isExpressionStatement(st)) return /\b(next|reject)\s*\(/.test(st.getText());
  return false;
}

/**
 * Is `name` checked against an allow-list before `use`? Either `use` sits in the then-branch of such a check,
 * or an earlier statement in an enclosing block is `if (<check>) return/throw`.
 */
export function isGuarded(name: string, use: ts.Node, decl: Declaration): boolean {
  let child: ts.Node = use;
  for (let p = use.parent; p; child = p, p = p.parent) {
    if (ts.isIfStatement(p) && child === p.thenStatement && isGuardCondition(p.expression, name, "true") && !/^!/.test(p.expression.getText().trim())) return true;
    if (ts.isConditionalExpression(p) && child === p.whenTrue && isGuardCondition(p.condition, name, "true")) return true;
    if (ts.isBlock(p) || ts.isSourceFile(p) || ts.isCaseClause(p)) {
      const statements = p.statements as readonly ts.Statement[];
      const idx = statements.indexOf(child as ts.Statement);
      for (let i = 0; i < idx; i++) {
        const s = statements[i];
        if (ts.isIfStatement(s) && isGuardCondition(s.expression, name, "false") && exits(s.thenStatement)) return true;
      }
    }
    if (isFunctionLike(p) || p === decl) break;
  }
  return false;
}
