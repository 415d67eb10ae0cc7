/**
 * `npm run eval -- <dir> [--out file.json] [--all] [--codeql | --sonar]`: per-class recall and precision of Vigil on third-party
 * annotated test files laid out like semgrep-rules (`<id>.yaml` with `metadata.cwe` beside `<id>.js|ts|jsx|tsx`
 * whose `// ruleid: <id>` / `// ok: <id>` comments mark the next code line as must-flag / must-not-flag).
 *
 * Scoring follows the held-out benchmark: a finding counts when its file, line ±1 and CWE match.
 *  - a positive annotation is FOUND when Vigil reports, in that file, within ±1 line, a finding whose cwe list
 *    shares a CWE with the annotation's rule;
 *  - a Vigil finding is a TP when it matches some positive annotation that way, an FP when it instead lands
 *    within ±1 line of an `ok:` line with a shared CWE, and UNLABELED otherwise (not scored, counted per rule).
 * Files are grouped into classes by the annotation's primary CWE. Browser-only / front-end framework folders are
 * skipped unless `--all` is given. Nothing is fetched here: point it at a local checkout.
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, extname, join, relative } from "node:path";
import { parse as parseYaml } from "yaml";
import { analyze } from "../src/core/analyze.js";
import { allRules } from "../rules/index.js";
import type { Finding } from "../src/core/types.js";

const CLASS_NAMES: Record<string, string> = {
  "CWE-89": "sql injection", "CWE-78": "command injection", "CWE-77": "command injection",
  "CWE-94": "code injection", "CWE-95": "code injection", "CWE-22": "path traversal", "CWE-73": "path traversal",
  "CWE-918": "ssrf", "CWE-601": "open redirect", "CWE-79": "xss", "CWE-798": "secrets",
  "CWE-327": "weak crypto", "CWE-328": "weak crypto", "CWE-916": "weak crypto",
  "CWE-338": "randomness", "CWE-330": "randomness", "CWE-347": "jwt", "CWE-295": "tls", "CWE-319": "transport",
  "CWE-614": "cookies", "CWE-1004": "cookies", "CWE-384": "session fixation", "CWE-942": "cors", "CWE-346": "cors",
  "CWE-352": "csrf", "CWE-307": "rate limit", "CWE-770": "rate limit", "CWE-434": "upload", "CWE-400": "resource limits",
  "CWE-611": "xxe", "CWE-502": "deserialization", "CWE-1333": "redos", "CWE-730": "redos", "CWE-185": "redos",
  "CWE-1321": "prototype pollution / mass assignment", "CWE-915": "prototype pollution / mass assignment",
  "CWE-117": "log injection", "CWE-312": "sensitive logs", "CWE-532": "sensitive logs", "CWE-209": "error disclosure", "CWE-943": "nosql", "CWE-1336": "template injection",
};

/** Folders whose rules are about browser / front-end framework code, not backend JS/TS. */
const SKIP_DIRS = /(^|\/)(angular|browser|jquery|react|vue|fbjs|monaco-editor|intercom|aws-cdk)(\/|$)/;

const args = process.argv.slice(2);
const root = args.find((a) => !a.startsWith("--") && args[args.indexOf(a) - 1] !== "--out");
if (!root) {
  console.error("usage: eval-annotated.ts <dir> [--out results.json] [--all] [--codeql | --sonar]");
  process.exit(2);
}
const outIdx = args.indexOf("--out");
const outPath = outIdx >= 0 ? args[outIdx + 1] : join(tmpdir(), "vigil-eval-annotated.json");
const includeAll = args.includes("--all");
/**
 * `--codeql`: the tree is a copy of github/codeql `javascript/ql/test/query-tests/Security/<CWE-nnn>/…` files. Markers
 * sit on the flagged line itself (`// $ Alert`, `// $ Alert[js/…]`, `// $ MISSING: Alert`, `// NOT OK`, `// BAD` →
 * positive; `// OK`, `// GOOD`, `// $ SPURIOUS: Alert`, `// $ TODO-SPURIOUS: Alert` → negative), or, in older tests, on
 * a comment-only line right above it. The class CWE is the first `CWE-nnn` folder of the path.
 */
const codeqlMode = args.includes("--codeql");
/** Folders that hold several CodeQL queries: the other CWEs those queries carry count for the same folder. */
const CODEQL_FOLDER_EXTRA: Record<string, string[]> = {
  "CWE-89": ["CWE-943"], // SqlInjection + NosqlInjection tests share CWE-089
  "CWE-770": ["CWE-400"], // MissingRateLimiting + ResourceExhaustion share CWE-770
  "CWE-400": ["CWE-1333", "CWE-730"], // ReDoS / polynomial ReDoS
  "CWE-915": ["CWE-1321"], "CWE-1321": ["CWE-915"], // prototype pollution queries carry both
};

