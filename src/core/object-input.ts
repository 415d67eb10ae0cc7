import { ts } from "ts-morph";
import { accessChain, propertyNameText, unwrap } from "./ast.js";
import { assignmentsTo, findDeclaration } from "./scope.js";
import { directSource, parameterRole, rootIdentifier } from "./sources.js";
import { isGuarded } from "./guards.js";
import { taintOf } from "./taint.js";

/** Request fields that can carry objects (`?user[$ne]=x`, JSON bodies); params/headers are always strings. */
const OBJECT_FIELDS = /^(body|query|payload|request\.body|request\.query|req\.body|req\.query)$/;

/**
 * The request source when `expr` is a raw request value that may be an object (a JSON body or qs-parsed query field,
 * the body/query itself, JSON.parse of request text), passed through only by variables, destructuring and property access.
 */
export function objectCapable(expr: ts.Expression, depth = 0, useSite: ts.Node = expr): string | undefined {
  if (depth > 8) return undefined;
  const e = unwrap(expr);
  const direct = directSource(e);
  if (direct) return objectField(e, direct) ? direct : undefined;
  if (ts.isPropertyAccessExpression(e) || ts.isElementAccessExpression(e)) {
    if (ts.isPropertyAccessExpression(e) && ["length", "size"].includes(e.name.text)) return undefined;
    return objectCapable(e.expression, depth + 1, useSite);
  }
  if (ts.isBinaryExpression(e)) {
    const op = e.operatorToken.kind;
    if (op === ts.SyntaxKind.BarBarToken || op === ts.SyntaxKind.QuestionQuestionToken) return objectCapable(e.left, depth + 1, useSite) ?? objectCapable(e.right, depth + 1, useSite);
    return undefined;
  }
  if (ts.isAwaitExpression(e)) return objectCapable(e.expression, depth + 1, useSite);
  if (ts.isCallExpression(e)) {
    // JSON.parse(event.body), JSON.parse(req.query.filter)
    if (e.expression.getText() === "JSON.parse" && e.arguments[0]) {
      const t = taintOf(e.arguments[0], "nosql");
      return t ? `JSON.parse(${t.source})` : undefined;
    }
    return undefined;
  }
  if (ts.isIdentifier(e)) {
    const d = findDeclaration(e);
    if (!d) return undefined;
    if (isGuarded(e.text, useSite, d)) return undefined;
    if (ts.isVariableDeclaration(d)) {
      if (d.type && !/any|unknown|object|Record/.test(d.type.getText())) return undefined;
      const vals = [...(d.initializer ? [d.initializer] : []), ...assignmentsTo(d)];
      // Any reassignment to a cast value makes it safe only when every value is safe.
      for (const v of vals) {
        const s = objectCapable(v, depth + 1, useSite);
        if (s) return s;
      }
      return undefined;
    }
    if (ts.isBindingElement(d)) {
      const path: string[] = [];
      let node: ts.Node = d;
      while (ts.isBindingElement(node)) {
        if (node.dotDotDotToken) path.unshift("…");
        else path.unshift((node.propertyName ? propertyNameText(node.propertyName) : ts.isIdentifier(node.name) ? node.name.text : undefined) ?? "[]");
        node = node.parent.parent;
      }
      if (ts.isParameter(node)) {
        const role = parameterRole(node);
        if (role === "request" && (path[0] === "body" || path[0] === "query")) return `req.${path.join(".")}`;
        if (role === "value" && valueParamIsObjectCapable(node)) return path.join(".");
        return undefined;
      }
      if (ts.isVariableDeclaration(node) && node.initializer) {
        const init = unwrap(node.initializer);
        // const { body } = req
        if (ts.isIdentifier(init)) {
          const pd = findDeclaration(init);
          if (pd && ts.isParameter(pd) && parameterRole(pd) === "request") return path[0] === "body" || path[0] === "query" ? `${init.text}.${path.join(".")}` : undefined;
        }
        if (node.type && !/any|unknown|object|Record/.test(node.type.getText())) return undefined;
        return objectCapable(init, depth + 1, useSite);
      }
      return undefined;
    }
    if (ts.isParameter(d) && parameterRole(d) === "value" && valueParamIsObjectCapable(d)) return e.text;
  }
  return undefined;
}

/** NestJS @Body()/@Query() values typed loosely (not a validated DTO class). */
function valueParamIsObjectCapable(p: ts.ParameterDeclaration): boolean {
  const decorators = ts.canHaveDecorators(p) ? ts.getDecorators(p) ?? [] : [];
  if (!decorators.some((d) => /^(Body|Query)\b/.test(d.expression.getText()))) return false;
  const t = p.type?.getText();
  return !t || /^(any|unknown|object|string|Record<.*>)$/.test(t);
}

function objectField(e: ts.Expression, source: string): boolean {
  const chain = accessChain(e);
  const root = rootIdentifier(e);
  if (!chain || !root) return false;
  const d = findDeclaration(root);
  const role = d && ts.isParameter(d) ? parameterRole(d) : undefined;
  if (role === "value") return !!d && ts.isParameter(d) && valueParamIsObjectCapable(d);
  if (role === "event") return false; // Lambda: body is a string, parameters are strings
  const field = role === "koa" ? chain.slice(1, chain[1] === "request" || chain[1] === "req" ? 3 : 2).join(".") : chain[1];
  void source;
  return OBJECT_FIELDS.test(field ?? "");
}
