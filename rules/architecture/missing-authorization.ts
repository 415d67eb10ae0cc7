import { ts } from "ts-morph";
import { defineRule } from "../../src/core/rule.js";
import { nodeText, stringValue } from "../../src/core/ast.js";
import { decoratorName, decoratorsOf, isNestController, routeRegistrations, useCalls, type RouteRegistration } from "../../src/core/arch-handlers.js";

/** Middleware/guard names that authenticate the caller. */
const AUTHN = /auth(?!ori[sz])|logged.?in|jwt|token|session|passport|protect|require(d)?User|requireLogin|current.?user|clerk|firebase|cognito|bearer|api.?key|verifyUser|ensureUser/i;
/** Names that authorize (roles, permissions, ownership): they also imply an authenticated caller. */
const AUTHZ = /role|admin|permission|authori[sz]|acl|rbac|scope|\bcan[A-Z(]|policy|guard|owner|isStaff|requireStaff/i;
const PUBLIC_PATH = /\b(login|logout|signin|sign-in|signup|sign-up|register|health|healthz|status|metrics|public|webhooks?|callback|oauth|forgot|reset|verify|confirm|invite|unsubscribe|docs|swagger|ping|ready|live|version|auth|token|refresh|otp|magic-link)\b/i;
const MUTATING = new Set(["post", "put", "patch", "delete", "del"]);
/** Inline checks in the handler itself. */
const INLINE_AUTH = /\breq(uest)?\.(user|auth|session\.user|session\.userId|isAuthenticated\(|identity|principal)|\bctx\.state\.user|\bgetSession\(|\bgetServerSession\(|\bverify(Token|Jwt|IdToken)?\(|\bauthorization\b|\bcurrentUser\b|\b401\b|\b403\b|Unauthorized/;
const NEST_GUARD_DECORATORS = /^(UseGuards|Auth|Authorized|Roles|Permissions|RequirePermissions|RequireRoles|Public|IsPublic|SkipAuth|AllowAnonymous|Anonymous|Scopes|ApiKeyAuth|Authenticated|Protected|AdminOnly)$/;
const NEST_PUBLIC = /^(Public|IsPublic|SkipAuth|AllowAnonymous|Anonymous)$/;
const NEST_METHODS = new Set(["Get", "Post", "Put", "Patch", "Delete", "All"]);

/** `POST /users`, `POST /api/accounts`: creating an account (sign-up) is public by nature. */
const SIGNUP_COLLECTION = /(^|\/)(users?|accounts?|members?|customers?|registrations?|sign-?ups?|sessions?)\/?$/i;

function isSignup(method: string, path: string): boolean {
  return method === "post" && SIGNUP_COLLECTION.test(path) && !hasIdParam(path);
}

function guardText(r: RouteRegistration): string {
  return r.middlewares.map((m) => nodeText(m)).join(" ");
}

function hasIdParam(path: string): boolean {
  return /[:{][A-Za-z_]\w*/.test(path);
}

export default defineRule({
  meta: {
    id: "architecture/missing-authorization",
    category: "architecture",
    severity: "error",
    cwe: ["CWE-862", "CWE-285"],
    title: "Route without the authorization its siblings have",
    description:
      "Routes next to this one require an authenticated user (middleware, guard or decorator), but this route reads or changes data by an id " +
      "from the request without any. Anyone who can reach the service can call it for any id (IDOR, unauthenticated deletes, exposed admin actions).",
    fix: "Add the same auth middleware/guard as the sibling routes (or on the router/controller once), then check that the caller may access that id. Mark deliberately public routes explicitly (`@Public()`).",
  },
  create(ctx) {
    if (!ctx.file.isServerCode) return {};
    const sf = ctx.file.sourceFile;
    return {
      "SourceFile:exit"() {
        const routes = routeRegistrations(sf);
        if (routes.length >= 2) {
          const uses = useCalls(sf).filter((u) => u.args.some((a) => AUTHN.test(nodeText(a)) || AUTHZ.test(nodeText(a))));
          const guardedByRouter = (r: RouteRegistration): boolean =>
            uses.some((u) => u.receiver === r.receiver || u.args.some((a) => nodeText(a) === r.receiver));
          // Role-only siblings (requireRole("admin")) may rely on authentication mounted elsewhere: only authentication counts.
          const authnGuarded = routes.filter((r) => AUTHN.test(guardText(r)));
          const anyGuard = routes.some((r) => AUTHN.test(guardText(r)) || AUTHZ.test(guardText(r)));
          for (const r of routes) {
            const text = guardText(r);
            if (AUTHN.test(text) || AUTHZ.test(text) || guardedByRouter(r)) continue;
            if (PUBLIC_PATH.test(r.path) || isSignup(r.method, r.path)) continue;
            if (r.handler?.body && INLINE_AUTH.test(nodeText(r.handler.body))) continue;
            const mutating = MUTATING.has(r.method);
            const admin = /(^|\/)admin(\/|$)/i.test(r.path);
            const siblings = authnGuarded.filter((s) => s !== r && s.receiver === r.receiver);
            const comparable = siblings.some((s) => mutating || !MUTATING.has(s.method));
            const byId = hasIdParam(r.path) || mutating;
            if (!(admin && anyGuard) && !(byId && comparable)) continue;
            ctx.report({
              node: r.call,
              message: admin
                ? `Admin route \`${r.method.toUpperCase()} ${r.path}\` has no auth middleware, while other routes in this file are guarded.`
                : `\`${r.method.toUpperCase()} ${r.path}\` has no auth middleware, while sibling routes (e.g. \`${siblings[0].method.toUpperCase()} ${siblings[0].path}\`) require one: ${hasIdParam(r.path) ? "anyone can call it for any id" : "anyone can call it without logging in"}.`,
            });
          }
        }
        for (const st of sf.statements) {
          if (ts.isClassDeclaration(st) && isNestController(st)) checkNestController(st, ctx.report);
        }
      },
    };
  },
});

function checkNestController(cls: ts.ClassDeclaration, report: (d: { node: ts.Node; message: string }) => void): void {
  if (decoratorsOf(cls).some((d) => NEST_GUARD_DECORATORS.test(decoratorName(d) ?? ""))) return;
  const ctrl = decoratorsOf(cls).find((d) => decoratorName(d) === "Controller");
  const prefix = ctrl && ts.isCallExpression(ctrl.expression) ? stringValue(ctrl.expression.arguments[0]) ?? "" : "";
  const methods = cls.members.filter((m): m is ts.MethodDeclaration => ts.isMethodDeclaration(m) && decoratorsOf(m).some((d) => NEST_METHODS.has(decoratorName(d) ?? "")));
  const info = methods.map((m) => {
    const decs = decoratorsOf(m);
    const http = decs.find((d) => NEST_METHODS.has(decoratorName(d) ?? ""))!;
    const path = ts.isCallExpression(http.expression) ? stringValue(http.expression.arguments[0]) ?? "" : "";
    const guards = decs.filter((d) => NEST_GUARD_DECORATORS.test(decoratorName(d) ?? ""));
    return {
      m, verb: (decoratorName(http) ?? "").toLowerCase(), path, guarded: guards.length > 0,
      authn: guards.some((d) => !NEST_PUBLIC.test(decoratorName(d) ?? "") && (AUTHN.test(nodeText(d)) || decoratorName(d) === "Auth")),
      hasParam: m.parameters.some((p) => decoratorsOf(p).some((d) => decoratorName(d) === "Param")) || hasIdParam(path),
    };
  });
  for (const x of info) {
    const full = [prefix, x.path].filter(Boolean).join("/").replace(/\/+/g, "/");
    if (x.guarded || PUBLIC_PATH.test(x.path) || isSignup(x.verb, full || "/") && !x.hasParam) continue;
    if (x.m.body && INLINE_AUTH.test(nodeText(x.m.body))) continue;
    const mutating = MUTATING.has(x.verb);
    const sib = info.find((s) => s !== x && s.authn && (mutating || !MUTATING.has(s.verb)));
    const admin = /(^|\/)admin(\/|$)/i.test(x.path) && info.some((s) => s.guarded);
    if (!admin && !(sib && (x.hasParam || mutating))) continue;
    report({
      node: x.m.name,
      message: `\`${x.verb.toUpperCase()} ${x.path || "/"}\` (\`${x.m.name.getText()}\`) has no \`@UseGuards\`, while ${sib ? `\`${sib.m.name.getText()}\`` : "other methods"} in this controller ${sib ? "is" : "are"} guarded and the controller has no class-level guard.`,
    });
  }
}
