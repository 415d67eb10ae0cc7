import { readFileSync } from "node:fs";
import { join } from "node:path";
import { allRules } from "../../rules/index.js";
import { rulesMarkdown } from "../../src/report/rules-doc.js";

const root = join(import.meta.dirname, "../..");

describe("rules' meta", () => {
  it("ids are unique and match their file names", () => {
    const ids = allRules.map((r) => r.meta.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(() => readFileSync(join(root, "rules", `${id}.ts`))).not.toThrow();
  });

  it.each(allRules.map((r) => [r.meta.id, r.meta] as const))("%s carries CWE ids, a title, a description and a fix", (_id, meta) => {
    expect(meta.cwe.length).toBeGreaterThan(0);
    for (const c of meta.cwe) expect(c).toMatch(/^CWE-\d+$/);
    expect(meta.title.length).toBeGreaterThan(5);
    expect(meta.description.length).toBeGreaterThan(40);
    expect(meta.fix?.length ?? 0).toBeGreaterThan(10);
  });

  it("docs/rules.md is up to date (run `npm run docs:rules`)", () => {
    expect(readFileSync(join(root, "docs/rules.md"), "utf8")).toBe(rulesMarkdown(allRules.map((r) => r.meta)));
  });
});
