import { ts } from "ts-morph";
import { defineRule } from "../../src/core/rule.js";
import { memberName, propertyNameText, stringValue, unwrap, walk } from "../../src/core/ast.js";
import { assignmentsTo, findDeclaration } from "../../src/core/scope.js";
import {
  connectionStringPassword, credentialFormatOf, isSecretName, looksLikeSecretValue, resolvedLiteral,
} from "../../src/core/secrets.js";

type Lit = ts.StringLiteral | ts.NoSubstitutionTemplateLiteral;

/** Calls whose argument at `index` is a signing / encryption key (module, function names, index). */
const KEY_SINKS: readonly { modules: readonly string[]; names: readonly string[]; index: number; what: string }[] = [
  { modules: ["jsonwebtoken"], names: ["sign", "verify"], index: 1, what: "JWT signing secret" },
  { modules: ["jwt-simple"], names: ["encode", "decode"], index: 1, what: "JWT signing secret" },
  { modules: ["jose", "node-jose"], names: ["sign", "verify", "jwtVerify", "compactVerify", "encode"], index: 1, what: "JWT key" },
  { modules: ["crypto"], names: ["createHmac"], index: 1, what: "HMAC key" },
  { modules: ["crypto"], names: ["createCipheriv", "createDecipheriv", "createCipher", "createDecipher"], index: 1, what: "encryption key" },
  { modules: ["crypto"], names: ["createSecretKey"], index: 0, what: "secret key" },
  { modules: ["cookie-parser"], names: ["default", "cookieParser"], index: 0, what: "cookie signing secret" },
  { modules: ["cookie-parser", "cookie-signature"], names: ["signedCookie", "signedCookies", "sign", "unsign"], index: 1, what: "cookie signing secret" },
  { modules: ["ldapjs", "ldapts"], names: ["bind"], index: 1, what: "LDAP bind password" },
  { modules: ["superagent"], names: ["auth"], index: 1, what: "HTTP Basic password" },
  { modules: ["crypto-js"], names: ["encrypt", "decrypt", "HmacSHA256", "HmacSHA512", "HmacSHA1", "HmacMD5"], index: 1, what: "encryption key" },
];
/** Option names that hold a signing secret when passed to session / JWT / passport middleware. */
const SECRET_OPTIONS = new Set(["secret", "secretOrKey", "secretOrPrivateKey", "clientSecret", "consumerSecret", "jwtSecret", "privateKey", "signingKey", "keys"]);
const SECRET_OPTION_CALLEES = /^(session|expressSession|cookieSession|expressjwt|expressJwt|jwt|koaJwt|fastifyJwt|register|use|Strategy|JwtStrategy|\w+Strategy|JwtModule|registerAsync|forRoot|iron|sealData|getIronSession|withIronSession|ironSession|NextAuth|lucia)$/;

function keyLiteralValue(v: string): boolean {
  const s = v.trim();
  if (s.length < 1) return false;
  if (/^[A-Z][A-Z0-9_]*$/.test(s) && s.includes("_")) return false; // an env var name
  // `"${HMAC_KEY}"`, `"{{ jwt_secret }}"`, `"%SECRET%"`: substituted by a deploy/config tool before the code runs
  if (/^(\$\{\s*[\w.:-]+\s*\}|\{\{\s*[\w.:-]+\s*\}\}|%[\w.-]+%|<[\w .-]+>)$/.test(s)) return false;
  if (/PUBLIC KEY|CERTIFICATE/.test(s)) return false;
  if (/^(\.\.?\/|\/)[\w./-]+\.(pem|key|crt|pub)$/.test(s)) return false;
  return true;
}

