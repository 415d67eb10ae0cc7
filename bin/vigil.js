#!/usr/bin/env node
// The `vigil` command. In a checkout it runs the TypeScript sources through tsx (never a stale build);
// in the Docker image, which ships only dist/, it runs the compiled JavaScript (bundled).
import { existsSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { dirname, join } from "node:path";

import { enableCompileCache } from "./compile-cache.js";

enableCompileCache();
const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const source = join(root, "src", "cli", "main.ts");
if (existsSync(source) && !process.env.VIGIL_USE_DIST) {
  const { register } = await import("tsx/esm/api");
  register();
  await import(pathToFileURL(source).href);
} else {
  // The bundle (`npm run build`, scripts/bundle-cli.mjs) starts faster; tsc's per-module output is the fallback.
  const bundle = join(root, "dist", "cli", "vigil-cli.js");
  await import(pathToFileURL(existsSync(bundle) ? bundle : join(root, "dist", "src", "cli", "main.js")).href);
}
