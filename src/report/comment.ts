import type { Finding } from "../core/types.js";

const MARKER = /<!-- vigil-fingerprint: ([0-9a-f]+) -->/;
export const FIXED_MARKER = "<!-- vigil-fixed -->";
const ICON: Record<Finding["severity"], string> = { error: "🔴", warning: "🟠", notice: "🔵" };

export function fingerprintMarker(fp: string): string {
  return `<!-- vigil-fingerprint: ${fp} -->`;
}

/** The fingerprint hidden in one of Vigil's comments, if the body carries one. */
export function fingerprintOf(body: string): string | undefined {
  return MARKER.exec(body)?.[1];
}

export function severityIcon(s: Finding["severity"]): string {
  return ICON[s];
}

/** Markdown of one inline review comment: verdict, why, CWE, optional suggestion block, hidden fingerprint. */
export function commentBody(f: Finding, docsBase = "https://github.com/vigil-review/vigil/blob/main/docs/rules.md"): string {
  const parts = [
    `${ICON[f.severity]} **${f.severity}** · \`${f.ruleId}\` · ${f.cwe.join(", ")}`,
    "",
    f.message,
  ];
  if (f.details) parts.push("", f.details);
  if (f.fix) parts.push("", `Suggested fix (${f.fix.description}):`, "```suggestion", f.fix.text, "```");
  parts.push("", `<sub>[About this rule](${docsBase}#${f.ruleId.replace(/[^a-z0-9-]/g, "")}) · silence with \`// vigil-ignore-next-line ${f.ruleId} -- reason\`</sub>`, fingerprintMarker(f.fingerprint));
  return parts.join("\n");
}

export function fixedReplyBody(sha: string): string {
  return `✅ Fixed in ${sha.slice(0, 7)}: Vigil no longer finds this problem. ${FIXED_MARKER}`;
}
