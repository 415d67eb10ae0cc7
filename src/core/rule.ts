import type { ts } from "ts-morph";
import type { FileFacts } from "./file-facts.js";
import type { ProjectFacts } from "./project-facts.js";
import type { RuleMeta, Severity } from "./types.js";

/** Node kinds rules can visit, named as in ts.SyntaxKind, with their node types. */
export interface KindMap {
  CallExpression: ts.CallExpression;
  NewExpression: ts.NewExpression;
  BinaryExpression: ts.BinaryExpression;
  PropertyAccessExpression: ts.PropertyAccessExpression;
  ElementAccessExpression: ts.ElementAccessExpression;
  StringLiteral: ts.StringLiteral;
  NoSubstitutionTemplateLiteral: ts.NoSubstitutionTemplateLiteral;
  TemplateExpression: ts.TemplateExpression;
  TaggedTemplateExpression: ts.TaggedTemplateExpression;
  RegularExpressionLiteral: ts.RegularExpressionLiteral;
  VariableDeclaration: ts.VariableDeclaration;
  PropertyAssignment: ts.PropertyAssignment;
  ObjectLiteralExpression: ts.ObjectLiteralExpression;
  CatchClause: ts.CatchClause;
  TryStatement: ts.TryStatement;
  ThrowStatement: ts.ThrowStatement;
  ImportDeclaration: ts.ImportDeclaration;
  ExportDeclaration: ts.ExportDeclaration;
  Decorator: ts.Decorator;
  ClassDeclaration: ts.ClassDeclaration;
  MethodDeclaration: ts.MethodDeclaration;
  FunctionDeclaration: ts.FunctionDeclaration;
  FunctionExpression: ts.FunctionExpression;
  ArrowFunction: ts.ArrowFunction;
  ForStatement: ts.ForStatement;
  ForOfStatement: ts.ForOfStatement;
  ForInStatement: ts.ForInStatement;
  WhileStatement: ts.WhileStatement;
  DoStatement: ts.DoStatement;
  AwaitExpression: ts.AwaitExpression;
  ExpressionStatement: ts.ExpressionStatement;
  IfStatement: ts.IfStatement;
  ReturnStatement: ts.ReturnStatement;
  Identifier: ts.Identifier;
  JsxAttribute: ts.JsxAttribute;
}

export type Visitors = { [K in keyof KindMap]?: (node: KindMap[K]) => void } & {
  /** Called after the whole file was walked: for rules that compare siblings or count things. */
  "SourceFile:exit"?: () => void;
};

export interface ReportFix {
  description: string;
  /** Replacement text for the flagged node's lines (GitHub suggestion semantics: whole lines). */
  text: string;
  /** Lines to replace; default: the flagged node's start..end lines. */
  line?: number;
  endLine?: number;
}

export interface ReportDescriptor {
  /** The flagged node; its start line is the finding's line. */
  node: ts.Node;
  /** Overrides the line (1-based) when the problem is not a node, e.g. a comment directive. */
  line?: number;
  /** The CWEs of this finding when narrower than the rule's (a subset of meta.cwe: SARIF tags come from the meta). */
  cwe?: string[];
  message: string;
  severity?: Severity;
  fix?: ReportFix;
  /** Markdown shown with the comment (e.g. a mermaid diagram). */
  details?: string;
}

/** A finding of a cross-file rule: by line, since its nodes may live in another thread. */
export interface ProjectReport {
  line: number;
  cwe?: string[];
  message: string;
  severity?: Severity;
  details?: string;
}

export interface ProjectInput {
  facts: ProjectFacts;
  /** What this rule's visitors passed to `ctx.contribute`, per file path (reported and context files). */
  contributions: Map<string, unknown[]>;
}

export interface RuleContext {
  readonly file: FileFacts;
  readonly project: ProjectFacts;
  readonly options: Readonly<Record<string, unknown>>;
  readonly meta: RuleMeta;
  report(d: ReportDescriptor): void;
  /** Cross-file rules: record plain data about this file (JSON-like: a parallel scan sends it between threads). */
  contribute(data: unknown): void;
}

export interface Rule {
  meta: RuleMeta;
  /** Called once per file; returns the visitors for that file (closures hold per-file state). */
  create(ctx: RuleContext): Visitors;
  /**
   * Rules that look across files (cycles, duplicates): their visitors `contribute` per-file facts during the one walk;
   * this runs once after every file was walked, over those contributions.
   */
  project?(input: ProjectInput, report: (path: string, d: ProjectReport) => void, options: Readonly<Record<string, unknown>>): void;
}

export function defineRule(rule: Rule): Rule {
  if (!/^(security|architecture|observability)\/[a-z0-9-]+$/.test(rule.meta.id)) throw new Error(`bad rule id ${rule.meta.id}`);
  if (!rule.meta.id.startsWith(rule.meta.category + "/")) throw new Error(`rule ${rule.meta.id}: category mismatch`);
  if (!rule.meta.cwe.length || !rule.meta.cwe.every((c) => /^CWE-\d+$/.test(c))) throw new Error(`rule ${rule.meta.id}: cwe ids must look like CWE-89`);
  return rule;
}
