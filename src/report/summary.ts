import type { Finding, SkippedFile } from "../core/types.js";
import { severityIcon } from "./comment.js";
import { MAX_TEXT, truncate } from "./limits.js";

export interface SummaryInput {
  findings: Finding[];
  suppressedCount: number;
  skipped: SkippedFile[];
  notReviewed: string[];
  rulesRun: string[];
  filesAnalyzed: number;
  durationMs: number;
  configError?: string;
  ruleErrors: { ruleId: string; path: string; message: string }[];
  publishError?: string;
  /** Builds a link to a line of the head commit. */
  link: (path: string, line: number) => string;
  newComments: number;
  fixedCount: number;
}

const CATEGORIES = ["security", "architecture", "observability"] as const;
const SEVERITIES = ["error", "warning", "notice"] as const;

export function checkTitle(findings: Finding[]): string {
  if (!findings.length) return "No problems found in the changed lines";
  const by = (s: string) => findings.filter((f) => f.severity === s).length;
  const parts = SEVERITIES.map((s) => [s, by(s)] as const).filter(([, n]) => n).map(([s, n]) => `${n} ${s}${n === 1 ? "" : "s"}`);
  return `${findings.length} finding${findings.length === 1 ? "" : "s"}: ${parts.join(", ")}`;
}

/** The check run summary: findings table, top findings with links, skipped files, rules and timing. Fits 65,535 chars. */
export function checkSummary(s: SummaryInput): string {
  const out: string[] = [];
  if (s.configError) out.push(`> [!WARNING]\n> ${s.configError.split("\n").join("\n> ")}`, "");
  if (s.publishError) out.push(`> [!CAUTION]\n> ${s.publishError}`, "");
  if (s.findings.length) {
    out.push("| Category | 🔴 error | 🟠 warning | 🔵 notice |", "|---|---:|---:|---:|");
    for (const c of CATEGORIES) {
      const fs = s.findings.filter((f) => f.category === c);
      if (fs.length) out.push(`| ${c} | ${SEVERITIES.map((sev) => fs.filter((f) => f.severity === sev).length).join(" | ")} |`);
    }
    out.push("");
  } else out.push("No findings on the lines this pull request changed. ✅", "");
  if (s.newComments || s.fixedCount) out.push(`${s.newComments} new inline comment${s.newComments === 1 ? "" : "s"}; ${s.fixedCount} earlier finding${s.fixedCount === 1 ? "" : "s"} fixed.`, "");
  if (s.suppressedCount) out.push(`${s.suppressedCount} finding${s.suppressedCount === 1 ? "" : "s"} suppressed with \`vigil-ignore\` comments.`, "");
  const top = [...s.findings].sort((a, b) => rank(b) - rank(a)).slice(0, 30);
  if (top.length) {
    out.push("### Top findings", "");
    for (const f of top) out.push(`- ${severityIcon(f.severity)} [\`${f.path}:${f.line}\`](${s.link(f.path, f.line)}) \`${f.ruleId}\` — ${f.message.split("\n")[0]}`);
    if (s.findings.length > top.length) out.push(`- … and ${s.findings.length - top.length} more (see the annotations)`);
    out.push("");
  }
  const diagrams = s.findings.filter((f) => f.details?.includes("```mermaid")).slice(0, 3);
  for (const f of diagrams) out.push(`#### \`${f.ruleId}\` at \`${f.path}:${f.line}\``, "", f.details!, "");
  if (s.skipped.length || s.notReviewed.length) {
    out.push("### Not reviewed", "");
    for (const k of s.skipped.slice(0, 100)) out.push(`- \`${k.path}\`: ${k.reason}`);
    if (s.skipped.length > 100) out.push(`- … and ${s.skipped.length - 100} more skipped files`);
    for (const n of s.notReviewed) out.push(`- ${n}`);
    out.push("");
  }
  if (s.ruleErrors.length) {
    out.push("### Internal rule errors", "");
    for (const e of s.ruleErrors.slice(0, 20)) out.push(`- \`${e.ruleId}\` on \`${e.path}\`: ${e.message}`);
    out.push("");
  }
  out.push(`<sub>${s.filesAnalyzed} file${s.filesAnalyzed === 1 ? "" : "s"} analyzed with ${s.rulesRun.length} rules in ${(s.durationMs / 1000).toFixed(1)} s.</sub>`);
  out.push("", `<details><summary>Rules run</summary>\n\n${s.rulesRun.map((r) => `\`${r}\``).join(", ")}\n</details>`);
  return truncate(out.join("\n"), MAX_TEXT);
}

function rank(f: Finding): number {
  return f.severity === "error" ? 3 : f.severity === "warning" ? 2 : 1;
}
