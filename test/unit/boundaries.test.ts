import { readdirSync, readFileSync } from "node:fs";
import { join, relative, resolve, dirname } from "node:path";
import { ts } from "ts-morph";
import { ImportTable } from "../../src/core/imports.js";

/**
 * The layering Vigil asks of others, checked on itself (in the spirit of dependency-cruiser's forbidden rules):
 * the core and the rules are pure — no GitHub, no network, no server — so they run the same in the App and the CLI.
 */
const root = join(import.meta.dirname, "../..");
const FORBIDDEN_PACKAGES = /^(probot|@octokit\/|octokit|node:http|http|https|node:https|undici|axios|node-fetch|pino-http|prom-client)$|^@octokit\//;

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return tsFiles(p);
    return /\.ts$/.test(e.name) && !/\.fixture\./.test(e.name) ? [p] : [];
  });
}

function importsOf(file: string): string[] {
  const sf = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.ES2022, true);
  return [...new ImportTable(sf).modules];
}

function violations(dir: string, allowedRelativeRoots: string[]): string[] {
  const out: string[] = [];
  for (const file of tsFiles(join(root, dir))) {
    for (const spec of importsOf(file)) {
      const rel = relative(root, file);
      if (FORBIDDEN_PACKAGES.test(spec)) out.push(`${rel} imports ${spec}`);
      if (spec.startsWith(".")) {
        const target = relative(root, resolve(dirname(file), spec));
        if (!allowedRelativeRoots.some((r) => target.startsWith(r))) out.push(`${rel} imports ${target}`);
      }
    }
  }
  return out;
}

describe("module boundaries", () => {
  it("src/core imports nothing from GitHub, the server or other layers", () => {
    expect(violations("src/core", ["src/core/"])).toEqual([]);
  });
  it("rules import only the core", () => {
    expect(violations("rules", ["src/core/", "rules/"])).toEqual([]);
  });
  it("the review orchestration depends on the GitHubPort interface, not on octokit or Probot", () => {
    expect(violations("src/review", ["src/review/", "src/core/", "src/diff/", "src/config/", "src/report/"])).toEqual([]);
  });
});
