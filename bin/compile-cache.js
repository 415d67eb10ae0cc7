// A V8 code cache for the very large CommonJS files `vigil` loads: the TypeScript compiler that ts-morph bundles is
// 9 MB of JavaScript, and compiling it is about a quarter of every `vigil scan`'s start-up. Node 22 offers this as
// `module.enableCompileCache()`; Node 20, our runtime, does not, so the few files over LARGE are compiled here with
// `vm.Script` and `cachedData`. Small files go through Node's own loader untouched. The cache lives in the OS temp
// directory (VIGIL_COMPILE_CACHE_DIR overrides), keyed by the file's path, size, mtime and the Node version; any
// failure falls back to a plain compile. VIGIL_NO_COMPILE_CACHE=1 turns it off.
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import Module, { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import vm from "node:vm";

const LARGE = 1 << 20;

function cacheFileFor(dir, filename) {
  const st = statSync(filename);
  const key = createHash("sha256").update(`${filename}\0${st.size}\0${st.mtimeMs}\0${process.version}\0${process.arch}`).digest("hex").slice(0, 32);
  return join(dir, `${key}.v8`);
}

export function enableCompileCache(dir = process.env.VIGIL_COMPILE_CACHE_DIR || join(tmpdir(), `vigil-compile-cache-${process.getuid?.() ?? "u"}`)) {
  if (process.env.VIGIL_NO_COMPILE_CACHE) return;
  const original = Module.prototype._compile;
  const toWrite = [];
  Module.prototype._compile = function compileWithCache(content, filename) {
    if (content.length < LARGE) return original.call(this, content, filename);
    let cacheFile, cachedData, script;
    try {
      cacheFile = cacheFileFor(dir, filename);
      try {
        cachedData = readFileSync(cacheFile);
      } catch {
        cachedData = undefined;
      }
      script = new vm.Script(Module.wrap(content), { filename, cachedData });
    } catch {
      return original.call(this, content, filename);
    }
    if (!cachedData || script.cachedDataRejected) toWrite.push({ script, cacheFile });
    const require = createRequire(filename);
    return script.runInThisContext().call(this.exports, this.exports, require, this, filename, dirname(filename));
  };
  // Written at exit, after the run compiled the functions it used, so the next start skips those compilations too.
  process.once("exit", () => {
    for (const { script, cacheFile } of toWrite) {
      try {
        mkdirSync(dir, { recursive: true });
        const tmp = `${cacheFile}.${process.pid}.tmp`;
        writeFileSync(tmp, script.createCachedData());
        renameSync(tmp, cacheFile);
      } catch {
        // A read-only or full temp directory only costs the next start its speed.
      }
    }
  });
}
