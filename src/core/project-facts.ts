import type { FileFacts } from "./file-facts.js";
import type { LayerConfig } from "./layers.js";

/** What rules may know beyond one file: the other files of this analysis and the repository's architecture settings. */
export class ProjectFacts {
  readonly files = new Map<string, FileFacts>();
  constructor(
    readonly layers?: LayerConfig,
    /** Cross-file rules treat context files as reported too (a parallel scan's other shares). */
    private readonly contextIsReported = false,
  ) {}

  /** Whether cross-file rules should report in this file. */
  isReported(file: FileFacts): boolean {
    return file.reported || this.contextIsReported;
  }

  private readonly cache = new Map<string, unknown>();

  /** A value computed once per analysis: rules that look at every file must not do it once per file (n²). */
  memo<T>(key: string, compute: () => T): T {
    if (!this.cache.has(key)) this.cache.set(key, compute());
    return this.cache.get(key) as T;
  }

  /** Paths of the files whose text matches `re` (computed once per analysis and pattern). */
  filesMatching(re: RegExp): Set<string> {
    return this.memo(`filesMatching:${re.source}:${re.flags}`, () => new Set([...this.files.values()].filter((f) => re.test(f.text)).map((f) => f.path)));
  }

  add(file: FileFacts): void {
    this.files.set(file.path, file);
  }

  /** Resolves a relative import specifier from `fromPath` to a known file path, trying TS/JS extensions and index files. */
  resolveImport(fromPath: string, spec: string): string | undefined {
    if (!spec.startsWith(".")) return undefined;
    const dir = fromPath.includes("/") ? fromPath.slice(0, fromPath.lastIndexOf("/")) : "";
    const joined = normalizePath(dir ? `${dir}/${spec}` : spec);
    const base = joined.replace(/\.(js|mjs|cjs|jsx)$/, "");
    const candidates = [joined, ...[".ts", ".tsx", ".js", ".mjs", ".cjs", ".jsx", ".mts", ".cts"].flatMap((ext) => [base + ext, `${base}/index${ext}`])];
    return candidates.find((c) => this.files.has(c));
  }
}

export function normalizePath(p: string): string {
  const out: string[] = [];
  for (const part of p.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") out.pop();
    else out.push(part);
  }
  return out.join("/");
}
