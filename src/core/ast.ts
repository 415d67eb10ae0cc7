import { ts } from "ts-morph";

// The kinds unwrap strips, read once: `ts.SyntaxKind.X` is two property loads per use on the hottest path.
const PARENTHESIZED = ts.SyntaxKind.ParenthesizedExpression;
const AS = ts.SyntaxKind.AsExpression;
const NON_NULL = ts.SyntaxKind.NonNullExpression;
const TYPE_ASSERTION = ts.SyntaxKind.TypeAssertionExpression;
const SATISFIES = ts.SyntaxKind.SatisfiesExpression;

/** Strips parentheses, `as`, `!`, `satisfies` and type assertions: they never change a value. */
export function unwrap(expr: ts.Expression): ts.Expression {
  let e = expr;
  // Hot (called for nearly every node by many rules): read `kind` once instead of five ts.isX calls.
  for (;;) {
    const k = e.kind;
    if (k === PARENTHESIZED || k === AS || k === NON_NULL || k === TYPE_ASSERTION || k === SATISFIES) {
      e = (e as ts.ParenthesizedExpression).expression;
    } else return e;
  }
}

/** The static string value of a literal, or undefined when it is computed. */
export function stringValue(expr: ts.Node | undefined): string | undefined {
  if (!expr) return undefined;
  const e = ts.isExpression(expr) ? unwrap(expr) : expr;
  if (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e)) return e.text;
  return undefined;
}

/** The text a string-ish expression starts with when its head is literal ("SELECT … " + x → "SELECT … "). */
export function literalPrefix(expr: ts.Expression): string | undefined {
  const e = unwrap(expr);
  if (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e)) return e.text;
  if (ts.isTemplateExpression(e)) return e.head.text;
  if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.PlusToken) return literalPrefix(e.left);
  return undefined;
}

/** All literal text pieces of a string expression (literals, template parts, concatenation), joined with a placeholder. */
export function literalSkeleton(expr: ts.Expression, hole = "?"): string | undefined {
  const e = unwrap(expr);
  if (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e)) return e.text;
  if (ts.isTemplateExpression(e)) return e.head.text + e.templateSpans.map((s) => hole + s.literal.text).join("");
  if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.PlusToken) {
    const l = literalSkeleton(e.left, hole);
    const r = literalSkeleton(e.right, hole);
    if (l === undefined && r === undefined) return undefined;
    return (l ?? hole) + (r ?? hole);
  }
  return undefined;
}

/** True for strings built at run time: template with substitutions or `+` with a non-literal operand. */
export function isDynamicString(expr: ts.Expression): boolean {
  const e = unwrap(expr);
  if (ts.isTemplateExpression(e)) return true;
  if (ts.isBinaryExpression(e) && (e.operatorToken.kind === ts.SyntaxKind.PlusToken || e.operatorToken.kind === ts.SyntaxKind.PlusEqualsToken)) {
    return !(stringValue(e.left) !== undefined && stringValue(e.right) !== undefined);
  }
  return false;
}

/** The property name of `a.b`, `a["b"]`, `a?.b` or the identifier itself. */
export function memberName(expr: ts.Expression): string | undefined {
  const e = unwrap(expr);
  const k = e.kind;
  if (k === ts.SyntaxKind.Identifier) return (e as ts.Identifier).text;
  if (k === ts.SyntaxKind.PropertyAccessExpression) return (e as ts.PropertyAccessExpression).name.text;
  if (k === ts.SyntaxKind.ElementAccessExpression) return stringValue((e as ts.ElementAccessExpression).argumentExpression);
  return undefined;
}

/** `a.b.c` → ["a","b","c"]; calls in the chain appear as "name()" ; undefined for anything more complex. */
export function accessChain(expr: ts.Expression): string[] | undefined {
  const e = unwrap(expr);
  const k = e.kind;
  if (k === ts.SyntaxKind.Identifier) return [(e as ts.Identifier).text];
  if (k === ts.SyntaxKind.ThisKeyword) return ["this"];
  if (ts.isPropertyAccessExpression(e)) {
    const left = accessChain(e.expression);
    return left && [...left, e.name.text];
  }
  if (ts.isElementAccessExpression(e)) {
    const key = stringValue(e.argumentExpression);
    const left = accessChain(e.expression);
    return left && key !== undefined ? [...left, key] : left && [...left, "[]"];
  }
  if (ts.isCallExpression(e)) {
    const left = accessChain(e.expression);
    if (!left) return undefined;
    left[left.length - 1] += "()";
    return left;
  }
  return undefined;
}

export function calleeName(call: ts.CallExpression | ts.NewExpression): string | undefined {
  return memberName(call.expression);
}

/** The receiver of a method call (`db` in `db.query()`), if any. */
export function receiverOf(call: ts.CallExpression | ts.NewExpression): ts.Expression | undefined {
  const e = unwrap(call.expression);
  if (ts.isPropertyAccessExpression(e) || ts.isElementAccessExpression(e)) return e.expression;
  return undefined;
}

export function receiverName(call: ts.CallExpression | ts.NewExpression): string | undefined {
  const r = receiverOf(call);
  return r ? memberName(r) : undefined;
}

