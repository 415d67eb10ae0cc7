import { ts } from "ts-morph";
import { isFunctionLike, memberName, stringValue, unwrap } from "./ast.js";
import { isRouteHandler, parameterRole } from "./sources.js";
import { findDeclaration, functionOfDeclaration } from "./scope.js";

/**
 * Request-handler code paths and route registrations, for architecture rules that must stay quiet outside them
 * (scripts, migrations, start-up code).
 */

/** HTTP method names used to register routes (Express/Koa routers, Fastify, Hono). */
export const HTTP_METHODS = new Set(["get", "post", "put", "patch", "delete", "del", "all", "options", "head"]);
const NEST_HTTP_DECORATORS = new Set(["Get", "Post", "Put", "Patch", "Delete", "All", "Options", "Head"]);

export function decoratorsOf(node: ts.Node): readonly ts.Decorator[] {
  return ts.canHaveDecorators(node) ? ts.getDecorators(node) ?? [] : [];
}

export function decoratorName(d: ts.Decorator): string | undefined {
  const e = d.expression;
  return ts.isCallExpression(e) ? memberName(e.expression) : memberName(e);
}

/** A NestJS controller class (`@Controller()`). */
export function isNestController(cls: ts.ClassLikeDeclaration): boolean {
  return decoratorsOf(cls).some((d) => decoratorName(d) === "Controller");
}

/** A route method of a NestJS controller (`@Get()`, `@Post(":id")` …) inside a `@Controller()` class. */
export function isNestControllerRoute(fn: ts.Node): fn is ts.MethodDeclaration {
  if (!ts.isMethodDeclaration(fn)) return false;
  if (!decoratorsOf(fn).some((d) => NEST_HTTP_DECORATORS.has(decoratorName(d) ?? ""))) return false;
  return ts.isClassLike(fn.parent) && isNestController(fn.parent);
}

function functionName(fn: ts.FunctionLikeDeclaration): string | undefined {
  if (fn.name && ts.isIdentifier(fn.name)) return fn.name.text;
  const p = fn.parent;
  if (p && ts.isVariableDeclaration(p) && ts.isIdentifier(p.name)) return p.name.text;
  if (p && ts.isPropertyAssignment(p)) return memberName(p.name as ts.Identifier);
  return undefined;
}

/** `export const handler = async (event) => …`, `exports.handler = …`, `export async function handler(event)`. */
function isLambdaEntry(fn: ts.FunctionLikeDeclaration): boolean {
  const first = fn.parameters[0];
  if (!first) return false;
  if (parameterRole(first) !== "event") {
    const pName = ts.isIdentifier(first.name) ? first.name.text : "";
    if (!/^(event|evt)$/.test(pName)) return false;
  }
  const name = functionName(fn);
  if (name && /^(handler|lambdaHandler|main)$/.test(name)) return true;
  const p = fn.parent;
  return !!p && ts.isBinaryExpression(p) && /(^|\.)handler$/.test(p.left.getText());
}

/** `(req: Request, res: Response) => …` or `(req, res, next)` declared on its own (controller modules). */
function hasRequestResponseParams(fn: ts.FunctionLikeDeclaration): boolean {
  const [a, b] = fn.parameters;
  if (!a || !b) return false;
  const an = ts.isIdentifier(a.name) ? a.name.text : "";
  const bn = ts.isIdentifier(b.name) ? b.name.text : "";
  const at = a.type?.getText() ?? "";
  const bt = b.type?.getText() ?? "";
  const reqLike = /^(req|request)$/.test(an) || /\b(Request|FastifyRequest)\b/.test(at);
  const resLike = /^(res|response|reply)$/.test(bn) || /\b(Response|FastifyReply|ResponseToolkit)\b/.test(bt);
  return reqLike && resLike;
}

