import { ts } from "ts-morph";
import { defineRule } from "../../src/core/rule.js";
import { accessChain, memberName, receiverOf, stringValue, unwrap } from "../../src/core/ast.js";
import { findDeclaration } from "../../src/core/scope.js";
import { isRequestObject } from "../../src/core/sources.js";
import { CREDENTIAL_PATH, enclosingRoute } from "../../src/core/web-app.js";

const LOG_METHODS = new Set(["log", "info", "warn", "warning", "error", "debug", "trace", "fatal", "verbose", "silly", "http", "notice", "critical", "emerg", "alert", "dir", "table"]);
const LOGGER_RECEIVER = /^(console|logger|log|_?logger|this\.logger|this\.log|this\._logger|req\.log|request\.log|fastify\.log|app\.log|server\.log|ctx\.log|winston|pino|bunyan|signale|consola|Logger|\w+Logger|\w+\.logger)$/;

/** Words of an identifier: `resetTokenExpiry` → ["reset","token","expiry"], `api_key` → ["api","key"]. */
function words(name: string): string[] {
  return name.replace(/([a-z0-9])([A-Z])/g, "$1 $2").replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2").split(/[\s_\-.]+/).filter(Boolean).map((w) => w.toLowerCase());
}

const SECRET_WORDS = new Set(["password", "passwd", "pwd", "passphrase", "pass", "secret", "token", "jwt", "authorization", "cvv", "cvc", "cvv2", "ssn", "otp", "pin", "credentials", "creds", "cookie", "cookies", "bearer", "passcode", "mnemonic"]);
/** Last words that make a name describe a secret without being one: `tokenExpiry`, `passwordLength`, `secretName`. */
const HARMLESS_LAST = new Set(["expiry", "expires", "expiration", "exp", "expired", "type", "types", "length", "len", "count", "id", "ids", "valid", "set", "present", "changed", "hint", "policy", "strength", "rules", "name", "names", "url", "uri", "endpoint", "field", "fields", "label", "required", "enabled", "status", "error", "errors", "message", "msg", "version", "prefix", "suffix", "ttl", "age", "at", "date", "time", "timestamp", "created", "updated", "used", "sent", "attempts", "path", "header", "key", "scope", "scopes", "reset", "mask", "masked", "redacted", "hashed", "ok", "match", "matches", "provided"]);
const HARMLESS_FIRST = new Set(["has", "is", "should", "can", "was", "num", "count", "max", "min", "n", "valid", "masked", "redacted", "hashed", "last4", "no"]);

export function isSensitiveName(name: string): boolean {
  const w = words(name);
  if (!w.length) return false;
  if (HARMLESS_FIRST.has(w[0])) return false;
  if (w.some((x) => ["page", "cursor", "continuation", "next", "sync", "pagination", "lexer", "parser", "csrf", "xsrf", "public", "verification"].includes(x)) && !w.includes("password")) return false;
  const last = w[w.length - 1];
  if (/^(apikey|api_key|privatekey|private_key|secretkey|accesskey|clientsecret|cardnumber|creditcard|ccnumber|cardno|pan|iban|accountnumber|routingnumber|socialsecurity|sessionid|sessiontoken|refreshtoken|accesstoken|idtoken)$/i.test(name.replace(/[_-]/g, ""))) return true;
  if (last === "key" && w.length >= 2 && ["api", "private", "secret", "access", "encryption", "signing"].includes(w[w.length - 2])) return true;
  if ((last === "number" || last === "num" || last === "no") && w.length >= 2 && ["card", "cc", "credit", "account", "ssn", "security"].includes(w[w.length - 2])) return true;
  if (last === "hash" && w.includes("password")) return true;
  if (HARMLESS_LAST.has(last)) return false;
  if (w.length === 1 && last === "pass") return true;
  return SECRET_WORDS.has(last) && last !== "pass" || (last === "card" && w.includes("credit"));
}

/** Calls that hide or shrink a value before it is logged. */
const REDACTING_CALL = /^(mask\w*|redact\w*|hash\w*|sha\d*|digest|truncate|obfuscate|censor|anonymi[sz]e|omit|pick|sanitize\w*|scrub\w*|last4|slice|substring|substr|startsWith|endsWith|includes|test|compare|keys|length)$/i;
const PASS_THROUGH = /^(stringify|String|inspect|format|toString|JSON|concat|join|trim)$/;

interface Hit {
  what: string;
}

