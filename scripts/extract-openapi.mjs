#!/usr/bin/env node
// Extracts the few GitHub REST operations Vigil's GitHub fake implements from the
// @octokit/openapi description into test/github-fake/openapi-subset.json.
//
// The package is fetched with `npm pack` into a temporary folder so it never becomes a
// dependency (it unpacks to ~385 MB). Re-run with `npm run openapi:extract`.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync, rmSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const PACKAGE = "@octokit/openapi@23.0.2";
const DESCRIPTION = "package/generated/api.github.com.json";
const OPERATIONS = [
  "apps/create-installation-access-token",
  "pulls/get",
  "pulls/list",
  "pulls/list-files",
  "repos/get-content",
  "checks/create",
  "checks/update",
  "checks/get",
  "pulls/create-review",
  "pulls/list-review-comments",
  "pulls/create-reply-for-review-comment",
  "issues/remove-label",
  "pulls/list-reviews",
];
// The fake validates requests only; response bodies are dropped to keep the subset small.
const KEEP_RESPONSES = false;

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const outFile = join(root, "test", "github-fake", "openapi-subset.json");

const work = mkdtempSync(join(tmpdir(), "vigil-openapi-"));
try {
  execFileSync("npm", ["pack", PACKAGE, "--silent", "--pack-destination", work], { stdio: ["ignore", "ignore", "inherit"] });
  const tarball = readdirSync(work).find((f) => f.endsWith(".tgz"));
  if (!tarball) throw new Error(`npm pack ${PACKAGE} produced no tarball`);
  // Only the one file we need: the full package unpacks to hundreds of MB.
  execFileSync("tar", ["xzf", tarball, DESCRIPTION], { cwd: work, stdio: "inherit" });
  const spec = JSON.parse(readFileSync(join(work, DESCRIPTION), "utf8"));
  const subset = extract(spec);
  const json = JSON.stringify(subset, null, 2) + "\n";
  writeFileSync(outFile, json);
  const found = Object.values(subset.paths).flatMap((p) => Object.values(p).map((o) => o.operationId));
  console.log(`wrote ${outFile}: ${(Buffer.byteLength(json) / 1024).toFixed(1)} KiB, ${found.length} operations, ` +
    `${Object.values(subset.components).reduce((n, c) => n + Object.keys(c).length, 0)} components`);
} finally {
  rmSync(work, { recursive: true, force: true });
}

function extract(spec) {
  const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];
  const wanted = new Set(OPERATIONS);
  const paths = {};
  for (const [path, item] of Object.entries(spec.paths)) {
    for (const method of METHODS) {
      const op = item[method];
      if (!op || !wanted.has(op.operationId)) continue;
      wanted.delete(op.operationId);
      const copy = structuredClone(op);
      if (!KEEP_RESPONSES) {
        for (const [status, resp] of Object.entries(copy.responses ?? {})) {
          copy.responses[status] = { description: (resp && resp.description) || status };
        }
      }
      delete copy["x-github"]?.["previews"];
      paths[path] ??= {};
      if (item.parameters) paths[path].parameters = item.parameters;
      paths[path][method] = copy;
    }
  }
  if (wanted.size) throw new Error(`operations not found: ${[...wanted].join(", ")}`);

  // Transitive closure of #/components/... references.
  const components = {};
  const queue = [paths];
  const seen = new Set();
  while (queue.length) {
    const node = queue.pop();
    if (Array.isArray(node)) { queue.push(...node); continue; }
    if (!node || typeof node !== "object") continue;
    for (const [key, value] of Object.entries(node)) {
      if (key === "$ref" && typeof value === "string") {
        const ref = value;
        if (seen.has(ref)) continue;
        seen.add(ref);
        const m = /^#\/components\/([^/]+)\/(.+)$/.exec(ref);
        if (!m) throw new Error(`unsupported $ref ${ref}`);
        const [, kind, name] = m;
        let target = spec.components?.[kind]?.[name];
        if (target === undefined) throw new Error(`dangling $ref ${ref}`);
        if (kind === "responses" && !KEEP_RESPONSES) target = { description: target.description ?? name };
        components[kind] ??= {};
        components[kind][name] = target;
        queue.push(target);
      } else {
        queue.push(value);
      }
    }
  }
  // Stable order for reviewable diffs.
  const sorted = Object.fromEntries(Object.keys(components).sort().map((kind) => [
    kind, Object.fromEntries(Object.keys(components[kind]).sort().map((n) => [n, components[kind][n]])),
  ]));
  return { openapi: spec.openapi, info: spec.info, paths, components: sorted };
}
