import { ts } from "ts-morph";

/** Relative module specifiers a file imports (import, export-from, require, dynamic import), read by the scanner only. */
export function relativeImportSpecs(text: string): string[] {
  const info = ts.preProcessFile(text, true, true);
  return [...new Set(info.importedFiles.map((f) => f.fileName).filter((s) => s.startsWith("./") || s.startsWith("../")))];
}
