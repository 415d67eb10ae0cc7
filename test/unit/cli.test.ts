import { spawnSync } from "node:child_process";
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const bin = join(import.meta.dirname, "../../bin/vigil.js");

function vigil(args: string[], cwd: string) {
  return spawnSync(process.execPath, [bin, ...args], { cwd, encoding: "utf8", env: { ...process.env, CI: "true" } });
}

describe("vigil scan", () => {
  const dir = mkdtempSync(join(tmpdir(), "vigil-cli-"));
  mkdirSync(join(dir, "lib"));
  // a plain .js file outside any package (no package.json, no tsconfig)
  writeFileSync(join(dir, "lib/server.js"), `const express = require("express");
const { exec } = require("child_process");
const app = express();
app.get("/ping", (req, res) => {
  exec("ping -c 1 " + req.query.host, (err, out) => res.send(out));
});
`);
  writeFileSync(join(dir, "lib/clean.js"), "module.exports = (a, b) => a + b;\n");

  it("exits 1 with findings at or above --fail-on and prints compiler-style lines", () => {
    const r = vigil(["scan", "lib"], dir);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^lib\/server\.js:5:\d+ {2}error {3}.*\[security\/command-injection CWE-78/m);
    expect(r.stderr).toBe(""); // no progress output in pipes / CI
  });

  it("keeps a V8 code cache of the TypeScript compiler and gives the same result with it", () => {
    const cache = mkdtempSync(join(tmpdir(), "vigil-cc-"));
    const run = () => spawnSync(process.execPath, [bin, "scan", "lib", "--format", "json"], { cwd: dir, encoding: "utf8", env: { ...process.env, CI: "true", VIGIL_COMPILE_CACHE_DIR: cache } });
    const first = run();
    const written = readdirSync(cache).filter((f) => f.endsWith(".v8"));
    expect(written.length).toBeGreaterThan(0);
    const second = run();
    expect(second.status).toBe(first.status);
    expect(second.stdout).toBe(first.stdout);
    expect(JSON.parse(second.stdout).findings.length).toBeGreaterThan(0);
  });

  it("gives the same result from the bundled build (one thread and two) as from the sources", () => {
    // Inside the repository so the bundle resolves ts-morph from node_modules, as dist/cli does.
    const out = mkdtempSync(join(import.meta.dirname, "../../node_modules/.vigil-bundle-test-"));
    const built = spawnSync(process.execPath, [join(import.meta.dirname, "../../scripts/bundle-cli.mjs"), out], { encoding: "utf8" });
    expect(built.stderr).toBe("");
    expect(built.status).toBe(0);
    const many = join(dir, "many");
    mkdirSync(many, { recursive: true });
    // enough files (PARALLEL_MIN_FILES) for the parallel scan to split them between threads
    for (let i = 0; i < 320; i++) writeFileSync(join(many, `route${i}.js`), readFileSync(join(dir, "lib/server.js"), "utf8"));
    const fromSources = vigil(["scan", "lib", "many", "--format", "json"], dir);
    for (const threads of ["1", "2"]) {
      const bundled = spawnSync(process.execPath, [join(out, "vigil-cli.js"), "scan", "lib", "many", "--format", "json"], { cwd: dir, encoding: "utf8", env: { ...process.env, CI: "true", VIGIL_THREADS: threads } });
      expect(bundled.stderr).toBe("");
      expect(bundled.stdout).toBe(fromSources.stdout);
    }
    expect(JSON.parse(fromSources.stdout).findings.length).toBe(321);
    rmSync(out, { recursive: true, force: true });
  });

  it("exits 0 when nothing reaches --fail-on", () => {
    expect(vigil(["scan", "lib/clean.js"], dir).status).toBe(0);
    expect(vigil(["scan", "lib", "--fail-on", "never"], dir).status).toBe(0);
  });

  it("writes SARIF 2.1.0 with CWE tags on the rules and fingerprints on the results", () => {
    const r = vigil(["scan", "lib", "--format", "sarif", "--output", "out.sarif"], dir);
    expect(r.status).toBe(1);
    const sarif = JSON.parse(readFileSync(join(dir, "out.sarif"), "utf8"));
    expect(sarif.version).toBe("2.1.0");
    const run = sarif.runs[0];
    const rule = run.tool.driver.rules.find((x: { id: string }) => x.id === "security/command-injection");
    expect(rule.properties.tags).toEqual(expect.arrayContaining(["security", "external/cwe/cwe-78"]));
    expect(rule.properties["security-severity"]).toBeDefined();
    for (const r2 of run.tool.driver.rules) expect(r2.properties.tags.some((t: string) => t.startsWith("external/cwe/cwe-"))).toBe(true);
    const result = run.results.find((x: { ruleId: string }) => x.ruleId === "security/command-injection");
    expect(result.locations[0].physicalLocation).toEqual({ artifactLocation: { uri: "lib/server.js", uriBaseId: "%SRCROOT%" }, region: expect.objectContaining({ startLine: 5 }) });
    expect(result.partialFingerprints["vigil/v1"]).toMatch(/^[0-9a-f]{24}$/);
  });

  it("exits 2 on usage errors", () => {
    expect(vigil(["scan"], dir).status).toBe(2);
    expect(vigil(["scan", "lib", "--format", "xml"], dir).status).toBe(2);
    expect(vigil(["scan", "missing-dir"], dir).status).toBe(2);
    expect(vigil(["frobnicate"], dir).status).toBe(2);
  });
});

describe("vigil diff", () => {
  const repo = mkdtempSync(join(tmpdir(), "vigil-diff-"));
  const git = (...args: string[]) => spawnSync("git", args, { cwd: repo, encoding: "utf8" });
  git("init", "-q");
  git("config", "user.email", "t@example.com");
  git("config", "user.name", "t");
  const before = `const express = require("express");
const { exec } = require("child_process");
const app = express();
app.get("/old", (req, res) => exec("ls " + req.query.dir, (e, out) => res.send(out)));
`;
  writeFileSync(join(repo, "server.js"), before);
  git("add", ".");
  git("commit", "-qm", "base");
  writeFileSync(join(repo, "server.js"), before + `app.get("/new", (req, res) => exec("cat " + req.query.file, (e, out) => res.send(out)));\n`);
  writeFileSync(join(repo, "added.js"), `const { execSync } = require("child_process");\nmodule.exports = (req) => execSync("rm -rf " + req.body.path);\n`);

  it("reports only lines changed since the base (and new untracked files), not the old finding", () => {
    const r = vigil(["diff", "--base", "HEAD"], repo);
    expect(r.status).toBe(1);
    const lines = r.stdout.split("\n").filter((l) => l.includes("command-injection")).map((l) => l.split(":").slice(0, 2).join(":"));
    expect(lines).toEqual(["added.js:2", "server.js:5"]);
  });
});
