import { Project, ts } from "ts-morph";
import { FileFacts } from "./file-facts.js";
import { ProjectFacts } from "./project-facts.js";
import type { ReportDescriptor, Rule, RuleContext } from "./rule.js";
import { type AnalyzeOptions, settingFor } from "./settings.js";
import { skipReason } from "./skip.js";
import { fingerprint } from "./fingerprint.js";
import { parseSuppressions, suppressionFor } from "./suppressions.js";
import { endLineOf, lineOf } from "./ast.js";
import { isAnalyzablePath } from "./file-kind.js";
import type { Finding, RuleMeta, SkippedFile, SourceInput } from "./types.js";

export interface AnalysisInput extends SourceInput {
  /** Context files (e.g. modules imported by changed files) are parsed for facts but never reported on. */
  context?: boolean;
}

export interface RuleError {
  ruleId: string;
  path: string;
  message: string;
}

export interface AnalysisResult {
  findings: Finding[];
  suppressed: (Finding & { reason?: string })[];
  skipped: SkippedFile[];
  ruleErrors: RuleError[];
  rulesRun: string[];
  filesAnalyzed: number;
  linesAnalyzed: number;
}

type Handler = (node: ts.Node) => void;

/** VIGIL_PROFILE=1: milliseconds spent per rule, printed to stderr at the end (for `npm run bench` investigations). */
const profile = process.env.VIGIL_PROFILE ? new Map<string, number>() : undefined;
if (profile) {
  process.on("exit", () => {
    const rows = [...profile.entries()].sort((a, b) => b[1] - a[1]).slice(0, 60);
    process.stderr.write(rows.map(([id, ms]) => `${ms.toFixed(0).padStart(7)} ms  ${id}`).join("\n") + "\n");
  });
}

function scriptKindOf(path: string): ts.ScriptKind {
  if (path.endsWith(".tsx")) return ts.ScriptKind.TSX;
  if (path.endsWith(".jsx")) return ts.ScriptKind.JSX;
  if (/\.[cm]?js$/.test(path)) return ts.ScriptKind.JS;
  return ts.ScriptKind.TS;
}

/** Syntax errors the parser recorded (not part of ts's public typings). */
function parseErrors(sf: ts.SourceFile): readonly ts.Diagnostic[] {
  return (sf as unknown as { parseDiagnostics?: ts.Diagnostic[] }).parseDiagnostics ?? [];
}

