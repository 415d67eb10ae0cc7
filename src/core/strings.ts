import { ts } from "ts-morph";
import { literalSkeleton, unwrap } from "./ast.js";
import { assignmentsTo, findDeclaration } from "./scope.js";

/**
 * The pieces that build a string value: the expression itself, or — for a variable — its initializer and
 * every `=`/`+=` assigned to it (queries are often built up over several lines).
 */
export function stringParts(expr: ts.Expression): ts.Expression[] {
  const e = unwrap(expr);
  if (!ts.isIdentifier(e)) return [e];
  const decl = findDeclaration(e);
  if (!decl || !ts.isVariableDeclaration(decl)) return [e];
  const parts: ts.Expression[] = [];
  if (decl.initializer) parts.push(unwrap(decl.initializer));
  parts.push(...assignmentsTo(decl).map(unwrap));
  return parts.length ? parts : [e];
}

/** Literal skeleton of a possibly variable-built string ("SELECT * FROM t WHERE id = ?"), or undefined. */
export function skeletonOf(expr: ts.Expression): string | undefined {
  const skeletons = stringParts(expr).map((p) => literalSkeleton(p)).filter((s): s is string => s !== undefined);
  return skeletons.length ? skeletons.join(" ") : undefined;
}

/** Expressions interpolated into a string: template spans and non-literal `+` operands, through variables. */
export function interpolations(expr: ts.Expression): ts.Expression[] {
  const out: ts.Expression[] = [];
  const collect = (n: ts.Expression, top: boolean): void => {
    const e = unwrap(n);
    if (ts.isTemplateExpression(e)) {
      for (const s of e.templateSpans) out.push(s.expression);
    } else if (ts.isBinaryExpression(e) && (e.operatorToken.kind === ts.SyntaxKind.PlusToken || e.operatorToken.kind === ts.SyntaxKind.PlusEqualsToken)) {
      collect(e.left, false);
      collect(e.right, false);
    } else if (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e)) {
      // literal: nothing interpolated
    } else if (top && ts.isIdentifier(e)) {
      const parts = stringParts(e);
      if (parts.length === 1 && parts[0] === e) out.push(e);
      else for (const p of parts) collect(p, false);
    } else out.push(e);
  };
  collect(expr, true);
  return out;
}