/** Functions referenced by name as route handlers: `router.get("/x", getUser)` → getUser's declaration. */
const namedHandlerCache = new WeakMap<ts.SourceFile, Set<ts.Node>>();
function namedRouteHandlers(sf: ts.SourceFile): Set<ts.Node> {
  const cached = namedHandlerCache.get(sf);
  if (cached) return cached;
  const found = new Set<ts.Node>();
  for (const r of routeRegistrations(sf)) for (const a of [...r.middlewares, r.handlerArg]) {
    const e = unwrap(a);
    if (ts.isIdentifier(e)) {
      const fn = functionOfDeclaration(findDeclaration(e));
      if (fn) found.add(fn);
    }
  }
  namedHandlerCache.set(sf, found);
  return found;
}

/** Is this function a request handler: a route callback, a Nest route method, a Lambda entry, a `(req, res)` controller function? */
export function isRequestHandlerFn(fn: ts.Node): fn is ts.FunctionLikeDeclaration {
  if (!isFunctionLike(fn)) return false;
  if (isRouteHandler(fn) || isNestControllerRoute(fn) || hasRequestResponseParams(fn) || isLambdaEntry(fn)) return true;
  return namedRouteHandlers(fn.getSourceFile()).has(fn);
}

/** The request handler a node runs in (through nested callbacks inside the handler), if any. */
export function enclosingHandler(node: ts.Node): ts.FunctionLikeDeclaration | undefined {
  for (let p = node.parent; p; p = p.parent) if (isFunctionLike(p) && isRequestHandlerFn(p)) return p;
  return undefined;
}

/** A route registration: `router.delete("/:id", requireAuth, async (req, res) => …)`. */
export interface RouteRegistration {
  call: ts.CallExpression;
  /** Text of the receiver (`router`, `app`, `this.router`). */
  receiver: string;
  method: string;
  path: string;
  /** Arguments between the path and the handler (middlewares, Fastify options objects). */
  middlewares: ts.Expression[];
  handler?: ts.FunctionLikeDeclaration;
  handlerArg: ts.Expression;
}

const routeCache = new WeakMap<ts.SourceFile, RouteRegistration[]>();

/** Route registrations with a literal path in a file, in source order. */
export function routeRegistrations(sf: ts.SourceFile): RouteRegistration[] {
  const cached = routeCache.get(sf);
  if (cached) return cached;
  const out: RouteRegistration[] = [];
  const visit = (n: ts.Node): void => {
    if (ts.isCallExpression(n) && n.arguments.length >= 2) {
      const callee = unwrap(n.expression);
      const method = memberName(callee);
      const path = stringValue(n.arguments[0]);
      if (method && HTTP_METHODS.has(method) && path !== undefined && path.startsWith("/") && ts.isPropertyAccessExpression(callee)) {
        const handlerArg = unwrap(n.arguments[n.arguments.length - 1]);
        let handler: ts.FunctionLikeDeclaration | undefined;
        if (ts.isArrowFunction(handlerArg) || ts.isFunctionExpression(handlerArg)) handler = handlerArg;
        else if (ts.isIdentifier(handlerArg)) handler = functionOfDeclaration(findDeclaration(handlerArg));
        else if (ts.isCallExpression(handlerArg)) {
          // asyncHandler(async (req, res) => …)
          const inner = handlerArg.arguments.map((a) => unwrap(a)).find((a) => ts.isArrowFunction(a) || ts.isFunctionExpression(a));
          if (inner) handler = inner as ts.FunctionLikeDeclaration;
        }
        out.push({
          call: n, receiver: callee.expression.getText(), method, path,
          middlewares: n.arguments.slice(1, -1).map((a) => unwrap(a)), handler, handlerArg,
        });
      }
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  routeCache.set(sf, out);
  return out;
}

/** `router.use(mw…)`, `app.use("/prefix", mw…)`, `fastify.addHook("onRequest", mw)` calls. */
export function useCalls(sf: ts.SourceFile): { receiver: string; path?: string; args: ts.Expression[]; call: ts.CallExpression }[] {
  const out: { receiver: string; path?: string; args: ts.Expression[]; call: ts.CallExpression }[] = [];
  const visit = (n: ts.Node): void => {
    if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && ["use", "addHook", "register"].includes(n.expression.name.text)) {
      const path = stringValue(n.arguments[0]);
      out.push({ receiver: n.expression.expression.getText(), path, args: n.arguments.slice(path !== undefined ? 1 : 0).map((a) => unwrap(a)), call: n });
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return out;
}
