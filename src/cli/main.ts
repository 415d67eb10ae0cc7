import { readFileSync, writeFileSync, existsSync } from "node:fs";
import { parseArgs } from "node:util";
import { analyzeParallel } from "./scan-parallel.js";
import { SEVERITY_RANK, type Finding } from "../core/types.js";
import { allRules } from "../../rules/index.js";
import { DEFAULT_EXCLUDES } from "../config/schema.js";
import { CONFIG_PATH, parseConfig, toAnalyzeOptions } from "../config/load.js";
import { toSarif } from "../report/sarif.js";
import { toText } from "../report/text.js";
import { collectFiles, UsageError } from "./collect-files.js";

const VERSION = "0.1.0";
const USAGE = `Usage:
  vigil scan <paths...> [--format text|json|sarif] [--output FILE] [--fail-on error|warning|notice|never]
                        [--config FILE] [--exclude GLOB]...
  vigil diff [--base REF] [--format text|json|sarif] [--fail-on …]  only the lines changed since REF (default HEAD)
  vigil pr <owner/repo#N> [--post] [--format text|json|sarif]     (needs GITHUB_TOKEN)
  vigil rules                                                      list the rules

Exit codes: 0 nothing at or above --fail-on, 1 findings at or above it, 2 usage error.`;

type FailOn = "error" | "warning" | "notice" | "never";

export function failed(findings: Finding[], failOn: FailOn): boolean {
  return failOn !== "never" && findings.some((f) => SEVERITY_RANK[f.severity] >= SEVERITY_RANK[failOn]);
}

export function render(format: string, findings: Finding[], skipped: { path: string; reason: string }[], files: number): string {
  if (format === "sarif") return JSON.stringify(toSarif(findings, allRules.map((r) => r.meta), VERSION), null, 2) + "\n";
  if (format === "json") return JSON.stringify({ findings, skipped, files }, null, 2) + "\n";
  return toText(findings, skipped, files);
}

/** A progress line on a terminal, redrawn at most ten times a second. */
function progressLine(): (done: number, total: number, findings: number) => void {
  let last = 0;
  return (done, total, findings) => {
    const now = Date.now();
    if (now - last < 100 && done !== total) return;
    last = now;
    process.stderr.write(`\r${done}/${total} files, ${findings} findings`);
  };
}

async function scan(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      format: { type: "string", default: "text" },
      output: { type: "string" },
      "fail-on": { type: "string", default: "error" },
      config: { type: "string" },
      exclude: { type: "string", multiple: true, default: [] },
    },
  });
  if (!positionals.length) throw new UsageError("scan needs at least one path");
  if (!["text", "json", "sarif"].includes(values.format!)) throw new UsageError(`unknown --format ${values.format}`);
  if (!["error", "warning", "notice", "never"].includes(values["fail-on"]!)) throw new UsageError(`unknown --fail-on ${values["fail-on"]}`);
  const cwd = process.cwd();
  const configFile = values.config ?? (existsSync(CONFIG_PATH) ? CONFIG_PATH : undefined);
  const loaded = parseConfig(configFile ? readFileSync(configFile, "utf8") : undefined);
  if (loaded.error) throw new UsageError(loaded.error);
  const files = collectFiles(positionals, cwd, [...DEFAULT_EXCLUDES, ...loaded.config.paths.exclude, ...values.exclude!]);
  const inputs = files.map((path) => ({ path, content: readFileSync(path, "utf8") }));
  const tty = process.stderr.isTTY && !process.env.CI;
  const started = Date.now();
  const profile = process.env.VIGIL_PROFILE ? new Map<string, number>() : undefined;
  const result = await analyzeParallel(inputs, {
    ...toAnalyzeOptions(loaded.config),
    profile,
    onProgress: tty ? progressLine() : undefined,
  });
  if (tty) process.stderr.write(`\r${" ".repeat(60)}\r`);
  const out = render(values.format!, result.findings, result.skipped, result.filesAnalyzed);
  if (values.output) writeFileSync(values.output, out);
  else process.stdout.write(out);
  if (tty) process.stderr.write(`scanned ${result.filesAnalyzed} files (${result.linesAnalyzed} lines) in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  if (profile) {
    const rows = [...profile.entries()].sort((a, b) => b[1] - a[1]);
    process.stderr.write(rows.map(([id, ms]) => `${ms.toFixed(0).padStart(7)} ms  ${id}`).join("\n") + "\n");
  }
  for (const e of result.ruleErrors) process.stderr.write(`vigil: rule ${e.ruleId} failed on ${e.path}: ${e.message}\n`);
  return failed(result.findings, values["fail-on"] as FailOn) ? 1 : 0;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case "scan":
        return await scan(rest);
      case "pr":
        // `pr` and `diff` load GitHub, git and diff code that `scan` never needs: imported when used.
        return await (await import("./pr.js")).reviewPullFromTerminal(rest);
      case "diff": {
        const r = (await import("./diff.js")).reviewLocalDiff(rest);
        if (!["text", "json", "sarif"].includes(r.format)) throw new UsageError(`unknown --format ${r.format}`);
        if (!["error", "warning", "notice", "never"].includes(r.failOn)) throw new UsageError(`unknown --fail-on ${r.failOn}`);
        process.stdout.write(render(r.format, r.findings, r.skipped, r.files));
        return failed(r.findings, r.failOn as FailOn) ? 1 : 0;
      }
      case "rules":
        for (const r of allRules) process.stdout.write(`${r.meta.id.padEnd(44)} ${r.meta.severity.padEnd(8)} ${r.meta.cwe.join(",").padEnd(24)} ${r.meta.title}\n`);
        return 0;
      case "--version":
        process.stdout.write(VERSION + "\n");
        return 0;
      case undefined:
      case "help":
      case "--help":
      case "-h":
        process.stdout.write(USAGE + "\n");
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command ${command}`);
    }
  } catch (err) {
    if (err instanceof UsageError || (err as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) {
      process.stderr.write(`vigil: ${(err as Error).message}\n\n${USAGE}\n`);
      return 2;
    }
    throw err;
  }
}

process.exitCode = await main(process.argv.slice(2));
