import { analyze } from "../../src/core/analyze.js";
import layerViolation from "../../rules/architecture/layer-violation.js";
import importCycle from "../../rules/architecture/import-cycle.js";
import duplicatedLogic from "../../rules/architecture/duplicated-logic.js";

/** Cross-file architecture rules over several in-memory files (the fixture test covers the single-analysis case). */
describe("architecture rules across files", () => {
  it("layer-violation honours configured layers (picomatch globs, allow lists) and explains the edge in a diagram", () => {
    const files = [
      { path: "app/web/orders.ts", content: 'import { placeOrder } from "../app/orders";\nimport { db } from "../infra/db";\nimport express from "express";\nexport const r = express.Router();\nr.post("/o", async (req, res) => res.json(await placeOrder(db, req.body)));\n' },
      { path: "app/app/orders.ts", content: 'import { db } from "../infra/db";\nexport async function placeOrder(d: typeof db, x: unknown) { return d.insert(x); }\n' },
      { path: "app/infra/db.ts", content: "export const db = { insert: async (x: unknown) => x };\n" },
    ];
    const layers = {
      layers: [
        { name: "web", paths: ["app/web/**"] },
        { name: "application", paths: ["app/app/**"] },
        { name: "infrastructure", paths: ["app/infra/**"] },
      ],
      allow: { web: ["application"], application: ["infrastructure"] },
    };
    const result = analyze(files, [layerViolation], { layers });
    expect(result.ruleErrors).toEqual([]);
    expect(result.findings.map((f) => `${f.path}:${f.line}`)).toEqual(["app/web/orders.ts:2"]);
    expect(result.findings[0].message).toContain("`web`");
    expect(result.findings[0].details).toMatch(/```mermaid\ngraph LR/);
    expect(result.findings[0].details).toContain("infra/db");
  });

  it("layer-violation stays quiet when the default layout is not recognized", () => {
    const result = analyze([{ path: "src/app.ts", content: 'import { pool } from "./pool";\nexport const q = () => pool.query("select 1");\n' }], [layerViolation]);
    expect(result.findings).toEqual([]);
  });

  it("import-cycle reports each cycle once (on its first reported file), names it, ignores type-only imports and context-only cycles", () => {
    const files = [
      { path: "src/a.ts", content: 'import { b } from "./b";\nexport const a = () => b();\n' },
      { path: "src/b.ts", content: 'import { c } from "./c.js";\nexport const b = () => c();\n' },
      { path: "src/c.ts", content: 'import { a } from "./a";\nexport const c = () => a();\n', context: true },
      { path: "src/t1.ts", content: 'import type { T2 } from "./t2";\nexport type T1 = { t: T2 };\n' },
      { path: "src/t2.ts", content: 'import type { T1 } from "./t1";\nexport type T2 = { t?: T1 };\n' },
      { path: "src/x.ts", content: 'import { y } from "./y";\nexport const x = () => y();\n', context: true },
      { path: "src/y.ts", content: 'import { x } from "./x";\nexport const y = () => x();\n', context: true },
    ];
    const result = analyze(files, [importCycle]);
    expect(result.findings.map((f) => f.path)).toEqual(["src/a.ts"]);
    expect(result.findings[0].message).toContain("a → b → c → a");
    expect(result.findings[0].details).toContain("```mermaid");
  });

  it("import-cycle reports a 3,000-module cycle once, with a shortened name", () => {
    const n = 3000;
    const files = Array.from({ length: n }, (_, i) => ({
      path: `src/m${i}.ts`,
      content: `import { f${(i + 1) % n} } from "./m${(i + 1) % n}";\nexport const f${i} = () => f${(i + 1) % n};\n`,
    }));
    const result = analyze(files, [importCycle]);
    expect(result.findings).toHaveLength(1);
    expect(result.findings[0].message).toContain("(2992 more)");
  });

  it("duplicated-logic points at the original in a context file and skips tests", () => {
    const body = (v: string) => `
  const ${v}Street = input.street.trim();
  const ${v}City = input.city.trim().toLowerCase();
  const ${v}Zip = input.zip.replace(/\\s/g, "");
  if (!${v}Street) throw new Error("street");
  if (!${v}City) throw new Error("city");
  if (!${v}Zip) throw new Error("zip");
  return { street: ${v}Street, city: ${v}City, zip: ${v}Zip };`;
    const files = [
      { path: "src/lib/address.ts", content: `export function normalize(input: { street: string; city: string; zip: string }) {${body("a")}\n}\n`, context: true },
      { path: "src/orders/ship.ts", content: `export function cleanShipping(input: { street: string; city: string; zip: string }) {${body("s")}\n}\n` },
      { path: "src/orders/ship.test.ts", content: `export function fixture(input: { street: string; city: string; zip: string }) {${body("t")}\n}\n` },
    ];
    const result = analyze(files, [duplicatedLogic]);
    expect(result.findings.map((f) => `${f.path}:${f.line}`)).toEqual(["src/orders/ship.ts:1"]);
    expect(result.findings[0].message).toContain("src/lib/address.ts:1");
  });
});
