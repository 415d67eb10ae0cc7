import type { Logger } from "pino";
import { analyze, type AnalysisInput } from "../core/analyze.js";
import type { Rule } from "../core/rule.js";
import { SEVERITY_RANK, type Finding, type SkippedFile } from "../core/types.js";
import { isAnalyzablePath } from "../core/file-kind.js";
import { skipReason } from "../core/skip.js";
import { allLines, changedLinesFromPatch, type ChangedLines } from "../diff/changed-lines.js";
import { CONFIG_PATH, parseConfig, pathFilter, toAnalyzeOptions } from "../config/load.js";
import type { VigilConfig } from "../config/schema.js";
import { commentBody, fingerprintOf, fixedReplyBody, FIXED_MARKER } from "../report/comment.js";
import { checkSummary, checkTitle } from "../report/summary.js";
import { MAX_ANNOTATIONS_PER_REQUEST } from "../report/limits.js";
import type { Annotation, Conclusion, ExistingComment, GitHubPort, InlineComment, PullFile } from "./port.js";
import type { ReviewJob } from "./job.js";
import { onChangedLines, type PlacedFinding } from "./select.js";
import { mapLimit } from "./map-limit.js";
import { relativeImportSpecs } from "../core/import-specs.js";
import { importCandidates } from "../core/project-facts.js";

export const CHECK_NAME = "Vigil";
/** GitHub's pulls.listFiles stops at 3,000 files. */
const LIST_FILES_CAP = 3000;
const CONTENT_CONCURRENCY = 8;
const MAX_REPLIES_PER_RUN = 20;

export interface ReviewDeps {
  port: GitHubPort;
  rules: readonly Rule[];
  log: Pick<Logger, "info" | "warn" | "error" | "debug">;
  serverUrl?: string;
  /** Rerun label used when the base branch has no config (env VIGIL_RERUN_LABEL). */
  defaultRerunLabel?: string;
  /** Skip drafts when the base branch has no config. */
  defaultSkipDrafts?: boolean;
  now?: () => number;
}

export type ReviewOutcome =
  | { status: "skipped"; reason: string }
  | { status: "completed"; conclusion: Conclusion; checkRunId: number; findings: Finding[]; newComments: number; fixed: number };

function annotationLevel(s: Finding["severity"]): Annotation["annotation_level"] {
  return s === "error" ? "failure" : s === "warning" ? "warning" : "notice";
}

function conclusionFor(findings: Finding[], failOn: VigilConfig["failOn"]): Conclusion {
  if (failOn !== "never" && findings.some((f) => SEVERITY_RANK[f.severity] >= SEVERITY_RANK[failOn])) return "failure";
  return findings.length ? "neutral" : "success";
}

/**
 * Reviews one push of one PR: the only place that knows the order of things.
 * The check run it creates always ends `completed`, whatever fails on the way.
 */
