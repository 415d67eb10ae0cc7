import { ts } from "ts-morph";
import { literalThroughVariables } from "./values.js";
import { isFunctionLike, memberName, objectProperty, receiverOf, stringValue, unwrap, walk } from "./ast.js";
import { findDeclaration, functionOfDeclaration } from "./scope.js";

/**
 * Web-app facts shared by the security:web rules: routes (Express/Koa-router/Fastify/Restify/Hono and NestJS
 * decorators), their handlers, auth-looking paths, cookie/session options.
 */

const HTTP_METHODS = new Set(["get", "post", "put", "patch", "delete", "del", "all"]);
export const STATE_CHANGING = new Set(["post", "put", "patch", "delete", "del", "all"]);
/** Receivers of `.post("/x", …)` that are HTTP clients or test agents, not routers. */
const CLIENT_RECEIVER = /^(axios|http|https|got|ky|superagent|request|fetch|client|httpClient|apiClient|agent|supertest|instance|\$http|api\$|cache|map|store|redis|params|searchParams|headers|formData|this\.http|this\.httpService|httpService)$/i;

export interface Route {
  call: ts.CallExpression | ts.MethodDeclaration;
  method: string;
  path: string | undefined;
  /** Handler and middleware expressions as written. */
  args: ts.Expression[];
  /** Handler functions we can see (inline, local, or wrapped in asyncHandler(…)). */
  handlers: ts.FunctionLikeDeclaration[];
}

function functionFromExpression(expr: ts.Expression, depth = 0): ts.FunctionLikeDeclaration | undefined {
  const e = unwrap(expr);
  if (ts.isArrowFunction(e) || ts.isFunctionExpression(e)) return e;
  if (ts.isIdentifier(e)) return functionOfDeclaration(findDeclaration(e));
  if (ts.isCallExpression(e) && depth < 2) {
    // asyncHandler(async (req, res) => …), catchAsync(fn)
    for (const a of e.arguments) {
      const f = functionFromExpression(a, depth + 1);
      if (f) return f;
    }
  }
  return undefined;
}

