import { ts } from "ts-morph";
import { defineRule } from "../../src/core/rule.js";
import { enclosingFunction, isFunctionLike, lineOf, memberName, objectProperty, receiverOf, stringValue, unwrap, walk } from "../../src/core/ast.js";
import { isDataAccessCall } from "../../src/core/data-access.js";
import type { ImportTable } from "../../src/core/imports.js";
import { findDeclaration, functionOfDeclaration } from "../../src/core/scope.js";
import { decoratorsOf, nestRouteOf, routeOf, type Route } from "../../src/core/web-app.js";

const RATE_LIMIT_MODULES = [
  "express-rate-limit", "rate-limiter-flexible", "@nestjs/throttler", "@fastify/rate-limit", "fastify-rate-limit", "koa-ratelimit",
  "koa2-ratelimit", "express-slow-down", "express-brute", "express-limiter", "rate-limit-redis", "limiter", "bottleneck", "hono-rate-limiter",
  "@upstash/ratelimit", "express-bouncer", "ratelimiter", "koa-ratelimit-lru", "@hapi/ratelimit", "hapi-rate-limit", "restify-throttle",
];
/** A limiter named in the code: `loginLimiter`, `rateLimit(…)`, `authThrottle`, `bruteforce.prevent`, `slowDown`. */
const LIMITER_NAME = /(limit(er)?|throttl|slow_?down|brute|ratelimit|rate_limit|RateLimit|Throttle|attempts?Guard|lockout)/i;
/** An inline middleware that consults a limiter: `(req, res, next) => limiter.consume(req.ip).then(…)`. */
const LIMITER_USE = /\b\w*(limiter|Limiter|throttler|Throttler)\w*\s*\.\s*(consume|penalty|check|hit|take|limit|removeTokens|get)\s*\(/;

/** Endpoints where attackers guess credentials or codes. */
const AUTH_ENDPOINT =
  /(^|[/_.-])(log-?in|sign-?in|sign-?up|register|authenticate|auth|password|passwd|forgot(-?password)?|reset(-?password)?|otp|verify(-?otp|-?code|-?email|-?phone)?|2fa|mfa|totp|magic-?link|sessions?|token|refresh(-?token)?|recover|pin)([/_.?-]|$)/i;
/** Segments that make a path about something else even when it also matches (e.g. /auth/me, /sessions/:id). */
const NOT_AUTH = /(^|\/)(me|profile|logout|sign-?out|status|health|users\/:|:id)(\/|$)/i;

function isAuthRoute(r: Route): boolean {
  if (!r.path) return false;
  if (r.method !== "post" && r.method !== "put" && r.method !== "patch" && r.method !== "all") {
    // a GET that checks a code is guessable too: /verify?code=123456
    if (!(r.method === "get" && /(otp|verify-?(code|otp)|2fa|mfa|totp)/i.test(r.path))) return false;
  }
  if (NOT_AUTH.test(r.path)) return false;
  return AUTH_ENDPOINT.test(r.path);
}

/** Code that creates the HTTP app or server itself (as opposed to a router module the app mounts). */
const APP_CREATION = /\bexpress\s*\(\s*\)|new\s+Koa\s*\(|\bfastify\s*\(|Fastify\s*\(|NestFactory\.create|\bnew\s+Hono\s*\(|restify\.createServer|Hapi\.server|\.listen\s*\(/;
const RATE_LIMIT_TEXT = /express-rate-limit|rate-limiter-flexible|express-slow-down|@nestjs\/throttler|@fastify\/rate-limit|fastify-rate-limit|koa-ratelimit|express-brute|\brateLimit\s*\(/;
const APP_MODULES = ["express", "fastify", "koa", "restify", "hono", "polka", "connect"];

// ---------------------------------------------------------------------------------------------------------------
// Expensive work in a handler: what makes an unthrottled endpoint a brute-force or denial-of-service target.

type WorkKind = "credential" | "command" | "file" | "database";
interface Work { kind: WorkKind; node: ts.Node }

const HASH_MODULES = ["bcrypt", "bcryptjs", "argon2", "@node-rs/argon2", "@node-rs/bcrypt", "scrypt-js"];
const SLOW_CRYPTO = ["pbkdf2", "pbkdf2Sync", "scrypt", "scryptSync"];
const COMMAND_MODULES = ["child_process", "execa", "shelljs", "cross-spawn"];
const FS_MODULES = ["fs", "fs/promises", "fs-extra", "graceful-fs"];
/** Functions that check a credential: `login()`, `authenticateUser()`, `user.comparePassword()`, `verifyUser(req)`. */
const CREDENTIAL_CALL =
  /^(log_?in|logIn|sign_?in|signIn|authenticate\w*|verify(User|Password|Credentials?|Login|Otp|Totp|Pin|Passcode)|check(Password|Credentials?|Login)|compare(Password|Passwords|Hash)|validate(Password|Credentials?|Login|User)|valid(ate)?Password|isValidPassword|isPasswordValid|matchPassword|passwordMatches)$/i;

/** Checks of a bearer token or session, not of a guessable secret: `authenticateToken`, `authenticateJwt`, `verifyUserSession`. */
const TOKEN_CHECK = /token|jwt|api_?key|session|header|request|signature/i;
const TOKEN_STRATEGY = /jwt|bearer|anonymous|oauth|google|github|facebook|twitter|apple|microsoft|azure|saml|oidc|openid|api-?key|header|cookie/i;

function workOf(call: ts.CallExpression, imports: ImportTable): WorkKind | undefined {
  const r = imports.resolveCall(call);
  if (r?.module) {
    if (HASH_MODULES.includes(r.module) && /^(hash|hashSync|compare|compareSync|verify|genSalt)$/.test(r.name)) return "credential";
    if (r.module === "crypto" && SLOW_CRYPTO.includes(r.name)) return "credential";
    if (COMMAND_MODULES.includes(r.module)) return "command";
    if (FS_MODULES.includes(r.module) && r.path.length >= 1 && r.name !== "createReadStream" && !r.instance) return "file";
  }
  const name = memberName(call.expression);
  if (name && CREDENTIAL_CALL.test(name) && !TOKEN_CHECK.test(name)) {
    // passport's req.login(user) only opens the session of a user already checked; passport.authenticate("local", cb)
    // inside the handler is the custom-callback form, which does check a password (a "jwt"/"bearer"/OAuth one does not).
    const recv = receiverOf(call);
    const strategy = stringValue(call.arguments[0]);
    const tokenStrategy = /^authenticate$/.test(name) && strategy !== undefined && TOKEN_STRATEGY.test(strategy);
    if (!(recv && /^(req|request|ctx|ctx\.request)$/.test(unwrap(recv).getText())) && !tokenStrategy) return "credential";
  }
  if (isDataAccessCall(call, imports)) return "database";
  return undefined;
}

const WORK_ORDER: WorkKind[] = ["credential", "command", "file", "database"];

/** The most telling expensive operation in a handler (nested callbacks included). */
function expensiveWork(handlers: readonly ts.FunctionLikeDeclaration[], imports: ImportTable): Work | undefined {
  const found = new Map<WorkKind, ts.Node>();
  for (const h of handlers) {
    if (!h.body) continue;
    walk(h.body, (n) => {
      if (!ts.isCallExpression(n)) return;
      const k = workOf(n, imports);
      if (k && !found.has(k)) found.set(k, n);
    });
  }
  const kind = WORK_ORDER.find((k) => found.has(k));
  return kind ? { kind, node: found.get(kind)! } : undefined;
}

const WORK_TEXT: Record<WorkKind, string> = {
  credential: "checks credentials / hashes passwords",
  command: "runs an OS command",
  file: "accesses the file system",
  database: "queries the database",
};

// ---------------------------------------------------------------------------------------------------------------
// Which app or router a route is registered on, and where limiters are installed.

/** An app/router identity: the declaration of its variable, or a fresh `express()` call used in place. */
type AppKey = ts.Node;

interface Registration { key: AppKey | undefined; node: ts.CallExpression; prefix: string | undefined }
interface Mount { parent: AppKey | undefined; child: AppKey; node: ts.CallExpression; prefix: string | undefined; limited: boolean }

function appKeyOf(expr: ts.Expression): AppKey | undefined {
  const e = unwrap(expr);
  if (ts.isIdentifier(e)) return findDeclaration(e);
  // router.route("/x").post(…) → router
  if (ts.isCallExpression(e) && memberName(e.expression) === "route" && ts.isPropertyAccessExpression(unwrap(e.expression))) {
    return appKeyOf((unwrap(e.expression) as ts.PropertyAccessExpression).expression);
  }
  if (ts.isCallExpression(e) || ts.isNewExpression(e)) return e;
  return undefined;
}

/** A router handed to `app.use(…)`: `router`, `router.routes()`, `mkRouter()` (a local function returning its router). */
function mountedKeyOf(expr: ts.Expression): AppKey | undefined {
  const e = unwrap(expr);
  if (ts.isIdentifier(e)) {
    const d = findDeclaration(e);
    return d && ts.isVariableDeclaration(d) ? d : undefined;
  }
  if (!ts.isCallExpression(e)) return undefined;
  const callee = unwrap(e.expression);
  if (ts.isPropertyAccessExpression(callee) && /^(routes|middleware|allowedMethods)$/.test(callee.name.text)) return mountedKeyOf(callee.expression);
  if (!ts.isIdentifier(callee)) return undefined;
  const fn = functionOfDeclaration(findDeclaration(callee));
  if (!fn?.body) return undefined;
  let key: AppKey | undefined;
  walk(fn.body, (n) => {
    if (key || (isFunctionLike(n) && n !== fn)) return false;
    if (ts.isReturnStatement(n) && n.expression && ts.isIdentifier(unwrap(n.expression))) key = findDeclaration(unwrap(n.expression) as ts.Identifier);
    return undefined;
  });
  return key;
}

/** Is this middleware a rate limiter: `limiter`, `rateLimit({…})`, `bruteforce.prevent`, `catchAsync(rateLimiterMiddleware)`? */
function isLimiter(expr: ts.Expression, imports: ImportTable, depth = 0): boolean {
  const e = unwrap(expr);
  if (isFunctionLike(e)) return !!e.body && LIMITER_USE.test(e.body.getText());
  if (ts.isObjectLiteralExpression(e) || ts.isStringLiteral(e)) return false;
  const target = ts.isCallExpression(e) || ts.isNewExpression(e) ? e.expression : e;
  const binding = imports.bindingOf(target);
  if (binding && RATE_LIMIT_MODULES.includes(binding.module)) return true;
  if (LIMITER_NAME.test(unwrap(target).getText().slice(0, 200))) return true;
  // a local function used as middleware that consults a limiter
  if (ts.isIdentifier(e)) {
    const fn = functionOfDeclaration(findDeclaration(e));
    if (fn?.body && LIMITER_USE.test(fn.body.getText())) return true;
  }
  // wrappers: catchAsync(rateLimiterMiddleware)
  if (ts.isCallExpression(e) && depth < 2) return e.arguments.some((a) => ts.isIdentifier(unwrap(a)) && isLimiter(a, imports, depth + 1));
  return false;
}

/** Fastify per-route limits: `{ config: { rateLimit: {…} } }` or `{ rateLimit: {…} }` in the route options. */
function hasRouteLimitConfig(args: readonly ts.Expression[]): boolean {
  return args.some((a) => {
    const o = unwrap(a);
    if (!ts.isObjectLiteralExpression(o)) return false;
    if (objectProperty(o, "rateLimit")) return true;
    const config = objectProperty(o, "config");
    return !!config && ts.isObjectLiteralExpression(unwrap(config)) && !!objectProperty(unwrap(config) as ts.ObjectLiteralExpression, "rateLimit");
  });
}

/** Does a limiter installed under `prefix` see requests to `path`? */
function covers(prefix: string | undefined, path: string | undefined): boolean {
  if (!prefix || !path || prefix === "/" || prefix === "*") return true;
  const p = prefix.replace(/\/+$/, "");
  return path === p || path.startsWith(p + "/") || path.startsWith(p);
}

type LimitState = { state: "protected" } | { state: "after"; limiter: ts.Node } | { state: "none" } | { state: "unknown" };

export default defineRule({
  meta: {
    id: "security/missing-rate-limit",
    category: "security",
    severity: "warning",
    cwe: ["CWE-307", "CWE-770", "CWE-799"],
    title: "Authentication or expensive endpoint without rate limiting",
    description:
      "Login, registration, password-reset and one-time-code endpoints accept unlimited attempts: attackers can brute-force passwords and OTPs, " +
      "stuff leaked credentials, or flood reset e-mails/SMS; a handler that checks a password is such a target whatever its path. " +
      "A route registered before `app.use(limiter)` is not limited at all, so its database, file or command work can be driven without bound.",
    fix: "Put a limiter on these routes: `express-rate-limit` (`app.post(\"/login\", loginLimiter, handler)`), `rate-limiter-flexible`, `@nestjs/throttler` `@Throttle()`, `@fastify/rate-limit`. Register app-wide limiters before the routes.",
  },
  create(ctx) {
    if (!ctx.file.isServerCode) return {};
    const imports = ctx.file.imports;
    const text = ctx.file.text;
    const fileLimited = (): boolean => {
      if (RATE_LIMIT_MODULES.some((m) => imports.hasModule(m))) return true;
      // app.use(limiter) / app.use("/auth", authLimiter) / router.use(rateLimit(...)) / a guard on the controller
      return /\.use\(\s*(['"`][^'"`]*['"`]\s*,\s*)?[\w.]*(limit|throttl|slowDown|brute)/i.test(text) || /Throttler|@Throttle\b|rateLimit\s*:/i.test(text);
    };
    // A router module is mounted by the app elsewhere (`app.use("/v1/auth", authLimiter, authRoute)`): judge it only
    // when the app that mounts it is in the analysis too, and no analyzed file uses a rate limiter.
    const routerOnly = (): boolean => !APP_CREATION.test(text);
    const limitedElsewhere = (): boolean =>
      ctx.project.filesMatching(APP_CREATION).size === 0 || ctx.project.filesMatching(RATE_LIMIT_TEXT).size > 0;

    const routes: Route[] = [];
    const registrations: Registration[] = [];
    const mounts: Mount[] = [];

    /** `app.use(limiter)`, `app.use("/api", router)`, `fastify.register(rateLimit)`, `require("express-limiter")(app)`. */
    const collectSetup = (call: ts.CallExpression): void => {
      const name = memberName(call.expression);
      const callee = unwrap(call.expression);
      const recv = ts.isPropertyAccessExpression(callee) ? callee.expression : undefined;
      if (name === "use" && recv && call.arguments.length) {
        const prefix = stringValue(call.arguments[0]);
        const rest = call.arguments.slice(prefix !== undefined ? 1 : 0);
        const limited = rest.some((a) => isLimiter(a, imports));
        if (limited && rest.length === rest.filter((a) => isLimiter(a, imports)).length) {
          registrations.push({ key: appKeyOf(recv), node: call, prefix });
          return;
        }
        for (const a of rest) {
          const child = mountedKeyOf(a);
          if (child) mounts.push({ parent: appKeyOf(recv), child, node: call, prefix, limited });
        }
        if (limited) registrations.push({ key: appKeyOf(recv), node: call, prefix });
        return;
      }
      if (name === "register" && recv && call.arguments.length) {
        const b = imports.bindingOf(call.arguments[0]);
        if (!b || !RATE_LIMIT_MODULES.includes(b.module)) return;
        const opts = call.arguments[1] && unwrap(call.arguments[1]);
        // `{ global: false }`: only routes with their own `config.rateLimit` are limited
        if (opts && ts.isObjectLiteralExpression(opts) && objectProperty(opts, "global")?.kind === ts.SyntaxKind.FalseKeyword) return;
        registrations.push({ key: appKeyOf(recv), node: call, prefix: undefined });
        return;
      }
      // require("express-limiter")(app): the limiter installs itself on the app
      const b = imports.bindingOf(call.expression);
      if (b && RATE_LIMIT_MODULES.includes(b.module) && b.path.length === 0 && !b.instance) {
        for (const a of call.arguments) if (ts.isIdentifier(unwrap(a))) registrations.push({ key: appKeyOf(a), node: call, prefix: undefined });
      }
    };

    const sameScope = (a: ts.Node, b: ts.Node): boolean => enclosingFunction(a) === enclosingFunction(b);

    /** An app created right here (`const app = express()`, `express().get(…)`). */
    const isLocalApp = (key: AppKey | undefined): boolean => {
      const init = key && ts.isVariableDeclaration(key) ? key.initializer : key && ts.isCallExpression(key) ? key : undefined;
      if (!init) return false;
      const e = unwrap(init);
      if (!ts.isCallExpression(e) && !ts.isNewExpression(e)) return false;
      const b = imports.bindingOf(e);
      // express() / require("fastify")() / new Koa() from a default import — not express.Router()
      return !!b && APP_MODULES.includes(b.module) && (b.path.length === 0 || (b.path.length === 1 && b.path[0] === "default"));
    };
    /** Every limiter of this file sits on an app created here: an app created here without one has none. */
    const allLimitersPlaced = (): boolean => registrations.length > 0 && registrations.every((x) => x.key && isLocalApp(x.key));

    /** Is a request reaching `at` (a route or mount on `key`) limited by what this file installs? */
    const stateOf = (key: AppKey | undefined, at: ts.Node, path: string | undefined, depth = 0): LimitState => {
      if (!key || depth > 3) return { state: "unknown" };
      const regs = registrations.filter((r) => r.key === key && covers(r.prefix, path));
      // installed earlier in the same function, or somewhere we cannot order against the route
      if (regs.some((r) => !sameScope(r.node, at) || r.node.getStart() < at.getStart())) return { state: "protected" };
      if (regs.length) return { state: "after", limiter: regs[0].node };
      const ms = mounts.filter((m) => m.child === key);
      if (!ms.length) return isLocalApp(key) && allLimitersPlaced() ? { state: "none" } : { state: "unknown" };
      const states = ms.map((m): LimitState => (m.limited ? { state: "protected" } : stateOf(m.parent, m.node, m.prefix, depth + 1)));
      if (states.every((s) => s.state === "protected")) return { state: "protected" };
      if (states.some((s) => s.state === "unknown")) return { state: "unknown" };
      return states.find((s) => s.state === "after") ?? { state: "none" };
    };

    let fileState: boolean | undefined;
    const limitState = (r: Route): LimitState => {
      if (r.args.some((a) => isLimiter(a, imports)) || hasRouteLimitConfig(r.args)) return { state: "protected" };
      const call = r.call as ts.CallExpression;
      const key = appKeyOf((unwrap(call.expression) as ts.PropertyAccessExpression).expression);
      const s = stateOf(key, call, r.path);
      if (s.state !== "unknown") return s;
      fileState ??= fileLimited() || (routerOnly() && limitedElsewhere());
      return fileState ? { state: "protected" } : { state: "none" };
    };

    const checkRoute = (r: Route): void => {
      const auth = isAuthRoute(r);
      const work = auth ? undefined : expensiveWork(r.handlers, imports);
      if (!auth && !work) return;
      const s = limitState(r);
      const label = `\`${r.method.toUpperCase()} ${r.path ?? "…"}\``;
      if (s.state === "after") {
        const line = lineOf(s.limiter);
        ctx.report({
          node: r.call,
          // an unthrottled credential check is a brute-force target (307) as much as a slow hash per request (770)
          cwe: auth || work?.kind === "credential" ? ["CWE-307", "CWE-770"] : ["CWE-770"],
          message: `${label} is registered before the rate limiter installed on line ${line}: requests reach this handler${work ? ` (which ${WORK_TEXT[work.kind]})` : ""} without ever passing the limiter. Register the limiter first.`,
        });
        return;
      }
      if (s.state !== "none") return;
      if (auth) {
        ctx.report({ node: r.call, message: `${label} handles credentials or one-time codes with no rate limiting: brute force and credential stuffing are unthrottled.` });
        return;
      }
      // Without any limiter in sight, only a credential check is worth a finding (a brute-force target). Database and file
      // access is what every endpoint does, and commands per request are usually internal tooling: rate limiting for
      // those is commonly done at the edge, so they are reported only when a limiter exists but comes too late (above).
      if (work!.kind === "credential") {
        ctx.report({ node: r.call, cwe: ["CWE-307", "CWE-770"], message: `${label} ${WORK_TEXT.credential} with no rate limiting: passwords can be guessed without limit, and each slow hash ties up the CPU.` });
      }
    };

    return {
      CallExpression(call) {
        const r = routeOf(call);
        if (r) {
          if (ts.isCallExpression(r.call)) routes.push(r);
          return;
        }
        collectSetup(call);
      },
      MethodDeclaration(m) {
        const r = nestRouteOf(m);
        if (!r || !isAuthRoute(r)) return;
        if (decoratorsOf(m).some((d) => /^(Throttle|UseGuards)$/.test(d.name) && (d.name === "Throttle" || /Throttl|Limit/i.test(d.node.getText())))) return;
        if (decoratorsOf(m).some((d) => d.name === "SkipThrottle")) {
          ctx.report({ node: m.name, message: `\`@SkipThrottle()\` on \`${r.method.toUpperCase()} ${r.path}\`: an authentication endpoint is exempt from rate limiting.` });
          return;
        }
        // a global ThrottlerGuard (APP_GUARD in the app module) limits every controller
        if (fileLimited() || ctx.project.filesMatching(/\bThrottlerGuard\b/).size > 0) return;
        const nameNode = decoratorsOf(m).find((d) => d.name.toLowerCase() === r.method)?.node ?? m;
        ctx.report({ node: nameNode, message: `\`${r.method.toUpperCase()} ${r.path}\` handles credentials or one-time codes with no rate limiting: brute force and credential stuffing are unthrottled.` });
      },
      "SourceFile:exit"() {
        for (const r of routes) checkRoute(r);
      },
    };
  },
});
