import { ts } from "ts-morph";
import { defineRule } from "../../src/core/rule.js";
import { decoratorsOf, nestRouteOf, routeOf, type Route } from "../../src/core/web-app.js";

const RATE_LIMIT_MODULES = [
  "express-rate-limit", "rate-limiter-flexible", "@nestjs/throttler", "@fastify/rate-limit", "fastify-rate-limit", "koa-ratelimit",
  "koa2-ratelimit", "express-slow-down", "express-brute", "express-limiter", "rate-limit-redis", "limiter", "bottleneck", "hono-rate-limiter",
  "@upstash/ratelimit", "express-bouncer", "ratelimiter", "koa-ratelimit-lru", "@hapi/ratelimit", "hapi-rate-limit", "restify-throttle",
];
/** A limiter named in the code: `loginLimiter`, `rateLimit(…)`, `authThrottle`, `bruteforce.prevent`, `slowDown`. */
const LIMITER_NAME = /(limit(er)?|throttl|slow_?down|brute|ratelimit|rate_limit|RateLimit|Throttle|attempts?Guard|lockout)/i;

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

export default defineRule({
  meta: {
    id: "security/missing-rate-limit",
    category: "security",
    severity: "warning",
    cwe: ["CWE-307", "CWE-770", "CWE-799"],
    title: "Authentication endpoint without rate limiting",
    description:
      "Login, registration, password-reset and one-time-code endpoints accept unlimited attempts. Attackers can brute-force passwords and OTPs, " +
      "stuff leaked credentials, or flood reset e-mails/SMS.",
    fix: "Put a limiter on these routes: `express-rate-limit` (`app.post(\"/login\", loginLimiter, handler)`), `rate-limiter-flexible`, `@nestjs/throttler` `@Throttle()`, `@fastify/rate-limit`.",
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
    let limited: boolean | undefined;
    // A router module is mounted by the app elsewhere (`app.use("/v1/auth", authLimiter, authRoute)`): judge it only
    // when the app that mounts it is in the analysis too, and no analyzed file uses a rate limiter.
    const routerOnly = (): boolean => !APP_CREATION.test(text);
    const limitedElsewhere = (): boolean =>
      ctx.project.filesMatching(APP_CREATION).size === 0 || ctx.project.filesMatching(RATE_LIMIT_TEXT).size > 0;
    const check = (r: Route | undefined, node: ts.Node): void => {
      if (!r || !isAuthRoute(r)) return;
      if (r.args.some((a) => LIMITER_NAME.test(a.getText().slice(0, 200)) && !ts.isArrowFunction(a) && !ts.isFunctionExpression(a))) return;
      limited ??= fileLimited() || (!ts.isMethodDeclaration(node) && routerOnly() && limitedElsewhere());
      if (limited) return;
      ctx.report({ node, message: `\`${r.method.toUpperCase()} ${r.path}\` handles credentials or one-time codes with no rate limiting: brute force and credential stuffing are unthrottled.` });
    };
    return {
      CallExpression(call) {
        check(routeOf(call), call);
      },
      MethodDeclaration(m) {
        const r = nestRouteOf(m);
        if (!r) return;
        if (decoratorsOf(m).some((d) => /^(Throttle|UseGuards)$/.test(d.name) && (d.name === "Throttle" || /Throttl|Limit/i.test(d.node.getText())))) return;
        const skip = decoratorsOf(m).some((d) => d.name === "SkipThrottle");
        if (skip) {
          if (isAuthRoute(r)) ctx.report({ node: m.name, message: `\`@SkipThrottle()\` on \`${r.method.toUpperCase()} ${r.path}\`: an authentication endpoint is exempt from rate limiting.` });
          return;
        }
        const nameNode = decoratorsOf(m).find((d) => d.name.toLowerCase() === r.method)?.node ?? m;
        check(r, nameNode);
      },
    };
  },
});