export default defineRule({
  meta: {
    id: "security/sensitive-data-in-logs",
    category: "security",
    severity: "warning",
    cwe: ["CWE-532", "CWE-312", "CWE-359"],
    title: "Secrets or personal data written to logs",
    description:
      "Passwords, tokens, authorization headers, card data or SSNs are written to logs. Logs are shipped to third parties, kept for years and " +
      "read by many people: whoever reads them can log in as your users or misuse their data.",
    fix: "Log identifiers and outcomes, not values: `logger.info({ userId }, \"login failed\")`. Configure redaction (pino `redact`, winston format) for headers and bodies.",
  },
  create(ctx) {
    if (ctx.file.isTest) return {};

    const authRoute = (node: ts.Node): boolean => {
      const r = enclosingRoute(node);
      if (r?.route.path && CREDENTIAL_PATH.test(r.route.path)) return true;
      const body = r?.handler.getText() ?? "";
      return /\b(req|request|ctx\.request)\.body\.(password|pass|pwd|token|otp|cardNumber|cvv)\b/.test(body) || /\{[^}]*\bpassword\b[^}]*\}\s*=\s*(req|request)\.body/.test(body);
    };

    const inspect = (expr: ts.Expression, depth: number): Hit | undefined => {
      if (depth > 4) return undefined;
      const e = unwrap(expr);
      if (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e) || ts.isNumericLiteral(e)) return undefined;
      if (ts.isTemplateExpression(e)) {
        for (const s of e.templateSpans) {
          const h = inspect(s.expression, depth + 1);
          if (h) return h;
        }
        return undefined;
      }
      if (ts.isBinaryExpression(e)) {
        if (e.operatorToken.kind === ts.SyntaxKind.PlusToken) return inspect(e.left, depth + 1) ?? inspect(e.right, depth + 1);
        if (e.operatorToken.kind === ts.SyntaxKind.BarBarToken || e.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken) return inspect(e.left, depth + 1);
        return undefined; // comparisons, arithmetic
      }
      if (ts.isConditionalExpression(e)) return inspect(e.whenTrue, depth + 1) ?? inspect(e.whenFalse, depth + 1);
      if (ts.isObjectLiteralExpression(e)) {
        for (const p of e.properties) {
          if (ts.isShorthandPropertyAssignment(p)) {
            if (isSensitiveName(p.name.text) && !isRedactedBinding(p.name)) return { what: p.name.text };
            const h = inspect(p.name, depth + 1);
            if (h) return h;
          } else if (ts.isPropertyAssignment(p)) {
            const h = inspect(p.initializer, depth + 1);
            if (h) return h;
          } else if (ts.isSpreadAssignment(p)) {
            const h = inspect(p.expression, depth + 1);
            if (h) return h;
          }
        }
        return undefined;
      }
      if (ts.isArrayLiteralExpression(e)) {
        for (const el of e.elements) {
          const h = inspect(el, depth + 1);
          if (h) return h;
        }
        return undefined;
      }
      if (ts.isCallExpression(e)) {
        const n = memberName(e.expression) ?? "";
        if (REDACTING_CALL.test(n)) return undefined;
        // req.get("authorization") / req.header("Authorization") / headers.get("cookie")
        if (/^(get|header)$/.test(n) && e.arguments.length === 1) {
          const h = stringValue(e.arguments[0]);
          const recv = receiverOf(e);
          if (h && /^(authorization|cookie|x-api-key|x-auth-token|proxy-authorization|set-cookie)$/i.test(h) && recv && /^(req|request|ctx|headers|req\.headers|request\.headers)$/.test(unwrap(recv).getText())) return { what: `the ${h} header` };
          return undefined;
        }
        if (PASS_THROUGH.test(n)) {
          for (const a of e.arguments) {
            const h = inspect(a, depth + 1);
            if (h) return h;
          }
          const recv = receiverOf(e);
          if (recv && n !== "stringify" && n !== "inspect" && n !== "format") return inspect(recv, depth + 1);
        }
        return undefined;
      }
      if (ts.isIdentifier(e)) {
        if (isSensitiveName(e.text) && !isRedactedBinding(e)) return { what: `\`${e.text}\`` };
        // const headers = req.headers; logger.info(headers)
        const d = findDeclaration(e);
        if (d && ts.isVariableDeclaration(d) && d.initializer && ts.isIdentifier(d.name) && depth < 3) {
          const init = unwrap(d.initializer);
          if (ts.isPropertyAccessExpression(init) || ts.isElementAccessExpression(init)) return inspectAccess(init, e);
        }
        return undefined;
      }
      if (ts.isPropertyAccessExpression(e) || ts.isElementAccessExpression(e)) return inspectAccess(e, e);
      return undefined;
    };

    const inspectAccess = (e: ts.PropertyAccessExpression | ts.ElementAccessExpression, at: ts.Node): Hit | undefined => {
      const chain = accessChain(e);
      const last = memberName(e);
      if (last && isSensitiveName(last)) return { what: `\`${e.getText().slice(0, 60)}\`` };
      if (!chain) return undefined;
      const base = unwrap(e.expression);
      const requestBase = isRequestObject(base) || /^(req|request|ctx\.request|ctx|event)$/.test(base.getText());
      if (requestBase && last && /^(headers|cookies|signedCookies|multiValueHeaders)$/.test(last)) return { what: `\`${e.getText()}\` (contains Authorization/Cookie)` };
      if (last && /^(authorization|cookie|x-api-key|x-auth-token)$/i.test(last)) return { what: `\`${e.getText()}\`` };
      if (requestBase && last === "body" && authRoute(at)) return { what: `the whole \`${e.getText()}\` of a credentials route` };
      return undefined;
    };

    return {
      CallExpression(call) {
        const name = memberName(call.expression);
        if (!name || !LOG_METHODS.has(name)) return;
        const recv = receiverOf(call);
        if (!recv || !LOGGER_RECEIVER.test(unwrap(recv).getText())) return;
        for (const a of call.arguments) {
          const h = inspect(a, 0);
          if (h) {
            ctx.report({ node: call, message: `Logs ${h.what}: secrets and personal data in logs outlive the request and reach everyone with log access. Log an id or a redacted value instead.` });
            return;
          }
        }
      },
    };
  },
});

/** `const password = "***"` / `const token = mask(t)`: the name is sensitive but the value was already hidden. */
function isRedactedBinding(id: ts.Identifier): boolean {
  const d = findDeclaration(id);
  if (!d || !ts.isVariableDeclaration(d) || !d.initializer) return false;
  const init = unwrap(d.initializer);
  if (ts.isStringLiteral(init) || ts.isNoSubstitutionTemplateLiteral(init)) return true;
  if (ts.isCallExpression(init) && REDACTING_CALL.test(memberName(init.expression) ?? "")) return true;
  if (ts.isPrefixUnaryExpression(init) || ts.isBinaryExpression(init) && /[<>=]=?|!==?/.test(init.operatorToken.getText())) return true;
  return false;
}
