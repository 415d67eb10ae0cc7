import type { ts } from "ts-morph";

export type Severity = "error" | "warning" | "notice";
export type Category = "security" | "architecture" | "observability";

export const SEVERITY_RANK: Record<Severity, number> = { notice: 1, warning: 2, error: 3 };

/** A mechanical fix: replaces whole lines [line, endLine] of the file with `text` (GitHub suggestion semantics). */
export interface Fix {
  description: string;
  line: number;
  endLine: number;
  text: string;
}

export interface Finding {
  ruleId: string;
  category: Category;
  severity: Severity;
  message: string;
  path: string;
  line: number;
  endLine?: number;
  column?: number;
  cwe: string[];
  fix?: Fix;
  fingerprint: string;
  /** Extra markdown (e.g. a mermaid diagram) shown in the PR comment and summary, not in SARIF messages. */
  details?: string;
}

export interface RuleMeta {
  id: string;
  category: Category;
  severity: Severity;
  cwe: string[];
  title: string;
  description: string;
  /** How to fix, shown in docs/rules.md. */
  fix?: string;
}

export interface SourceInput {
  path: string;
  content: string;
}

/** Why a file was not analyzed; shown in the check summary. */
export interface SkippedFile {
  path: string;
  reason: string;
}

export type NodeVisitor<N extends ts.Node = ts.Node> = (node: N) => void;
