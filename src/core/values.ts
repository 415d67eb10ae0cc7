import { ts } from "ts-morph";
import { memberName, unwrap } from "./ast.js";
import { findDeclaration } from "./scope.js";

const NUMERIC_CALLS = new Set(["parseInt", "parseFloat", "Number", "Math", "toFixed", "getTime", "now", "length", "indexOf", "round", "floor", "ceil", "min", "max", "abs"]);

/** Values that are numbers by construction: literals, parseInt(…), x.length, arithmetic, number-typed names. */
export function isNumericLike(expr: ts.Expression): boolean {
  const e = unwrap(expr);
  if (ts.isNumericLiteral(e)) return true;
  if (ts.isPrefixUnaryExpression(e)) return true;
  if (ts.isBinaryExpression(e) && [ts.SyntaxKind.MinusToken, ts.SyntaxKind.AsteriskToken, ts.SyntaxKind.SlashToken, ts.SyntaxKind.PercentToken].includes(e.operatorToken.kind)) return true;
  if (ts.isCallExpression(e)) return NUMERIC_CALLS.has(memberName(e.expression) ?? "") || (ts.isPropertyAccessExpression(e.expression) && ts.isIdentifier(e.expression.expression) && e.expression.expression.text === "Math");
  if (ts.isPropertyAccessExpression(e)) return ["length", "size"].includes(e.name.text);
  if (ts.isIdentifier(e)) {
    const d = findDeclaration(e);
    if (d && (ts.isParameter(d) || ts.isVariableDeclaration(d)) && d.type) return [ts.SyntaxKind.NumberKeyword, ts.SyntaxKind.BooleanKeyword, ts.SyntaxKind.BigIntKeyword].includes(d.type.kind);
    if (d && ts.isVariableDeclaration(d) && d.initializer && d.parent.flags & ts.NodeFlags.Const) return isNumericLike(d.initializer);
  }
  return false;
}

/** Constants and code-built fragments: UPPER_CASE names, const string literals, placeholder lists, column lists, table names. */
export function isConstantLike(expr: ts.Expression): boolean {
  const e = unwrap(expr);
  if (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e)) return true;
  const text = e.getText();
  if (/^[A-Z][A-Z0-9_]*(\.[A-Za-z0-9_]+)*$/.test(text)) return true;
  if (/(placeholder|columns?|fields?|table|schema|sortDir|direction|limit|offset|clause|conditions?|set[A-Z]|where[A-Z]?|orderBy|keys|cols|params\.length|idx|index)\w*$/i.test(text)) return true;
  if (ts.isCallExpression(e) && /\.(join|map)\(/.test(text) && /\$\{?|\?|placeholder|`\$/.test(text)) return true;
  if (ts.isIdentifier(e)) {
    const d = findDeclaration(e);
    if (d && ts.isVariableDeclaration(d) && d.initializer && d.parent.flags & ts.NodeFlags.Const) {
      const init = unwrap(d.initializer);
      if (ts.isStringLiteral(init) || ts.isNoSubstitutionTemplateLiteral(init) || ts.isNumericLiteral(init)) return true;
    }
  }
  return false;
}

/**
 * The literal of a given kind a value is: inline, or through `const x = …` initializers (at most `maxHops` variables),
 * e.g. the options object of `session(opts)` declared a few lines above.
 */
export function literalThroughVariables<T extends ts.Expression>(expr: ts.Expression | undefined, isKind: (e: ts.Expression) => e is T, maxHops: number): T | undefined {
  let e = expr && unwrap(expr);
  for (let hops = 0; e; hops++) {
    if (isKind(e)) return e;
    if (!ts.isIdentifier(e) || hops >= maxHops) return undefined;
    const d = findDeclaration(e);
    e = d && ts.isVariableDeclaration(d) && d.initializer ? unwrap(d.initializer) : undefined;
  }
  return undefined;
}
