import { parseConfig, pathFilter, toAnalyzeOptions } from "../../src/config/load.js";

describe(".github/vigil.yml", () => {
  it.each([
    ["no file", undefined, undefined],
    ["empty file", "", undefined],
    ["rule off by id", "rules:\n  security/sql-injection: off\n", undefined],
    ["category severity", "rules:\n  observability: notice\n", undefined],
    ["bad failOn", "failOn: sometimes\n", "`failOn`"],
    ["unknown key", "colour: blue\n", "colour"],
    ["not YAML", "rules: [\n", "not valid YAML"],
    ["bad rule setting", "rules:\n  security/jwt: loud\n", "`rules.security/jwt`"],
  ])("%s", (_name, text, errorContains) => {
    const loaded = parseConfig(text);
    if (errorContains) expect(loaded.error).toContain(errorContains);
    else expect(loaded.error).toBeUndefined();
    expect(loaded.config.failOn).toBeDefined();
  });

  it("turns rule settings into engine options", () => {
    const { config } = parseConfig("rules:\n  security/sql-injection: off\n  observability: notice\n  security/jwt:\n    severity: warning\n");
    expect(toAnalyzeOptions(config).rules).toEqual({
      "security/sql-injection": { enabled: false },
      observability: { enabled: true, severity: "notice" },
      "security/jwt": { severity: "warning" },
    });
  });

  it("excludes vendored, built and generated files by default, plus the user's globs", () => {
    const keep = pathFilter(parseConfig("paths:\n  exclude: ['legacy/**']\n").config);
    expect(keep("src/app.ts")).toBe(true);
    expect(keep("node_modules/x/index.js")).toBe(false);
    expect(keep("dist/app.js")).toBe(false);
    expect(keep("public/jquery.min.js")).toBe(false);
    expect(keep("src/__generated__/schema.ts")).toBe(false);
    expect(keep("legacy/old.js")).toBe(false);
  });
});

describe("docs/vigil.schema.json", () => {
  it("is generated from the zod schema and up to date (run `npm run docs:rules`)", async () => {
    const { readFileSync } = await import("node:fs");
    const { join } = await import("node:path");
    const { configJsonSchema } = await import("../../src/config/json-schema.js");
    const onDisk = JSON.parse(readFileSync(join(import.meta.dirname, "../../docs/vigil.schema.json"), "utf8"));
    expect(onDisk).toEqual(JSON.parse(JSON.stringify(configJsonSchema())));
  });

  it("does not require keys that have defaults", async () => {
    const { configJsonSchema } = await import("../../src/config/json-schema.js");
    expect((configJsonSchema() as { required?: string[] }).required ?? []).toEqual([]);
  });
});
