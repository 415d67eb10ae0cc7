import { ts } from "ts-morph";
import { defineRule } from "../../src/core/rule.js";
import { enclosingFunction, memberName, stringValue, unwrap } from "../../src/core/ast.js";
import { functionName, isPlaceholderValue, nameTokens } from "../../src/core/secrets.js";
import { rootIdentifier } from "../../src/core/sources.js";
import { findDeclaration } from "../../src/core/scope.js";

/**
 * What a compared value is, judged by its name:
 * - credential: a password / API key / shared secret / OTP — unambiguous, any non-trivial comparison with it leaks.
 * - mac: an HMAC, signature or digest — a secret only when the file computes HMACs (webhook / request signing).
 * - token: bearer / reset / API tokens — also the word lexers and paginators use, so the other side must look secret too.
 * - hash: password hashes — also content hashes and cache keys, so it needs password-hashing context.
 */
type Kind = "credential" | "mac" | "token" | "hash";

const CREDENTIAL_LAST = new Set(["password", "passwd", "pwd", "pass", "passphrase", "passcode", "secret", "apikey", "apisecret", "otp", "totp"]);
const KEY_QUALIFIERS = new Set(["api", "secret", "access", "shared", "master", "signing", "hmac", "webhook"]);
const MAC_LAST = new Set(["hmac", "signature", "sig", "digest"]);
/** Words that make the name something other than the secret itself: its type, length, a second copy typed by the user. */
const NOT_THE_SECRET = new Set(["confirm", "confirmation", "confirmed", "repeat", "repeated", "retype", "retyped", "reenter", "again", "new", "old", "current", "previous", "prev", "next", "last", "first", "cached", "original", "initial", "type", "types", "length", "len", "name", "names", "label", "field", "hint", "placeholder", "policy", "strength", "min", "max", "count", "id", "ids", "kind", "mode", "format", "header", "headers", "expires", "expiry", "expiration", "exp", "ttl", "version", "algorithm", "alg", "prefix", "suffix", "page", "cancel", "cancellation", "continuation", "pagination", "lexer", "parser", "start", "end", "index", "pos", "position", "url", "path", "file", "env", "enabled", "required", "changed", "set", "valid", "is", "has"]);
const USER_FACTS = new Set(["user", "username", "login", "email", "mail", "phone", "account", "nickname"]);
const PLACEHOLDER_TEXT = new Set(["undefined", "null", "true", "false", "string", "object", "none", "bearer", "basic", "*"]);

/** The name a compared expression carries: `password`, `user.apiKey` → apiKey, `req.headers["x-api-key"]`, `req.get("x-signature")`. */
function nameOf(expr: ts.Expression): string | undefined {
  const e = unwrap(expr);
  if (ts.isIdentifier(e)) return e.text;
  if (ts.isPropertyAccessExpression(e)) return e.name.text;
  if (ts.isElementAccessExpression(e)) return stringValue(e.argumentExpression);
  if (ts.isCallExpression(e) && /^(get|header|getHeader)$/.test(memberName(e.expression) ?? "")) return stringValue(e.arguments[0]);
  return undefined;
}

function kindOfName(name: string | undefined): Kind | undefined {
  if (!name) return undefined;
  const t = nameTokens(name);
  if (!t.length || t.some((x) => NOT_THE_SECRET.has(x))) return undefined;
  const last = t[t.length - 1];
  const prev = t.length > 1 ? t[t.length - 2] : "";
  if (CREDENTIAL_LAST.has(last) || (last === "key" && KEY_QUALIFIERS.has(prev))) return "credential";
  if (last === "hash" || last === "hashed") return t.some((x) => /^(password|passwd|pwd|pass|secret|pin)$/.test(x)) ? "credential" : "hash";
  if (MAC_LAST.has(last)) return "mac";
  if (last === "token" || last === "apitoken") return "token";
  return undefined;
}

/** `crypto.createHmac(…).digest("hex")`, `buf.toString("base64")`, `"sha256=" + hmac.digest("hex")`: a freshly computed digest. */
function isDigestLike(expr: ts.Expression): boolean {
  const e = unwrap(expr);
  if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.PlusToken) return isDigestLike(e.left) || isDigestLike(e.right);
  if (!ts.isCallExpression(e)) return false;
  const name = memberName(e.expression);
  if (name === "digest") return true;
  return name === "toString" && /^(hex|base64|base64url)$/.test(stringValue(e.arguments[0]) ?? "");
}

