import { analyze } from "../../src/core/analyze.js";
import sqlInjection from "../../rules/security/sql-injection.js";

const handler = (line: string) => `import express from "express";
const app = express();
app.get("/u", async (req, res) => {
${line}
  await db.query("SELECT * FROM users WHERE id = " + req.query.id);
});
`;

describe("suppressions", () => {
  it("a next-line directive with the rule id and a reason silences the finding and counts it", () => {
    const r = analyze([{ path: "src/a.ts", content: handler("  // vigil-ignore-next-line security/sql-injection -- id is checked by the gateway") }], [sqlInjection]);
    expect(r.findings).toEqual([]);
    expect(r.suppressed).toHaveLength(1);
    expect(r.suppressed[0].reason).toBe("id is checked by the gateway");
  });

  it("a directive for another rule does not silence it", () => {
    const r = analyze([{ path: "src/a.ts", content: handler("  // vigil-ignore-next-line security/xss -- n/a") }], [sqlInjection]);
    expect(r.findings).toHaveLength(1);
  });

  it("a file directive silences the rule in the whole file; a category works too", () => {
    const r = analyze([{ path: "src/a.ts", content: "// vigil-ignore-file security -- legacy module, tracked in JIRA-12\n" + handler("") }], [sqlInjection]);
    expect(r.findings).toEqual([]);
  });

  it("fingerprints survive lines moving", () => {
    const a = analyze([{ path: "src/a.ts", content: handler("") }], [sqlInjection]).findings[0];
    const b = analyze([{ path: "src/a.ts", content: "\n\n// moved\n" + handler("") }], [sqlInjection]).findings[0];
    expect(a.line).not.toBe(b.line);
    expect(a.fingerprint).toBe(b.fingerprint);
  });
});

describe("files that cannot be analyzed", () => {
  it("are skipped with a reason: syntax error, binary, minified, huge", () => {
    const r = analyze(
      [
        { path: "src/broken.ts", content: "export const x = (a, b) => a +* b;" },
        { path: "src/bin.js", content: "abc\u0000def" },
        { path: "src/bundle.js", content: "var a=1;".repeat(2000) },
        { path: "src/huge.ts", content: "x\n".repeat(600_000) },
        { path: "README.md", content: "# not code" },
      ],
      [sqlInjection],
    );
    expect(r.skipped.map((s) => `${s.path}: ${s.reason.split(" (")[0]}`)).toEqual([
      "src/broken.ts: does not parse",
      "src/bin.js: binary file",
      "src/bundle.js: minified or generated",
      "src/huge.ts: too large",
    ]);
    expect(r.filesAnalyzed).toBe(0);
  });
});
