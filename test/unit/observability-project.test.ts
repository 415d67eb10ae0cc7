import { analyze } from "../../src/core/analyze.js";
import noConsole from "../../rules/observability/no-console-in-server.js";
import missingAuthorization from "../../rules/architecture/missing-authorization.js";

describe("project-aware messages", () => {
  const server = 'import express from "express";\nconst app = express();\napp.listen(3000, () => {\n  console.log("listening");\n});\n';

  it("no-console-in-server: a notice that asks for a logger when the project has none", () => {
    const result = analyze([{ path: "src/server.ts", content: server }], [noConsole]);
    expect(result.findings.map((f) => [f.line, f.severity])).toEqual([[4, "notice"]]);
    expect(result.findings[0].message).toContain("add a structured logger");
  });

  it("no-console-in-server: a warning when another file of the project has a logger", () => {
    const logger = 'import pino from "pino";\nexport const logger = pino();\n';
    const result = analyze([{ path: "src/server.ts", content: server }, { path: "src/logger.ts", content: logger }], [noConsole]);
    expect(result.findings.map((f) => [f.line, f.severity])).toEqual([[4, "warning"]]);
  });

  it("missing-authorization: no mention of an id when the route has none", () => {
    const routes =
      'import { Router } from "express";\nimport { requireAuth } from "./auth";\nexport const r = Router();\n' +
      'r.get("/reports", requireAuth, (req, res) => res.json([]));\nr.post("/reports/rebuild", (req, res) => res.sendStatus(202));\n';
    const result = analyze([{ path: "src/reports.ts", content: routes }], [missingAuthorization]);
    expect(result.findings.map((f) => f.line)).toEqual([5]);
    expect(result.findings[0].message).not.toMatch(/\bid\b/);
  });
});
