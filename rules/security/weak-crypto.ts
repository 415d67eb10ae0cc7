import { ts } from "ts-morph";
import { defineRule } from "../../src/core/rule.js";
import { enclosingFunction, isFunctionLike, isInside, isLoop, memberName, objectProperty, receiverName, stringValue, unwrap, walk } from "../../src/core/ast.js";
import { contextNames, nameTokens, resolvedLiteral, resolvedObject } from "../../src/core/secrets.js";
import { findDeclaration } from "../../src/core/scope.js";

const WEAK_HASH = /^(md5|md4|md2|sha1|sha-1|rsa-md5|rsa-sha1|ripemd|ripemd160|rmd160|sha1withrsaencryption|md5withrsaencryption)$/i;
// DESX is DES with key whitening (still a 64-bit block); SEED is left out: a 128-bit block cipher with no practical attack.
const WEAK_CIPHER = /^(des(-[\w-]+)?|desx[\w-]*|des3|rc2[\w-]*|rc4[\w-]*|rc5[\w-]*|bf(-[\w-]+)?|blowfish[\w-]*|cast[\w-]*|idea[\w-]*)$/i;
const SECURITY_WORDS = /^(password|passwd|pwd|pass|passphrase|pw|secret|secrets|token|tokens|signature|sign|signed|signing|auth|authenticate|authentication|credential|credentials|session|apikey|otp|nonce|hmac|private|login|verify|verification|integrity|jwt|cookie|csrf|reset|pin|apitoken|encrypt|encryption|cipher|salt|pwtext|pwd)$/;
const SECURITY_JOINED = /(password|passwd|secret|token|signature|apikey|privatekey|credential|session|nonce|hmac|jwt|csrf)/;
const BENIGN_JOINED = /(etag|cachekey|checksum|fingerprint|gravatar|contentmd5|dedupe)/;
const BENIGN_WORDS = /^(etag|etags|cache|cached|caching|checksum|checksums|fingerprint|fingerprints|gravatar|avatar|content|filename|file|files|dedupe|dedup|dedupekey|shard|sharding|bucket|partition|color|colour|hue|asset|assets|chunk|chunks|image|thumbnail|url|cachekey|hashkey|idempotency|seed|uuid|revision|version|build|lock|mutex|object|s3|blob|storage|git|commit|identifier|path|paths|filepath|component|module)$/;
const IGNORE_CALLEES = new Set(["update", "digest", "createHash", "toString", "from", "substring", "slice", "substr", "toUpperCase", "toLowerCase", "hash", "MD5", "SHA1", "md5", "sha1", "String", "JSON", "stringify", "join"]);