/**
 * `--sonar`: the tree holds SonarSource/SonarJS rule tests, one folder per rule whose name starts with the rule key
 * (`S2077-CWE-89/…`), and `<dir>/cwe.json` maps each key to its CWEs (`{"S2077": ["CWE-89", "CWE-943"]}`: Sonar's
 * own CWEs, plus the class CWE where Sonar names a narrower one, e.g. CWE-1240 weak hash → CWE-328). Files are
 * comment-based fixtures: a `// Noncompliant` (or `/* Noncompliant *\/`) comment marks its own line, `@+N`/`@-N` shift
 * it and `@N` names the line; lines commented `flagged-in-test` are the issue's secondary locations and are not
 * scored. EVERY other code line counts as compliant — harsher than `ok:` lines, since Sonar
 * writes only the lines its own rule checks and its security hotspots flag every use (each `Math.random()`, each
 * `md5`), which Vigil deliberately reports only where it is dangerous in context.
 */
const sonarMode = args.includes("--sonar");
let sonarCwes: Record<string, string[]> | undefined;

interface Annotation {
  file: string; // real path relative to root
  line: number; // 1-based line of the annotated code
  ruleId: string;
  positive: boolean;
  cwe: string[];
  code: string;
}

function walk(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (name.startsWith(".") || name === "node_modules") continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else out.push(p);
  }
  return out;
}

const normCwe = (s: string): string[] => [...String(s).matchAll(/CWE-0*(\d+)/gi)].map((m) => `CWE-${m[1]}`);

/** rule id -> CWE ids, for every rule in the yaml files of one directory. */
function cwesIn(dir: string, cache = new Map<string, Map<string, string[]>>()): Map<string, string[]> {
  let m = cache.get(dir);
  if (m) return m;
  m = new Map();
  for (const name of readdirSync(dir)) {
    if (!/\.ya?ml$/.test(name)) continue;
    let doc: unknown;
    try {
      doc = parseYaml(readFileSync(join(dir, name), "utf8"));
    } catch {
      continue;
    }
    const rules = (doc as { rules?: { id?: string; metadata?: { cwe?: unknown } }[] })?.rules;
    if (!Array.isArray(rules)) continue;
    for (const r of rules) {
      if (!r?.id) continue;
      const raw = r.metadata?.cwe;
      const cwe = [...new Set((Array.isArray(raw) ? raw : raw ? [raw] : []).flatMap((c) => normCwe(String(c))))];
      if (cwe.length) m.set(r.id, cwe);
    }
  }
  cache.set(dir, m);
  return m;
}
const yamlCache = new Map<string, Map<string, string[]>>();
/** Fallback for corpora that keep rules and tests apart (njsscan: rules/…/x.yaml, tests/…/true_positives/x.js). */
let globalCwes: Map<string, string[]> | undefined;
function globalCweOf(ruleId: string): string[] | undefined {
  if (!globalCwes) {
    globalCwes = new Map();
    const dirs = new Set(walk(root!).filter((p) => /\.ya?ml$/.test(p)).map((p) => dirname(p)));
    for (const d of dirs) for (const [id, c] of cwesIn(d, yamlCache)) if (!globalCwes.has(id)) globalCwes.set(id, c);
  }
  return globalCwes.get(ruleId);
}