export async function runReview(job: ReviewJob, deps: ReviewDeps): Promise<ReviewOutcome> {
  const { port, log } = deps;
  const now = deps.now ?? Date.now;
  const started = now();
  const pull = await port.getPull(job.pull);
  if (pull.state !== "open") return { status: "skipped", reason: `pull request is ${pull.state}` };
  if (pull.headSha !== job.headSha) log.info({ expected: job.headSha, actual: pull.headSha }, "head moved since the event; reviewing the current head");
  const headSha = pull.headSha;

  // The base branch's config: a PR cannot switch off its own checks.
  const configText = await readText(port, CONFIG_PATH, pull.baseSha);
  const loaded = parseConfig(configText);
  const config = loaded.config;
  const known = new Set(deps.rules.flatMap((r) => [r.meta.id, r.meta.category]));
  const unknown = Object.keys(config.rules).filter((k) => !known.has(k));
  if (unknown.length) loaded.error = [loaded.error, `${CONFIG_PATH}: unknown rule id${unknown.length > 1 ? "s" : ""} ${unknown.map((u) => `\`${u}\``).join(", ")} (see docs/rules.md)`].filter(Boolean).join("\n");
  if (loaded.source === "default") {
    if (deps.defaultRerunLabel) config.rerunLabel = deps.defaultRerunLabel;
    if (deps.defaultSkipDrafts !== undefined) config.skipDrafts = deps.defaultSkipDrafts;
  }
  if (job.trigger === "label" && job.label !== config.rerunLabel) return { status: "skipped", reason: `label ${job.label} is not the re-run label` };
  if (pull.draft && config.skipDrafts && job.trigger !== "label") return { status: "skipped", reason: "draft pull request" };

  const checkRunId = await port.createCheckRun(headSha, CHECK_NAME);
  try {
    await port.updateCheckRun(checkRunId, { status: "in_progress" });
    const outcome = await reviewInsideCheck(job, deps, config, loaded.error, headSha, checkRunId, started, now);
    return outcome;
  } catch (err) {
    log.error({ err }, "review failed");
    await completeWithError(port, checkRunId, err as Error, log);
    return { status: "completed", conclusion: "neutral", checkRunId, findings: [], newComments: 0, fixed: 0 };
  } finally {
    if (job.trigger === "label" && job.label) {
      await port.removeLabel(job.pull, job.label).catch((err) => log.warn({ err }, "could not remove the re-run label"));
    }
  }
}

async function readText(port: GitHubPort, path: string, ref: string): Promise<string | undefined> {
  return (await port.getContent(path, ref))?.text;
}

async function reviewInsideCheck(
  job: ReviewJob, deps: ReviewDeps, config: VigilConfig, configError: string | undefined,
  headSha: string, checkRunId: number, started: number, now: () => number,
): Promise<ReviewOutcome> {
  const { port, log } = deps;
  const files = await port.listFiles(job.pull);
  const notReviewed: string[] = [];
  if (files.length >= LIST_FILES_CAP) notReviewed.push(`GitHub lists at most ${LIST_FILES_CAP} changed files; files past that were not reviewed.`);

  const wanted = pathFilter(config);
  const candidates = files.filter((f) => f.status !== "removed" && isAnalyzablePath(f.filename) && wanted(f.filename));
  const skipped: SkippedFile[] = [];
  const changed = new Map<string, ChangedLines>();
  const inputs: AnalysisInput[] = [];
  await mapLimit(candidates, CONTENT_CONCURRENCY, async (f: PullFile) => {
    const file = await port.getContent(f.filename, headSha);
    if (file === undefined) {
      skipped.push({ path: f.filename, reason: "content not available at the head commit" });
      return;
    }
    if (file.binary) {
      skipped.push({ path: f.filename, reason: "binary file" });
      return;
    }
    if (file.text === undefined) {
      skipped.push({ path: f.filename, reason: `too large (${Math.round(file.size / 1024)} KiB)` });
      return;
    }
    const content = file.text;
    const reason = skipReason(f.filename, content);
    if (reason) {
      skipped.push({ path: f.filename, reason });
      return;
    }
    if (!f.patch && f.status !== "added") {
      skipped.push({ path: f.filename, reason: "GitHub omitted the diff (too large): changed lines unknown" });
      return;
    }
    changed.set(f.filename, f.patch ? changedLinesFromPatch(f.patch) : allLines(content.split("\n").length));
    inputs.push({ path: f.filename, content });
  });
  inputs.sort((a, b) => a.path.localeCompare(b.path));
  const context = await fetchContext(port, headSha, inputs, new Set(files.map((f) => f.filename)));

  const changedLines = Object.fromEntries([...changed].map(([p, c]) => [p, [...c.added]]));
  const result = analyze([...inputs, ...context], deps.rules, { ...toAnalyzeOptions(config), changedLines });
  const allSkipped = [...skipped, ...result.skipped].sort((a, b) => a.path.localeCompare(b.path));
  const placed = onChangedLines(result.findings, changed);
  const findings = placed.map((p) => p.finding);
  const suppressedOnChanged = onChangedLines(result.suppressed, changed).length;

  // Publishing: comments first, so that a failure there is reported in the check run.
  let publishError: string | undefined;
  let newComments = 0;
  let fixed = 0;
  if (config.comments !== "off") {
    try {
      ({ newComments, fixed } = await publishReview(job, deps, config, placed, headSha, new Set(inputs.map((i) => i.path)), files));
    } catch (err) {
      publishError = `Review comments could not be posted (${(err as Error).message}); the findings are in the annotations below.`;
      log.error({ err }, "publishing the review failed");
    }
  }

  const conclusion = conclusionFor(findings, config.failOn);
  const serverUrl = deps.serverUrl ?? "https://github.com";
  const summary = checkSummary({
    findings, suppressedCount: suppressedOnChanged, skipped: allSkipped, notReviewed, rulesRun: result.rulesRun,
    filesAnalyzed: result.filesAnalyzed, durationMs: now() - started, configError, ruleErrors: result.ruleErrors, publishError,
    link: (p, l) => `${serverUrl}/${job.owner}/${job.repo}/blob/${headSha}/${p}#L${l}`, newComments, fixedCount: fixed,
  });
  const annotations: Annotation[] = findings.map((f) => ({
    path: f.path, start_line: f.line, end_line: f.line, annotation_level: annotationLevel(f.severity),
    message: f.message, title: `${f.ruleId} (${f.cwe.join(", ")})`,
  }));
  const title = checkTitle(findings);
  // The first batch goes with the completion; GitHub appends annotations sent in later updates.
  const batches: Annotation[][] = [];
  for (let i = 0; i < annotations.length; i += MAX_ANNOTATIONS_PER_REQUEST) batches.push(annotations.slice(i, i + MAX_ANNOTATIONS_PER_REQUEST));
  for (const batch of batches.slice(1)) await port.updateCheckRun(checkRunId, { output: { title, summary, annotations: batch } });
  await port.updateCheckRun(checkRunId, { status: "completed", conclusion, output: { title, summary, annotations: batches[0] ?? [] } });
  log.info({ findings: findings.length, conclusion, newComments, fixed, skipped: allSkipped.length }, "review completed");
  return { status: "completed", conclusion, checkRunId, findings, newComments, fixed };
}

