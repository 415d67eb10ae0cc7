import type { ChangedLines } from "../diff/changed-lines.js";
import type { Finding } from "../core/types.js";

export interface PlacedFinding {
  finding: Finding;
  /** The line an inline comment can anchor to, or undefined when only the check run can carry it. */
  commentLine?: number;
}

/** Keeps findings that touch lines the PR added or changed, and picks a commentable line for each. */
export function onChangedLines(findings: Finding[], changed: Map<string, ChangedLines>): PlacedFinding[] {
  const out: PlacedFinding[] = [];
  for (const f of findings) {
    const lines = changed.get(f.path);
    if (!lines) continue;
    const end = f.endLine ?? f.line;
    let touched: number | undefined;
    for (let l = f.line; l <= end; l++) {
      if (lines.added.has(l)) {
        touched = l;
        break;
      }
    }
    if (touched === undefined) continue;
    const anchor = lines.commentable.has(f.line) ? f.line : touched;
    out.push({ finding: f, commentLine: lines.commentable.has(anchor) ? anchor : undefined });
  }
  return out;
}