/** Values nobody needs to guess: null/undefined/booleans/numbers, `typeof x`, `x.length`, empty or placeholder strings. */
function isTrivial(expr: ts.Expression): boolean {
  const e = unwrap(expr);
  if (ts.isIdentifier(e)) return e.text === "undefined" || e.text === "NaN";
  if (e.kind === ts.SyntaxKind.NullKeyword || e.kind === ts.SyntaxKind.TrueKeyword || e.kind === ts.SyntaxKind.FalseKeyword) return true;
  if (ts.isNumericLiteral(e) || ts.isBigIntLiteral(e) || ts.isTypeOfExpression(e) || ts.isVoidExpression(e) || ts.isPrefixUnaryExpression(e)) return true;
  if (ts.isPropertyAccessExpression(e) && /^(length|size|byteLength)$/.test(e.name.text)) return true;
  if (ts.isArrayLiteralExpression(e) || ts.isObjectLiteralExpression(e) || ts.isRegularExpressionLiteral(e)) return true;
  const s = stringValue(e);
  return s !== undefined && (s.length < 3 || PLACEHOLDER_TEXT.has(s.toLowerCase()));
}

/** `req.body.password !== req.body.password2`, `form.password === form.passwordConfirm`: two values typed by the same user. */
function sameContainer(a: ts.Expression, b: ts.Expression): boolean {
  const x = unwrap(a);
  const y = unwrap(b);
  const base = (n: ts.Expression): string | undefined => (ts.isPropertyAccessExpression(n) || ts.isElementAccessExpression(n) ? unwrap(n.expression).getText() : undefined);
  const bx = base(x);
  return bx !== undefined && bx !== "this" && bx === base(y);
}

/** A startup check against a known default (`if (config.jwtSecret === "changeme") throw …`) is not a secret comparison. */
function isDefaultValueCheck(secretSide: ts.Expression, literal: string): boolean {
  return isPlaceholderValue(literal) && /\b(config|conf|env|options|opts|settings|process\.env)\b/i.test(unwrap(secretSide).getText());
}

