import { readdirSync, statSync } from "node:fs";
import { join, relative, resolve, sep } from "node:path";
import picomatch from "picomatch";
import { isAnalyzablePath } from "../core/file-kind.js";

const ALWAYS_SKIPPED_DIRS = new Set(["node_modules", ".git", ".hg", ".svn"]);

/** Every JS/TS file under the given paths (files are taken as given), relative to `cwd`, sorted. */
export function collectFiles(paths: string[], cwd: string, exclude: string[]): string[] {
  const excluded = picomatch(exclude, { dot: true });
  const out = new Set<string>();
  const visit = (abs: string): void => {
    const rel = relative(cwd, abs).split(sep).join("/") || ".";
    let st;
    try {
      st = statSync(abs);
    } catch {
      return;
    }
    if (st.isDirectory()) {
      for (const entry of readdirSync(abs)) {
        if (ALWAYS_SKIPPED_DIRS.has(entry)) continue;
        visit(join(abs, entry));
      }
    } else if (st.isFile() && isAnalyzablePath(rel) && !excluded(rel)) out.add(rel);
  };
  for (const p of paths) {
    const abs = resolve(cwd, p);
    try {
      if (statSync(abs).isFile()) {
        out.add(relative(cwd, abs).split(sep).join("/"));
        continue;
      }
    } catch {
      throw new UsageError(`no such file or directory: ${p}`);
    }
    visit(abs);
  }
  return [...out].sort();
}

export class UsageError extends Error {}
