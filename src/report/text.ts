import type { Finding, SkippedFile } from "../core/types.js";

const TAG: Record<Finding["severity"], string> = { error: "error  ", warning: "warning", notice: "notice " };

/** Compiler-style lines (`path:line:col  severity  message  [rule CWE]`), then a count. */
export function toText(findings: Finding[], skipped: SkippedFile[], filesAnalyzed: number): string {
  const lines = findings.map((f) => `${f.path}:${f.line}:${f.column ?? 1}  ${TAG[f.severity]}  ${f.message}  [${f.ruleId} ${f.cwe.join(",")}]`);
  for (const s of skipped) lines.push(`${s.path}  skipped: ${s.reason}`);
  const count = (s: Finding["severity"]) => findings.filter((f) => f.severity === s).length;
  lines.push(`${filesAnalyzed} files, ${findings.length} findings (${count("error")} errors, ${count("warning")} warnings, ${count("notice")} notices)`);
  return lines.join("\n") + "\n";
}
