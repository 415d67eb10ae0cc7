/** Limits that keep one pathological file from stalling a review. */
export const MAX_FILE_BYTES = 1_000_000;
export const MAX_FILE_LINES = 30_000;

/** Why a file's content should not be parsed, or undefined when it is fine. */
export function skipReason(path: string, content: string): string | undefined {
  if (content.includes("\u0000")) return "binary file";
  // A UTF-16 code unit is at most 3 UTF-8 bytes: only long texts need their bytes counted.
  const bytes = content.length * 3 <= MAX_FILE_BYTES ? content.length : Buffer.byteLength(content, "utf8");
  if (bytes > MAX_FILE_BYTES) return `too large (${Math.round(bytes / 1024)} KiB > ${MAX_FILE_BYTES / 1000} KB)`;
  if (/\.min\.[cm]?js$/.test(path)) return "minified file";
  // Line count and longest line, jumping from newline to newline (indexOf is native: far cheaper than a loop per char).
  let lines = 1;
  let longest = 0;
  let start = 0;
  for (let nl = content.indexOf("\n"); nl !== -1; nl = content.indexOf("\n", start)) {
    lines++;
    if (nl - start > longest) longest = nl - start;
    start = nl + 1;
  }
  if (content.length - start > longest) longest = content.length - start;
  if (lines > MAX_FILE_LINES) return `too many lines (${lines} > ${MAX_FILE_LINES})`;
  if (longest > 5_000 && content.length / lines > 300) return "minified or generated (very long lines)";
  return undefined;
}
