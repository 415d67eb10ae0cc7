import { ts } from "ts-morph";
import { defineRule } from "../../src/core/rule.js";
import { enclosingFunction, isFunctionLike, memberName, stringValue, unwrap, walk } from "../../src/core/ast.js";
import { findDeclaration } from "../../src/core/scope.js";
import { objectLiteralOf, propertyNode, routesIn, STATE_CHANGING, type Route } from "../../src/core/web-app.js";

const SESSION_MODULES = ["express-session", "cookie-session", "koa-session", "koa-generic-session", "client-sessions"];
const CSRF_MODULES = [
  "csurf", "csrf-csrf", "lusca", "csrf", "tiny-csrf", "csrf-sync", "koa-csrf", "@koa/csrf", "@fastify/csrf-protection", "@fastify/csrf",
  "@dr.pogodin/csurf", "express-csrf-double-submit-cookie", "csrf-token", "@edge-csrf/express", "@edge-csrf/node-http", "helmet-csrf", "xsrf",
];
const AUTH_COOKIE = /\b(req|request)\.(signedCookies|cookies)\s*(\.|\[\s*['"])\s*(session|sid|token|auth|jwt|access|refresh|user|remember)/i;
const STATE_METHODS = /^(POST|PUT|PATCH|DELETE)$/i;
/** csurf-style packages: calling the import returns the middleware a route must pass through. */
const ROUTE_CSRF_MODULES = ["csurf", "@dr.pogodin/csurf"];
/** Endpoints that cannot carry a CSRF token: third-party webhooks and OAuth/payment callbacks. */
const TOKENLESS_PATH = /(web-?hooks?|\/hooks?\b|callback|\bipn\b|notify|notifications?\/(stripe|paypal)|\/oauth\/|\/saml\/)/i;

export default defineRule({
  meta: {
    id: "security/csrf",
    category: "security",
    severity: "warning",
    cwe: ["CWE-352"],
    title: "Cookie-authenticated app without CSRF protection",
    description:
      "The app authenticates requests with a session cookie and accepts state-changing requests (POST/PUT/PATCH/DELETE) without a CSRF token " +
      "or a SameSite cookie. Any site the user visits can submit forms to it with the user's cookie attached.",
    fix: "Add CSRF protection (csrf-csrf / csrf-sync / lusca.csrf, or `@fastify/csrf-protection`) for cookie-authenticated routes, and set `sameSite: \"lax\"` or `\"strict\"` on the session cookie.",
  },
  create(ctx) {
    if (ctx.file.isTest) return {};
    const imports = ctx.file.imports;
    // code without comments: "// TODO: csrf" does not protect anything (computed only for a file that needs it)
    let code: string | undefined;
    const codeText = (): string => (code ??= ctx.file.text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:"'`\\])\/\/.*$/gm, "$1"));
    let setup: ts.Node | undefined;
    let cookieParserCall: ts.Node | undefined;
    const csrfMiddlewares: ts.CallExpression[] = [];
    return {
      CallExpression(call) {
        const r = imports.resolveCall(call);
        if (!r?.module) return;
        const callee = unwrap(call.expression);
        const direct = ts.isIdentifier(callee) || r.name === "default";
        if (ROUTE_CSRF_MODULES.includes(r.module) && direct) csrfMiddlewares.push(call);
        if (SESSION_MODULES.includes(r.module) && direct && !setup) setup = call;
        else if (r.module === "cookie-parser" && direct && !cookieParserCall) cookieParserCall = call;
        // csurf({ ignoreMethods: ["GET", "POST"] }): protection switched off for state-changing methods
        if (["csurf", "@dr.pogodin/csurf"].includes(r.module) && direct) {
          const o = objectLiteralOf(call.arguments[0]);
          const ig = o && propertyNode(o, "ignoreMethods");
          if (ig && ts.isPropertyAssignment(ig)) {
            const arr = unwrap(ig.initializer);
            if (ts.isArrayLiteralExpression(arr) && arr.elements.some((el) => STATE_METHODS.test(stringValue(el) ?? ""))) {
              ctx.report({ node: ig, message: "CSRF middleware ignores a state-changing method (`ignoreMethods` lists POST/PUT/PATCH/DELETE): those requests are not checked." });
            }
          }
        }
      },
      "SourceFile:exit"() {
        if (ROUTE_CSRF_MODULES.some((m) => imports.hasModule(m))) {
          for (const route of unprotectedRoutes(ctx.file.sourceFile, csrfMiddlewares)) {
            ctx.report({
              node: route.call,
              message: `${route.method.toUpperCase()} ${route.path ?? "route"} is registered without the CSRF middleware this file sets up (${csrfMiddlewares.length ? "not in its middleware list, and no earlier `use()` applies it" : "csurf is imported but never applied"}): forms on other sites can submit it with the user's cookies.`,
            });
          }
          return;
        }
        let anchor = setup;
        if (!anchor && cookieParserCall && AUTH_COOKIE.test(codeText())) anchor = cookieParserCall;
        if (!anchor) return;
        if (CSRF_MODULES.some((m) => imports.hasModule(m))) return;
        if (/csrf|xsrf/i.test(codeText())) return; // hand-rolled tokens or a csrf middleware from elsewhere
        if (/same_?site\s*:\s*(['"`](strict|lax)['"`]|true)/i.test(codeText())) return;
        const routes = routesIn(ctx.file.sourceFile).filter((r) => STATE_CHANGING.has(r.method) && r.method !== "all");
        if (!routes.length) return;
        // Bearer-token APIs that merely have a session for something else: state-changing routes read the Authorization header.
        if (routes.every((r) => /authorization|bearer/i.test(r.handlers.map((h) => h.getText()).join("\n")))) return;
        const kind = anchor === setup ? `session middleware (${memberName(unwrap((anchor as ts.CallExpression).expression)) ?? "session"})` : "cookie-based authentication";
        ctx.report({
          node: anchor,
          message: `App uses ${kind} and registers state-changing routes (e.g. ${routes[0].method.toUpperCase()} ${routes[0].path ?? "…"}) without CSRF protection or a SameSite session cookie.`,
        });
      },
    };
  },
});

/**
 * State-changing routes a file using csurf leaves unprotected: the middleware is neither in the route's own list nor
 * applied by a `.use(…)` registered before it (Express runs middleware in registration order).
 */
function unprotectedRoutes(sf: ts.SourceFile, middlewares: ts.CallExpression[]): Route[] {
  // names bound to the middleware: `const csrfProtection = csrf(…)`, and arrays/objects that hold it
  const names = new Set<string>();
  for (const m of middlewares) {
    const parent = m.parent;
    if (ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name)) names.add(parent.name.text);
  }
  // `const security = [csrfProtection, helmet()]`: one level of indirection
  const holdsMiddleware = (id: ts.Identifier): boolean => {
    const d = findDeclaration(id);
    if (!d || !ts.isVariableDeclaration(d) || !d.initializer) return false;
    const init = unwrap(d.initializer);
    return (ts.isArrayLiteralExpression(init) || ts.isObjectLiteralExpression(init)) && walkFinds(init, names, middlewares);
  };
  /** Does a middleware argument (not a handler body) stand for the CSRF middleware? */
  const mentions = (arg: ts.Expression): boolean => {
    const e = unwrap(arg);
    if (isFunctionLike(e)) return false;
    if (ts.isIdentifier(e) && holdsMiddleware(e)) return true;
    return walkFinds(e, names, middlewares);
  };
  const uses: ts.CallExpression[] = [];
  walk(sf, (n) => {
    if (ts.isCallExpression(n) && memberName(n.expression) === "use" && n.arguments.some((a) => mentions(a))) uses.push(n);
    return undefined;
  });
  // Registration order is only certain within one function: a route registered in a helper may run after the `use()`.
  const appliedBefore = (route: ts.Node): boolean =>
    uses.some((u) => u.getStart(sf) < route.getStart(sf) || enclosingFunction(u) !== enclosingFunction(route));
  return routesIn(sf).filter((r) =>
    ts.isCallExpression(r.call) && STATE_CHANGING.has(r.method) && r.method !== "all" &&
    !(r.path && TOKENLESS_PATH.test(r.path)) &&
    !appliedBefore(r.call) &&
    !r.args.some((a) => mentions(a)) &&
    // bearer-token endpoints are not cookie-authenticated
    !/authorization|bearer/i.test(r.handlers.map((h) => h.getText()).join("\n")),
  );
}

function walkFinds(e: ts.Node, names: Set<string>, middlewares: ts.CallExpression[]): boolean {
  if (middlewares.includes(e as ts.CallExpression) || (ts.isIdentifier(e) && names.has(e.text))) return true;
  let found = false;
  walk(e, (n) => {
    if (found) return false;
    if (middlewares.includes(n as ts.CallExpression) || (ts.isIdentifier(n) && names.has(n.text))) found = true;
    return undefined;
  });
  return found;
}
