import { ts } from "ts-morph";
import { defineRule } from "../../src/core/rule.js";
import { memberName, stringValue, unwrap } from "../../src/core/ast.js";
import { objectLiteralOf, propertyNode, routesIn, STATE_CHANGING } from "../../src/core/web-app.js";

const SESSION_MODULES = ["express-session", "cookie-session", "koa-session", "koa-generic-session", "client-sessions"];
const CSRF_MODULES = [
  "csurf", "csrf-csrf", "lusca", "csrf", "tiny-csrf", "csrf-sync", "koa-csrf", "@koa/csrf", "@fastify/csrf-protection", "@fastify/csrf",
  "@dr.pogodin/csurf", "express-csrf-double-submit-cookie", "csrf-token", "@edge-csrf/express", "@edge-csrf/node-http", "helmet-csrf", "xsrf",
];
const AUTH_COOKIE = /\b(req|request)\.(signedCookies|cookies)\s*(\.|\[\s*['"])\s*(session|sid|token|auth|jwt|access|refresh|user|remember)/i;
const STATE_METHODS = /^(POST|PUT|PATCH|DELETE)$/i;

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
    // code without comments: "// TODO: csrf" does not protect anything
    const text = ctx.file.text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:"'`\\])\/\/.*$/gm, "$1");
    let setup: ts.Node | undefined;
    let cookieParserCall: ts.Node | undefined;
    return {
      CallExpression(call) {
        const r = imports.resolveCall(call);
        if (!r?.module) return;
        const callee = unwrap(call.expression);
        const direct = ts.isIdentifier(callee) || r.name === "default";
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
        let anchor = setup;
        if (!anchor && cookieParserCall && AUTH_COOKIE.test(text)) anchor = cookieParserCall;
        if (!anchor) return;
        if (CSRF_MODULES.some((m) => imports.hasModule(m))) return;
        if (/csrf|xsrf/i.test(text)) return; // hand-rolled tokens or a csrf middleware from elsewhere
        if (/same_?site\s*:\s*(['"`](strict|lax)['"`]|true)/i.test(text)) return;
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
