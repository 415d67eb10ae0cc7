/** Loads fixture repositories (`<dir>/base/**` and `<dir>/head/**`) into in-memory trees. */
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { toBuffer } from "./diff-tree.js";
import type { FileTree } from "./types.js";

export interface FixtureRepo {
  /** `sha` is derived from the tree's contents, so it is stable across runs. */
  base: { files: FileTree; sha: string };
  head: { files: FileTree; sha: string };
}

/**
 * Reads `dir/base/**` and `dir/head/**` (a missing side is an empty tree). Text files become
 * strings; files containing a NUL byte stay Buffers (binary).
 */
export function loadFixtureRepo(dir: string): FixtureRepo {
  const base = readTree(join(dir, "base"));
  const head = readTree(join(dir, "head"));
  return { base: { files: base, sha: treeSha("base", base) }, head: { files: head, sha: treeSha("head", head) } };
}

export function readTree(root: string): FileTree {
  const files: FileTree = {};
  if (!existsSync(root)) return files;
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile()) {
        const bytes = readFileSync(full);
        files[relative(root, full).split(sep).join("/")] = bytes.includes(0) ? bytes : bytes.toString("utf8");
      }
    }
  };
  walk(root);
  return files;
}

/** A deterministic 40-hex commit-like sha for a tree (salted so base and head differ). */
export function treeSha(salt: string, files: FileTree): string {
  const hash = createHash("sha1").update(salt);
  for (const path of Object.keys(files).sort()) hash.update(`\0${path}\0`).update(toBuffer(files[path]!));
  return hash.digest("hex");
}

/** A deterministic 40-hex sha from any seed string. */
export function fakeSha(seed: string): string {
  return createHash("sha1").update(seed).digest("hex");
}
