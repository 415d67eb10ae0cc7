import { ts } from "ts-morph";
import { defineRule } from "../../src/core/rule.js";
import { enclosingHandler } from "../../src/core/arch-handlers.js";

/** Synchronous APIs that block the event loop for I/O or heavy CPU, by module. */
const BLOCKING: Record<string, RegExp> = {
  fs: /Sync$/,
  "fs-extra": /Sync$/,
  child_process: /^(execSync|execFileSync|spawnSync)$/,
  crypto: /^(pbkdf2Sync|scryptSync|generateKeyPairSync|generatePrimeSync)$/,
  zlib: /^(gzipSync|gunzipSync|deflateSync|inflateSync|deflateRawSync|inflateRawSync|unzipSync|brotliCompressSync|brotliDecompressSync)$/,
  bcrypt: /^(hashSync|compareSync|genSaltSync)$/,
  bcryptjs: /^(hashSync|compareSync|genSaltSync)$/,
};

export default defineRule({
  meta: {
    id: "architecture/blocking-call-in-handler",
    category: "architecture",
    severity: "warning",
    cwe: ["CWE-1050"],
    title: "Blocking synchronous call in a request handler",
    description:
      "Node serves every request on one thread. A synchronous file read, child process, key derivation or compression inside a handler stops " +
      "all other requests until it finishes: latency spikes for everyone, and a few slow requests are enough to take the service down.",
    fix: "Use the async API (`fs.promises.readFile`, `execFile` with a promise, `crypto.scrypt`/`pbkdf2` with a callback, `zlib.gzip`, `bcrypt.hash`), or do the work once at start-up.",
  },
  create(ctx) {
    if (!ctx.file.isServerCode) return {};
    return {
      CallExpression(call) {
        const r = ctx.file.imports.resolveCall(call);
        if (!r?.module) return;
        const mod = r.module.replace(/\/promises$/, "");
        const pattern = BLOCKING[mod];
        if (!pattern || !pattern.test(r.name)) return;
        const handler = enclosingHandler(call);
        if (!handler) return;
        ctx.report({
          node: call,
          message: `\`${r.name}\` blocks the event loop inside a request handler: every other request waits until it returns. Use the async API.`,
        });
      },
    };
  },
});