/** `hash("slurmCl4ssic")`: computed from constants only, so nobody's guess is being timed. */
function isConstantCall(e: ts.Expression): boolean {
  if (!ts.isCallExpression(e) || e.arguments.length === 0) return false;
  if (!e.arguments.every((a) => stringValue(a) !== undefined || ts.isNumericLiteral(unwrap(a)))) return false;
  // the function is a module's or a declared one (`security.hash`, `sha256`), not a method of computed data (`derived.toString("hex")`)
  const root = rootIdentifier(e.expression);
  const d = root && findDeclaration(root);
  if (!root || !d) return false;
  return ts.isFunctionDeclaration(d) || ts.isImportSpecifier(d) || ts.isImportClause(d) || ts.isNamespaceImport(d) || ts.isImportEqualsDeclaration(d)
    || (ts.isVariableDeclaration(d) && !!d.initializer && /^require\(/.test(unwrap(d.initializer).getText()));
}

/**
 * `const confirmPassword = (value, { siblingData }) => value !== siblingData.password`: a validator of the second input
 * box compares two values the same user just typed; neither is a stored secret.
 */
function inConfirmationCheck(node: ts.Node): boolean {
  const tokens = nameTokens(functionName(enclosingFunction(node)) ?? "");
  return tokens.some((t) => /^(confirm|confirmation|repeat|retype|reenter)$/.test(t)) && tokens.some((t) => /^(password|passwd|pwd|pass|passphrase|pin)$/.test(t));
}

const PASSWORD_HASHING = /\b(pbkdf2|pbkdf2Sync|scrypt|scryptSync|bcrypt|argon2|createHmac|password)\b/i;

/** Why the comparison leaks a secret, or undefined when it does not compare one. */
function leak(secretSide: ts.Expression, other: ts.Expression, fileHmac: () => boolean): Kind | undefined {
  const kind = kindOfName(nameOf(secretSide));
  if (!kind || isTrivial(other)) return undefined;
  const o = unwrap(other);
  const literal = stringValue(o);
  if (literal !== undefined) {
    // `password == "hunter2"`: a hard-coded credential checked character by character
    return kind === "credential" && ts.isStringLiteralLike(o) && !isDefaultValueCheck(secretSide, literal) ? kind : undefined;
  }
  if (!(ts.isIdentifier(o) || ts.isPropertyAccessExpression(o) || ts.isElementAccessExpression(o) || ts.isCallExpression(o) || ts.isBinaryExpression(o))) return undefined;
  if (sameContainer(secretSide, other) || isConstantCall(o) || inConfirmationCheck(secretSide)) return undefined;
  const otherName = nameOf(other);
  // `password === username` (a password policy), `password !== passwordConfirm`: nothing secret on the other side
  // (`verify` alone is the second input box; `verificationToken` is a secret)
  const otherTokens = otherName ? nameTokens(otherName) : [];
  if (otherTokens.some((x) => NOT_THE_SECRET.has(x) || USER_FACTS.has(x)) || /^(verify|verification|check)$/.test(otherTokens.at(-1) ?? "")) return undefined;
  const otherKind = kindOfName(otherName);
  switch (kind) {
    case "credential":
      return kind;
    case "mac":
      return fileHmac() || isDigestLike(other) && /hmac/i.test(other.getText()) ? kind : undefined;
    case "token":
      return otherKind || isDigestLike(other) ? kind : undefined;
    case "hash": {
      const fn = enclosingFunction(secretSide);
      return (isDigestLike(other) || otherKind) && PASSWORD_HASHING.test(fn?.getText() ?? "") ? kind : undefined;
    }
  }
}

/**
 * Structural equality of two objects, not an authentication decision: `equals(other) { return this.user === other.user && this.password === other.password }`
 * (both sides read the same field, next to comparisons of other fields of the same two objects).
 */
function isFieldwiseEquality(b: ts.BinaryExpression): boolean {
  const l = unwrap(b.left);
  const r = unwrap(b.right);
  if (!ts.isPropertyAccessExpression(l) || !ts.isPropertyAccessExpression(r) || l.name.text !== r.name.text) return false;
  const fn = enclosingFunction(b);
  const name = fn && fn.name && ts.isIdentifier(fn.name) ? fn.name.text : "";
  if (/^(equals?|isEqual|isSame|same|sameAs|deepEqual|shallowEqual|eq|matches)$/i.test(name)) return true;
  const chain = b.parent && ts.isBinaryExpression(b.parent) && b.parent.operatorToken.kind === ts.SyntaxKind.AmpersandAmpersandToken ? b.parent : undefined;
  if (!chain) return false;
  const sibling = unwrap(chain.left === b ? chain.right : chain.left);
  const fieldPair = (x: ts.Expression): boolean => ts.isBinaryExpression(x) && EQUALITY.has(x.operatorToken.kind) && ts.isPropertyAccessExpression(unwrap(x.left)) && ts.isPropertyAccessExpression(unwrap(x.right))
    && (unwrap(x.left) as ts.PropertyAccessExpression).name.text === (unwrap(x.right) as ts.PropertyAccessExpression).name.text;
  return fieldPair(sibling) || (ts.isBinaryExpression(sibling) && (fieldPair(unwrap(sibling.left)) || fieldPair(unwrap(sibling.right))));
}

const EQUALITY = new Set([ts.SyntaxKind.EqualsEqualsToken, ts.SyntaxKind.EqualsEqualsEqualsToken, ts.SyntaxKind.ExclamationEqualsToken, ts.SyntaxKind.ExclamationEqualsEqualsToken]);

export default defineRule({
  meta: {
    id: "security/timing-unsafe-comparison",
    category: "security",
    severity: "warning",
    cwe: ["CWE-208"],
    title: "Secret compared with `===` (timing attack)",
    description:
      "`===` on strings stops at the first differing character, so the response time tells an attacker how much of a guessed " +
      "password, API key, token or HMAC signature is right; with enough requests the secret (or a valid signature for forged data) can be recovered byte by byte.",
    fix: "Compare with `crypto.timingSafeEqual(Buffer.from(a), Buffer.from(b))` after checking the lengths match (or compare HMACs of both values); check passwords with `bcrypt.compare` / `argon2.verify` against a stored hash.",
  },
  create(ctx) {
    if (ctx.file.isTest) return {};
    // Read only when a signature-named value is compared (most files never compare one).
    let hmac: boolean | undefined;
    const fileHmac = (): boolean => (hmac ??= /createHmac|\bhmac\b|Hmac(SHA|Sha)\d|subtle\.sign|webhook/i.test(ctx.file.text));
    return {
      BinaryExpression(b) {
        if (!EQUALITY.has(b.operatorToken.kind) || isFieldwiseEquality(b)) return;
        const sides: [ts.Expression, ts.Expression][] = [[b.left, b.right], [b.right, b.left]];
        for (const [secret, other] of sides) {
          const kind = leak(secret, other, fileHmac);
          if (!kind) continue;
          const what = kind === "mac" ? "signature / HMAC" : kind === "hash" ? "password hash" : kind === "token" ? "token" : "secret";
          ctx.report({ node: b, message: `\`${unwrap(secret).getText().slice(0, 40)}\` (a ${what}) is compared with \`${b.operatorToken.getText()}\`, which returns as soon as a character differs: the timing reveals how much of a guess is right. Use crypto.timingSafeEqual on equal-length buffers.` });
          return;
        }
      },
    };
  },
});
