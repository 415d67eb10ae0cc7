// Bundles the `vigil` command (and its scan worker) into dist/cli/ with esbuild. Why: a `vigil scan` spends a tenth
// of its time starting up — resolving and linking ~150 ES modules (ours, zod's, yaml's) and letting Node scan
// ts-morph's CommonJS source for export names. One file per entry point, with ts-morph loaded through `require`
// (whose 12 MB then hit bin/compile-cache.js's V8 code cache), starts in about two thirds of the time.
// Server-side packages (Probot, Octokit, pino, prom-client) stay external: the CLI loads them only for `vigil pr`.
import { build } from "esbuild";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

/** `import { ts } from "ts-morph"` → a require of the CommonJS package (no export-name scan, code cache applies). */
const tsMorphByRequire = {
  name: "ts-morph-by-require",
  setup(b) {
    b.onResolve({ filter: /^ts-morph$/ }, () => ({ path: "ts-morph", namespace: "ts-morph-by-require" }));
    b.onLoad({ filter: /.*/, namespace: "ts-morph-by-require" }, () => ({
      contents: 'import { createRequire } from "node:module";\nexport const { ts } = createRequire(import.meta.url)("ts-morph");\n',
      loader: "js",
      resolveDir: root,
    }));
  },
};

export async function bundleCli(outdir = join(root, "dist", "cli")) {
  return build({
    absWorkingDir: root,
    entryPoints: { "vigil-cli": "src/cli/main.ts", "scan-worker": "src/cli/scan-worker.ts" },
    outdir,
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node20",
    // CommonJS packages bundled into ES modules call `require` for Node's built-ins.
    banner: { js: 'import { createRequire as __vigilCreateRequire } from "node:module"; const require = __vigilCreateRequire(import.meta.url);' },
    external: ["probot", "@octokit/*", "pino", "pino-*", "prom-client", "tsx", "tsx/*"],
    plugins: [tsMorphByRequire],
    logLevel: "warning",
    metafile: true,
  }).then((r) => {
    const packages = new Set(Object.keys(r.metafile.inputs).filter((p) => p.includes("node_modules/")).map((p) => p.replace(/^.*node_modules\/((@[^/]+\/)?[^/]+).*$/, "$1")));
    return [...packages].sort();
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const outdir = process.argv[2] ?? join(root, "dist", "cli");
  const packages = await bundleCli(outdir);
  console.log(`bundled ${outdir}/{vigil-cli,scan-worker}.js (inlined packages: ${packages.join(", ")})`);
}