/** The route an `app.post("/login", …)` / `router.route("/x").post(…)` / `fastify.route({…})` call registers. */
export function routeOf(call: ts.CallExpression): Route | undefined {
  const callee = unwrap(call.expression);
  if (!ts.isPropertyAccessExpression(callee)) return undefined;
  const name = callee.name.text.toLowerCase();
  const recv = unwrap(callee.expression);
  if (name === "route" && call.arguments.length === 1 && ts.isObjectLiteralExpression(unwrap(call.arguments[0]))) {
    const opts = call.arguments[0];
    const method = stringValue(objectProperty(opts, "method"))?.toLowerCase();
    const url = stringValue(objectProperty(opts, "url") ?? objectProperty(opts, "path"));
    const handler = objectProperty(opts, "handler");
    if (!method || !handler) return undefined;
    const pre = objectProperty(opts, "preHandler") ?? objectProperty(opts, "onRequest");
    const h = functionFromExpression(handler);
    return { call, method, path: url, args: [pre, handler].filter((x): x is ts.Expression => !!x), handlers: h ? [h] : [] };
  }
  if (!HTTP_METHODS.has(name)) return undefined;
  if (CLIENT_RECEIVER.test(recv.getText())) return undefined;
  if (ts.isCallExpression(recv) && /^(request|supertest|agent)$/.test(memberName(recv.expression) ?? "")) return undefined;
  let path: string | undefined;
  let args: ts.Expression[];
  if (ts.isCallExpression(recv) && memberName(recv.expression) === "route" && recv.arguments.length === 1) {
    path = stringValue(recv.arguments[0]);
    args = [...call.arguments];
  } else {
    if (call.arguments.length < 2) return undefined;
    const first = unwrap(call.arguments[0]);
    path = stringValue(first);
    if (path === undefined && !ts.isTemplateExpression(first) && !ts.isIdentifier(first) && !ts.isPropertyAccessExpression(first) && !ts.isArrayLiteralExpression(first) && !ts.isRegularExpressionLiteral(first)) return undefined;
    if (path !== undefined && !/^[/*]/.test(path) && path !== "") return undefined;
    args = call.arguments.slice(1);
  }
  const last = args.at(-1) && unwrap(args.at(-1)!);
  if (!last || ts.isObjectLiteralExpression(last) || ts.isStringLiteral(last) || ts.isArrayLiteralExpression(last) && args.length === 1) return undefined;
  const handlers = args.map((a) => functionFromExpression(a)).filter((f): f is ts.FunctionLikeDeclaration => !!f);
  return { call, method: name, path, args, handlers };
}

function decoratorCall(d: ts.Decorator): { name: string; args: readonly ts.Expression[] } | undefined {
  const e = d.expression;
  if (ts.isCallExpression(e)) {
    const name = memberName(e.expression);
    return name ? { name, args: e.arguments } : undefined;
  }
  const name = memberName(e);
  return name ? { name, args: [] } : undefined;
}

export function decoratorsOf(node: ts.Node): { name: string; args: readonly ts.Expression[]; node: ts.Decorator }[] {
  if (!ts.canHaveDecorators(node)) return [];
  return (ts.getDecorators(node) ?? []).map((d) => ({ ...decoratorCall(d)!, node: d })).filter((d) => !!d.name);
}

/** A NestJS controller method route: `@Post("login") login(@Body() dto)` under `@Controller("auth")`. */
export function nestRouteOf(m: ts.MethodDeclaration): Route | undefined {
  for (const d of decoratorsOf(m)) {
    const method = d.name.toLowerCase();
    if (!HTTP_METHODS.has(method) || !/^[A-Z]/.test(d.name)) continue;
    const sub = d.args[0] ? stringValue(d.args[0]) ?? "" : "";
    let prefix = "";
    const cls = m.parent;
    if (cls && ts.isClassDeclaration(cls)) {
      const c = decoratorsOf(cls).find((x) => x.name === "Controller");
      const a = c?.args[0];
      if (a) prefix = stringValue(a) ?? stringValue(objectProperty(a, "path")) ?? "";
    }
    const path = "/" + [prefix, sub].map((s) => s.replace(/^\/+|\/+$/g, "")).filter(Boolean).join("/");
    return { call: m, method, path, args: [], handlers: [m] };
  }
  return undefined;
}

/** The name a function is known by: `function login()`, `const login = …`, `login() {}` method, `login: () => …`. */
export function functionName(fn: ts.FunctionLikeDeclaration): string | undefined {
  if (fn.name && (ts.isIdentifier(fn.name) || ts.isStringLiteral(fn.name))) return fn.name.text;
  const p = fn.parent;
  if (p && ts.isVariableDeclaration(p) && ts.isIdentifier(p.name)) return p.name.text;
  if (p && ts.isPropertyAssignment(p)) return memberName(p.name as ts.Identifier);
  if (p && ts.isBinaryExpression(p)) return memberName(p.left);
  return undefined;
}

/** Paths and names of endpoints that authenticate a user or handle credentials. */
export const LOGIN_PATH = /(^|[/_.-])(log-?in|sign-?in|authenticate|auth|sessions?|token|callback)([/_.?-]|$)/i;
export const LOGIN_NAME = /^(log_?in|sign_?in|authenticate|auth|handleLogin|doLogin|postLogin|loginUser|userLogin|signInUser|loginHandler|authenticateUser|login\w*|signin\w*)$/i;
export const CREDENTIAL_PATH =
  /(^|[/_.-])(log-?in|sign-?in|sign-?up|register|authenticate|auth|sessions|password|passwd|forgot|reset(-?password)?|otp|verify|verification|2fa|mfa|totp|magic-?link|pin|token|refresh)([/_.?-]|$)/i;

/** Is a function (or an enclosing one) the handler of a route whose path/name looks like `re`? */
export function enclosingRoute(node: ts.Node): { route: Route; handler: ts.FunctionLikeDeclaration } | undefined {
  for (let p: ts.Node | undefined = node.parent; p; p = p.parent) {
    if (!isFunctionLike(p)) continue;
    if (ts.isMethodDeclaration(p)) {
      const r = nestRouteOf(p);
      if (r) return { route: r, handler: p };
    }
    let q = p.parent;
    while (q && (ts.isParenthesizedExpression(q) || ts.isAsExpression(q))) q = q.parent;
    if (q && ts.isCallExpression(q)) {
      let r = routeOf(q);
      if (!r && q.parent && ts.isCallExpression(q.parent)) r = routeOf(q.parent); // asyncHandler(fn) inside app.post
      if (r) return { route: r, handler: p };
    }
    if (q && ts.isPropertyAssignment(q) && q.parent && ts.isObjectLiteralExpression(q.parent) && q.parent.parent && ts.isCallExpression(q.parent.parent)) {
      const r = routeOf(q.parent.parent);
      if (r) return { route: r, handler: p };
    }
  }
  return undefined;
}

/** Every route registration in a source file (Express-style calls and Nest methods). */
export function routesIn(sf: ts.SourceFile): Route[] {
  const out: Route[] = [];
  walk(sf, (n) => {
    if (ts.isCallExpression(n)) {
      const r = routeOf(n);
      if (r) out.push(r);
    } else if (ts.isMethodDeclaration(n)) {
      const r = nestRouteOf(n);
      if (r) out.push(r);
    }
  });
  return out;
}

/** The object literal an options argument stands for (inline or a local `const opts = {…}`). */
export function objectLiteralOf(expr: ts.Expression | undefined): ts.ObjectLiteralExpression | undefined {
  return literalThroughVariables(expr, ts.isObjectLiteralExpression, 1);
}

/** The property assignment node `name: …` of an object literal (for reporting on its line). */
export function propertyNode(obj: ts.ObjectLiteralExpression | undefined, name: string): ts.ObjectLiteralElementLike | undefined {
  if (!obj) return undefined;
  return obj.properties.find((p) => (ts.isPropertyAssignment(p) || ts.isShorthandPropertyAssignment(p) || ts.isMethodDeclaration(p)) && p.name && memberName(p.name as ts.Identifier) === name);
}

/** Calls inside a node (nested functions included) whose callee name matches. */
export function containsCall(node: ts.Node, names: RegExp): boolean {
  let found = false;
  walk(node, (n) => {
    if (found) return false;
    if (ts.isCallExpression(n) && names.test(memberName(n.expression) ?? "")) found = true;
    return undefined;
  });
  return found;
}

/** Is the call made on something named like an HTTP response (`res`, `response`, `reply`, `ctx.response`)? */
export function isResponseReceiver(call: ts.CallExpression): boolean {
  let r = receiverOf(call);
  // res.status(500).send(…) → res
  while (r && ts.isCallExpression(unwrap(r))) r = receiverOf(unwrap(r) as ts.CallExpression);
  const t = r ? unwrap(r).getText() : "";
  return /^(res|response|reply|resp|h|ctx\.res|ctx\.response|this\.res)$/.test(t);
}
