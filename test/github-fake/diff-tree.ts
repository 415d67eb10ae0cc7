/** Computes GitHub-style pull request file lists and patches from two in-memory trees. */
import { createHash } from "node:crypto";
import { structuredPatch } from "diff";
import type { FileContent, FileTree, Side } from "./types.js";

export type FileStatus = "added" | "modified" | "removed";

export interface FileDiff {
  filename: string;
  status: FileStatus;
  /** Git blob sha of the head version (base version for removed files). */
  sha: string;
  additions: number;
  deletions: number;
  changes: number;
  /** Hunks as GitHub gives them (from the first `@@`); undefined for binary or omitted patches. */
  patch: string | undefined;
  binary: boolean;
}

/** One line of a patch, as addressed by review comments. */
export interface PatchLine {
  /** 1-based position below the first hunk header (GitHub's legacy `position`). */
  position: number;
  kind: "context" | "add" | "del" | "hunk" | "meta";
  oldLine: number | null;
  newLine: number | null;
  /** Index of the hunk header line this line belongs to, within `lines`. */
  hunkStart: number;
}

export const CONTEXT_LINES = 3;

export function isBinary(content: FileContent): boolean {
  return typeof content === "string" ? content.includes("\0") : content.includes(0);
}

export function toBuffer(content: FileContent): Buffer {
  return typeof content === "string" ? Buffer.from(content, "utf8") : content;
}

/** `git hash-object` of a blob. */
export function blobSha(content: FileContent): string {
  const bytes = toBuffer(content);
  return createHash("sha1").update(`blob ${bytes.length}\0`).update(bytes).digest("hex");
}

/** Diffs two trees; files sorted by path like git; identical files are left out. */
export function diffTrees(base: FileTree, head: FileTree, omitPatch: ReadonlySet<string> = new Set()): FileDiff[] {
  const paths = [...new Set([...Object.keys(base), ...Object.keys(head)])].sort(byteOrder);
  const out: FileDiff[] = [];
  for (const filename of paths) {
    const before = base[filename];
    const after = head[filename];
    if (before !== undefined && after !== undefined && toBuffer(before).equals(toBuffer(after))) continue;
    const status: FileStatus = before === undefined ? "added" : after === undefined ? "removed" : "modified";
    const binary = (before !== undefined && isBinary(before)) || (after !== undefined && isBinary(after));
    const sha = blobSha((after ?? before)!);
    if (binary) {
      out.push({ filename, status, sha, additions: 0, deletions: 0, changes: 0, patch: undefined, binary });
      continue;
    }
    const patch = unifiedHunks(text(before), text(after));
    const { additions, deletions } = countChanges(patch);
    out.push({
      filename,
      status,
      sha,
      additions,
      deletions,
      changes: additions + deletions,
      patch: omitPatch.has(filename) ? undefined : patch,
      binary,
    });
  }
  return out;
}

function text(content: FileContent | undefined): string {
  if (content === undefined) return "";
  return typeof content === "string" ? content : content.toString("utf8");
}

function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/** Unified diff hunks without `---`/`+++` headers, with git's hunk header conventions. */
export function unifiedHunks(before: string, after: string): string {
  const { hunks } = structuredPatch("a", "b", before, after, undefined, undefined, { context: CONTEXT_LINES });
  return hunks
    .map((h) => [`@@ -${range(h.oldStart, h.oldLines)} +${range(h.newStart, h.newLines)} @@`, ...h.lines].join("\n"))
    .join("\n");
}

function range(start: number, count: number): string {
  // git: an empty range starts at the line *before*; a count of 1 is omitted.
  if (count === 0) return `${Math.max(0, start - 1)},0`;
  return count === 1 ? String(start) : `${start},${count}`;
}

function countChanges(patch: string): { additions: number; deletions: number } {
  let additions = 0;
  let deletions = 0;
  for (const line of patch.split("\n")) {
    if (line.startsWith("+")) additions++;
    else if (line.startsWith("-")) deletions++;
  }
  return { additions, deletions };
}

/** Parses hunks into addressable lines, numbering old/new lines like GitHub does. */
export function parsePatch(patch: string): PatchLine[] {
  const out: PatchLine[] = [];
  let oldLine = 0;
  let newLine = 0;
  let hunkStart = 0;
  patch.split("\n").forEach((raw, index) => {
    const header = /^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@/.exec(raw);
    if (header) {
      oldLine = Number(header[1]);
      newLine = Number(header[2]);
      hunkStart = index;
      // A `-0,0`/`+0,0` range means "empty": the first real line is 1.
      if (oldLine === 0) oldLine = 1;
      if (newLine === 0) newLine = 1;
      out.push({ position: index, kind: "hunk", oldLine: null, newLine: null, hunkStart });
    } else if (raw.startsWith("+")) {
      out.push({ position: index, kind: "add", oldLine: null, newLine: newLine++, hunkStart });
    } else if (raw.startsWith("-")) {
      out.push({ position: index, kind: "del", oldLine: oldLine++, newLine: null, hunkStart });
    } else if (raw.startsWith("\\")) {
      out.push({ position: index, kind: "meta", oldLine: null, newLine: null, hunkStart });
    } else {
      out.push({ position: index, kind: "context", oldLine: oldLine++, newLine: newLine++, hunkStart });
    }
  });
  return out;
}

/** The patch line a comment on `line` of `side` addresses, if that line is inside a hunk. */
export function findLine(lines: PatchLine[], side: Side, line: number): PatchLine | undefined {
  return lines.find((l) => (side === "RIGHT" ? l.kind !== "del" && l.newLine === line : l.kind !== "add" && l.oldLine === line));
}

/** GitHub's `diff_hunk` of a comment: the hunk header through the commented line. */
export function diffHunkFor(patch: string, target: PatchLine): string {
  return patch.split("\n").slice(target.hunkStart, target.position + 1).join("\n");
}

/** A whole-PR diff in `git diff` format (the `application/vnd.github.diff` media type). */
export function gitDiff(base: FileTree, head: FileTree): string {
  const parts: string[] = [];
  for (const file of diffTrees(base, head)) {
    const before = base[file.filename];
    const after = head[file.filename];
    const a = before === undefined ? "0000000" : blobSha(before).slice(0, 7);
    const b = after === undefined ? "0000000" : blobSha(after).slice(0, 7);
    parts.push(`diff --git a/${file.filename} b/${file.filename}`);
    if (file.status === "added") parts.push("new file mode 100644", `index ${a}..${b}`);
    else if (file.status === "removed") parts.push("deleted file mode 100644", `index ${a}..${b}`);
    else parts.push(`index ${a}..${b} 100644`);
    if (file.binary) {
      parts.push(`Binary files ${before === undefined ? "/dev/null" : `a/${file.filename}`} and ${after === undefined ? "/dev/null" : `b/${file.filename}`} differ`);
      continue;
    }
    parts.push(before === undefined ? "--- /dev/null" : `--- a/${file.filename}`);
    parts.push(after === undefined ? "+++ /dev/null" : `+++ b/${file.filename}`);
    if (file.patch) parts.push(file.patch);
  }
  return parts.length ? parts.join("\n") + "\n" : "";
}
