import { ts } from "ts-morph";
import { isFunctionLike, memberName, propertyNameText, stringValue, unwrap } from "./ast.js";
import { assignmentsTo, findDeclaration } from "./scope.js";

/** Shared helpers for the crypto / secrets rules: names, placeholders, entropy, literal resolution. */

/** `jwtSecretKey` / `DB_PASSWORD` / `api-key` → ["jwt","secret","key"] / ["db","password"] / ["api","key"] (lower-case). */
const tokenCache = new Map<string, string[]>();

export function nameTokens(name: string): string[] {
  let t = tokenCache.get(name);
  if (!t) {
    // Names repeat across a project (password, token, apiKey): split each once. Bounded for long-running servers.
    if (tokenCache.size > 50_000) tokenCache.clear();
    tokenCache.set(name, (t = splitName(name)));
  }
  return t;
}

function splitName(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((t) => t.toLowerCase());
}

/** Shannon entropy in bits per character. */
export function shannonEntropy(s: string): number {
  if (!s.length) return 0;
  const counts = new Map<string, number>();
  for (const ch of s) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let h = 0;
  for (const c of counts.values()) {
    const p = c / s.length;
    h -= p * Math.log2(p);
  }
  return h;
}

const SECRET_LAST = new Set(["password", "passwd", "pwd", "pass", "passphrase", "secret", "apikey", "token", "privatekey", "clientsecret", "secretkey", "accesskey", "apisecret", "apitoken"]);
const KEY_QUALIFIERS = new Set(["api", "private", "secret", "access", "signing", "encryption", "master", "app", "hmac", "jwt", "session", "cookie", "aes", "crypto", "auth", "client", "consumer", "license", "subscription", "encrypt", "cipher", "sign", "shared"]);
const TOKEN_QUALIFIERS_EXCLUDED = new Set(["csrf", "xsrf", "type", "cancel", "cancellation", "next", "page", "continuation", "pagination", "lexer", "parser"]);

/**
 * Does a variable / property name denote a credential? `password`, `dbPass`, `jwtSecret`, `apiKey`, `accessToken`,
 * `privateKey`, `AWS_SECRET_ACCESS_KEY` yes; `passwordField`, `secretName`, `tokenType`, `key`, `passport` no.
 */
export function isSecretName(name: string): boolean {
  const t = nameTokens(name);
  if (!t.length) return false;
  const last = t[t.length - 1];
  const prev = t.length > 1 ? t[t.length - 2] : "";
  if (last === "token" || last === "tokens") return !TOKEN_QUALIFIERS_EXCLUDED.has(prev);
  if (SECRET_LAST.has(last)) return true;
  if (last === "secrets") return true;
  if (last === "key" || last === "keys") return KEY_QUALIFIERS.has(prev);
  if ((last === "id" || last === "key") && prev === "access" && t.includes("secret")) return true;
  // AWS_SECRET_ACCESS_KEY, secret_access_key
  if (last === "key" && t.includes("secret")) return true;
  return false;
}

