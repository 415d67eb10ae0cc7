/**
 * `npm run bench`: whole-process timings of `vigil scan` (all rules) on a real TypeScript corpus, against
 * ESLint 9 + eslint-plugin-security + the TypeScript parser on the same files. Prints medians, files/s,
 * lines/s, peak memory and the ratio. BENCH_RUNS (default 5) sets the number of runs.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join, relative } from "node:path";
import { corpusFiles, countLines, ensureCorpus } from "./corpus.js";

const root = join(import.meta.dirname, "..");
const runs = Number(process.env.BENCH_RUNS ?? 5);
const hasTime = existsSync("/usr/bin/time");

interface Run {
  seconds: number;
  maxRssMiB: number;
}

function timed(cmd: string, args: string[], cwd: string): Run {
  // /usr/bin/time -f gives the child's own peak RSS; fall back to wall time only.
  const t0 = process.hrtime.bigint();
  const r = hasTime
    ? spawnSync("/usr/bin/time", ["-f", "%M", cmd, ...args], { cwd, encoding: "utf8", maxBuffer: 1 << 30 })
    : spawnSync(cmd, args, { cwd, encoding: "utf8", maxBuffer: 1 << 30 });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.error) throw r.error;
  const rssKiB = hasTime ? Number((r.stderr.trim().split("\n").pop() ?? "0").trim()) : NaN;
  if (r.status !== 0 && r.status !== 1) throw new Error(`${cmd} ${args.join(" ")} exited ${r.status}: ${r.stderr.slice(0, 2000)}`);
  return { seconds, maxRssMiB: rssKiB / 1024 };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

// Measure what users run: the built, bundled JavaScript (as in the Docker image), not the TypeScript sources through tsx.
execFileSync("npm", ["run", "-s", "build"], { cwd: root, stdio: "inherit" });
process.env.VIGIL_USE_DIST = "1";
const corpus = ensureCorpus();
const files = corpusFiles(corpus);
const lines = countLines(files);
const rel = files.map((f) => relative(corpus, f));
console.log(`corpus: ${files.length} files, ${lines} lines (${corpus})`);
console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, node ${process.version}, ${new Date().toISOString().slice(0, 10)}`);

const eslintConfig = join(mkdtempSync(join(tmpdir(), "vigil-eslint-")), "eslint.config.mjs");
writeFileSync(
  eslintConfig,
  `import security from ${JSON.stringify(join(root, "node_modules/eslint-plugin-security/index.js"))};
import tsParser from ${JSON.stringify(join(root, "node_modules/@typescript-eslint/parser/dist/index.js"))};
export default [{ files: ["**/*.ts"], languageOptions: { parser: tsParser }, plugins: { security }, rules: security.configs.recommended.rules }];\n`,
);

// The measure is Vigil's security rules against ESLint's security plugin; the full rule set is measured too.
const securityOnly = join(mkdtempSync(join(tmpdir(), "vigil-bench-")), "security-only.yml");
writeFileSync(securityOnly, "rules:\n  architecture: off\n  observability: off\n");

const vigilArgs = [join(root, "bin/vigil.js"), "scan", ...rel, "--format", "json", "--fail-on", "never", "--output", "/dev/null"];
const vigil: Run[] = [];
const vigilSecurity: Run[] = [];
const eslint: Run[] = [];
for (let i = 0; i <= runs; i++) {
  // Alternated A B C A B C…: a drift in the machine's speed hits all three alike.
  const v = timed(process.execPath, vigilArgs, corpus);
  const vs = timed(process.execPath, [...vigilArgs, "--config", securityOnly], corpus);
  const e = timed(process.execPath, [join(root, "node_modules/eslint/bin/eslint.js"), "--no-config-lookup", "-c", eslintConfig, "--format", "json", "-o", "/dev/null", "--no-warn-ignored", ...rel], corpus);
  if (i === 0) continue; // warm-up (file cache, V8 code cache)
  vigil.push(v);
  vigilSecurity.push(vs);
  eslint.push(e);
}
const seconds = (rs: Run[]) => median(rs.map((r) => r.seconds));
/** Median of the per-round ratios: pairing keeps the ratio meaningful when the machine's speed drifts. */
const pairedRatio = (a: Run[], b: Run[]) => median(a.map((r, k) => b[k].seconds / r.seconds));
const row = (name: string, rs: Run[]) => {
  const s = seconds(rs);
  return `${name.padEnd(36)} ${s.toFixed(2).padStart(6)} s   ${Math.round(files.length / s).toString().padStart(5)} files/s   ${Math.round(lines / s).toString().padStart(7)} lines/s   ${median(rs.map((r) => r.maxRssMiB)).toFixed(0).padStart(5)} MiB peak`;
};
console.log(`median of ${runs} runs (whole process, after one warm-up):`);
console.log(row("vigil scan (security rules)", vigilSecurity));
console.log(row("vigil scan (all rules)", vigil));
console.log(row("eslint + eslint-plugin-security", eslint));
console.log(`ratio eslint / vigil, security rules: ${pairedRatio(vigilSecurity, eslint).toFixed(2)}× (target ≥ 3×)`);
console.log(`ratio eslint / vigil, all rules:      ${pairedRatio(vigil, eslint).toFixed(2)}×`);
