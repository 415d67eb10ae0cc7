import type { Finding } from "./types.js";

// Only a line comment of its own counts (not text inside a doc comment or a string that mentions the syntax).
const NEXT_LINE = /^\s*\/\/\s*vigil-ignore-next-line\b\s*([^\n]*)/;
const FILE = /^\s*\/\/\s*vigil-ignore-file\b\s*([^\n]*)/;

export interface Suppression {
  line: number;
  ids: string[];
  reason?: string;
  scope: "next-line" | "file";
}

function parseDirective(rest: string): { ids: string[]; reason?: string } {
  const [idsPart, ...reasonParts] = rest.split(/\s--\s?/);
  const ids = idsPart.split(/[,\s]+/).map((s) => s.trim()).filter(Boolean);
  const reason = reasonParts.join(" -- ").trim();
  return { ids, reason: reason || undefined };
}

/** Reads `// vigil-ignore-next-line id[, id] -- reason` and `// vigil-ignore-file id` comments. */
export function parseSuppressions(lines: readonly string[]): Suppression[] {
  const out: Suppression[] = [];
  lines.forEach((text, i) => {
    const next = NEXT_LINE.exec(text);
    if (next) out.push({ line: i + 1, scope: "next-line", ...parseDirective(next[1]) });
    const file = FILE.exec(text);
    if (file) out.push({ line: i + 1, scope: "file", ...parseDirective(file[1]) });
  });
  return out;
}

function matches(ids: string[], f: Finding): boolean {
  return ids.length === 0 || ids.some((id) => id === f.ruleId || id === f.category || id === "*");
}

/** The directive that silences a finding: a file directive, or a next-line directive above it (skipping blank and comment lines). */
export function suppressionFor(f: Finding, sups: Suppression[], lines: readonly string[]): Suppression | undefined {
  for (const s of sups) if (s.scope === "file" && matches(s.ids, f)) return s;
  for (let l = f.line - 1; l >= 1; l--) {
    const text = lines[l - 1].trim();
    const s = sups.find((x) => x.scope === "next-line" && x.line === l);
    if (s) return matches(s.ids, f) ? s : undefined;
    if (text !== "" && !text.startsWith("//") && !text.startsWith("*") && !text.startsWith("/*")) return undefined;
  }
  return undefined;
}
