/** GitHub refuses check-run output and comment bodies over 65,535 characters. */
export const MAX_TEXT = 65_535;
/** A check-run update takes at most 50 annotations; the rest go in further PATCH calls. */
export const MAX_ANNOTATIONS_PER_REQUEST = 50;

export function truncate(text: string, max = MAX_TEXT): string {
  if (text.length <= max) return text;
  const note = "\n\n… truncated: the rest did not fit GitHub's 65,535-character limit.";
  return text.slice(0, max - note.length) + note;
}
