import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

/** Real TypeScript not written here: the `src/**\/*.ts` of these npm packages (STACK.md's benchmark recipe). */
export const PACKAGES = [
  "mongodb@7.9.0", "@grpc/grpc-js@1.14.7", "@apollo/server@5.5.1", "@trpc/server@11.25.2", "rxjs@7.8.2",
  "@temporalio/worker@1.24.0", "@temporalio/common@1.24.0", "@temporalio/client@1.24.0", "openai@6.49.0",
];

export const CORPUS_DIR = process.env.BENCH_CORPUS ?? join(homedir(), ".cache", "vigil-bench", "corpus");

/** Downloads and unpacks the packages once (npm pack), outside the repository. */
export function ensureCorpus(): string {
  if (existsSync(join(CORPUS_DIR, ".complete"))) return CORPUS_DIR;
  mkdirSync(CORPUS_DIR, { recursive: true });
  for (const spec of PACKAGES) {
    const dir = join(CORPUS_DIR, spec.replace(/[@/]/g, "_"));
    mkdirSync(dir, { recursive: true });
    const tgz = execFileSync("npm", ["pack", spec, "--silent", "--pack-destination", dir], { encoding: "utf8" }).trim().split("\n").pop()!;
    execFileSync("tar", ["xzf", join(dir, tgz), "-C", dir]);
  }
  execFileSync("touch", [join(CORPUS_DIR, ".complete")]);
  return CORPUS_DIR;
}

/** The corpus files: src/**\/*.ts, no declaration files. */
export function corpusFiles(root = CORPUS_DIR): string[] {
  const out: string[] = [];
  const walk = (dir: string, inSrc: boolean): void => {
    for (const e of readdirSync(dir)) {
      const p = join(dir, e);
      const st = statSync(p);
      if (st.isDirectory()) {
        if (e === "node_modules") continue;
        walk(p, inSrc || e === "src");
      } else if (inSrc && p.endsWith(".ts") && !p.endsWith(".d.ts")) out.push(p);
    }
  };
  walk(root, false);
  return out.sort();
}

export function countLines(files: string[]): number {
  return files.reduce((n, f) => n + readFileSync(f, "utf8").split("\n").length, 0);
}
