import parseDiff from "parse-diff";

/** Which lines of a file's new version a PR touched, and which ones GitHub accepts review comments on. */
export interface ChangedLines {
  /** Lines added or changed by the PR (new-file numbering). */
  added: Set<number>;
  /** Lines inside the diff hunks on the RIGHT side (added + context): GitHub refuses comments elsewhere (422). */
  commentable: Set<number>;
}

/**
 * Parses the `patch` GitHub returns for one file in pulls.listFiles (hunks only, no ---/+++ headers).
 * An empty or missing patch yields empty sets.
 */
export function changedLinesFromPatch(patch: string | undefined): ChangedLines {
  const added = new Set<number>();
  const commentable = new Set<number>();
  if (!patch) return { added, commentable };
  const [file] = parseDiff(`--- a/file\n+++ b/file\n${patch}${patch.endsWith("\n") ? "" : "\n"}`);
  for (const chunk of file?.chunks ?? []) {
    for (const change of chunk.changes) {
      if (change.type === "add") {
        added.add(change.ln);
        commentable.add(change.ln);
      } else if (change.type === "normal") commentable.add(change.ln2);
    }
  }
  return { added, commentable };
}

/** Every line of a new file counts as added (GitHub omits the patch of very large added files). */
export function allLines(lineCount: number): ChangedLines {
  const added = new Set<number>();
  for (let i = 1; i <= lineCount; i++) added.add(i);
  return { added, commentable: new Set(added) };
}
