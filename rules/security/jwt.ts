import { ts } from "ts-morph";
import { defineRule, type ReportFix } from "../../src/core/rule.js";
import { endLineOf, enclosingFunction, hasSpread, isBooleanLiteral, isFunctionLike, lineOf, memberName, objectProperty, propertyNameText, stringValue, unwrap, walk } from "../../src/core/ast.js";
import { isDataAccessCall } from "../../src/core/data-access.js";
import type { ImportTable } from "../../src/core/imports.js";
import { resolvedLiteral, resolvedObject } from "../../src/core/secrets.js";
import { literalThroughVariables } from "../../src/core/values.js";
import { findDeclaration } from "../../src/core/scope.js";

/** Claims that are fine to read without verification (scheduling a refresh, picking the key). */
const HARMLESS_CLAIMS = new Set(["exp", "iat", "nbf", "header", "kid", "alg", "typ", "jti", "iss"]);
const VERIFY_CALL = /verify|validate(Token|Jwt)|authenticate/i;

function algorithmsOf(opts: ts.ObjectLiteralExpression | undefined): ts.Expression | undefined {
  return objectProperty(opts, "algorithms");
}

/** `"none"`, or a never-reassigned `const NONE = "none"` it names. */
const isNone = (e: ts.Expression): boolean => /^none$/i.test(resolvedLiteral(e)?.text ?? stringValue(e) ?? "");

/** `algorithms: ["RS256", "none"]`, also through `const algorithms = [...]` (shorthand `{ algorithms }` included). */
function includesNone(expr: ts.Expression | undefined): ts.Node | undefined {
  if (!expr) return undefined;
  const e = literalThroughVariables(expr, ts.isArrayLiteralExpression, 2) ?? unwrap(expr);
  if (ts.isArrayLiteralExpression(e)) return e.elements.find(isNone);
  return isNone(e) ? e : undefined;
}

/** Is the result of `decode(...)` used as identity data (claims other than exp/iat/header)? */
function decodedUse(call: ts.CallExpression): "claims" | "returned" | undefined {
  let node: ts.Node = call;
  while (node.parent && (ts.isParenthesizedExpression(node.parent) || ts.isAsExpression(node.parent) || ts.isAwaitExpression(node.parent) || ts.isNonNullExpression(node.parent))) node = node.parent;
  const p = node.parent;
  if (!p) return undefined;
  if ((ts.isPropertyAccessExpression(p) || ts.isElementAccessExpression(p)) && p.expression === node) {
    const name = memberName(p);
    if (name && HARMLESS_CLAIMS.has(name)) return undefined;
    if (name === "payload" && p.parent && (ts.isPropertyAccessExpression(p.parent) || ts.isElementAccessExpression(p.parent))) {
      const inner = memberName(p.parent);
      if (inner && HARMLESS_CLAIMS.has(inner)) return undefined;
    }
    return "claims";
  }
  if (ts.isBinaryExpression(p) && p.right === node && p.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
    const target = memberName(p.left);
    if (target && /^(user|identity|principal|auth|session|account|currentUser|claims)$/i.test(target)) return "claims";
    if (ts.isIdentifier(p.left)) return usesOfVariable(p.left);
    return undefined;
  }
  if (ts.isVariableDeclaration(p) && p.initializer === node) {
    if (ts.isObjectBindingPattern(p.name)) {
      const names = p.name.elements.map((e) => (e.propertyName ? propertyNameText(e.propertyName) : ts.isIdentifier(e.name) ? e.name.text : undefined));
      return names.some((n) => !n || !HARMLESS_CLAIMS.has(n)) ? "claims" : undefined;
    }
    if (ts.isIdentifier(p.name)) return usesOfVariable(p.name);
    return undefined;
  }
  if (ts.isReturnStatement(p) || (ts.isArrowFunction(p) && p.body === node)) return "returned";
  if (ts.isCallExpression(p) && p.arguments.includes(node as ts.Expression)) {
    const n = memberName(p.expression);
    if (n && /^(next|done|resolve|findById|findOne|findUnique|findByPk|getUser|loadUser|setUser)$/.test(n)) return "claims";
  }
  return undefined;
}

