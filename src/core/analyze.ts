import { ts } from "ts-morph";
import { FileFacts } from "./file-facts.js";
import { ProjectFacts } from "./project-facts.js";
import type { ProjectReport, ReportDescriptor, Rule, RuleContext } from "./rule.js";
import { type AnalyzeOptions, settingFor } from "./settings.js";
import { skipReason } from "./skip.js";
import { fingerprint } from "./fingerprint.js";
import { parseSuppressions, suppressionFor } from "./suppressions.js";
import { endLineOf, lineOf } from "./ast.js";
import { isAnalyzablePath } from "./file-kind.js";
import { setParentsAndFindImports } from "./imports.js";
import type { Finding, RuleMeta, Severity, SkippedFile, SourceInput } from "./types.js";

export interface AnalysisInput extends SourceInput {
  /** Context files (e.g. modules imported by changed files) feed cross-file rules but are never reported on. */
  context?: boolean;
}

export interface RuleError {
  ruleId: string;
  path: string;
  message: string;
}

/** What cross-file rules collected per file during the walk: rule id → path → plain data (it may cross threads). */
export type Contributions = Record<string, Record<string, unknown[]>>;

export interface AnalysisResult {
  findings: Finding[];
  suppressed: (Finding & { reason?: string })[];
  skipped: SkippedFile[];
  ruleErrors: RuleError[];
  rulesRun: string[];
  filesAnalyzed: number;
  linesAnalyzed: number;
  contributions: Contributions;
}

type Handler = (node: ts.Node) => void;
interface Active {
  rule: Rule;
  severity: Severity;
  options: Readonly<Record<string, unknown>>;
}

function scriptKindOf(path: string): ts.ScriptKind {
  if (path.endsWith(".tsx")) return ts.ScriptKind.TSX;
  if (path.endsWith(".jsx")) return ts.ScriptKind.JSX;
  if (/\.[cm]?js$/.test(path)) return ts.ScriptKind.JS;
  return ts.ScriptKind.TS;
}

/**
 * Parses one file with the TypeScript compiler that ts-morph bundles, as ts-morph's `Project.createSourceFile` would
 * (BOM stripped, ESNext, parent pointers set: by our own walk, which also finds the requires), except that JSDoc comments are not parsed: no rule reads JSDoc nodes,
 * and skipping them saves about a fifth of the parse time. (ts-morph cannot pass `jsDocParsingMode`; its Project
 * wrapper was only used to reach `compilerNode`, so the file is created with the compiler API directly.)
 * The one place JSDoc nodes showed through, `getChildAt` in outbound-call-without-timeout, uses `firstChildOf`.
 */
function parseSource(path: string, content: string): ts.SourceFile {
  const text = content.charCodeAt(0) === 0xfeff ? content.slice(1) : content;
  const sf = ts.createSourceFile(`/${path}`, text, { languageVersion: ts.ScriptTarget.ESNext, jsDocParsingMode: ts.JSDocParsingMode.ParseNone }, false, scriptKindOf(path));
  setParentsAndFindImports(sf);
  return sf;
}

/** Syntax errors the parser recorded (not part of ts's public typings). */
function parseErrors(sf: ts.SourceFile): readonly ts.Diagnostic[] {
  return (sf as unknown as { parseDiagnostics?: ts.Diagnostic[] }).parseDiagnostics ?? [];
}

function activeRules(rules: readonly Rule[], options: AnalyzeOptions): Active[] {
  return rules
    .map((rule) => ({ rule, setting: settingFor(options, rule.meta.id, rule.meta.category) }))
    .filter(({ setting }) => setting.enabled !== false)
    .map(({ rule, setting }) => ({ rule, severity: setting.severity ?? rule.meta.severity, options: setting.options ?? {} }));
}

function timed<T>(profile: Map<string, number> | undefined, id: string, fn: () => T): T {
  if (!profile) return fn();
  const t0 = performance.now();
  try {
    return fn();
  } finally {
    profile.set(id, (profile.get(id) ?? 0) + performance.now() - t0);
  }
}

/** A report may name a subset of its rule's CWEs; anything outside the rule's list is ignored. */
function narrowCwe(ruleCwe: string[], reported: string[] | undefined): string[] {
  const subset = reported?.filter((c) => ruleCwe.includes(c));
  return subset?.length ? subset : ruleCwe;
}

