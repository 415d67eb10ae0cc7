import type { FileFacts } from "./file-facts.js";
import type { LayerConfig } from "./layers.js";

/** What rules may know beyond one file: the other files of this analysis and the repository's architecture settings. */
export class ProjectFacts {
  readonly files = new Map<string, FileFacts>();
  constructor(
    readonly layers?: LayerConfig,
    /** Cross-file rules treat context files as reported too (a parallel scan's other shares). */
    private readonly contextIsReported = false,
    /** Lines a pull request added or changed, per path, when the analysis is of a PR. */
    private readonly changedLines?: Readonly<Record<string, readonly number[]>>,
  ) {}

  private changedSets = new Map<string, Set<number>>();

  /** Did the pull request change this line? (Always false outside a PR review.) Lets a cross-file rule anchor its finding where the PR made it. */
  isChangedLine(path: string, line: number): boolean {
    const lines = this.changedLines?.[path];
    if (!lines) return false;
    let set = this.changedSets.get(path);
    if (!set) this.changedSets.set(path, (set = new Set(lines)));
    return set.has(line);
  }

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
    return this.memo(`filesMatching:${re.source}:${re.flags}`, () => new Set([...this.files.values()].filter((f) => f.matches(re)).map((f) => f.path)));
  }

  add(file: FileFacts): void {
    this.files.set(file.path, file);
  }

  /** Resolves a relative import specifier from `fromPath` to a known file path, trying TS/JS extensions and index files. */
  resolveImport(fromPath: string, spec: string): string | undefined {
    return importCandidates(fromPath, spec).find((c) => this.files.has(c));
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

/** The files a relative import specifier may name, most likely first (`./a.js` in TS sources is `./a.ts`). */
export function importCandidates(fromPath: string, spec: string): string[] {
  if (!spec.startsWith(".")) return [];
  const dir = fromPath.includes("/") ? fromPath.slice(0, fromPath.lastIndexOf("/")) : "";
  const joined = normalizePath(dir ? `${dir}/${spec}` : spec);
  const base = joined.replace(/\.(js|mjs|cjs|jsx)$/, "");
  const exts = /\.[cm]?[jt]sx?$/.test(fromPath) && /\.[cm]?tsx?$/.test(fromPath) ? [".ts", ".tsx", ".js", ".mts", ".cts", ".mjs", ".cjs", ".jsx"] : [".js", ".ts", ".mjs", ".cjs", ".jsx", ".tsx", ".mts", ".cts"];
  return [...new Set([joined, ...exts.map((e) => base + e), ...exts.map((e) => `${base}/index${e}`)])];
}