function usesOfVariable(id: ts.Identifier): "claims" | "returned" | undefined {
  const decl = findDeclaration(id) ?? id.parent;
  const fn = enclosingFunction(id) ?? id.getSourceFile();
  let result: "claims" | "returned" | undefined;
  walk(fn, (n) => {
    if (result === "claims") return false;
    if (!ts.isIdentifier(n) || n.text !== id.text || n === id) return;
    if (findDeclaration(n) !== decl && ts.isVariableDeclaration(decl)) return;
    const p = n.parent;
    if ((ts.isPropertyAccessExpression(p) || ts.isElementAccessExpression(p)) && p.expression === n) {
      const name = memberName(p);
      if (name && HARMLESS_CLAIMS.has(name)) return;
      if (name === "payload" && (ts.isPropertyAccessExpression(p.parent) || ts.isElementAccessExpression(p.parent)) && HARMLESS_CLAIMS.has(memberName(p.parent) ?? "")) return;
      result = "claims";
    } else if (ts.isBinaryExpression(p) && p.right === n && p.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
      result = "claims";
    } else if (ts.isShorthandPropertyAssignment(p) || ts.isPropertyAssignment(p)) {
      result = "claims";
    } else if (ts.isVariableDeclaration(p) && ts.isObjectBindingPattern(p.name)) {
      result = "claims";
    } else if (ts.isCallExpression(p) && p.arguments.includes(n)) {
      result = "claims";
    } else if (ts.isReturnStatement(p)) {
      result ??= "returned";
    }
  });
  return result;
}

/** Any verify-like call in the function (or the whole handler chain): then decode is only a peek. */
function verifiedNearby(call: ts.Node): boolean {
  const fn = enclosingFunction(call);
  const scope: ts.Node = fn ?? call.getSourceFile();
  let found = false;
  walk(scope, (n) => {
    if (found) return false;
    if (ts.isCallExpression(n) && VERIFY_CALL.test(memberName(n.expression) ?? "")) found = true;
    if (ts.isNewExpression(n) && /Verif/i.test(memberName(n.expression) ?? "")) found = true;
  });
  return found;
}

const ASYMMETRIC_KEY = /public|\bpub\b|pubKey|cert|\.pem\b|pem\b|jwks|spki|x509|rsa|ecdsa|BEGIN (RSA )?PUBLIC|BEGIN CERTIFICATE|getSigningKey|expressJwtSecret|koaJwtSecret|passportJwtSecret|getKey|signingKey/i;

/** The verification key is a public key, certificate or JWKS lookup (where algorithm confusion applies). */
function isAsymmetricKey(key: ts.Expression | undefined): boolean {
  if (!key) return false;
  const k = unwrap(key);
  if (isFunctionLike(k)) return true; // (header, cb) => client.getSigningKey(header.kid, …)
  if (ASYMMETRIC_KEY.test(k.getText())) return true;
  if (ts.isIdentifier(k)) {
    const d = findDeclaration(k);
    if (d && ts.isVariableDeclaration(d) && d.initializer) return ASYMMETRIC_KEY.test(d.initializer.getText());
    if (d && ts.isFunctionDeclaration(d)) return true;
  }
  return false;
}

/** Findings about token lifetime: insufficient session expiration, not a signature problem. */
const EXPIRY_CWE = ["CWE-613"];

