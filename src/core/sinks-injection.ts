import { ts } from "ts-morph";
import { literalThroughVariables } from "./values.js";
import { isFunctionLike, memberName, stringValue, unwrap } from "./ast.js";
import { assignmentsTo, findDeclaration } from "./scope.js";
import { directSource, parameterRole } from "./sources.js";
import { isGuarded } from "./guards.js";

/**
 * Shared helpers for the injection rules (command, code, path, NoSQL, XXE, deserialization).
 */

/** The static string a value always has: a literal, or a `const`/never-reassigned variable holding one. */
export function constantStringOf(expr: ts.Expression | undefined, depth = 0): string | undefined {
  if (!expr || depth > 5) return undefined;
  const e = unwrap(expr);
  const s = stringValue(e);
  if (s !== undefined) return s;
  if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.PlusToken) {
    const l = constantStringOf(e.left, depth + 1);
    const r = l === undefined ? undefined : constantStringOf(e.right, depth + 1);
    return l !== undefined && r !== undefined ? l + r : undefined;
  }
  if (ts.isTemplateExpression(e)) {
    let out = e.head.text;
    for (const span of e.templateSpans) {
      const v = constantStringOf(span.expression, depth + 1);
      if (v === undefined) return undefined;
      out += v + span.literal.text;
    }
    return out;
  }
  if (ts.isIdentifier(e)) {
    const d = findDeclaration(e);
    if (d && ts.isVariableDeclaration(d) && d.initializer && !assignmentsTo(d).length) return constantStringOf(d.initializer, depth + 1);
  }
  return undefined;
}

/** The object literal a value is (inline, or through variables initialized with one). */
export function objectLiteralOf(expr: ts.Expression | undefined): ts.ObjectLiteralExpression | undefined {
  return literalThroughVariables(expr, ts.isObjectLiteralExpression, 4);
}

/** The array literal a value is (inline, or through variables initialized with one). */
export function arrayLiteralOf(expr: ts.Expression | undefined): ts.ArrayLiteralExpression | undefined {
  return literalThroughVariables(expr, ts.isArrayLiteralExpression, 4);
}

/** A property of an object literal (through variables, and one level of `...spread` of another literal). */
export function optionValue(obj: ts.Expression | undefined, name: string): ts.Expression | undefined {
  const o = objectLiteralOf(obj);
  if (!o) return undefined;
  for (let i = o.properties.length - 1; i >= 0; i--) {
    const p = o.properties[i];
    if (ts.isPropertyAssignment(p) && !ts.isComputedPropertyName(p.name) && (p.name as ts.Identifier | ts.StringLiteral).text === name) return p.initializer;
    if (ts.isShorthandPropertyAssignment(p) && p.name.text === name) return p.name;
    if (ts.isSpreadAssignment(p)) {
      const inner = optionValue(p.expression, name);
      if (inner) return inner;
    }
  }
  return undefined;
}

/** True for `true`, a non-empty string, or `!0`-like truthy constants; false for false/undefined/null/"". */
export function isTruthyConstant(expr: ts.Expression | undefined): boolean {
  if (!expr) return false;
  const e = unwrap(expr);
  if (e.kind === ts.SyntaxKind.TrueKeyword) return true;
  const s = constantStringOf(e);
  if (s !== undefined) return s.length > 0;
  if (ts.isNumericLiteral(e)) return e.text !== "0";
  if (ts.isIdentifier(e)) {
    const d = findDeclaration(e);
    if (d && ts.isVariableDeclaration(d) && d.initializer && !assignmentsTo(d).length) return isTruthyConstant(d.initializer);
  }
  return false;
}

/** Is the value known to be something other than constant-false (i.e. maybe truthy)? */
export function isMaybeTruthy(expr: ts.Expression | undefined): boolean {
  if (!expr) return false;
  const e = unwrap(expr);
  if (e.kind === ts.SyntaxKind.FalseKeyword || e.kind === ts.SyntaxKind.NullKeyword) return false;
  if (ts.isIdentifier(e) && e.text === "undefined") return false;
  if (stringValue(e) === "") return false;
  if (ts.isNumericLiteral(e) && e.text === "0") return false;
  return true;
}

const NON_STRING_TYPES = [ts.SyntaxKind.NumberKeyword, ts.SyntaxKind.BooleanKeyword, ts.SyntaxKind.BigIntKeyword];

/**
 * When a string value is not provably from the request but is built from a parameter of the enclosing code
 * (`function run(userInput) { exec(userInput) }`), the name of that parameter: whoever calls the function
 * controls the value. Numbers, booleans, callbacks and request objects themselves do not count.
 */
