import { createHash } from "node:crypto";

/** Whitespace-insensitive text of a line, so re-indenting or moving code keeps the fingerprint. */
export function normalizeLine(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

/** Stable id of a finding: rule + file + flagged line's normalized text + nth occurrence of that text. */
export function fingerprint(ruleId: string, path: string, lineText: string, occurrence: number): string {
  return createHash("sha256").update(`${ruleId}\u0000${path}\u0000${normalizeLine(lineText)}\u0000${occurrence}`).digest("hex").slice(0, 24);
}
