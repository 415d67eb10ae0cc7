import { parentPort, workerData } from "node:worker_threads";
import { analyze, type AnalysisInput } from "../core/analyze.js";
import type { AnalyzeOptions } from "../core/settings.js";
import { allRules } from "../../rules/index.js";

/** One share of a parallel scan: every file is visible (cross-file facts), only `mine` are reported. */
interface Job {
  inputs: AnalysisInput[];
  mine: string[];
  options: Omit<AnalyzeOptions, "onProgress">;
}

const { inputs, mine, options } = workerData as Job;
const own = new Set(mine);
const result = analyze(inputs.map((i) => ({ ...i, context: !own.has(i.path) })), allRules, {
  ...options, projectRules: false, walkContext: false,
  onProgress: (done, _total, findings) => parentPort!.postMessage({ progress: { done, findings } }),
});
parentPort!.postMessage({ result });