/** How far cross-file rules look beyond the changed files (imports of imports…), and at most how many files. */
const CONTEXT_DEPTH = 3;
const MAX_CONTEXT_FILES = 150;

/**
 * The unchanged modules the changed files import, transitively (bounded), read at the head commit: cross-file rules
 * (import cycles, layers, duplicates) need them, but they are never commented on.
 */
async function fetchContext(port: GitHubPort, headSha: string, changed: AnalysisInput[], inPr: Set<string>): Promise<AnalysisInput[]> {
  const known = new Set(inPr);
  const out: AnalysisInput[] = [];
  let frontier: AnalysisInput[] = changed;
  for (let depth = 0; depth < CONTEXT_DEPTH && frontier.length && out.length < MAX_CONTEXT_FILES; depth++) {
    const wanted = new Map<string, string[]>();
    for (const f of frontier) {
      for (const spec of relativeImportSpecs(f.content)) {
        const candidates = importCandidates(f.path, spec);
        if (!candidates.length || candidates.some((c) => known.has(c))) continue;
        wanted.set(candidates[0], candidates);
      }
    }
    const next: AnalysisInput[] = [];
    await mapLimit([...wanted.values()], CONTENT_CONCURRENCY, async (candidates) => {
      for (const path of candidates.slice(0, 4)) {
        if (known.has(path) || out.length + next.length >= MAX_CONTEXT_FILES) return;
        const file = await port.getContent(path, headSha);
        if (file?.text === undefined) continue;
        known.add(path);
        next.push({ path, content: file.text, context: true });
        return;
      }
    });
    out.push(...next);
    frontier = next;
  }
  return out;
}