const isCommentOnly = (s: string): boolean => /^\s*(\/\/|\/\*|\*|\{\s*\/\*)/.test(s);
const ANNOT = /^\s*(?:\/\/|\/\*|\{\s*\/\*)\s*(todoruleid|ruleid|todook|ok)\s*:\s*([\w.,\s-]+?)\s*(?:\*\/\s*\}?)?\s*$/;

const CQ_POS = /^(?:\$\s*(?:TODO-)?(?:MISSING:\s*)?Alert\b|NOT OK\b|BAD\b)/;
const CQ_NEG = /^(?:\$\s*(?:TODO-)?SPURIOUS:?\s*Alert\b|OK\b|GOOD\b)/;

function codeqlAnnotationsOf(file: string, text: string): Annotation[] {
  const lines = text.split(/\r?\n/);
  const rel = relative(root!, file);
  const folder = /(?:^|\/)(CWE-0*(\d+))(?:\/|$)/.exec(rel);
  if (!folder) return [];
  const cwe0 = `CWE-${folder[2]}`;
  const cwe = [cwe0, ...(CODEQL_FOLDER_EXTRA[cwe0] ?? [])];
  const out: Annotation[] = [];
  const markerOf = (comment: string): boolean | undefined => {
    const c = comment.trim();
    return CQ_NEG.test(c) ? false : CQ_POS.test(c) ? true : undefined;
  };
  // Files written in the inline-expectation style use `// BAD: …` comment lines as prose section headers, not markers.
  const inlineStyle = /\/\/\s*\$\s*(?:TODO-)?(?:MISSING:\s*|SPURIOUS:\s*)?Alert/.test(text);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    let positive: boolean | undefined;
    let target = i;
    const own = /^\s*\/\/(.*)$/.exec(line);
    if (own) {
      if (inlineStyle) continue;
      positive = markerOf(own[1]);
      if (positive === undefined) continue;
      // An older-style marker on its own line annotates the next code line.
      let j = i + 1;
      while (j < lines.length && (!lines[j].trim() || isCommentOnly(lines[j]))) j++;
      if (j >= lines.length) continue;
      target = j;
    } else {
      // The trailing comment: the last `//` not inside a string literal's URL (good enough for these tests).
      const idx = [...line.matchAll(/\/\/(?![^'"`]*['"`][^'"`]*$)/g)].map((m) => m.index!).pop();
      if (idx === undefined) continue;
      positive = markerOf(line.slice(idx + 2));
      if (positive === undefined) continue;
    }
    out.push({ file: rel, line: target + 1, ruleId: `codeql:${folder[1]}`, positive, cwe, code: lines[target].trim() });
  }
  // A line marked both ways (e.g. a stacked comment) keeps the marker on the line itself: drop duplicates.
  const seen = new Set<string>();
  return out.filter((a) => (seen.has(`${a.line}`) ? false : (seen.add(`${a.line}`), true)));
}

const SONAR_MARK = /(?:\/\/|\/\*)\s*Noncompliant(?:@([+-]?\d+))?/;
/** Sonar's tests comment the secondary locations of an issue (the flag inside an options object) this way: not compliant code. */
const SONAR_SECONDARY = /flagged-in-test/;

function sonarAnnotationsOf(file: string, text: string): Annotation[] {
  const rel = relative(root!, file);
  sonarCwes ??= JSON.parse(readFileSync(join(root!, "cwe.json"), "utf8")) as Record<string, string[]>;
  const rule = /^(S\d+)/.exec(rel)?.[1];
  const cwe = rule ? sonarCwes[rule] : undefined;
  if (!cwe) return [];
  const lines = text.split(/\r?\n/);
  const flagged = new Set<number>();
  lines.forEach((line, i) => {
    const m = SONAR_MARK.exec(line);
    if (!m) return;
    const at = m[1] === undefined ? i + 1 : /^[+-]/.test(m[1]) ? i + 1 + Number(m[1]) : Number(m[1]);
    flagged.add(at);
  });
  const out: Annotation[] = [];
  lines.forEach((line, i) => {
    if (!line.trim() || (isCommentOnly(line) && !flagged.has(i + 1))) return;
    if (SONAR_SECONDARY.test(line) && !flagged.has(i + 1)) return;
    out.push({ file: rel, line: i + 1, ruleId: `sonar:${rule}`, positive: flagged.has(i + 1), cwe, code: line.trim() });
  });
  return out;
}

function annotationsOf(file: string, text: string): Annotation[] {
  if (codeqlMode) return codeqlAnnotationsOf(file, text);
  if (sonarMode) return sonarAnnotationsOf(file, text);
  const lines = text.split(/\r?\n/);
  const cwes = cwesIn(dirname(file), yamlCache);
  const rel = relative(root!, file);
  const out: Annotation[] = [];
  for (let i = 0; i < lines.length; i++) {
    const m = ANNOT.exec(lines[i]);
    if (!m) continue;
    // The annotated line is the next line that is neither blank nor a comment (annotations may stack).
    let j = i + 1;
    while (j < lines.length && (!lines[j].trim() || isCommentOnly(lines[j]))) j++;
    if (j >= lines.length) continue;
    for (const ruleId of m[2].split(/[,\s]+/).filter(Boolean)) {
      const cwe = cwes.get(ruleId) ?? globalCweOf(ruleId);
      if (!cwe) continue; // rules without CWE metadata (best-practice, correctness) are not security classes
      out.push({ file: rel, line: j + 1, ruleId, positive: m[1] === "ruleid" || m[1] === "todoruleid", cwe, code: lines[j].trim() });
    }
  }
  return out;
}

/** A path that looks like server code, so path-based heuristics (front-end, tests, scripts) do not interfere. */
function serverPath(file: string, keepExt: boolean): string {
  const ext = extname(file);
  const stem = basename(file, ext);
  const mapped = keepExt ? ext : ext === ".jsx" ? ".js" : ext === ".tsx" ? ".ts" : ext;
  return `src/${stem}${mapped}`;
}

/** The class of an annotation: its first CWE that names a known class, else its first CWE. */
const classOf = (cwes: readonly string[]): string => CLASS_NAMES[cwes.find((c) => CLASS_NAMES[c]) ?? ""] ?? cwes[0];
const shares = (a: readonly string[], b: readonly string[]): boolean => a.some((c) => b.includes(c));

const testFiles = walk(root)
  .filter((p) => /\.(js|ts|jsx|tsx|mjs|cjs)$/.test(p) && !/\.d\.ts$/.test(p))
  .filter((p) => includeAll || !SKIP_DIRS.test(relative(root, p)))
  .sort();
const skippedDirs = [...new Set(walk(root).filter((p) => SKIP_DIRS.test(relative(root, p)) && !includeAll).map((p) => {
  const rel = relative(root, p).split("/");
  const i = rel.findIndex((s) => SKIP_DIRS.test(s));
  return rel.slice(0, i + 1).join("/");
}))].sort();

/** anyCwe: positives with some Vigil finding within ±1 line whatever its CWE (the gap to `found` is CWE mapping). */
interface Row { positives: number; found: number; anyCwe: number; tp: number; fp: number }
const rows = new Map<string, Row>();
const row = (c: string): Row => rows.get(c) ?? (rows.set(c, { positives: 0, found: 0, anyCwe: 0, tp: 0, fp: 0 }), rows.get(c)!);
const misses: unknown[] = [];
const falsePositives: unknown[] = [];
const unlabeledByRule = new Map<string, number>();
const notParsed: { file: string; reason: string }[] = [];
const ruleErrors: unknown[] = [];
let filesScored = 0;
let annotationsTotal = 0;

const rules = allRules;
/** njsscan-style folders of files that must produce no security finding at all. */
const NEGATIVE_DIR = /(^|\/)true_negatives(\/|$)/;
for (const file of testFiles) {
  const text = readFileSync(file, "utf8");
  const anns = annotationsOf(file, text);
  const wholeFileNegative = NEGATIVE_DIR.test(relative(root, file));
  if (!anns.length && !wholeFileNegative) continue;
  const rel = relative(root, file);
  let path = serverPath(file, false);
  let res = analyze([{ path, content: text }], rules);
  if (res.skipped.length && path !== serverPath(file, true)) {
    path = serverPath(file, true);
    res = analyze([{ path, content: text }], rules);
  }
  if (res.skipped.length) {
    notParsed.push({ file: rel, reason: res.skipped[0].reason });
  }
  ruleErrors.push(...res.ruleErrors.map((e) => ({ ...e, file: rel })));
  filesScored++;
  annotationsTotal += anns.length;
  const lines = text.split(/\r?\n/);
  const findings: Finding[] = res.findings;
  const near = (f: Finding, a: Annotation): boolean => Math.abs(f.line - a.line) <= 1 && shares(f.cwe, a.cwe);

  // Duplicate annotations (same line, same CWE set, e.g. two rules on one line) count once per class.
  const seenPos = new Set<string>();
  for (const a of anns.filter((x) => x.positive)) {
    const cls = classOf(a.cwe);
    const key = `${a.line}|${cls}`;
    if (seenPos.has(key)) continue;
    seenPos.add(key);
    const r = row(cls);
    r.positives++;
    const hit = findings.find((f) => near(f, a));
    if (findings.some((f) => Math.abs(f.line - a.line) <= 1)) r.anyCwe++;
    if (hit) r.found++;
    else {
      const other = findings.filter((f) => Math.abs(f.line - a.line) <= 1).map((f) => `${f.ruleId} [${f.cwe.join(",")}]`);
      // Same CWE but reported a few lines away (e.g. at the sink while the annotation marks the query's construction).
      const offBy = findings.filter((f) => shares(f.cwe, a.cwe) && Math.abs(f.line - a.line) <= 5).map((f) => `${f.ruleId} at line ${f.line}`);
      misses.push({
        class: cls, at: `${rel}:${a.line}`, ruleId: a.ruleId, cwe: a.cwe, code: a.code,
        ...(other.length ? { nearbyOtherCwe: other } : {}), ...(offBy.length ? { sameCweWithin5Lines: offBy } : {}),
      });
    }
  }
  for (const f of findings) {
    const pos = anns.find((a) => a.positive && near(f, a));
    if (pos) {
      row(classOf(pos.cwe)).tp++;
      continue;
    }
    if (wholeFileNegative && f.category === "security" && !anns.some((a) => a.positive)) {
      const cls = classOf(f.cwe);
      row(cls).fp++;
      falsePositives.push({ class: cls, at: `${rel}:${f.line}`, rule: f.ruleId, okFor: "(true_negatives file)", message: f.message, code: (lines[f.line - 1] ?? "").trim() });
      continue;
    }
    // A finding on one of the issue's secondary locations in a Sonar test points at the same problem: not scored.
    if (sonarMode && SONAR_SECONDARY.test(lines[f.line - 1] ?? "")) continue;
    const neg = anns.find((a) => !a.positive && near(f, a));
    if (neg) {
      const cls = classOf(neg.cwe);
      row(cls).fp++;
      falsePositives.push({ class: cls, at: `${rel}:${f.line}`, rule: f.ruleId, okFor: neg.ruleId, message: f.message, code: (lines[f.line - 1] ?? "").trim() });
      continue;
    }
    unlabeledByRule.set(f.ruleId, (unlabeledByRule.get(f.ruleId) ?? 0) + 1);
  }
}

const pct = (n: number, d: number): string => (d ? `${((100 * n) / d).toFixed(0)}%` : "–");
const table: string[] = [
  "| class | positives | found | recall | vigil TP | vigil FP (on ok lines) | precision | hit, any CWE |",
  "|---|---:|---:|---:|---:|---:|---:|---:|",
];
const sorted = [...rows.entries()].sort((a, b) => b[1].positives - a[1].positives || a[0].localeCompare(b[0]));
const tot: Row = { positives: 0, found: 0, anyCwe: 0, tp: 0, fp: 0 };
for (const [cls, r] of sorted) {
  table.push(`| ${cls} | ${r.positives} | ${r.found} | ${pct(r.found, r.positives)} | ${r.tp} | ${r.fp} | ${pct(r.tp, r.tp + r.fp)} | ${r.anyCwe} |`);
  tot.anyCwe += r.anyCwe;
  tot.positives += r.positives;
  tot.found += r.found;
  tot.tp += r.tp;
  tot.fp += r.fp;
}
const covered = sorted.filter(([cls]) => !/^CWE-/.test(cls)).reduce((t, [, r]) => ({
  positives: t.positives + r.positives, found: t.found + r.found, anyCwe: t.anyCwe + r.anyCwe, tp: t.tp + r.tp, fp: t.fp + r.fp,
}), { positives: 0, found: 0, anyCwe: 0, tp: 0, fp: 0 });
table.push(`| **named classes only** | **${covered.positives}** | **${covered.found}** | **${pct(covered.found, covered.positives)}** | **${covered.tp}** | **${covered.fp}** | **${pct(covered.tp, covered.tp + covered.fp)}** | **${covered.anyCwe}** |`);
table.push(`| **total** | **${tot.positives}** | **${tot.found}** | **${pct(tot.found, tot.positives)}** | **${tot.tp}** | **${tot.fp}** | **${pct(tot.tp, tot.tp + tot.fp)}** | **${tot.anyCwe}** |`);

console.log(`files scored: ${filesScored} (${annotationsTotal} annotations with CWE metadata)`);
if (skippedDirs.length) console.log(`skipped front-end folders: ${skippedDirs.join(", ")}`);
if (notParsed.length) console.log(`not parsed: ${notParsed.map((n) => `${n.file} (${n.reason})`).join("; ")}`);
if (ruleErrors.length) console.log(`rule errors: ${ruleErrors.length}`);
console.log("");
console.log(table.join("\n"));
console.log("");
const unl = [...unlabeledByRule.entries()].sort((a, b) => b[1] - a[1]);
console.log(`unlabeled findings by rule: ${unl.map(([k, v]) => `${k} ${v}`).join(", ") || "none"}`);

writeFileSync(outPath, JSON.stringify({
  root, filesScored, annotations: annotationsTotal, skippedDirs, notParsed, ruleErrors,
  totals: tot, classes: Object.fromEntries(sorted), unlabeledByRule: Object.fromEntries(unl), misses, falsePositives,
}, null, 2));
console.log(`details: ${outPath}`);