/** Collects findings per file, one per rule and line, and turns them into fingerprinted, suppression-checked results. */
class FindingSink {
  private readonly perFile = new Map<string, Finding[]>();

  add(file: FileFacts, meta: RuleMeta, severity: Severity, d: ReportDescriptor | ProjectReport): void {
    const node = "node" in d ? d.node : undefined;
    const line = d.line ?? lineOf(node!, file.sourceFile);
    const endLine = d.line ?? endLineOf(node!, file.sourceFile);
    const column = d.line !== undefined || !node ? 1 : file.sourceFile.getLineAndCharacterOfPosition(node.getStart(file.sourceFile)).character + 1;
    const list = this.perFile.get(file.path) ?? [];
    this.perFile.set(file.path, list);
    // Several reports on one line are one problem to the reader.
    if (list.some((f) => f.ruleId === meta.id && f.line === line)) return;
    const f: Finding = {
      ruleId: meta.id, category: meta.category, severity: d.severity ?? severity, message: d.message, path: file.path,
      line, endLine: endLine !== line ? endLine : undefined, column, cwe: narrowCwe(meta.cwe, d.cwe), fingerprint: "", details: d.details,
    };
    if ("fix" in d && d.fix) f.fix = { description: d.fix.description, line: d.fix.line ?? line, endLine: d.fix.endLine ?? endLine, text: d.fix.text };
    list.push(f);
  }

  count(path: string): number {
    return this.perFile.get(path)?.length ?? 0;
  }

  finish(files: ProjectFacts, result: Pick<AnalysisResult, "findings" | "suppressed">): void {
    for (const [path, list] of this.perFile) {
      const file = files.files.get(path)!;
      const sups = parseSuppressions(file.lines);
      const seen = new Map<string, number>();
      list.sort((a, b) => a.line - b.line || a.ruleId.localeCompare(b.ruleId));
      for (const f of list) {
        const text = file.lineText(f.line);
        const key = `${f.ruleId}\u0000${text.trim()}`;
        const n = seen.get(key) ?? 0;
        seen.set(key, n + 1);
        f.fingerprint = fingerprint(f.ruleId, f.path, text, n);
        const s = sups.length ? suppressionFor(f, sups, file.lines) : undefined;
        if (s) result.suppressed.push({ ...f, reason: s.reason });
        else result.findings.push(f);
      }
    }
    result.findings.sort((a, b) => a.path.localeCompare(b.path) || a.line - b.line || a.ruleId.localeCompare(b.ruleId));
  }
}

/**
 * Pure engine: source texts in, findings out. No network, no GitHub, no file system.
 * Phase 1 walks each reported file once and hands every node to every rule's visitors (cross-file rules collect
 * plain data per file as they go); phase 2 runs the cross-file rules once over what was collected.
 */
export function analyze(inputs: readonly AnalysisInput[], rules: readonly Rule[], options: AnalyzeOptions = {}): AnalysisResult {
  const facts = new ProjectFacts(options.layers, options.projectFindingsInContext, options.changedLines);
  const active = activeRules(rules, options);
  const result: AnalysisResult = {
    findings: [], suppressed: [], skipped: [], ruleErrors: [], rulesRun: active.map((a) => a.rule.meta.id), filesAnalyzed: 0, linesAnalyzed: 0, contributions: {},
  };
  const contribute = (ruleId: string, path: string, data: unknown): void => {
    const byPath = (result.contributions[ruleId] ??= {});
    (byPath[path] ??= []).push(data);
  };

  for (const input of inputs) {
    if (!isAnalyzablePath(input.path)) continue;
    const reason = skipReason(input.path, input.content);
    if (reason) {
      if (!input.context) result.skipped.push({ path: input.path, reason });
      continue;
    }
    const parse = () => parseSource(input.path, input.content);
    if (input.context) {
      facts.add(new FileFacts(input.path, input.content, parse, false));
      continue;
    }
    const sf = parse();
    const errors = parseErrors(sf);
    if (errors.length) {
      const first = errors[0];
      const line = first.start !== undefined ? sf.getLineAndCharacterOfPosition(first.start).line + 1 : 0;
      result.skipped.push({ path: input.path, reason: `does not parse (line ${line}: ${ts.flattenDiagnosticMessageText(first.messageText, " ")})` });
      continue;
    }
    facts.add(new FileFacts(input.path, input.content, sf, true));
  }

  const sink = new FindingSink();
  const collectors = active.filter((a) => a.rule.project);
  const total = [...facts.files.values()].filter((f) => f.reported).length;
  let findingsSoFar = 0;
  for (const file of facts.files.values()) {
    if (file.reported) {
      walkFile(file, active, facts, sink, contribute, result, options.profile);
      result.filesAnalyzed++;
      result.linesAnalyzed += file.lineCount;
      findingsSoFar += sink.count(file.path);
      options.onProgress?.(result.filesAnalyzed, total, findingsSoFar);
    } else if (options.walkContext !== false && collectors.length) {
      // Context files only feed the cross-file rules.
      walkFile(file, collectors, facts, sink, contribute, result, options.profile);
    }
  }

  if (options.projectRules !== false) {
    const all = mergeContributions(result.contributions, options.contributions);
    runProjectRules(active, facts, all, sink, result, options);
  }
  sink.finish(facts, result);
  return result;
}