/** Pure engine: source texts in, findings out. No network, no GitHub, no file system. */
export function analyze(inputs: readonly AnalysisInput[], rules: readonly Rule[], options: AnalyzeOptions = {}): AnalysisResult {
  const project = new Project({ useInMemoryFileSystem: true, compilerOptions: { allowJs: true, noLib: true }, skipLoadingLibFiles: true });
  const facts = new ProjectFacts(options.layers);
  const result: AnalysisResult = { findings: [], suppressed: [], skipped: [], ruleErrors: [], rulesRun: [], filesAnalyzed: 0, linesAnalyzed: 0 };

  const active = rules
    .map((rule) => ({ rule, setting: settingFor(options, rule.meta.id, rule.meta.category) }))
    .filter(({ setting }) => setting.enabled !== false);
  result.rulesRun = active.map(({ rule }) => rule.meta.id);

  for (const input of inputs) {
    if (!isAnalyzablePath(input.path)) continue;
    const reason = skipReason(input.path, input.content);
    if (reason) {
      if (!input.context) result.skipped.push({ path: input.path, reason });
      continue;
    }
    const sf = project.createSourceFile(`/${input.path}`, input.content, { overwrite: true, scriptKind: scriptKindOf(input.path) }).compilerNode;
    const errors = parseErrors(sf);
    if (errors.length) {
      if (!input.context) {
        const first = errors[0];
        const line = first.start !== undefined ? sf.getLineAndCharacterOfPosition(first.start).line + 1 : 0;
        result.skipped.push({ path: input.path, reason: `does not parse (line ${line}: ${ts.flattenDiagnosticMessageText(first.messageText, " ")})` });
      }
      continue;
    }
    facts.add(new FileFacts(input.path, input.content, sf, !input.context));
  }

  const perFile = new Map<string, Finding[]>();
  const emit = (file: FileFacts, meta: RuleMeta, severity: RuleMeta["severity"], d: ReportDescriptor): void => {
    if (!file.reported) return;
    const line = d.line ?? lineOf(d.node, file.sourceFile);
    const endLine = d.line ?? endLineOf(d.node, file.sourceFile);
    const column = d.line ? 1 : file.sourceFile.getLineAndCharacterOfPosition(d.node.getStart(file.sourceFile)).character + 1;
    const list = perFile.get(file.path) ?? [];
    perFile.set(file.path, list);
    // One finding per rule and line: several reports on one line are one problem to the reader.
    if (list.some((f) => f.ruleId === meta.id && f.line === line)) return;
    const f: Finding = {
      ruleId: meta.id, category: meta.category, severity: d.severity ?? severity, message: d.message, path: file.path,
      line, endLine: endLine !== line ? endLine : undefined, column, cwe: meta.cwe, fingerprint: "", details: d.details,
    };
    if (d.fix) f.fix = { description: d.fix.description, line: d.fix.line ?? line, endLine: d.fix.endLine ?? endLine, text: d.fix.text };
    list.push(f);
  };

  const total = [...facts.files.values()].filter((f) => f.reported).length;
  let reportedSoFar = 0;
  for (const file of facts.files.values()) {
    if (!file.reported) continue;
    result.filesAnalyzed++;
    result.linesAnalyzed += file.lines.length;
    const handlers = new Map<ts.SyntaxKind, Handler[]>();
    const exits: Handler[] = [];
    for (const { rule, setting } of active) {
      const ctx: RuleContext = {
        file, project: facts, options: setting.options ?? {}, meta: rule.meta,
        report: (d) => emit(file, rule.meta, setting.severity ?? rule.meta.severity, d),
      };
      const guard = (fn: (n: never) => void): Handler => (n) => {
        const t0 = profile ? performance.now() : 0;
        try {
          fn(n as never);
        } catch (err) {
          result.ruleErrors.push({ ruleId: rule.meta.id, path: file.path, message: (err as Error).message });
        }
        if (profile) profile.set(rule.meta.id, (profile.get(rule.meta.id) ?? 0) + performance.now() - t0);
      };
      let visitors;
      const tc = profile ? performance.now() : 0;
      try {
        visitors = rule.create(ctx);
        if (profile) profile.set(rule.meta.id, (profile.get(rule.meta.id) ?? 0) + performance.now() - tc);
      } catch (err) {
        result.ruleErrors.push({ ruleId: rule.meta.id, path: file.path, message: (err as Error).message });
        continue;
      }
      for (const [key, fn] of Object.entries(visitors)) {
        if (!fn) continue;
        if (key === "SourceFile:exit") {
          exits.push(guard(fn as () => void));
          continue;
        }
        const kind = (ts.SyntaxKind as unknown as Record<string, ts.SyntaxKind>)[key];
        if (kind === undefined) throw new Error(`rule ${rule.meta.id}: unknown node kind ${key}`);
        const list = handlers.get(kind) ?? [];
        list.push(guard(fn as (n: never) => void));
        handlers.set(kind, list);
      }
    }
    // The one walk: every node is visited once and handed to every rule interested in its kind.
    const visit = (node: ts.Node): void => {
      const hs = handlers.get(node.kind);
      if (hs) for (const h of hs) h(node);
      ts.forEachChild(node, visit);
    };
    visit(file.sourceFile);
    for (const h of exits) h(file.sourceFile);
    reportedSoFar += perFile.get(file.path)?.length ?? 0;
    options.onProgress?.(result.filesAnalyzed, total, reportedSoFar);
  }

  for (const { rule, setting } of active) {
    if (!rule.project) continue;
    const t0 = profile ? performance.now() : 0;
    try {
      rule.project(facts, (path, d) => {
        const file = facts.files.get(path);
        if (file) emit(file, rule.meta, setting.severity ?? rule.meta.severity, d);
      }, setting.options ?? {});
    } catch (err) {
      result.ruleErrors.push({ ruleId: rule.meta.id, path: "*", message: (err as Error).message });
    }
    if (profile) profile.set(rule.meta.id, (profile.get(rule.meta.id) ?? 0) + performance.now() - t0);
  }

  for (const [path, list] of perFile) {
    const file = facts.files.get(path)!;
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
  return result;
}