/** Payload keys that must never ride in a token anyone holding it can base64-decode. */
const CREDENTIAL_KEY = /^(password|passwd|pwd|passphrase|password_?hash|hashed_?password|passwordDigest|password_digest|salt|pin|otp|totp_?secret|mfa_?secret|ssn|card_?number|credit_?card|cvv|cvc)$/i;
/** Queries that already pick the returned fields: `.select("-password")`, `{ attributes: […] }`, `{ projection }`. */
const PICKED_FIELDS = /\.select\s*\(|\battributes\s*:|\bprojection\s*:|\bselect\s*:|\bexclude\b|\bomit\s*:|-password/;

/** A database record as fetched (all columns): `await User.findOne(…)`, `rows[0]`, `user.toJSON()`, `(err, user) =>` of a query callback. */
function isWholeRecord(expr: ts.Expression, imports: ImportTable, depth = 0): boolean {
  if (depth > 4) return false;
  const e = unwrap(expr);
  if (ts.isAwaitExpression(e)) return isWholeRecord(e.expression, imports, depth + 1);
  if (ts.isCallExpression(e)) {
    const name = memberName(e.expression);
    const recv = ts.isPropertyAccessExpression(unwrap(e.expression)) ? (unwrap(e.expression) as ts.PropertyAccessExpression).expression : undefined;
    if (recv && /^(toJSON|toObject|get|lean|exec)$/.test(name ?? "") && !(name === "get" && e.arguments.length && !/plain/.test(e.arguments[0].getText()))) return isWholeRecord(recv, imports, depth + 1);
    return isDataAccessCall(e, imports, "read") && /^(findOne|findById|findByPk|findUnique|findFirst|findOneBy|findUniqueOrThrow|findFirstOrThrow|findOneOrFail|query|oneOrNone|one|first|get)$/.test(name ?? "") && !PICKED_FIELDS.test(e.getText());
  }
  if (ts.isElementAccessExpression(e) || (ts.isPropertyAccessExpression(e) && /^(rows|dataValues|_doc|0)$/.test(e.name.text))) return isWholeRecord(e.expression, imports, depth + 1);
  if (!ts.isIdentifier(e)) return false;
  const d = findDeclaration(e);
  if (!d) return false;
  if (ts.isVariableDeclaration(d)) return !!d.initializer && ts.isIdentifier(d.name) && isWholeRecord(d.initializer, imports, depth + 1);
  if (ts.isBindingElement(d)) {
    // const { rows } = await pool.query(…) / const [user] = await knex("users").where(…)
    const decl = d.parent.parent;
    return ts.isVariableDeclaration(decl) && !!decl.initializer && isWholeRecord(decl.initializer, imports, depth + 1);
  }
  if (ts.isParameter(d)) {
    // User.findOne({…}, function (err, user) { … })
    const fn = d.parent;
    const call = fn.parent;
    return fn.parameters.indexOf(d) > 0 && ts.isCallExpression(call) && call.arguments.includes(fn as ts.Expression) && isDataAccessCall(call, imports, "read") && !PICKED_FIELDS.test(call.getText());
  }
  return false;
}

/** What a signed payload exposes: a credential field, or a whole database record (password hash and all). */
function exposedPayload(payload: ts.Expression | undefined, imports: ImportTable): string | undefined {
  if (!payload) return undefined;
  const obj = resolvedObject(payload);
  if (obj) {
    for (const p of obj.properties) {
      const key = p.name ? propertyNameText(p.name) : undefined;
      if (key && CREDENTIAL_KEY.test(key)) return `the \`${key}\` field`;
      if (ts.isSpreadAssignment(p) && isWholeRecord(p.expression, imports)) return `every column of \`${p.expression.getText()}\``;
    }
    return undefined;
  }
  if (!isWholeRecord(payload, imports)) return undefined;
  // `delete user.password` before signing
  const name = unwrap(payload).getText().replace(/\.(toJSON|toObject)\(\)$/, "").replace(/[.$[\]()]/g, "\\$&");
  const stripped = new RegExp(`delete\\s+${name}\\.(password|passwordHash|hash)\\b|${name}\\.(password|passwordHash)\\s*=\\s*(undefined|null)`);
  const fn = enclosingFunction(payload);
  if (fn && stripped.test(fn.getText())) return undefined;
  return `the whole \`${unwrap(payload).getText()}\` record`;
}

/**
 * A browser app reading its own token (`jwtDecode(localStorage.getItem("token"))`, front-end files in general) to show
 * the user's name: it never holds the key, cannot verify, and grants nothing — the server verifies each request.
 */
function tokenFromBrowserStorage(call: ts.CallExpression): boolean {
  const arg = call.arguments[0] && unwrap(call.arguments[0]);
  if (!arg) return false;
  const from = ts.isIdentifier(arg) ? initializerOf(arg) : arg;
  return !!from && /\b(localStorage|sessionStorage)\.getItem\(|\bdocument\.cookie\b/.test(from.getText());
}

function initializerOf(id: ts.Identifier): ts.Expression | undefined {
  const d = findDeclaration(id);
  return d && ts.isVariableDeclaration(d) ? d.initializer : undefined;
}

export default defineRule({
  meta: {
    id: "security/jwt",
    category: "security",
    severity: "error",
    cwe: ["CWE-347", "CWE-345", "CWE-613", "CWE-327", "CWE-522"],
    title: "JWT signature or expiry not enforced",
    description:
      "JWTs are only as good as their verification: decode() does not check the signature, accepting the `none` algorithm or " +
      "leaving `algorithms` open allows forged or algorithm-confused tokens, and tokens without expiry (or with " +
      "ignoreExpiration) stay valid forever once stolen.",
    fix: "Always jwt.verify(token, key, { algorithms: [\"RS256\"] }) (or jose jwtVerify) before trusting claims; never allow `none`; sign with `expiresIn`.",
  },
  create(ctx) {
    const imports = ctx.file.imports;
    const sf = ctx.file.sourceFile;
    if (ctx.file.isTest) return {};

    const verifyFix = (call: ts.CallExpression, key: ts.Expression | undefined): ReportFix | undefined => {
      const line = lineOf(call, sf);
      if (endLineOf(call, sf) !== line) return undefined;
      const alg = key && /public|pub|cert|pem|jwks|rsa|rs256/i.test(key.getText()) ? "RS256" : "HS256";
      const lineStart = sf.getPositionOfLineAndCharacter(line - 1, 0);
      const text = ctx.file.lineText(line);
      const args = call.arguments;
      const at = (pos: number, insert: string, removeLen = 0): string => text.slice(0, pos - lineStart) + insert + text.slice(pos - lineStart + removeLen);
      let out: string | undefined;
      if (args.length === 2) out = at(args[1].getEnd(), `, { algorithms: ["${alg}"] }`);
      else if (args.length === 3 && isFunctionLike(unwrap(args[2]))) out = at(args[2].getStart(sf), `{ algorithms: ["${alg}"] }, `);
      else if (args.length >= 3 && ts.isObjectLiteralExpression(unwrap(args[2]))) {
        const obj = unwrap(args[2]) as ts.ObjectLiteralExpression;
        out = obj.properties.length ? at(obj.properties[0].getStart(sf), `algorithms: ["${alg}"], `) : at(obj.getStart(sf), `{ algorithms: ["${alg}"] }`, obj.getWidth(sf));
      }
      return out === undefined ? undefined : { description: `Pin the accepted algorithm (${alg})`, text: out };
    };

    /** jwt.sign(payload…) / jose JWT.sign(payload…) / new SignJWT(payload): a JWT payload is readable by whoever holds the token. */
    const reportExposed = (call: ts.CallExpression | ts.NewExpression, payload: ts.Expression | undefined): boolean => {
      const what = exposedPayload(payload, imports);
      if (!what) return false;
      ctx.report({
        node: call,
        severity: "warning",
        cwe: ["CWE-522", "CWE-200"],
        message: `The JWT payload carries ${what}: a token is only signed, not encrypted, so anyone holding it can read it (password hashes, personal data). Sign only the claims you need, e.g. \`{ sub: user.id, role: user.role }\`.`,
      });
      return true;
    };

    return {
      NewExpression(n) {
        // jose ≥ 3: new SignJWT(payload)
        if (memberName(n.expression) === "SignJWT" && imports.hasModule("jose")) reportExposed(n, n.arguments?.[0]);
      },
      CallExpression(call) {
        const r = imports.resolveCall(call);
        if (!r?.module) return;
        const args = call.arguments;

        if (r.module === "jsonwebtoken") {
          if (r.name === "verify") {
            const optsArg = args[2] && !isFunctionLike(unwrap(args[2])) ? args[2] : undefined;
            const opts = resolvedObject(optsArg);
            if (optsArg && !opts) return; // options built elsewhere: cannot tell
            const none = includesNone(algorithmsOf(opts));
            // jsonwebtoken < 9 lets an unsigned (`alg: none`) token through when the key is missing
            const keyless = args[1] && (unwrap(args[1]).kind === ts.SyntaxKind.NullKeyword || (ts.isIdentifier(unwrap(args[1])) && (unwrap(args[1]) as ts.Identifier).text === "undefined"));
            if (keyless) {
              ctx.report({ node: call, message: "jwt.verify without a key (`null`): older jsonwebtoken versions then accept unsigned `alg: none` tokens. Pass the signing secret or public key." });
              return;
            }
            if (none) {
              ctx.report({ node: call, message: "jwt.verify accepts the `none` algorithm: unsigned tokens pass verification. Allow only the algorithm you sign with." });
              return;
            }
            if (isBooleanLiteral(objectProperty(opts, "ignoreExpiration"), true)) {
              ctx.report({ node: call, cwe: EXPIRY_CWE, message: "jwt.verify with `ignoreExpiration: true` accepts expired tokens forever: remove it and use short expiries plus refresh tokens." });
              return;
            }
            // jsonwebtoken ≥ 9 pins the algorithm family to the key type (and rejects `none`), so a missing allow-list only
            // matters for asymmetric keys on older versions: flag it where the key is a public key / certificate / JWKS lookup.
            if (!algorithmsOf(opts) && !hasSpread(opts) && isAsymmetricKey(args[1])) {
              ctx.report({
                node: call,
                severity: "warning",
                message: "jwt.verify without an `algorithms` allow-list: the token header chooses the algorithm (algorithm-confusion attacks). Pin the expected algorithm.",
                fix: verifyFix(call, args[1]),
              });
            }
            return;
          }
          if (r.name === "sign") {
            if (reportExposed(call, args[0])) return;
            const opts = resolvedObject(args[2] && !isFunctionLike(unwrap(args[2])) ? args[2] : undefined);
            const alg = objectProperty(opts, "algorithm");
            if (alg && isNone(alg)) {
              ctx.report({ node: call, message: "jwt.sign with algorithm `none` produces unsigned tokens anyone can forge." });
              return;
            }
            if (args[2] && !opts) return;
            if (objectProperty(opts, "expiresIn") || hasSpread(opts)) return;
            const payload = resolvedObject(args[0]);
            if (!payload || hasSpread(payload) || objectProperty(payload, "exp")) return;
            ctx.report({ node: call, severity: "notice", cwe: EXPIRY_CWE, message: "jwt.sign without `expiresIn` (and no `exp` claim): the token never expires once issued or stolen." });
            return;
          }
          if (r.name === "decode") {
            if (verifiedNearby(call) || ctx.file.isFrontend || tokenFromBrowserStorage(call)) return;
            const use = decodedUse(call);
            if (use) {
              ctx.report({
                node: call,
                severity: use === "claims" ? "error" : "warning",
                message: "jwt.decode() does not verify the signature: claims read from it can be forged. Use jwt.verify(token, key, { algorithms }) before trusting them.",
              });
            }
          }
          return;
        }

        // jose v2: JWT.sign(payload, key, opts)
        if (r.module === "jose" && r.name === "sign" && r.path.includes("JWT")) {
          reportExposed(call, args[0]);
          return;
        }

        if (r.module === "jwt-simple" && r.name === "decode") {
          const noVerify = args[2];
          if (noVerify && !isBooleanLiteral(noVerify, false) && unwrap(noVerify).kind !== ts.SyntaxKind.UndefinedKeyword && !(ts.isIdentifier(unwrap(noVerify)) && (unwrap(noVerify) as ts.Identifier).text === "undefined")) {
            ctx.report({ node: call, message: "jwt-simple decode() with a truthy third argument (noVerify) skips signature verification." });
          }
          return;
        }

        if ((r.module === "jose" && /^(decodeJwt|decode)$/.test(r.name)) || (r.module === "jwt-decode" && /^(default|jwtDecode|jwt_decode|decode)$/.test(r.name))) {
          if (r.name === "decodeJwt" || r.module === "jwt-decode" || r.path.includes("JWT")) {
            if (verifiedNearby(call) || ctx.file.isFrontend || tokenFromBrowserStorage(call)) return;
            const use = decodedUse(call);
            if (use === "claims") ctx.report({ node: call, message: `${r.name === "default" ? "jwt-decode" : r.name}() only decodes: the signature is not checked, so these claims can be forged. Verify with jwtVerify first.` });
          }
          return;
        }

        if (r.module === "express-jwt" || r.module === "koa-jwt") {
          const opts = resolvedObject(args[0]);
          if (!opts || hasSpread(opts)) return;
          const algs = algorithmsOf(opts);
          if (includesNone(algs)) ctx.report({ node: call, message: "JWT middleware accepts the `none` algorithm: unsigned tokens pass." });
          // express-jwt ≥ 6 refuses to start without `algorithms`; before that, a JWKS secret without it is CVE-2020-15084
          else if (!algs && isAsymmetricKey(objectProperty(opts, "secret"))) ctx.report({ node: call, severity: "warning", message: "JWT middleware with a public-key/JWKS secret and no `algorithms` allow-list: the token header chooses the algorithm. Pin it (e.g. `algorithms: [\"RS256\"]`)." });
        }
      },
      PropertyAccessExpression(pa) {
        // jose v2: JWT.verify(token, JWK.None)
        if (pa.name.text === "None" && memberName(pa.expression) === "JWK" && imports.hasModule("jose")) {
          ctx.report({ node: pa, message: "JWK.None accepts unsigned (`alg: none`) tokens." });
        }
      },
      PropertyAssignment(prop) {
        // passport-jwt: { ignoreExpiration: true }
        if (propertyNameText(prop.name) === "ignoreExpiration" && isBooleanLiteral(prop.initializer, true)) {
          const call = prop.parent.parent;
          if (call && (ts.isCallExpression(call) || ts.isNewExpression(call)) && imports.isCallTo(call, "jsonwebtoken")) return; // reported on the call
          ctx.report({ node: prop, cwe: EXPIRY_CWE, message: "`ignoreExpiration: true` accepts expired tokens forever." });
        }
      },
    };
  },
});