/** error: security use (password, token, signature); undefined: non-security (etag, cache); warning: unknown. */
function classifyUse(node: ts.Node): "error" | "warning" | undefined {
  // The data being hashed: `.update(password)` in the chain, or the hash function's argument.
  const dataNames: string[] = [];
  let top: ts.Node = node;
  while (top.parent && (ts.isPropertyAccessExpression(top.parent) || (ts.isCallExpression(top.parent) && top.parent.expression === top))) {
    top = top.parent;
    if (ts.isCallExpression(top)) for (const a of top.arguments) dataNames.push(a.getText());
  }
  if (ts.isCallExpression(node)) for (const a of node.arguments) dataNames.push(a.getText());
  const names = [...contextNames(top, IGNORE_CALLEES)];
  const truncated = isTruncatedDigest(top);
  const tokensOf = (s: string): string[] => nameTokens(s.replace(/["'`]/g, " "));
  const joinedOf = (s: string): string => s.toLowerCase().replace(/[^a-z0-9]/g, "");
  // Nearest binding name decides first, then the data, then enclosing functions.
  const ordered = [names[0], ...dataNames, ...names.slice(1)].filter((s): s is string => !!s);
  for (const n of ordered) {
    const t = tokensOf(n);
    const j = joinedOf(n);
    if (t.some((w) => BENIGN_WORDS.test(w)) || BENIGN_JOINED.test(j)) return undefined;
    if (t.some((w) => SECURITY_WORDS.test(w)) || SECURITY_JOINED.test(j)) return "error";
  }
  return truncated ? undefined : "warning";
}

/** A whole number written in the code: `8`, `-6`, or a `const PREFIX = 8` it names. */
function wholeNumber(e: ts.Expression | undefined): number | undefined {
  let x = e && unwrap(e);
  if (x && ts.isIdentifier(x)) {
    const d = findDeclaration(x);
    x = d && ts.isVariableDeclaration(d) && d.initializer && (d.parent.flags & ts.NodeFlags.Const) ? unwrap(d.initializer) : undefined;
  }
  if (x && ts.isPrefixUnaryExpression(x) && x.operator === ts.SyntaxKind.MinusToken && ts.isNumericLiteral(x.operand)) return -Number(x.operand.text);
  return x && ts.isNumericLiteral(x) ? Number(x.text) : undefined;
}

/** `.slice(0, 8)` / `.substring(0, 8)` / `.substr(0, 8)` / `.slice(-6)`: keeps a few characters or bytes of the digest. */
function isTruncation(call: ts.Node): boolean {
  if (!ts.isCallExpression(call) || !ts.isPropertyAccessExpression(call.expression)) return false;
  const m = call.expression.name.text;
  if (m !== "slice" && m !== "substring" && m !== "substr") return false;
  const [from, to] = call.arguments.map(wholeNumber);
  if (call.arguments.length === 1) return m === "slice" && from !== undefined && from < 0;
  return from !== undefined && from >= 0 && to !== undefined && to > 0 && (m === "substr" || to > from);
}

/**
 * A digest cut to a few characters (`md5(url).digest("hex").slice(0, 8)`, or a binding only ever read that way): a short
 * id, cache key or ETag. A prefix of a hash is no password, token or signature, so collisions do not break anything.
 */
function isTruncatedDigest(top: ts.Node): boolean {
  let end: ts.Node = top;
  for (; ; end = end.parent) {
    if (isTruncation(end)) return true;
    const up = end.parent;
    if (!up || !((ts.isPropertyAccessExpression(up) && up.expression === end) || (ts.isCallExpression(up) && up.expression === end) || ts.isAwaitExpression(up) || ts.isParenthesizedExpression(up))) break;
  }
  const decl = end.parent;
  if (!decl || !ts.isVariableDeclaration(decl) || !ts.isIdentifier(decl.name)) return false;
  const uses: ts.Identifier[] = [];
  walk(enclosingFunction(decl) ?? decl.getSourceFile(), (n) => {
    if (ts.isIdentifier(n) && n !== decl.name && n.text === (decl.name as ts.Identifier).text && findDeclaration(n) === decl) uses.push(n);
    return undefined;
  });
  return uses.length > 0 && uses.every((u) => ts.isPropertyAccessExpression(u.parent) && u.parent.expression === u && isTruncation(u.parent.parent));
}

/**
 * `const hash = createHash("md5")` fed chunk by chunk (`hash.update(chunk)` in a data handler or a loop): a checksum
 * of streamed content (an upload, a file). Passwords and tokens are hashed in one call, never incrementally.
 */
function isStreamedDigest(node: ts.Node): boolean {
  const decl = node.parent;
  if (!decl || !ts.isVariableDeclaration(decl) || decl.initializer !== node || !ts.isIdentifier(decl.name)) return false;
  const name = decl.name.text;
  const owner = enclosingFunction(decl);
  const scope = owner ?? decl.getSourceFile();
  let streamed = false;
  walk(scope, (n) => {
    if (streamed) return false;
    if (!ts.isCallExpression(n) || memberName(n.expression) !== "update") return undefined;
    const recv = ts.isPropertyAccessExpression(n.expression) ? unwrap(n.expression.expression) : undefined;
    if (!recv || !ts.isIdentifier(recv) || recv.text !== name || findDeclaration(recv) !== decl) return undefined;
    if (enclosingFunction(n) !== owner || loopAround(n, decl)) streamed = true;
    return undefined;
  });
  return streamed;
}

/** A loop that repeats `node` but not the declaration `decl` (so the same hash object gets many updates). */
function loopAround(node: ts.Node, decl: ts.Node): boolean {
  for (let p = node.parent; p && !isFunctionLike(p); p = p.parent) if (isLoop(p) && !isInside(decl, p)) return true;
  return false;
}

function numberOf(expr: ts.Expression | undefined): number | undefined {
  if (!expr) return undefined;
  const e = unwrap(expr);
  if (ts.isNumericLiteral(e)) return Number(e.text.replace(/_/g, ""));
  if (ts.isIdentifier(e)) {
    const d = findDeclaration(e);
    if (d && ts.isVariableDeclaration(d) && d.initializer && d.parent.flags & ts.NodeFlags.Const) return numberOf(d.initializer);
  }
  if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.AsteriskToken) {
    const l = numberOf(e.left);
    const r = numberOf(e.right);
    return l !== undefined && r !== undefined ? l * r : undefined;
  }
  if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.AsteriskAsteriskToken) {
    const l = numberOf(e.left);
    const r = numberOf(e.right);
    return l !== undefined && r !== undefined ? l ** r : undefined;
  }
  return undefined;
}

/** A constant IV: "", a literal, Buffer.alloc(n), Buffer.from("…"|[0,…]), new Buffer(n).fill(0), through a const. */
function constantIv(expr: ts.Expression | undefined, depth = 0): "empty" | "zero" | "literal" | undefined {
  if (!expr || depth > 3) return undefined;
  const e = unwrap(expr);
  const s = stringValue(e);
  if (s !== undefined) return s === "" ? "empty" : "literal";
  if (e.kind === ts.SyntaxKind.NullKeyword) return "empty";
  if (ts.isCallExpression(e) || ts.isNewExpression(e)) {
    const n = memberName(e.expression);
    const args = e.arguments ?? [];
    if ((n === "alloc" || n === "allocUnsafe") && args.length >= 1 && (args.length === 1 || ts.isNumericLiteral(unwrap(args[1])) || stringValue(args[1]) !== undefined)) return "zero";
    if (n === "fill" && ts.isPropertyAccessExpression(unwrap(e.expression))) return "zero";
    if ((n === "from" || n === "Buffer") && args.length >= 1) {
      const a = unwrap(args[0]);
      if (stringValue(a) !== undefined) return "literal";
      if (ts.isArrayLiteralExpression(a) && a.elements.every((x) => ts.isNumericLiteral(unwrap(x)))) return "literal";
      return constantIv(a, depth + 1) === "literal" ? "literal" : undefined;
    }
    if (n === "Uint8Array" && args.length === 1 && ts.isNumericLiteral(unwrap(args[0]))) return "zero";
  }
  if (ts.isIdentifier(e)) {
    const d = findDeclaration(e);
    if (d && ts.isVariableDeclaration(d) && d.initializer && d.parent.flags & ts.NodeFlags.Const) return constantIv(d.initializer, depth + 1);
  }
  return undefined;
}

const AEAD = /^(aes-(128|192|256)-(gcm|ccm|ocb)|chacha20-poly1305)$/i;

/** Calls made on the decipher (`decipher.update(…)`, `decipher.final()`) in the function that creates it, or undefined when it escapes. */
function decipherUses(call: ts.CallExpression): { methods: Map<string, ts.CallExpression> } | undefined {
  const decl = call.parent;
  if (!ts.isVariableDeclaration(decl) || decl.initializer !== call || !ts.isIdentifier(decl.name)) return undefined;
  const name = decl.name.text;
  const fn = enclosingFunction(call);
  if (!fn) return undefined;
  const methods = new Map<string, ts.CallExpression>();
  let escapes = false;
  walk(fn, (n) => {
    if (escapes) return false;
    if (!ts.isIdentifier(n) || n.text !== name || n === decl.name) return undefined;
    const p = n.parent;
    if (ts.isPropertyAccessExpression(p) && p.expression === n && ts.isCallExpression(p.parent) && p.parent.expression === p) {
      methods.set(p.name.text, p.parent);
      return undefined;
    }
    escapes = true; // returned, piped, stored, passed on: verified elsewhere (streams call final() themselves)
    return false;
  });
  return escapes ? undefined : { methods };
}

/** An AEAD decipher whose tag is never verified: `update()` without `final()` in the function that owns it. */
function aeadProblem(call: ts.CallExpression, algo: string): { message: string; severity: "error" | "warning" } | undefined {
  const uses = decipherUses(call);
  if (!uses || !uses.methods.has("update")) return undefined;
  if (!uses.methods.has("final")) {
    return { severity: "error", message: `${algo} decipher never calls \`final()\`: the authentication tag is never checked, so tampered ciphertext is accepted. Call decipher.final() and treat its error as a forgery.` };
  }
  return undefined;
}

const BASE_CWE = ["CWE-327", "CWE-328", "CWE-916", "CWE-326", "CWE-757"];
/** Deprecated TLS versions / weak suites: weak crypto that also leaves the transport unprotected. */
const TLS_CWE = ["CWE-326", "CWE-327", "CWE-757", "CWE-319"];

export default defineRule({
  meta: {
    id: "security/weak-crypto",
    category: "security",
    severity: "error",
    cwe: ["CWE-327", "CWE-328", "CWE-916", "CWE-326", "CWE-757", "CWE-1204", "CWE-329", "CWE-310", "CWE-354", "CWE-319"],
    title: "Broken or weak cryptography",
    description:
      "MD5/SHA-1 are broken for passwords, signatures and tokens (collisions, fast brute force); DES/3DES/RC4/Blowfish and ECB mode " +
      "leak plaintext patterns; createCipher derives keys without an IV; a constant IV repeats keystreams; RSA below 2048 bits and " +
      "low bcrypt/PBKDF2/scrypt work factors let attackers crack stolen hashes quickly.",
    fix: "Hash passwords with bcrypt (cost ≥ 10), scrypt or argon2; use SHA-256+ for integrity and HMAC-SHA-256 for signatures; encrypt with AES-256-GCM via createCipheriv and a random 12-byte IV per message; RSA ≥ 2048 bits.",
  },
  create(ctx) {
    // Findings carry the weak-algorithm CWEs unless they name narrower ones (IV, AEAD, TLS version).
    const report = (r: Parameters<typeof ctx.report>[0]): void => ctx.report({ cwe: BASE_CWE, ...r });
    const imports = ctx.file.imports;
    const isTest = ctx.file.isTest;

    const isCrypto = (call: ts.CallExpression | ts.NewExpression, names: readonly string[]): boolean => {
      if (imports.isCallTo(call, ["crypto"], names)) return true;
      const r = imports.resolveCall(call);
      if (r?.module || !names.includes(memberName(call.expression) ?? "")) return false;
      if (receiverName(call) === "crypto") return true;
      // tsc's CommonJS output: `crypto_1.default.createCipheriv(…)` / `crypto_1.createCipheriv(…)`
      const recv = ts.isPropertyAccessExpression(unwrap(call.expression)) ? (unwrap(call.expression) as ts.PropertyAccessExpression).expression.getText() : "";
      return /^(crypto|node_crypto)_\d+(\.default)?$/.test(recv);
    };

    /** `crypto.subtle.digest` / `webcrypto.subtle.digest`: the global Web Crypto object or Node's `crypto.webcrypto`. */
    const isSubtle = (call: ts.CallExpression): boolean => {
      const callee = unwrap(call.expression);
      if (!ts.isPropertyAccessExpression(callee)) return false;
      const subtle = unwrap(callee.expression);
      if (!ts.isPropertyAccessExpression(subtle) || subtle.name.text !== "subtle") return false;
      const owner = unwrap(subtle.expression);
      const text = owner.getText();
      if (text === "crypto" || text === "webcrypto" || /^(globalThis|window|self)\.crypto$|\.webcrypto$/.test(text)) return true;
      return ts.isIdentifier(owner) && imports.bindingOf(owner)?.module === "crypto";
    };

    const weakHash = (node: ts.Node, algo: string, via: string): void => {
      const sink = passwordSink(node);
      if (sink) {
        report({ node: sink, cwe: ["CWE-916", "CWE-327", "CWE-328"], message: `${algo.toUpperCase()} digest (${via}) stored as a password: it is fast and unsalted, so stolen hashes are cracked in seconds. Hash passwords with bcrypt, scrypt or argon2id.` });
        return;
      }
      if (isStreamedDigest(node)) return;
      const sev = classifyUse(node);
      if (!sev) return;
      report({
        node,
        severity: sev,
        message: sev === "error"
          ? `${algo.toUpperCase()} (${via}) protects security data here: it is broken for passwords, tokens and signatures; use bcrypt/argon2 for passwords or SHA-256/HMAC-SHA-256.`
          : `${algo.toUpperCase()} (${via}) is a broken hash: use SHA-256 or better unless this is only a non-security checksum.`,
      });
    };

    return {
      CallExpression(call) {
        if (isTest) return;
        const name = memberName(call.expression);
        if (!name) return;
        const args = call.arguments;
        const r = imports.resolveCall(call);

        // Node crypto
        if ((name === "createHash" || name === "hash") && isCrypto(call, ["createHash", "hash"])) {
          const algo = resolvedLiteral(args[0])?.text;
          if (algo && WEAK_HASH.test(algo)) weakHash(call, algo, `crypto.${name}`);
          return;
        }
        // Web Crypto: crypto.subtle.digest("SHA-1", data) — the same hash, asynchronous
        if (name === "digest" && isSubtle(call)) {
          const algo = resolvedLiteral(args[0])?.text;
          if (algo && WEAK_HASH.test(algo)) weakHash(call, algo, "crypto.subtle.digest");
          return;
        }
        if ((name === "createSign" || name === "createVerify") && isCrypto(call, [name])) {
          const algo = resolvedLiteral(args[0])?.text;
          if (algo && /md5|md4/i.test(algo)) report({ node: call, message: `Signature with ${algo}: MD5 signatures can be forged; use SHA-256 or better.` });
          else if (algo && /sha1$|^sha1|sha-1/i.test(algo)) report({ node: call, severity: "warning", message: `Signature with ${algo}: SHA-1 is collision-broken; use SHA-256 or better.` });
          return;
        }
        if ((name === "createCipher" || name === "createDecipher") && isCrypto(call, [name])) {
          report({ node: call, cwe: ["CWE-327", "CWE-1204", "CWE-329"], message: `crypto.${name} derives the key with MD5 and no IV (deprecated, removed in Node 22): use ${name}iv with a random IV and a proper key.` });
          return;
        }
        if ((name === "createCipheriv" || name === "createDecipheriv") && isCrypto(call, [name])) {
          const algo = resolvedLiteral(args[0])?.text;
          if (algo && WEAK_CIPHER.test(algo)) {
            report({ node: call, message: `Weak cipher \`${algo}\`: DES/3DES/RC4/Blowfish are breakable; use aes-256-gcm.` });
            return;
          }
          if (algo && /-ecb$|^ecb$/i.test(algo)) {
            report({ node: call, message: `ECB mode (\`${algo}\`) encrypts equal blocks to equal ciphertext and leaks patterns: use aes-256-gcm with a random IV.` });
            return;
          }
          if (name === "createDecipheriv" && algo && AEAD.test(algo)) {
            const problem = aeadProblem(call, algo);
            if (problem) report({ node: call, severity: problem.severity, cwe: ["CWE-310", "CWE-354"], message: problem.message });
            return;
          }
          if (name === "createCipheriv") {
            const iv = constantIv(args[2]);
            if (iv) {
              report({
                node: call,
                // a hard-coded IV is a static-IV weakness (CWE-329/1204); an empty or zero IV also breaks the cipher mode itself
                cwe: iv === "literal" ? ["CWE-1204", "CWE-329"] : ["CWE-327", "CWE-1204", "CWE-329"],
                severity: iv === "literal" ? "warning" : "error",
                message: iv === "empty" ? "Cipher created with an empty IV: generate a random IV per message with crypto.randomBytes." : `Cipher created with a constant ${iv === "zero" ? "all-zero " : ""}IV: the same plaintext always encrypts the same way; use crypto.randomBytes(12|16) per message.`,
              });
            }
          }
          return;
        }
        if ((name === "generateKeyPair" || name === "generateKeyPairSync") && isCrypto(call, [name])) {
          const type = stringValue(args[0]);
          const bits = numberOf(objectProperty(resolvedObject(args[1]), "modulusLength"));
          if (type && /^(rsa|rsa-pss|dsa)$/.test(type) && bits !== undefined && bits < 2048) {
            report({ node: call, message: `${type.toUpperCase()} key of ${bits} bits is factorable: use modulusLength ≥ 2048 (3072 for long-lived keys).` });
          }
          if (type === "dh" || type === "dsa") return;
          return;
        }
        if ((name === "pbkdf2" || name === "pbkdf2Sync") && isCrypto(call, [name])) {
          const iters = numberOf(args[2]);
          if (iters !== undefined && iters < 10000) report({ node: call, message: `PBKDF2 with ${iters} iterations is cheap to brute force: use ≥ 600000 (SHA-256) or bcrypt/argon2.` });
          else if (iters !== undefined && iters < 100000) report({ node: call, severity: "warning", message: `PBKDF2 with ${iters} iterations is below current guidance (≥ 600000 for SHA-256).` });
          const digest = resolvedLiteral(args[4])?.text;
          if (digest && /^md5$/i.test(digest)) report({ node: call, message: "PBKDF2 with MD5: use SHA-256 or SHA-512." });
          return;
        }
        if ((name === "scrypt" || name === "scryptSync") && isCrypto(call, [name])) {
          const opts = resolvedObject(args[3]);
          const n = numberOf(objectProperty(opts, "N") ?? objectProperty(opts, "cost"));
          if (n !== undefined && n < 16384) report({ node: call, message: `scrypt cost N=${n} is too low for passwords: use N ≥ 16384 (2^14), preferably 2^17.` });
          return;
        }
        if (name === "pseudoRandomBytes") return; // insecure-randomness

        // argon2.hash(pw, { type, memoryCost, timeCost }) with a weak variant or cost
        if (r?.module === "argon2" && name === "hash") {
          const weak = weakArgon2(args[1]);
          const at = ts.isPropertyAccessExpression(unwrap(call.expression)) ? (unwrap(call.expression) as ts.PropertyAccessExpression).name : call;
          if (weak) report({ node: at, severity: "warning", cwe: ["CWE-916", "CWE-327"], message: `argon2 ${weak}: use argon2id (the library default) with memoryCost ≥ 19456 KiB and timeCost ≥ 2 (OWASP).` });
          return;
        }

        // bcrypt / bcryptjs work factor
        if (r?.module && /^(bcrypt|bcryptjs|bcrypt-nodejs)$/.test(r.module)) {
          const idx = name === "hash" || name === "hashSync" ? 1 : name === "genSalt" || name === "genSaltSync" ? 0 : -1;
          if (idx < 0) return;
          const rounds = numberOf(args[idx]);
          if (rounds !== undefined && rounds < 10) report({ node: call, message: `bcrypt cost ${rounds} is too low: use at least 10 (12 recommended).` });
          return;
        }

        // crypto-js
        if (r?.module === "crypto-js" || (r?.module?.startsWith("crypto-js/"))) {
          const modName = r.module.startsWith("crypto-js/") ? r.module.slice(10) : "";
          const fn = r.path.length >= 2 ? r.path[r.path.length - 2] : modName || name;
          if (/^(MD5|SHA1|md5|sha1)$/.test(name) || (name === "default" && /^(md5|sha1)$/.test(modName))) {
            weakHash(call, name === "default" ? modName : name, "crypto-js");
            return;
          }
          if ((name === "encrypt" || name === "decrypt") && /^(DES|TripleDES|RC4|RC4Drop|Rabbit|RabbitLegacy|tripledes|des|rc4)$/.test(fn)) {
            report({ node: call, message: `crypto-js ${fn} is a weak cipher: use AES-256-GCM (Node crypto) or at least CryptoJS.AES with a random IV.` });
            return;
          }
          return;
        }

        // md5 / sha1 npm packages: md5(password), sha1(token)
        if (r?.module && /^(md5|js-md5|blueimp-md5|md5-hex|sha1|js-sha1|crypto-md5)$/.test(r.module)) {
          weakHash(call, /sha1/.test(r.module) ? "sha1" : "md5", r.module);
        }
      },
      PropertyAssignment(prop) {
        if (isTest) return;
        const name = prop.name.getText().replace(/["']/g, "");
        const v = stringValue(prop.initializer);
        if (v === undefined) return;
        // tls options: secureProtocol: "TLSv1_method", minVersion: "TLSv1"
        if (name === "secureProtocol" && /^(SSLv2|SSLv3|TLSv1|TLSv1_1|DTLSv1)_(client_|server_)?method$/.test(v)) {
          report({ node: prop, cwe: TLS_CWE, message: `\`${v}\` pins a broken TLS/SSL version: use TLSv1_2 or later (minVersion: "TLSv1.2").` });
        } else if (name === "minVersion" && /^(TLSv1|TLSv1\.1|SSLv3)$/.test(v) && /tls|ssl|agent|https|server/i.test(ctxText(prop))) {
          report({ node: prop, cwe: TLS_CWE, severity: "warning", message: `minVersion \`${v}\` allows deprecated TLS versions: use "TLSv1.2".` });
        } else if (name === "maxVersion" && /^(TLSv1|TLSv1\.1|SSLv3)$/.test(v) && /tls|ssl|agent|https|server/i.test(ctxText(prop))) {
          report({ node: prop, cwe: TLS_CWE, message: `maxVersion \`${v}\` caps the connection at a deprecated TLS version: remove it or use "TLSv1.3".` });
        } else if (name === "ciphers" && /(^|:)(!?)(RC4|DES|3DES|MD5|NULL|EXPORT|aNULL|eNULL)\b/.test(v) && !/^!/.test(v.split(":").find((c) => /RC4|DES|MD5|NULL|EXPORT/.test(c)) ?? "!")) {
          report({ node: prop, cwe: TLS_CWE, message: `TLS cipher list enables weak suites (\`${v.slice(0, 40)}\`): rely on Node's defaults or a modern list.` });
        }
      },
      PropertyAccessExpression(pa) {
        if (isTest) return;
        // CryptoJS.mode.ECB
        if (pa.name.text === "ECB" && memberName(pa.expression) === "mode" && imports.hasModule("crypto-js")) {
          report({ node: pa, message: "crypto-js ECB mode leaks plaintext patterns: use CBC/GCM with a random IV." });
        }
      },
    };
  },
});

/** argon2 numeric type ids (argon2d = 0, argon2i = 1, argon2id = 2) and their names. */
const ARGON2_TYPES: Record<string, string> = { "0": "argon2d", "1": "argon2i", argon2d: "argon2d", argon2i: "argon2i" };

/** Why argon2 options (inline or through a variable) are weak, or undefined: argon2d/argon2i, or a memory / time cost below OWASP's floor. */
function weakArgon2(opts: ts.Expression | undefined): string | undefined {
  const o = resolvedObject(opts);
  if (!o) return undefined;
  const type = objectProperty(o, "type");
  const t = type && ARGON2_TYPES[ts.isPropertyAccessExpression(unwrap(type)) ? (unwrap(type) as ts.PropertyAccessExpression).name.text : unwrap(type).getText()];
  if (t) return `type \`${t}\` (${t === "argon2d" ? "data-dependent memory access leaks through side channels" : "weaker than argon2id against GPU time-memory trade-offs"})`;
  const memory = numberOf(objectProperty(o, "memoryCost"));
  if (memory !== undefined && memory < 7168) return `memoryCost ${memory} KiB is cheap to attack on GPUs`;
  const time = numberOf(objectProperty(o, "timeCost"));
  if (time !== undefined && time < 2 && (memory ?? 65536) < 47104) return `timeCost ${time} with memoryCost ${memory ?? 65536} KiB is below the recommended work factor`;
  return undefined;
}

/** Callee names that store a password: user.setPassword(x), updatePassword(id, x). */
const PASSWORD_SETTER = /^(set|update|change|save|store|reset)_?password$/i;

/**
 * A call storing the weak digest as a password: `user.setPassword(md5(pw))`, or the digest kept in a variable
 * (`digest = createHash("md5")…digest("hex"); user.setPassword(digest)`) within the same function.
 */
function passwordSink(node: ts.Node): ts.CallExpression | undefined {
  let top: ts.Node = node;
  while (top.parent && (ts.isPropertyAccessExpression(top.parent) || (ts.isCallExpression(top.parent) && top.parent.expression === top))) top = top.parent;
  const direct = top.parent;
  if (direct && ts.isCallExpression(direct) && direct.arguments.includes(top as ts.Expression) && PASSWORD_SETTER.test(memberName(direct.expression) ?? "")) return direct;
  const p = top.parent;
  const v = p && ts.isVariableDeclaration(p) && p.initializer === top && ts.isIdentifier(p.name) ? p.name.text
    : p && ts.isBinaryExpression(p) && p.right === top && p.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isIdentifier(p.left) ? p.left.text : undefined;
  const fn = enclosingFunction(node);
  if (!v || !fn?.body) return undefined;
  let sink: ts.CallExpression | undefined;
  walk(fn.body, (n) => {
    if (sink) return false;
    if (ts.isCallExpression(n) && n.getStart() > top.getStart() && PASSWORD_SETTER.test(memberName(n.expression) ?? "") && n.arguments.some((a) => ts.isIdentifier(unwrap(a)) && (unwrap(a) as ts.Identifier).text === v)) sink = n;
    return undefined;
  });
  return sink;
}

function ctxText(prop: ts.PropertyAssignment): string {
  const obj = prop.parent;
  let s = "";
  walk(obj, (n) => {
    if (ts.isPropertyAssignment(n)) s += " " + n.name.getText();
    return false;
  });
  let p: ts.Node | undefined = obj.parent;
  for (let i = 0; p && i < 3; i++, p = p.parent) {
    if (ts.isCallExpression(p) || ts.isNewExpression(p)) s += " " + p.expression.getText();
    if (ts.isVariableDeclaration(p) || ts.isPropertyAssignment(p)) s += " " + p.name.getText();
  }
  // `const options = { minVersion: "TLSv1" }; https.request(options)`: the calls the options object is passed to
  const decl = obj.parent;
  if (decl && ts.isVariableDeclaration(decl) && ts.isIdentifier(decl.name)) {
    const name = decl.name.text;
    walk(enclosingFunction(decl) ?? decl.getSourceFile(), (n) => {
      if ((ts.isCallExpression(n) || ts.isNewExpression(n)) && n.arguments?.some((a) => ts.isIdentifier(a) && a.text === name && findDeclaration(a) === decl)) {
        s += " " + n.expression.getText();
      }
      return undefined;
    });
  }
  return s;
}