/** Values that are obviously not real credentials: placeholders, dummies, labels, env-var names, i18n keys, paths. */
export function isPlaceholderValue(v: string): boolean {
  const s = v.trim();
  if (!s) return true;
  const lower = s.toLowerCase();
  if (/^(password|passwd|pass|pwd|secret|token|key|apikey|api_key|api-key|changeme|change_me|change-me|null|undefined|none|nil|string|text|hidden|required|true|false|bearer|basic|admin|root|user|username|default|todo|tbd|fixme|n\/a|na|empty|redacted|masked|omitted|your_secret)$/i.test(s)) return true;
  if (/(example|placeholder|changeme|change[-_ ]?me|change[-_ ]?this|replace[-_ ]?(me|this|with)|your[-_ ]|insert[-_ ]|enter[-_ ]|dummy|redacted|xxxx|\*{3}|\.\.\.|<[^>]*>|\$\{|\{\{|%s|%\(|\$\(|__[A-Z]+__)/i.test(s)) return true;
  if (/^(test|dummy|fake|mock|sample|demo|foo|bar|baz|abc|qwe|x+|a+)[\W_\d]*$/i.test(s)) return true;
  if (/^[A-Z][A-Z0-9_]*$/.test(s) && s.includes("_")) return true; // env-var name: "JWT_SECRET"
  if (/^\s*process\.env/.test(s)) return true;
  if (/\s/.test(s) && /^[A-Za-z][A-Za-z ,.'!?:-]*$/.test(s)) return true; // a label: "Enter your password"
  if (s.trim().split(/\s+/).length >= 3) return true; // a sentence: "Password must be at least 8 characters"
  if (/^[A-Z][a-z]+$/.test(s)) return true; // a translated label: "Passwort", "Contraseña"-like single words
  if (/^\$(2[abxy]?|argon2(id|i|d)?|scrypt|pbkdf2[\w-]*)\$/.test(s)) return true; // a password hash, not a password
  if (/^pk_(live|test)_/.test(s)) return true; // publishable (public) key
  if (/^[a-z]+([.:][a-zA-Z_]+)+$/.test(s)) return true; // i18n key / config path: "auth.password.label"
  if (/^(https?:\/\/|\/|\.\.?\/|~\/|[A-Za-z]:\\)/.test(s) && !/:\/\/[^/\s:@]+:[^/\s@]+@/.test(s)) return true; // urls, file paths
  // word lists that are form/field keys or error codes: "password_reset", "new-password", "confirm_password",
  // "incorrectPassword", "missingOldPassword" (camelCase words count as words)
  const words = s.replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase().split(/[-_.\s]+/).filter(Boolean);
  if (words.length > 1 && words.every((w) => /^[a-z]+$/.test(w)) && words.some((w) => /^(reset|confirm|refresh|for|confirmation|field|input|label|hint|required|invalid|error|wrong|incorrect|missing|forgot|forgotten|new|old|current|change|changed|hash|hashed|type|mode|name|strength|policy|expired|update|updated|validation|mismatch|match|length|form|login|signin|signup|register|header|cookie|param|query|storage|prefix|suffix)$/.test(w))) return true;
  return false;
}

/** Good enough to be a real secret for a name-based match (not a placeholder, long enough, not trivially repetitive). */
export function looksLikeSecretValue(v: string, minLength = 6): boolean {
  if (v.length < minLength || v.length > 500) return false;
  if (isPlaceholderValue(v)) return false;
  // "aaaa"/"0000" are fillers; anything more varied than that can be a (weak) real credential.
  if (shannonEntropy(v) < 1) return false;
  return true;
}

export interface CredentialFormat {
  name: string;
  re: RegExp;
}

/** Credential formats recognizable without a name (gitleaks-style, tightened). */
export const CREDENTIAL_FORMATS: readonly CredentialFormat[] = [
  { name: "AWS access key id", re: /\b(AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z0-9]{16}\b/ },
  { name: "GitHub token", re: /\b(ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36}\b/ },
  { name: "GitHub fine-grained token", re: /\bgithub_pat_[A-Za-z0-9_]{60,}\b/ },
  { name: "Slack token", re: /\bxox[baprse]-[0-9A-Za-z-]{10,}/ },
  { name: "Slack webhook", re: /hooks\.slack\.com\/services\/T[A-Z0-9]+\/B[A-Z0-9]+\/[A-Za-z0-9]{20,}/ },
  { name: "Stripe secret key", re: /\b(sk|rk)_live_[0-9A-Za-z]{20,}\b/ },
  { name: "Google API key", re: /\bAIza[0-9A-Za-z_-]{35}\b/ },
  { name: "private key", re: /-----BEGIN ((RSA|EC|DSA|OPENSSH|ENCRYPTED|PGP) )?PRIVATE KEY( BLOCK)?-----(\\n|\s)*[A-Za-z0-9+/=]{20,}/ },
  { name: "SendGrid API key", re: /\bSG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}\b/ },
  { name: "Twilio API key", re: /\bSK[0-9a-f]{32}\b/ },
  { name: "npm token", re: /\bnpm_[A-Za-z0-9]{36}\b/ },
  { name: "OpenAI API key", re: /\bsk-(proj-)?[A-Za-z0-9_-]{20,}T3BlbkFJ[A-Za-z0-9_-]{20,}\b/ },
  { name: "Anthropic API key", re: /\bsk-ant-(api|admin)\d{2}-[A-Za-z0-9_-]{80,}/ },
  { name: "Mailgun API key", re: /\bkey-[0-9a-f]{32}\b/ },
  { name: "Shopify token", re: /\bshp(at|ca|pa|ss)_[a-fA-F0-9]{32}\b/ },
  { name: "GitLab token", re: /\bglpat-[A-Za-z0-9_-]{20}\b/ },
  { name: "JSON Web Token", re: /\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{16,}/ },
];

/** The shortest string any CREDENTIAL_FORMATS pattern can match (`xox?-` + 10): most literals are shorter. */
const SHORTEST_CREDENTIAL = 15;

export function credentialFormatOf(v: string): string | undefined {
  if (v.length < SHORTEST_CREDENTIAL) return undefined;
  for (const f of CREDENTIAL_FORMATS) if (f.re.test(v)) return f.name;
  return undefined;
}

/** `scheme://user:password@host` with a literal password that is not a placeholder; returns the password. */
export function connectionStringPassword(v: string): string | undefined {
  const m = /\b([a-z][a-z0-9+.-]*):\/\/([^\s:/@'"`]+):([^\s/@'"`]+)@[^\s/@]+/i.exec(v);
  if (!m) return undefined;
  const scheme = m[1].toLowerCase();
  if (!/^(postgres|postgresql|mysql|mysql2|mariadb|mongodb|mongodb\+srv|redis|rediss|amqp|amqps|mssql|sqlserver|oracle|ftp|sftp|smtp|smtps|https?|ldap|ldaps|kafka|nats|couchdb|elasticsearch|cockroachdb)$/.test(scheme)) return undefined;
  const pw = m[3];
  if (pw.length < 3) return undefined;
  if (/^[*x]+$|^\$|^%|^<|^\{|password|passwd|^pass$|^pwd$|secret$|changeme|example|^user$|^root$/i.test(pw)) return undefined;
  if (isPlaceholderValue(pw) && !/\d/.test(pw)) return undefined;
  return pw;
}

/**
 * The literal a value resolves to: a string literal itself, or an identifier / `this.x` whose only
 * assignment is a string literal (const, or let/var never reassigned), within the file.
 */
export function resolvedLiteral(expr: ts.Expression | undefined): ts.StringLiteral | ts.NoSubstitutionTemplateLiteral | undefined {
  if (!expr) return undefined;
  const e = unwrap(expr);
  if (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e)) return e;
  if (ts.isIdentifier(e)) {
    const d = findDeclaration(e);
    if (!d || !ts.isVariableDeclaration(d) || !d.initializer || !ts.isIdentifier(d.name)) return undefined;
    if (assignmentsTo(d).length) return undefined;
    const init = unwrap(d.initializer);
    return ts.isStringLiteral(init) || ts.isNoSubstitutionTemplateLiteral(init) ? init : undefined;
  }
  return undefined;
}

/** The object literal a value resolves to (directly or through a const). */
export function resolvedObject(expr: ts.Expression | undefined): ts.ObjectLiteralExpression | undefined {
  if (!expr) return undefined;
  const e = unwrap(expr);
  if (ts.isObjectLiteralExpression(e)) return e;
  if (ts.isIdentifier(e)) {
    const d = findDeclaration(e);
    if (!d || !ts.isVariableDeclaration(d) || !d.initializer) return undefined;
    const init = unwrap(d.initializer);
    return ts.isObjectLiteralExpression(init) ? init : undefined;
  }
  return undefined;
}

/** Name of the function a node is in: declaration name, or the variable / property / method it is assigned to. */
export function functionName(fn: ts.FunctionLikeDeclaration | undefined): string | undefined {
  if (!fn) return undefined;
  if (fn.name && (ts.isIdentifier(fn.name) || ts.isStringLiteral(fn.name))) return fn.name.text;
  const p = fn.parent;
  if (ts.isVariableDeclaration(p) && ts.isIdentifier(p.name)) return p.name.text;
  if (ts.isPropertyAssignment(p)) return propertyNameText(p.name);
  if (ts.isBinaryExpression(p) && p.operatorToken.kind === ts.SyntaxKind.EqualsToken) return memberName(p.left);
  return undefined;
}

/**
 * The names a value is bound to, nearest first: the variable / property / assignment target holding the expression,
 * the callee it is passed to, then the enclosing functions' names (and a route path when a handler is anonymous).
 */
export function contextNames(node: ts.Node, ignoreCallees: ReadonlySet<string> = new Set()): string[] {
  const out: string[] = [];
  let child: ts.Node = node;
  for (let p: ts.Node | undefined = node.parent; p; child = p, p = p.parent) {
    if (ts.isVariableDeclaration(p) && ts.isIdentifier(p.name)) out.push(p.name.text);
    else if (ts.isPropertyAssignment(p) && p.initializer === child) {
      const n = propertyNameText(p.name);
      if (n) out.push(n);
    } else if (ts.isPropertyDeclaration(p) && ts.isIdentifier(p.name)) out.push(p.name.text);
    else if (ts.isBinaryExpression(p) && p.right === child && [ts.SyntaxKind.EqualsToken, ts.SyntaxKind.PlusEqualsToken].includes(p.operatorToken.kind)) {
      const n = memberName(p.left);
      if (n) out.push(n);
    } else if ((ts.isCallExpression(p) || ts.isNewExpression(p)) && p.arguments?.some((a) => a === child)) {
      const n = memberName(p.expression);
      if (n && !ignoreCallees.has(n)) out.push(n);
      for (const a of p.arguments) {
        const s = stringValue(a);
        if (s && s.length < 60) out.push(s);
      }
    } else if (isFunctionLike(p)) {
      const n = functionName(p);
      if (n) out.push(n);
      else if (p.parent && ts.isCallExpression(p.parent)) {
        for (const a of p.parent.arguments) {
          const s = stringValue(a);
          if (s && s.length < 60) out.push(s);
        }
      }
    } else if (ts.isClassDeclaration(p) && p.name) out.push(p.name.text);
    else if (ts.isSourceFile(p)) break;
  }
  return out;
}
