import type { Category, Severity } from "./types.js";
import type { LayerConfig } from "./layers.js";

/** Per-rule settings after config resolution; keyed by rule id or by category. */
export interface RuleSetting {
  enabled?: boolean;
  severity?: Severity;
  options?: Record<string, unknown>;
}

export interface AnalyzeOptions {
  rules?: Record<string, RuleSetting>;
  layers?: LayerConfig;
  /** false: skip cross-file rules (another thread of a parallel scan runs them). */
  projectRules?: boolean;
  /** Cross-file rules report in context files too (a parallel scan: context files are other threads' shares). */
  projectFindingsInContext?: boolean;
  /** A pull request's added/changed lines per path: cross-file rules anchor one finding per problem on them when they can. */
  changedLines?: Record<string, number[]>;
  /** false: do not walk context files (a parallel scan: their contributions come from the other threads). */
  walkContext?: boolean;
  /** Contributions of cross-file rules gathered elsewhere (other threads), merged before the cross-file rules run. */
  contributions?: Record<string, Record<string, unknown[]>>;
  /** Milliseconds per rule, filled in when given (`VIGIL_PROFILE=1 vigil scan`). */
  profile?: Map<string, number>;
  /** Called after each file was walked (files done, files total, findings so far). */
  onProgress?: (done: number, total: number, findings: number) => void;
}

/** Exact rule id wins over its category; unset means enabled with the rule's own severity. */
export function settingFor(options: AnalyzeOptions, id: string, category: Category): RuleSetting {
  const byCategory = options.rules?.[category] ?? {};
  const byId = options.rules?.[id] ?? {};
  return { ...byCategory, ...byId, options: { ...(byCategory.options ?? {}), ...(byId.options ?? {}) } };
}
