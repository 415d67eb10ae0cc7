import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { analyze } from "../../src/core/analyze.js";
import { allRules } from "../../rules/index.js";

/**
 * Observability rules are about code that runs in production: the same code in a test, a one-off script or a CLI
 * must not get a single finding (issue: "no rule fires on test files or scripts").
 */
const dir = join(import.meta.dirname, "../../rules/observability");
const rules = allRules.filter((r) => r.meta.category === "observability" && r.meta.id !== "observability/suppression-without-reason");
const fixtures = readdirSync(dir).filter((f) => /\.fixture\.[cm]?[jt]sx?$/.test(f));

describe("observability rules stay quiet outside server code", () => {
  it.each(fixtures.flatMap((f) => ["test/integration/", "src/__tests__/", "scripts/", "bin/"].map((where) => [f, where])))("%s under %s", (fixture, where) => {
    const content = readFileSync(join(dir, fixture), "utf8");
    const ext = fixture.slice(fixture.lastIndexOf("."));
    const name = fixture.replace(/\.fixture\.[cm]?[jt]sx?$/, "");
    const path = where.includes("test") ? `${where}${name}.test${ext}` : `${where}${name}${ext}`;
    const result = analyze([{ path, content }], rules);
    expect(result.findings.map((f) => `${f.ruleId}:${f.line}`)).toEqual([]);
  });
});