function mergeContributions(a: Contributions, b: Contributions | undefined): Contributions {
  if (!b) return a;
  const out: Contributions = { ...a };
  for (const [rule, byPath] of Object.entries(b)) out[rule] = { ...(out[rule] ?? {}), ...byPath };
  return out;
}

function runProjectRules(active: Active[], facts: ProjectFacts, contributions: Contributions, sink: FindingSink, result: AnalysisResult, options: AnalyzeOptions): void {
  for (const { rule, severity, options: ruleOptions } of active) {
    if (!rule.project) continue;
    timed(options.profile, rule.meta.id, () => {
      try {
        const mine = new Map(Object.entries(contributions[rule.meta.id] ?? {}));
        rule.project!({ facts, contributions: mine }, (path, d) => {
          const file = facts.files.get(path);
          if (file && facts.isReported(file)) sink.add(file, rule.meta, severity, d);
        }, ruleOptions);
      } catch (err) {
        result.ruleErrors.push({ ruleId: rule.meta.id, path: "*", message: (err as Error).message });
      }
    });
  }
}

function walkFile(
  file: FileFacts, rules: Active[], facts: ProjectFacts, sink: FindingSink,
  contribute: (ruleId: string, path: string, data: unknown) => void, result: AnalysisResult, profile: Map<string, number> | undefined,
): void {
  // Per kind, the visitors and (same index) what to do when one throws: one rule's bug must not stop the others.
  const byKind: (Handler[] | undefined)[] = [];
  const failByKind: (((err: unknown) => void)[] | undefined)[] = [];
  const exits: Handler[] = [];
  const exitFails: ((err: unknown) => void)[] = [];
  for (const { rule, severity, options } of rules) {
    const id = rule.meta.id;
    const ctx: RuleContext = {
      file, project: facts, options, meta: rule.meta,
      report: (d) => {
        if (file.reported) sink.add(file, rule.meta, severity, d);
      },
      contribute: (data) => contribute(id, file.path, data),
    };
    const fail = (err: unknown): void => {
      result.ruleErrors.push({ ruleId: id, path: file.path, message: (err as Error).message });
    };
    // Profiling wraps each visitor in a timer; without it the walk calls the rule's own function directly.
    const wrap = (fn: Handler): Handler => (profile ? (n) => timed(profile, id, () => fn(n)) : fn);
    let visitors;
    try {
      visitors = timed(profile, id, () => rule.create(ctx));
    } catch (err) {
      fail(err);
      continue;
    }
    for (const [key, fn] of Object.entries(visitors)) {
      if (!fn) continue;
      if (key === "SourceFile:exit") {
        exits.push(wrap(fn as Handler));
        exitFails.push(fail);
        continue;
      }
      const kind = (ts.SyntaxKind as unknown as Record<string, ts.SyntaxKind>)[key];
      if (kind === undefined) throw new Error(`rule ${id}: unknown node kind ${key}`);
      (byKind[kind] ??= []).push(wrap(fn as Handler));
      (failByKind[kind] ??= []).push(fail);
    }
  }
  // The one walk: every node is visited once and handed to every rule interested in its kind.
  const visit = (node: ts.Node): void => {
    const hs = byKind[node.kind];
    if (hs !== undefined) {
      for (let i = 0; i < hs.length; i++) {
        try {
          hs[i](node);
        } catch (err) {
          failByKind[node.kind]![i](err);
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  if (byKind.length) visit(file.sourceFile);
  for (let i = 0; i < exits.length; i++) {
    try {
      exits[i](file.sourceFile);
    } catch (err) {
      exitFails[i](err);
    }
  }
}
