import { ts } from "ts-morph";
import { isFunctionLike, memberName, unwrap } from "./ast.js";
import { isRouteHandler } from "./sources.js";

const NEST_ROUTE_DECORATORS = new Set(["Get", "Post", "Put", "Patch", "Delete", "All", "Options", "Head", "MessagePattern", "EventPattern"]);
const EXPRESS_ROUTE_METHODS = new Set(["get", "post", "put", "patch", "delete", "del", "all", "options", "head", "use"]);

function decoratorNames(node: ts.Node): string[] {
  if (!ts.canHaveDecorators(node)) return [];
  return (ts.getDecorators(node) ?? []).map((d) => {
    const e = d.expression;
    return (ts.isCallExpression(e) ? memberName(e.expression) : memberName(e)) ?? "";
  });
}

/** Is `fn` a method of a NestJS controller with a route decorator (`@Get()`, `@Post()`…)? */
export function isNestRouteMethod(fn: ts.Node): boolean {
  return ts.isMethodDeclaration(fn) && decoratorNames(fn).some((n) => NEST_ROUTE_DECORATORS.has(n));
}

/** A function that answers an HTTP request: route callbacks (Express, Fastify, Koa router, Hapi) and Nest route methods. */
export function isRequestHandler(fn: ts.Node): boolean {
  return isFunctionLike(fn) && (isRouteHandler(fn) || isNestRouteMethod(fn));
}

/** The nearest enclosing request handler of a node, if any (crossing nested callbacks). */
export function enclosingRequestHandler(node: ts.Node): ts.FunctionLikeDeclaration | undefined {
  for (let p: ts.Node | undefined = node.parent; p; p = p.parent) if (isFunctionLike(p) && isRequestHandler(p)) return p;
  return undefined;
}

/**
 * When `fn` is passed *directly* as an argument to `<recv>.<method>(…)` with an Express-style route method
 * (not wrapped in asyncHandler(…)), returns that route call.
 */
export function directRouteCall(fn: ts.Node): ts.CallExpression | undefined {
  let p = fn.parent;
  while (p && (ts.isParenthesizedExpression(p) || ts.isAsExpression(p))) p = p.parent;
  if (!p || !ts.isCallExpression(p) || !p.arguments.some((a) => unwrap(a) === fn)) return undefined;
  const name = memberName(p.expression);
  if (!name || !EXPRESS_ROUTE_METHODS.has(name) || !ts.isPropertyAccessExpression(unwrap(p.expression))) return undefined;
  return p;
}

/** The response parameter name of a handler (`res`, `reply`, `response`), when it has one. */
export function responseParamName(fn: ts.FunctionLikeDeclaration): string | undefined {
  for (const p of fn.parameters) {
    if (!ts.isIdentifier(p.name)) continue;
    const t = p.type?.getText() ?? "";
    if (/^(res|reply|response|resp)$/.test(p.name.text) || /\b(Response|FastifyReply|Reply)\b/.test(t)) return p.name.text;
  }
  return undefined;
}