export function parameterInput(expr: ts.Expression, depth = 0, seen = new Set<ts.Node>()): string | undefined {
  if (depth > 8 || seen.has(expr)) return undefined;
  seen.add(expr);
  const e = unwrap(expr);
  if (stringValue(e) !== undefined || ts.isNumericLiteral(e)) return undefined;
  if (ts.isTemplateExpression(e)) {
    for (const s of e.templateSpans) {
      const r = parameterInput(s.expression, depth + 1, seen);
      if (r) return r;
    }
    return undefined;
  }
  if (ts.isBinaryExpression(e)) {
    const op = e.operatorToken.kind;
    if (op === ts.SyntaxKind.PlusToken || op === ts.SyntaxKind.BarBarToken || op === ts.SyntaxKind.QuestionQuestionToken) {
      return parameterInput(e.left, depth + 1, seen) ?? parameterInput(e.right, depth + 1, seen);
    }
    return undefined;
  }
  if (ts.isConditionalExpression(e)) return parameterInput(e.whenTrue, depth + 1, seen) ?? parameterInput(e.whenFalse, depth + 1, seen);
  if (ts.isPropertyAccessExpression(e)) {
    if (["length", "size"].includes(e.name.text)) return undefined;
    return parameterInput(e.expression, depth + 1, seen);
  }
  if (ts.isElementAccessExpression(e)) return parameterInput(e.expression, depth + 1, seen);
  if (ts.isCallExpression(e)) {
    const name = memberName(e.expression) ?? "";
    // String-preserving methods on a parameter: input.trim(), args.join(" "), cmd.concat("")
    if (/^(trim\w*|toLowerCase|toUpperCase|concat|join|slice|substring|substr|replace|replaceAll|padStart|padEnd|toString|normalize|format)$/.test(name) && ts.isPropertyAccessExpression(e.expression)) {
      if (name.startsWith("replace") && e.arguments[0] && ts.isRegularExpressionLiteral(e.arguments[0]) && /\[\^/.test(e.arguments[0].text)) return undefined;
      return parameterInput(e.expression.expression, depth + 1, seen) ?? (name === "concat" ? e.arguments.map((a) => parameterInput(a, depth + 1, seen)).find(Boolean) : undefined);
    }
    return undefined;
  }
  if (ts.isIdentifier(e)) {
    const d = findDeclaration(e);
    if (!d) return undefined;
    if (ts.isParameter(d)) {
      if (d.type && (NON_STRING_TYPES.includes(d.type.kind) || ts.isFunctionTypeNode(d.type))) return undefined;
      if (parameterRole(d)) return undefined; // request objects: their fields are handled by taint
      if (d.dotDotDotToken) return undefined;
      const fn = d.parent;
      if (isFunctionLike(fn) && isCallbackOfLibrary(fn)) return undefined;
      if (isGuarded(e.text, e, d)) return undefined;
      if (overwrittenBeforeUse(e, d)) {
        for (const v of assignmentsTo(d)) {
          const r = parameterInput(v, depth + 1, seen);
          if (r) return r;
        }
        return undefined;
      }
      return e.text;
    }
    if (ts.isBindingElement(d)) {
      let owner: ts.Node = d;
      while (ts.isBindingElement(owner)) owner = owner.parent.parent;
      if (ts.isParameter(owner) && !parameterRole(owner) && isFunctionLike(owner.parent) && !isCallbackOfLibrary(owner.parent)) return e.text;
      if (ts.isVariableDeclaration(owner) && owner.initializer) return parameterInput(owner.initializer, depth + 1, seen) ? e.text : undefined;
      return undefined;
    }
    if (ts.isVariableDeclaration(d)) {
      if (d.type && NON_STRING_TYPES.includes(d.type.kind)) return undefined;
      const loop = d.parent?.parent;
      if (loop && ts.isForOfStatement(loop) && loop.initializer === d.parent) return parameterInput(loop.expression, depth + 1, seen);
      const vals = [...(d.initializer ? [d.initializer] : []), ...assignmentsTo(d)];
      for (const v of vals) {
        const r = parameterInput(v, depth + 1, seen);
        if (r) return r;
      }
    }
  }
  return undefined;
}

/** (err, stdout) => … passed to a library call, .then(x => …), array callbacks: parameters are not caller input. */
function isCallbackOfLibrary(fn: ts.FunctionLikeDeclaration): boolean {
  const p = fn.parent;
  return !!p && (ts.isCallExpression(p) || ts.isNewExpression(p)) && !!p.arguments?.some((a) => unwrap(a) === fn);
}

/** Any part of the expression is a direct request source (req.body.x …). */
export function hasDirectSource(expr: ts.Expression): boolean {
  return directSource(expr) !== undefined;
}

/** `function f(code) { code = "…"; run(code) }`: the parameter is replaced at the top of the body before this use. */
function overwrittenBeforeUse(use: ts.Identifier, param: ts.ParameterDeclaration): boolean {
  const fn = param.parent;
  if (!isFunctionLike(fn) || !fn.body || !ts.isBlock(fn.body)) return false;
  for (const st of fn.body.statements) {
    if (st.getStart() >= use.getStart()) return false;
    if (ts.isExpressionStatement(st) && ts.isBinaryExpression(st.expression) && st.expression.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
      ts.isIdentifier(st.expression.left) && st.expression.left.text === use.text) return true;
  }
  return false;
}

/** Command-line arguments of a script or CLI are chosen by the operator running it, not by a remote client. */
export function isOperatorInput(file: { isScript: boolean }, source: string): boolean {
  return file.isScript && source.startsWith("process.argv");
}
