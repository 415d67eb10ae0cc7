import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import parseDiff from "parse-diff";
import { analyze } from "../core/analyze.js";
import type { Finding } from "../core/types.js";
import { isAnalyzablePath } from "../core/file-kind.js";
import { allLines, type ChangedLines } from "../diff/changed-lines.js";
import { onChangedLines } from "../review/select.js";
import { CONFIG_PATH, parseConfig, pathFilter, toAnalyzeOptions } from "../config/load.js";
import { allRules } from "../../rules/index.js";
import { UsageError } from "./collect-files.js";

/** Lines added in the working tree relative to `base`, per file (git's own diff, no context lines). */
function changedSince(base: string): Map<string, ChangedLines> {
  let out: string;
  try {
    out = execFileSync("git", ["diff", "--unified=0", "--no-color", "--no-ext-diff", base, "--"], { encoding: "utf8", maxBuffer: 1 << 28 });
  } catch (err) {
    throw new UsageError(`git diff against ${base} failed: ${(err as Error).message.split("\n")[0]}`);
  }
  const changed = new Map<string, ChangedLines>();
  for (const file of parseDiff(out)) {
    if (file.deleted || !file.to || file.to === "/dev/null") continue;
    const added = new Set<number>();
    for (const chunk of file.chunks) for (const c of chunk.changes) if (c.type === "add") added.add(c.ln);
    if (added.size) changed.set(file.to, { added, commentable: new Set(added) });
  }
  // New files git does not track yet are all added lines too.
  const untracked = execFileSync("git", ["ls-files", "--others", "--exclude-standard"], { encoding: "utf8" }).split("\n").filter(Boolean);
  for (const path of untracked) {
    if (!isAnalyzablePath(path) || !existsSync(path)) continue;
    const n = readFileSync(path, "utf8").split("\n").length;
    changed.set(path, allLines(n));
  }
  return changed;
}

/** `vigil diff [--base REF]`: reviews what changed since REF (default HEAD) in this checkout, like the App reviews a PR. */
export function reviewLocalDiff(argv: string[]): { findings: Finding[]; skipped: { path: string; reason: string }[]; files: number; failOn: string; format: string } {
  const { values } = parseArgs({
    args: argv,
    options: { base: { type: "string", default: "HEAD" }, format: { type: "string", default: "text" }, "fail-on": { type: "string", default: "error" } },
  });
  const loaded = parseConfig(existsSync(CONFIG_PATH) ? readFileSync(CONFIG_PATH, "utf8") : undefined);
  if (loaded.error) throw new UsageError(loaded.error);
  const wanted = pathFilter(loaded.config);
  const changed = changedSince(values.base!);
  const inputs = [...changed.keys()].filter((p) => isAnalyzablePath(p) && wanted(p) && existsSync(p)).map((path) => ({ path, content: readFileSync(path, "utf8") }));
  const changedLines = Object.fromEntries([...changed].map(([p, c]) => [p, [...c.added]]));
  const result = analyze(inputs, allRules, { ...toAnalyzeOptions(loaded.config), changedLines });
  const findings = onChangedLines(result.findings, changed).map((p) => p.finding);
  return { findings, skipped: result.skipped, files: result.filesAnalyzed, failOn: values["fail-on"]!, format: values.format! };
}