/** `https://api.example.com/v1?api_key=9fQ2…`: the name of a credential parameter carrying a literal, real-looking value. */
function queryStringSecret(text: string): string | undefined {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) return undefined;
  for (const m of text.matchAll(/[?&](password|passwd|pwd|secret|token|api[_-]?key|access[_-]?token|client[_-]?secret|auth[_-]?token)=([^&#\s]+)/gi)) {
    const value = decodeURIComponentSafe(m[2]);
    if (/^[:{$%<]/.test(value)) continue; // `?token=:token`, `{token}`, `%TOKEN%`: filled in later
    if (looksLikeSecretValue(value, 8)) return m[1];
  }
  return undefined;
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** `this.jwtSecret` → the literal of its only assignment `this.jwtSecret = "…"` in the class (or file). */
function thisPropertyLiteral(e: ts.PropertyAccessExpression): Lit | undefined {
  if (e.expression.kind !== ts.SyntaxKind.ThisKeyword) return undefined;
  const values = thisAssignments(e);
  if (values.length !== 1) return undefined;
  const v = unwrap(values[0]);
  return ts.isStringLiteral(v) || ts.isNoSubstitutionTemplateLiteral(v) ? v : undefined;
}

/** Values assigned to `this.<name>` in the class around `e` (or the file when not in a class). */
function thisAssignments(e: ts.PropertyAccessExpression): ts.Expression[] {
  let scope: ts.Node = e.getSourceFile();
  for (let p = e.parent; p; p = p.parent) if (ts.isClassLike(p)) { scope = p; break; }
  const name = e.name.text;
  const out: ts.Expression[] = [];
  walk(scope, (n) => {
    if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
      const l = unwrap(n.left);
      if (ts.isPropertyAccessExpression(l) && l.expression.kind === ts.SyntaxKind.ThisKeyword && l.name.text === name) out.push(n.right);
    }
    if (ts.isPropertyDeclaration(n) && n.initializer && propertyNameText(n.name) === name && ts.isClassLike(n.parent)) out.push(n.initializer);
    return undefined;
  });
  return out;
}

/** The string literal inside `Buffer.from("…")`, `new TextEncoder().encode("…")`, `createSecretKey(Buffer.from("…"))`, `JWK.asKey("…")`, through a const. */
function wrappedLiteral(expr: ts.Expression | undefined, depth = 0): Lit | undefined {
  if (!expr || depth > 3) return undefined;
  const e = unwrap(expr);
  const direct = resolvedLiteral(e);
  if (direct) return direct;
  if (ts.isPropertyAccessExpression(e)) return thisPropertyLiteral(e);
  if (ts.isIdentifier(e)) {
    // const key = JWK.asKey("…") / Buffer.from("…")
    const d = findDeclaration(e);
    if (d && ts.isVariableDeclaration(d) && d.initializer && !assignmentsTo(d).length) {
      const init = unwrap(d.initializer);
      if (ts.isCallExpression(init) || ts.isNewExpression(init)) return wrappedLiteral(init, depth + 1);
    }
    return undefined;
  }
  if ((ts.isCallExpression(e) || ts.isNewExpression(e)) && e.arguments?.length) {
    const n = memberName(e.expression);
    if (n && /^(from|encode|Buffer|createSecretKey|parse|asKey)$/.test(n)) {
      const a0 = unwrap(e.arguments[0]);
      if (ts.isStringLiteral(a0) || ts.isNoSubstitutionTemplateLiteral(a0)) return a0;
      return wrappedLiteral(a0, depth + 1);
    }
  }
  return undefined;
}

/** Literal values a name-based match looks at: `"lit"`, `env.X || "lit"`, `env.X ?? "lit"`, `Buffer.from("lit")`. */
function assignedLiteral(expr: ts.Expression | undefined): { lit: Lit; fallback: boolean } | undefined {
  if (!expr) return undefined;
  const e = unwrap(expr);
  if (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e)) return { lit: e, fallback: false };
  if (ts.isBinaryExpression(e) && [ts.SyntaxKind.BarBarToken, ts.SyntaxKind.QuestionQuestionToken].includes(e.operatorToken.kind)) {
    const r = unwrap(e.right);
    if (ts.isStringLiteral(r) || ts.isNoSubstitutionTemplateLiteral(r)) return { lit: r, fallback: true };
    return undefined;
  }
  if (ts.isCallExpression(e) || ts.isNewExpression(e)) {
    const w = wrappedLiteral(e);
    return w ? { lit: w, fallback: false } : undefined;
  }
  // isProd ? "k3y-prod" : "k3y-dev": both branches ship; with an env value on one side the literal is a fallback
  if (ts.isConditionalExpression(e)) {
    const branches = [e.whenTrue, e.whenFalse].map((b) => unwrap(b));
    const lits = branches.filter((b): b is Lit => ts.isStringLiteral(b) || ts.isNoSubstitutionTemplateLiteral(b));
    const best = lits.filter((l) => looksLikeSecretValue(l.text, 4)).sort((a, b) => b.text.length - a.text.length)[0];
    return best ? { lit: best, fallback: lits.length < branches.length } : undefined;
  }
  return undefined;
}

/** `{ secret = "…" }` in a parameter or a destructuring declaration: the default ships whenever the caller leaves it out. */
function bindingDefaults(pattern: ts.BindingName): { name: string; value: ts.Expression }[] {
  if (!ts.isObjectBindingPattern(pattern)) return [];
  return pattern.elements.flatMap((el) => (ts.isIdentifier(el.name) && el.initializer ? [{ name: el.name.text, value: el.initializer }] : bindingDefaults(el.name)));
}

export default defineRule({
  meta: {
    id: "security/hardcoded-secret",
    category: "security",
    severity: "error",
    cwe: ["CWE-798", "CWE-259", "CWE-321", "CWE-547", "CWE-522"],
    title: "Hard-coded credential or key",
    description:
      "A password, API key, token, private key or signing secret is written in the source. Everyone with read access to the " +
      "repository (and every build artifact) has it; it cannot be rotated without a deploy and is often reused across environments. " +
      "A hard-coded JWT / session secret lets anyone forge sessions.",
    fix: "Load it from the environment or a secret manager (`process.env.JWT_SECRET`, AWS Secrets Manager, Vault), rotate the leaked value, and fail fast when it is missing.",
  },
  create(ctx) {
    const file = ctx.file;
    const imports = file.imports;
    const isTest = file.isTest;
    // Seeds, factories and reset scripts create demo accounts: their `password: "1234"` is sample data, not a credential the app uses.
    const isSeedData = file.isScript || SEED_PATH.test(file.path);
    const reported = new Set<ts.Node>();

    const report = (node: ts.Node, message: string, severity?: "error" | "warning"): void => {
      if (reported.has(node)) return;
      reported.add(node);
      ctx.report({ node, message, severity });
    };

    /** Known credential formats and connection strings with a password, in any literal. */
    const checkText = (node: ts.Node, text: string): void => {
      if (text.length < 10) return;
      const p = node.parent;
      if (p && (ts.isImportDeclaration(p) || ts.isExternalModuleReference(p) || ts.isLiteralTypeNode(p))) return;
      if (p && ts.isCallExpression(p) && ts.isIdentifier(p.expression) && p.expression.text === "require") return;
      const fmt = credentialFormatOf(text);
      // A JWT in a test is a fixture (it grants nothing without the server's key); real key formats still count there.
      if (fmt && !(isTest && /JSON Web Token/i.test(fmt))) {
        report(node, `Hard-coded ${fmt} in the source: move it to a secret store and rotate it.`);
        return;
      }
      if (isTest) return;
      const pw = connectionStringPassword(text);
      if (pw) {
        const user = /:\/\/([^:/@]+):/.exec(text)?.[1];
        if (user === pw || /^(postgres|root|admin|mysql|guest|pass|test|secret|password|mongo|redis|dev|local)$/i.test(pw)) return;
        report(node, "Connection string with a hard-coded password: read the URL (or at least the password) from the environment.");
        return;
      }
      const param = queryStringSecret(text);
      if (param) report(node, `URL with a hard-coded \`${param}\` query parameter: URLs end up in logs and proxies; load the credential from the environment and send it in a header.`);
    };

    const nameBased = (name: string | undefined, value: ts.Expression | undefined, where: string): void => {
      if (isTest || !name) return;
      if (MNEMONIC_NAME.test(name)) {
        const lit = value && resolvedLiteral(unwrap(value));
        if (lit && isMnemonic(lit.text)) report(lit, `Hard-coded wallet seed phrase \`${name}\` ${where}: anyone with the source controls the wallet's funds. Load it from a secret store and move the funds to a new wallet.`);
        return;
      }
      if (!isSecretName(name)) return;
      const a = assignedLiteral(value);
      if (!a) return;
      const v = a.lit.text;
      // Short and simple values count too: `password = "1234"` is a weak *and* hard-coded credential.
      const minLength = 4;
      if (!looksLikeSecretValue(v, minLength)) return;
      if (namesNotASecret(name, v)) return;
      if (isSeedData && ACCOUNT_PASSWORD.test(name)) return;
      if (a.fallback) {
        report(a.lit, `\`${name}\` falls back to a hard-coded value when the environment variable is missing: fail fast instead of shipping a default ${where}.`, "warning");
        return;
      }
      report(a.lit, `Hard-coded value for \`${name}\` ${where}: load it from the environment or a secret manager.`);
    };

    const sinkKey = (arg: ts.Expression | undefined, what: string): void => {
      if (isTest || !arg) return;
      const lit = wrappedLiteral(arg);
      if (!lit || !keyLiteralValue(lit.text)) return;
      // Report where the key is used (the literal itself when it is written inline).
      const node = unwrap(arg) === lit ? lit : arg;
      report(node, `Hard-coded ${what}${node === lit ? "" : ` (\`${arg.getText().slice(0, 40)}\` is a string literal)`}: anyone with the source can forge or decrypt; load it from the environment.`);
    };

    const isSecretOptionCall = (obj: ts.ObjectLiteralExpression): boolean => {
      let p: ts.Node = obj.parent;
      while (p && (ts.isParenthesizedExpression(p) || ts.isArrayLiteralExpression(p))) p = p.parent;
      if (!p || !(ts.isCallExpression(p) || ts.isNewExpression(p))) return false;
      const n = memberName(p.expression);
      return !!n && SECRET_OPTION_CALLEES.test(n);
    };

    /** A literal secret option in an object: `{ secret: "…" }`, `{ secretOrKey: SECRET }`, `{ secretOrKey: this.jwtSecret }`. */
    const literalOption = (obj: ts.ObjectLiteralExpression): { prop: ts.PropertyAssignment | ts.ShorthandPropertyAssignment; lit: Lit } | undefined => {
      for (const p of obj.properties) {
        const name = p.name && propertyNameText(p.name);
        if (!name || !SECRET_OPTIONS.has(name)) continue;
        const value = ts.isPropertyAssignment(p) ? p.initializer : ts.isShorthandPropertyAssignment(p) ? p.name : undefined;
        const lit = value && wrappedLiteral(value);
        if (lit && keyLiteralValue(lit.text) && (ts.isPropertyAssignment(p) || ts.isShorthandPropertyAssignment(p))) return { prop: p, lit };
      }
      return undefined;
    };

    /** `session(config)` / `new JwtStrategy(opts)` / `new Strategy(this.options)`: options built elsewhere in the file. */
    const secretOptionsAtCall = (call: ts.CallExpression | ts.NewExpression): void => {
      if (isTest) return;
      const n = memberName(call.expression);
      if (!n || !SECRET_OPTION_CALLEES.test(n) || /^(use|register)$/.test(n)) return;
      const arg = call.arguments?.[0] && unwrap(call.arguments[0]);
      if (!arg || ts.isObjectLiteralExpression(arg)) return; // inline options: the PropertyAssignment visitor
      const what = `${n === "session" || n === "expressSession" || n === "cookieSession" ? "session secret" : "secret"} passed to \`${n}\``;
      let objects: ts.Expression[] = [];
      const extra: ts.Expression[] = []; // opts.secretOrKey = "…" after the declaration
      if (ts.isIdentifier(arg)) {
        const d = findDeclaration(arg);
        if (!d || !ts.isVariableDeclaration(d) || !d.initializer) return;
        objects = [d.initializer];
        for (const a of assignmentsTo(d)) objects.push(a);
        const fnScope = d.parent.parent.parent ?? d.getSourceFile();
        walk(fnScope, (x) => {
          if (ts.isBinaryExpression(x) && x.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
            const l = unwrap(x.left);
            if (ts.isPropertyAccessExpression(l) && ts.isIdentifier(l.expression) && l.expression.text === arg.text && SECRET_OPTIONS.has(l.name.text)) extra.push(x.right);
          }
          return undefined;
        });
      } else if (ts.isPropertyAccessExpression(arg) && arg.expression.kind === ts.SyntaxKind.ThisKeyword) {
        objects = thisAssignments(arg);
      } else return;
      for (const o of objects) {
        const obj = unwrap(o);
        if (!ts.isObjectLiteralExpression(obj)) continue;
        const found = literalOption(obj);
        if (!found) continue;
        // `{ secret: "…" }` written in the object: report that line; a value from a variable: report the call
        if (ts.isPropertyAssignment(found.prop) && unwrap(found.prop.initializer) === found.lit) report(found.lit, `Hard-coded ${what}: anyone with the source can forge signed sessions or tokens. Load it from the environment or a secret manager.`);
        else report(call, `Hard-coded ${what} (\`${found.prop.getText().slice(0, 50)}\` resolves to a string literal): anyone with the source can forge signed sessions or tokens.`);
        return;
      }
      for (const v of extra) {
        const lit = wrappedLiteral(v);
        if (lit && keyLiteralValue(lit.text)) return report(call, `Hard-coded ${what} (set to a string literal before the call): anyone with the source can forge signed sessions or tokens.`);
      }
    };

    const parameterDefaults = (fn: ts.SignatureDeclarationBase): void => {
      for (const p of fn.parameters) for (const d of bindingDefaults(p.name)) nameBased(d.name, d.value, "as a parameter default");
    };

    return {
      StringLiteral(node) {
        checkText(node, node.text);
      },
      NoSubstitutionTemplateLiteral(node) {
        checkText(node, node.text);
      },
      TemplateExpression(node) {
        // `mongodb://admin:S3cret@${host}/db`: the credential is in the literal head.
        checkText(node, node.head.text + node.templateSpans.map((s) => "X" + s.literal.text).join(""));
      },
      FunctionDeclaration: parameterDefaults,
      FunctionExpression: parameterDefaults,
      ArrowFunction: parameterDefaults,
      MethodDeclaration: parameterDefaults,
      VariableDeclaration(decl) {
        for (const d of bindingDefaults(decl.name)) nameBased(d.name, d.value, "as a destructuring default");
        if (!ts.isIdentifier(decl.name) || !decl.initializer) return;
        nameBased(decl.name.text, decl.initializer, "in a variable");
      },
      PropertyAssignment(prop) {
        const name = propertyNameText(prop.name);
        if (!name) return;
        // { secret: "keyboard cat" } passed to session() / expressjwt() / new JwtStrategy(): any literal is a real secret.
        if (!isTest && SECRET_OPTIONS.has(name) && ts.isObjectLiteralExpression(prop.parent) && isSecretOptionCall(prop.parent)) {
          const init = unwrap(prop.initializer);
          const lits = ts.isArrayLiteralExpression(init) ? init.elements.map((e) => wrappedLiteral(e)) : [wrappedLiteral(init)];
          for (const lit of lits) {
            if (lit && keyLiteralValue(lit.text) && lit.text.length >= 1) {
              let node: ts.Node = unwrap(prop.initializer) === lit || ts.isArrayLiteralExpression(init) ? lit : prop.initializer;
              // passport strategies: the finding sits on the options object handed to the strategy
              if (/Strategy$/.test(memberName((prop.parent.parent as ts.CallExpression).expression) ?? "")) node = prop.parent;
              report(node, `Hard-coded \`${name}\` for ${memberName((prop.parent.parent as ts.CallExpression).expression) ?? "middleware"}: anyone with the source can forge signed sessions or tokens.`);
              return;
            }
          }
          return;
        }
        nameBased(name, prop.initializer, "in an object property");
      },
      BinaryExpression(bin) {
        if (bin.operatorToken.kind !== ts.SyntaxKind.EqualsToken) return;
        const name = memberName(bin.left);
        nameBased(name, bin.right, "in an assignment");
      },
      ClassDeclaration(cls) {
        for (const m of cls.members) {
          if (ts.isPropertyDeclaration(m) && m.initializer) nameBased(propertyNameText(m.name), m.initializer, "in a class field");
        }
      },
      NewExpression(call) {
        secretOptionsAtCall(call);
        // new Sequelize("db", "user", "password", {...})
        if (imports.isCallTo(call, "sequelize", ["Sequelize", "default"]) && call.arguments && call.arguments.length >= 3) {
          const lit = resolvedLiteral(call.arguments[2]);
          if (lit && !isTest && looksLikeSecretValue(lit.text, 4)) report(call.arguments[2], "Hard-coded database password passed to `new Sequelize(…)`: read it from the environment.");
        }
      },
      CallExpression(call) {
        secretOptionsAtCall(call);
        const r = imports.resolveCall(call);
        const name = r?.name ?? memberName(call.expression);
        if (!name) return;
        if (!isTest && MNEMONIC_SINK.test(name)) {
          const lit = wrappedLiteral(call.arguments[0]);
          // a phrase held in `const mnemonic = "…"` is already reported on its declaration
          if (lit && isMnemonic(lit.text) && !reported.has(lit)) report(call.arguments[0], `Hard-coded wallet seed phrase passed to \`${name}\`: anyone with the source controls the wallet's funds. Load it from a secret store and move the funds to a new wallet.`);
          return;
        }
        for (const s of KEY_SINKS) {
          if (!s.names.includes(name)) continue;
          const moduleOk = r?.module ? s.modules.includes(r.module) : false;
          // `crypto.createHmac` / `jwt.sign` without a visible import (global crypto, injected jwt).
          const recv = ts.isPropertyAccessExpression(unwrap(call.expression)) ? memberName((unwrap(call.expression) as ts.PropertyAccessExpression).expression) : undefined;
          const guessOk = !r?.module && ((s.modules.includes("crypto") && recv === "crypto") || (s.modules.includes("jsonwebtoken") && /^(jwt|jsonwebtoken|JWT)$/.test(recv ?? "")));
          if (!moduleOk && !guessOk) continue;
          if (s.index === 0 && s.what === "cookie signing secret" && name !== "default" && name !== "cookieParser") continue;
          // superagent .auth(token, { type: "bearer" }) takes a token, .auth("user:pass") the pair in one string
          if (s.what === "HTTP Basic password" && !basicAuthPassword(call)) continue;
          // jose: new SignJWT(claims).sign(secret) takes the key first.
          const index = s.what === "JWT key" && name === "sign" && call.arguments.length === 1 ? 0 : s.index;
          sinkKey(call.arguments[index], s.what);
          return;
        }
        // app.set("jwtSecret", "…") / config.set("api_key", "…") / .constant("api_key", "…")
        // any (name, value) pair call: aws("secret", "…"), client.config("APIKEY", "…")
        if (call.arguments.length === 2 && (/^(set|constant|value|put|setSecret|define|config|configure|option|env)$/.test(name) || stringValue(call.arguments[0]) !== undefined)) {
          const key = stringValue(call.arguments[0]);
          // a setting's name (`"api_key"`, `"APIKEY"`), not a CSS selector or a sentence (`"#password"`)
          if (key && /^[A-Za-z_][\w.-]*$/.test(key)) nameBased(key, call.arguments[1], "in configuration");
        }
      },
    };
  },
});

/** Wallet libraries that derive keys from a BIP-39 phrase (ethers, viem, web3, TronWeb, bip39). */
const MNEMONIC_SINK = /^(fromPhrase|fromMnemonic|mnemonicToAccount|mnemonicToSeed|mnemonicToSeedSync|mnemonicToPrivateKey|mnemonicToMiniSecret)$/;

const MNEMONIC_NAME = /(mnemonic|seed_?phrase|recovery_?phrase|secret_?phrase|wallet_?phrase)s?$/i;

/** Several lowercase-able words, nothing else: a seed phrase, not a path or a placeholder. */
function isMnemonic(text: string): boolean {
  const words = text.trim().split(/\s+/);
  return words.length >= 6 && words.every((w) => /^[A-Za-z]{3,8}$/.test(w)) && !/\b(your|mnemonic|phrase|seed|here|example|placeholder)\b/i.test(text);
}

/** superagent `.auth(user, password)` with a literal password (not `.auth(token, { type: "bearer" })`). */
function basicAuthPassword(call: ts.CallExpression): boolean {
  const pw = call.arguments[1];
  return !!pw && !ts.isObjectLiteralExpression(unwrap(pw));
}

/** Files that populate a database with sample records. */
const SEED_PATH = /(^|\/)(seeds?|seeders?|seeding|factories|factory|fixtures?)(\/|$)|(^|\/)[^/]*(seed|factory|db-reset|reset-db|populate)[^/]*\.[cm]?[jt]s$/i;
/** A user account's password field (as opposed to a key or token the application itself authenticates with). */
const ACCOUNT_PASSWORD = /^(password|passwd|pwd|pass|plainPassword|userPassword)$/i;

/**
 * Names that say the value is a test credential (`testingPassword`), or the *name* of a key rather than a key:
 * `welcomeBannerStatusCookieKey = "welcomebanner_status"` names a cookie, it does not sign one.
 */
function namesNotASecret(name: string, value: string): boolean {
  const tokens = name.replace(/([a-z0-9])([A-Z])/g, "$1 $2").toLowerCase().split(/[^a-z0-9]+/).filter(Boolean);
  if (tokens.some((t) => /^(test|testing|dummy|mock|fake|example|demo|sample)$/.test(t))) return true;
  // enum-like constants: RESET_PASSWORD: "resetPassword", ACCESS_TOKEN = "access_token"
  const squash = (x: string) => x.replace(/[^a-z0-9]/gi, "").toLowerCase();
  if (squash(name) === squash(value)) return true;
  const prev = tokens.at(-2) ?? "";
  return tokens.at(-1) === "key" && /^(cookie|storage|cache|header|query|param|field|column|local|status)$/.test(prev) && /^[a-z][a-z0-9]*([_.-][a-z0-9]+)*$/.test(value) && value.length <= 32;
}