async function publishReview(
  job: ReviewJob, deps: ReviewDeps, config: VigilConfig, placed: PlacedFinding[], headSha: string,
  analyzedPaths: Set<string>, files: PullFile[],
): Promise<{ newComments: number; fixed: number }> {
  const { port } = deps;
  const existing = await port.listReviewComments(job.pull);
  const ours = existing.filter((c) => c.authorIsBot && fingerprintOf(c.body) && !c.inReplyToId);
  const postedFps = new Map<string, ExistingComment>();
  for (const c of ours) postedFps.set(fingerprintOf(c.body)!, c);
  const currentFps = new Set(placed.map((p) => p.finding.fingerprint));

  const fresh = placed.filter((p) => p.commentLine !== undefined && !postedFps.has(p.finding.fingerprint));
  const ordered = [...fresh].sort((a, b) => SEVERITY_RANK[b.finding.severity] - SEVERITY_RANK[a.finding.severity]);
  const limited = config.comments === "inline" ? ordered.slice(0, config.maxInlineComments) : [];
  const comments: InlineComment[] = limited.map((p) => ({ path: p.finding.path, line: p.commentLine!, body: commentBody(p.finding) }));

  // Earlier findings that are gone: the file was analyzed again (or is no longer in the PR) and the fingerprint is absent.
  const stillChanged = new Set(files.filter((f) => f.status !== "removed").map((f) => f.filename));
  const gone = ours.filter((c) => !currentFps.has(fingerprintOf(c.body)!) && (analyzedPaths.has(c.path) || !stillChanged.has(c.path)));
  const alreadyAnswered = new Set(existing.filter((c) => c.authorIsBot && c.inReplyToId && c.body.includes(FIXED_MARKER)).map((c) => c.inReplyToId!));
  const toClose = gone.filter((c) => !alreadyAnswered.has(c.id));

  if (comments.length || (config.comments === "summary-only" && fresh.length)) {
    const failing = placed.some((p) => config.failOn !== "never" && SEVERITY_RANK[p.finding.severity] >= SEVERITY_RANK[config.failOn]);
    const event = config.reviewEvent === "REQUEST_CHANGES" && failing ? "REQUEST_CHANGES" : "COMMENT";
    const extra = fresh.length - comments.length;
    const body = [
      `**Vigil** found ${fresh.length} new problem${fresh.length === 1 ? "" : "s"} in this push.`,
      extra > 0 ? `${extra} more ${extra === 1 ? "is" : "are"} listed in the Vigil check run only (limit: ${config.maxInlineComments} inline comments).` : "",
    ].filter(Boolean).join(" ");
    await port.createReview(job.pull, { commitId: headSha, event, body, comments });
  }
  let fixed = 0;
  if (toClose.length) {
    const resolved = await port.resolveThreads(job.pull, toClose.map((c) => c.id)).catch(() => 0);
    // Threads we could not resolve (no permission, GraphQL error) get one reply instead.
    // Replies are content creation (GitHub allows ~80 a minute per installation): a bounded number per run, the rest next time.
    if (resolved < toClose.length) for (const c of toClose.slice(0, MAX_REPLIES_PER_RUN)) await port.replyToComment(job.pull, c.id, fixedReplyBody(headSha));
    fixed = toClose.length;
  }
  return { newComments: comments.length, fixed };
}

async function completeWithError(port: GitHubPort, checkRunId: number, err: Error, log: ReviewDeps["log"]): Promise<void> {
  const output = {
    title: "Vigil could not complete the review",
    summary: `The review stopped with an internal error and was not completed:\n\n\`\`\`\n${String(err.message).slice(0, 2000)}\n\`\`\`\n\nAdd the re-run label or press "Re-run" to try again.`,
  };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await port.updateCheckRun(checkRunId, { status: "completed", conclusion: "neutral", output });
      return;
    } catch (e) {
      log.error({ err: e, attempt }, "could not conclude the check run");
      await new Promise((r) => setTimeout(r, 200 * (attempt + 1)));
    }
  }
}