const FUNCTION_KINDS = new Set([
  ts.SyntaxKind.FunctionDeclaration, ts.SyntaxKind.FunctionExpression, ts.SyntaxKind.ArrowFunction, ts.SyntaxKind.MethodDeclaration,
  ts.SyntaxKind.Constructor, ts.SyntaxKind.GetAccessor, ts.SyntaxKind.SetAccessor,
]);

export function isFunctionLike(node: ts.Node): node is ts.FunctionLikeDeclaration {
  // Hot (scope lookups, walks): one `kind` read instead of seven ts.isX calls.
  return FUNCTION_KINDS.has(node.kind);
}

export function enclosingFunction(node: ts.Node): ts.FunctionLikeDeclaration | undefined {
  for (let p = node.parent; p; p = p.parent) if (isFunctionLike(p)) return p;
  return undefined;
}

export function isLoop(node: ts.Node): node is ts.IterationStatement {
  return ts.isForStatement(node) || ts.isForOfStatement(node) || ts.isForInStatement(node) || ts.isWhileStatement(node) || ts.isDoStatement(node);
}

/** Line (1-based) where a node starts, ignoring leading trivia. */
export function lineOf(node: ts.Node, sf: ts.SourceFile = node.getSourceFile()): number {
  return sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1;
}

export function endLineOf(node: ts.Node, sf: ts.SourceFile = node.getSourceFile()): number {
  return sf.getLineAndCharacterOfPosition(node.getEnd()).line + 1;
}

/** The object-literal property `name` of an options argument, if statically present. */
export function objectProperty(obj: ts.Node | undefined, name: string): ts.Expression | undefined {
  if (!obj) return undefined;
  const o = ts.isExpression(obj) ? unwrap(obj) : obj;
  if (!ts.isObjectLiteralExpression(o)) return undefined;
  for (const p of o.properties) {
    if (ts.isPropertyAssignment(p) && propertyNameText(p.name) === name) return p.initializer;
    if (ts.isShorthandPropertyAssignment(p) && p.name.text === name) return p.name;
  }
  return undefined;
}

/** True when an object literal has a spread (`...opts`) whose contents we cannot see. */
export function hasSpread(obj: ts.Node | undefined): boolean {
  if (!obj) return false;
  const o = ts.isExpression(obj) ? unwrap(obj) : obj;
  return ts.isObjectLiteralExpression(o) && o.properties.some((p) => ts.isSpreadAssignment(p));
}

export function propertyNameText(name: ts.PropertyName | ts.BindingName): string | undefined {
  if (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name) || ts.isPrivateIdentifier(name)) return name.text;
  if (ts.isComputedPropertyName(name)) return stringValue(name.expression);
  return undefined;
}

export function isBooleanLiteral(expr: ts.Expression | undefined, value: boolean): boolean {
  if (!expr) return false;
  const e = unwrap(expr);
  return e.kind === (value ? ts.SyntaxKind.TrueKeyword : ts.SyntaxKind.FalseKeyword);
}

/** Walks a subtree (pre-order). Return false from the callback to skip a node's children. */
export function walk(node: ts.Node, cb: (n: ts.Node) => boolean | void): void {
  const visit = (n: ts.Node): void => {
    if (cb(n) === false) return;
    ts.forEachChild(n, visit);
  };
  ts.forEachChild(node, visit);
}

/** Like walk, but does not enter nested functions (their bodies run at another time). */
export function walkSameFunction(node: ts.Node, cb: (n: ts.Node) => boolean | void): void {
  walk(node, (n) => {
    if (isFunctionLike(n)) return false;
    return cb(n);
  });
}

export function ancestors(node: ts.Node): ts.Node[] {
  const out: ts.Node[] = [];
  for (let p = node.parent; p; p = p.parent) out.push(p);
  return out;
}

export function isInside(node: ts.Node, container: ts.Node): boolean {
  for (let p: ts.Node | undefined = node; p; p = p.parent) if (p === container) return true;
  return false;
}

/** The first argument that is a function (route handler, callback). */
export function functionArguments(call: ts.CallExpression): ts.FunctionLikeDeclaration[] {
  return call.arguments.map((a) => unwrap(a)).filter((a): a is ts.ArrowFunction | ts.FunctionExpression => ts.isArrowFunction(a) || ts.isFunctionExpression(a));
}

export function nodeText(node: ts.Node): string {
  return node.getText(node.getSourceFile());
}

/**
 * `node.getChildAt(0)` as it was when the parser still built JSDoc nodes: a statement preceded by a `/** … *\/`
 * comment had that comment as its first child, so a report on it starts at the comment. Files are now parsed
 * without JSDoc (see parseSource in analyze.ts); this keeps such reports on the same lines and columns.
 */
export function firstChildOf(node: ts.Node, sf: ts.SourceFile = node.getSourceFile()): ts.Node {
  // The comments the parser attached as JSDoc: leading comments that look like `/**` (but not `/**/`).
  const doc = ts.getLeadingCommentRanges(sf.text, node.pos)?.find((c) => sf.text.startsWith("/**", c.pos) && sf.text.charCodeAt(c.pos + 3) !== 47 /* / */);
  if (!doc) return node.getChildAt(0, sf);
  // A detached JSDoc node spanning the comment: getStart/getEnd give the comment's own range, as before.
  const jsDoc = ts.setTextRange(ts.factory.createJSDocComment(), doc);
  return jsDoc;
}
