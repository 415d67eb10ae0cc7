import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { analyze, type AnalysisInput, type AnalysisResult, type Contributions } from "../core/analyze.js";
import type { AnalyzeOptions } from "../core/settings.js";
import { allRules } from "../../rules/index.js";

/** Below this many files a second thread costs more (startup) than it saves. */
const PARALLEL_MIN_FILES = 300;
/**
 * One core is left to the rest of the machine: on 2-vCPU CI runners (often two hyperthreads of one core) a second
 * thread measured slower than one, since both threads parse and collect garbage on the same core.
 */
function defaultThreads(): number {
  return Number(process.env.VIGIL_THREADS) || Math.max(1, Math.min(availableParallelism() - 1, 4));
}

/** The main thread also reads, merges and runs the cross-file rules: it takes a slightly smaller share. */
const MAIN_SHARE_WEIGHT = 0.8;

/**
 * `vigil scan` on several threads. Each thread parses and walks only its share (other files are there as text, parsed
 * only if a rule asks); cross-file rules collect plain per-file facts during those walks and run once at the end, in
 * the main thread, over everything collected. Shares are disjoint, so findings merge as they are.
 */
export async function analyzeParallel(inputs: AnalysisInput[], options: AnalyzeOptions, threads = defaultThreads()): Promise<AnalysisResult> {
  const n = Math.min(threads, 4);
  // Profiling measures rules in one thread, so it runs single-threaded.
  if (n < 2 || inputs.length < PARALLEL_MIN_FILES || options.profile) return analyze(inputs, allRules, options);
  const weights = [MAIN_SHARE_WEIGHT, ...Array.from({ length: n - 1 }, () => 1)];
  const shares = weights.map((w) => ({ w, paths: [] as string[], bytes: 0 }));
  // Biggest files first, each to the share with the most room left for its weight.
  for (const i of [...inputs].sort((a, b) => b.content.length - a.content.length)) {
    const s = shares.reduce((a, b) => (b.bytes / b.w < a.bytes / a.w ? b : a));
    s.paths.push(i.path);
    s.bytes += i.content.length;
  }
  const { onProgress: _progress, profile: _profile, ...plain } = options;
  const here = import.meta.url;
  const fromSources = here.endsWith(".ts");
  const workerUrl = new URL(fromSources ? "./scan-worker.ts" : "./scan-worker.js", here);
  // Progress of every thread, summed (a terminal shows one line for the whole scan).
  const done = shares.map(() => ({ files: 0, findings: 0 }));
  const progress = (thread: number, files: number, findings: number): void => {
    done[thread] = { files, findings };
    options.onProgress?.(done.reduce((m, d) => m + d.files, 0), inputs.length, done.reduce((m, d) => m + d.findings, 0));
  };
  const remote = shares.slice(1).map(
    (s, k) =>
      new Promise<AnalysisResult>((resolve, reject) => {
        const workerData = { inputs, mine: s.paths, options: { ...plain, projectRules: false } };
        // From the TypeScript sources (dev, tests) the worker registers tsx itself; a built install runs plain JS.
        const w = fromSources
          ? new Worker(`import(${JSON.stringify(import.meta.resolve("tsx/esm/api"))}).then((m) => { m.register(); return import(${JSON.stringify(workerUrl.href)}); })`, { eval: true, workerData })
          : new Worker(workerUrl, { workerData });
        w.on("message", (m: { result?: AnalysisResult; progress?: { done: number; findings: number } }) => {
          if (m.result) resolve(m.result);
          else if (m.progress) progress(k + 1, m.progress.done, m.progress.findings);
        });
        w.once("error", reject);
      }),
  );
  const own = new Set(shares[0].paths);
  const local = analyze(inputs.map((i) => ({ ...i, context: !own.has(i.path) })), allRules, {
    ...plain, projectRules: false, walkContext: false, onProgress: (files, _t, findings) => progress(0, files, findings),
  });
  const shareResults = [local, ...(await Promise.all(remote))];
  // The cross-file rules, once, over what every thread collected: no file is parsed again here.
  const contributions: Contributions = {};
  for (const r of shareResults) for (const [rule, byPath] of Object.entries(r.contributions)) Object.assign((contributions[rule] ??= {}), byPath);
  const crossFile = analyze(inputs.map((i) => ({ ...i, context: true })), allRules, { ...plain, walkContext: false, contributions, projectFindingsInContext: true });
  const results = [...shareResults, crossFile];
  return {
    findings: results.flatMap((r) => r.findings).sort((a, b) => a.path.localeCompare(b.path) || a.line - b.line || a.ruleId.localeCompare(b.ruleId)),
    suppressed: results.flatMap((r) => r.suppressed),
    skipped: results.flatMap((r) => r.skipped).sort((a, b) => a.path.localeCompare(b.path)),
    ruleErrors: results.flatMap((r) => r.ruleErrors),
    rulesRun: local.rulesRun,
    filesAnalyzed: shareResults.reduce((m, r) => m + r.filesAnalyzed, 0),
    linesAnalyzed: shareResults.reduce((m, r) => m + r.linesAnalyzed, 0),
    contributions,
  };
}
