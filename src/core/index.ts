export { analyze, type AnalysisInput, type AnalysisResult, type RuleError } from "./analyze.js";
export { defineRule, type Rule, type RuleContext, type Visitors, type ReportDescriptor } from "./rule.js";
export type { Finding, Severity, Category, RuleMeta, SkippedFile, Fix } from "./types.js";
export { SEVERITY_RANK } from "./types.js";
export type { AnalyzeOptions, RuleSetting } from "./settings.js";
export type { LayerConfig } from "./layers.js";
