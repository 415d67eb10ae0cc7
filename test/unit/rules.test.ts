import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { analyze } from "../../src/core/analyze.js";
import { allRules } from "../../rules/index.js";

/**
 * One generic test for every rule: each `<id>.fixture.*` beside a rule holds realistic code where
 * `// expect: <id>` marks the next code line as a finding of that rule and `// ok: <id>` marks it clean.
 * Any other finding of a rule in its fixture fails too.
 */
const root = join(import.meta.dirname, "../..");
const rulesDir = join(root, "rules");

interface Expectation {
  line: number;
  id: string;
  kind: "expect" | "ok";
}

function fixtureFiles(): string[] {
  const out: string[] = [];
  for (const cat of readdirSync(rulesDir, { withFileTypes: true })) {
    if (!cat.isDirectory()) continue;
    for (const f of readdirSync(join(rulesDir, cat.name))) if (/\.fixture\.[cm]?[jt]sx?$/.test(f)) out.push(join(rulesDir, cat.name, f));
  }
  return out.sort();
}

function expectations(text: string): Expectation[] {
  const lines = text.split("\n");
  const out: Expectation[] = [];
  lines.forEach((l, i) => {
    const m = /\/\/\s*(expect|ok):\s*([\w/-]+(?:\s*,\s*[\w/-]+)*)/.exec(l);
    if (!m) return;
    // the next line that is code (not blank, not another annotation/comment)
    let target = i + 1;
    // (a vigil-ignore directive is a target too: the engine reads it)
    while (target < lines.length && (/^\s*$/.test(lines[target]) || (/^\s*\/\//.test(lines[target]) && !/vigil-ignore/.test(lines[target])))) target++;
    for (const id of m[2].split(/\s*,\s*/)) out.push({ line: target + 1, id, kind: m[1] as "expect" | "ok" });
  });
  return out;
}

/**
 * A fixture may hold several virtual files for cross-file rules: a line `// vigil-fixture-file: <path>` starts a
 * reported file, `// vigil-fixture-context: <path>` a context file (parsed, never reported). Code before the first
 * directive is the default file. Each file keeps the fixture's line numbers (other files' lines are blanked), so
 * `// expect:` / `// ok:` lines mean the same in every file.
 */
function fixtureInputs(text: string, defaultPath: string): { path: string; content: string; context?: boolean }[] {
  const lines = text.split("\n");
  const segments: { path: string; context: boolean; from: number; to: number }[] = [{ path: defaultPath, context: false, from: 0, to: lines.length }];
  lines.forEach((l, i) => {
    const m = /^\s*\/\/\s*vigil-fixture-(file|context):\s*(\S+)/.exec(l);
    if (!m) return;
    segments[segments.length - 1].to = i;
    segments.push({ path: m[2], context: m[1] === "context", from: i, to: lines.length });
  });
  return segments
    .filter((s) => s.path !== defaultPath || lines.slice(s.from, s.to).some((l) => l.trim() !== ""))
    .map((s) => ({ path: s.path, context: s.context || undefined, content: lines.map((l, i) => (i >= s.from && i < s.to ? l : "")).join("\n") }));
}

const fixtures = fixtureFiles();

describe("rule fixtures", () => {
  it("every rule has a fixture with at least one expect and one ok line", () => {
    const missing: string[] = [];
    for (const rule of allRules) {
      const id = rule.meta.id;
      const [cat, name] = id.split("/");
      const file = fixtures.find((f) => f.includes(`/${cat}/${name}.fixture.`));
      if (!file) {
        missing.push(`${id}: no fixture`);
        continue;
      }
      const ex = expectations(readFileSync(file, "utf8")).filter((e) => e.id === id);
      if (!ex.some((e) => e.kind === "expect")) missing.push(`${id}: no // expect: line`);
      if (!ex.some((e) => e.kind === "ok")) missing.push(`${id}: no // ok: line`);
    }
    expect(missing).toEqual([]);
  });

  it.each(fixtures.map((f) => [relative(root, f)]))("%s", (rel) => {
    const text = readFileSync(join(root, rel), "utf8");
    const ruleId = rel.replace(/^rules\//, "").replace(/\.fixture\.[cm]?[jt]sx?$/, "");
    const rule = allRules.find((r) => r.meta.id === ruleId);
    expect(rule).toBeDefined();
    // The fixture's path is made to look like server code (fixtures live under rules/, not a test folder).
    const path = `src/${ruleId.split("/")[1]}${rel.slice(rel.lastIndexOf("."))}`;
    const result = analyze(fixtureInputs(text, path), [rule!]);
    expect(result.skipped).toEqual([]);
    expect(result.ruleErrors).toEqual([]);
    const found = new Set(result.findings.filter((f) => f.ruleId === ruleId).map((f) => f.line));
    const ex = expectations(text).filter((e) => e.id === ruleId);
    const problems: string[] = [];
    for (const e of ex) {
      if (e.kind === "expect" && !found.has(e.line)) problems.push(`line ${e.line}: expected a finding, got none`);
      if (e.kind === "ok" && found.has(e.line)) problems.push(`line ${e.line}: marked ok but flagged`);
    }
    const annotated = new Set(ex.filter((e) => e.kind === "expect").map((e) => e.line));
    for (const f of result.findings) if (f.ruleId === ruleId && !annotated.has(f.line)) problems.push(`line ${f.line}: unexpected finding: ${f.message}`);
    expect(problems).toEqual([]);
  });
});
