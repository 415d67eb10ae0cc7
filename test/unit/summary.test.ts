import { checkSummary, checkTitle } from "../../src/report/summary.js";
import type { Finding } from "../../src/core/types.js";

const finding = (i: number): Finding => ({
  ruleId: "security/sql-injection", category: "security", severity: i % 3 === 0 ? "error" : "warning", message: `SQL query built from \`req.query.q${i}\` ${"x".repeat(80)}`,
  path: `src/handlers/h${i}.ts`, line: i + 1, cwe: ["CWE-89"], fingerprint: `fp${i}`,
});

const base = {
  suppressedCount: 0, notReviewed: [], rulesRun: ["security/sql-injection"], filesAnalyzed: 1, durationMs: 1234, ruleErrors: [],
  link: (p: string, l: number) => `https://github.com/o/r/blob/sha/${p}#L${l}`, newComments: 0, fixedCount: 0,
};

describe("check run summary", () => {
  it("tables findings by category and severity and links the top ones", () => {
    const s = checkSummary({ ...base, findings: [finding(0), finding(1)], skipped: [{ path: "src/x.min.js", reason: "minified file" }] });
    expect(s).toContain("| security | 1 | 1 | 0 |");
    expect(s).toContain("[`src/handlers/h0.ts:1`](https://github.com/o/r/blob/sha/src/handlers/h0.ts#L1)");
    expect(s).toContain("`src/x.min.js`: minified file");
    expect(s).toContain("1.2 s");
  });

  it("stays within GitHub's 65,535 characters for a gigantic PR and says it was cut", () => {
    const skipped = Array.from({ length: 5000 }, (_, i) => ({ path: `vendor/${"deep/".repeat(20)}f${i}.js`, reason: "does not parse (line 1: something long enough to matter here)" }));
    const s = checkSummary({ ...base, findings: Array.from({ length: 20_000 }, (_, i) => finding(i)), skipped, notReviewed: ["GitHub lists at most 3000 changed files; files past that were not reviewed."] });
    expect(s.length).toBeLessThanOrEqual(65_535);
    expect(s).toContain("and 19970 more");
  });

  it("titles the run by counts", () => {
    expect(checkTitle([])).toBe("No problems found in the changed lines");
    expect(checkTitle([finding(0), finding(1), finding(2)])).toBe("3 findings: 1 error, 2 warnings");
  });
});
