/** In-memory GitHub state and the rules GitHub applies to it (independent of HTTP). */
import { diffHunkFor, diffTrees, findLine, parsePatch, type FileDiff, type PatchLine } from "./diff-tree.js";
import { notFound, unprocessable } from "./responses.js";
import type {
  CheckRunAnnotation,
  FakeBranch,
  FakePullRequest,
  FakeUser,
  FileContent,
  FileTree,
  HumanReviewCommentInput,
  RemovedLabel,
  ReviewEvent,
  ReviewState,
  Side,
  StoredCheckRun,
  StoredReview,
  StoredReviewComment,
} from "./types.js";

/** GitHub lists at most this many files for a pull request. */
export const MAX_PULL_FILES = 3000;

export interface PullRecord {
  id: number;
  owner: string;
  repo: string;
  number: number;
  title: string;
  body: string;
  draft: boolean;
  labels: string[];
  author: string;
  base: FakeBranch;
  head: FakeBranch;
  /** Every head sha the PR has had, oldest first. */
  headShas: string[];
  created_at: string;
  updated_at: string;
}

export type ContentEntry =
  | { type: "file"; path: string; content: FileContent }
  | { type: "dir"; path: string; entries: { type: "file" | "dir"; path: string; content?: FileContent }[] };

interface ReviewCommentInput {
  path?: unknown;
  body?: unknown;
  line?: unknown;
  side?: unknown;
  start_line?: unknown;
  start_side?: unknown;
  position?: unknown;
}

interface ResolvedLocation {
  line: number;
  side: Side;
  start_line: number | null;
  start_side: Side | null;
  position: number;
  diff_hunk: string;
}

const REVIEW_STATES: Record<ReviewEvent, ReviewState> = {
  APPROVE: "APPROVED",
  REQUEST_CHANGES: "CHANGES_REQUESTED",
  COMMENT: "COMMENTED",
};

export function repoKey(owner: string, repo: string): string {
  return `${owner}/${repo}`.toLowerCase();
}

export class FakeState {
  readonly pulls = new Map<string, PullRecord>();
  readonly reviewComments: StoredReviewComment[] = [];
  readonly reviews: StoredReview[] = [];
  readonly checkRuns: StoredCheckRun[] = [];
  readonly removedLabels: RemovedLabel[] = [];
  readonly resolvedThreads: string[] = [];
  readonly issuedTokens: string[] = [];
  /** `owner/repo@sha` → tree; every tree ever set is kept. */
  private readonly trees = new Map<string, FileTree>();
  /** `owner/repo:ref` → sha. */
  private readonly refs = new Map<string, string>();
  private readonly defaultBranches = new Map<string, string>();
  private readonly omitted = new Set<string>();
  private readonly diffCache = new Map<string, FileDiff[]>();
  private nextId = 1000;

  constructor(readonly bot: FakeUser) {}

  newId(): number {
    return this.nextId++;
  }

  // ---- pull requests and trees -------------------------------------------------------------

  setPullRequest(pr: FakePullRequest): PullRecord {
    const key = repoKey(pr.owner, pr.repo);
    const now = new Date().toISOString();
    for (const branch of [pr.base, pr.head]) {
      this.trees.set(`${key}@${branch.sha}`, branch.files);
      this.refs.set(`${key}:${branch.ref}`, branch.sha);
    }
    if (!this.defaultBranches.has(key)) this.defaultBranches.set(key, pr.base.ref);
    this.diffCache.clear();
    const existing = this.pulls.get(`${key}#${pr.number}`);
    const record: PullRecord = {
      id: existing?.id ?? this.newId(),
      owner: pr.owner,
      repo: pr.repo,
      number: pr.number,
      title: pr.title ?? existing?.title ?? `Pull request #${pr.number}`,
      body: pr.body ?? existing?.body ?? "",
      draft: pr.draft ?? existing?.draft ?? false,
      labels: pr.labels ? [...pr.labels] : (existing?.labels ?? []),
      author: pr.author ?? existing?.author ?? "octocat",
      base: pr.base,
      head: pr.head,
      headShas: existing
        ? existing.headShas.includes(pr.head.sha)
          ? existing.headShas
          : [...existing.headShas, pr.head.sha]
        : [pr.head.sha],
      created_at: existing?.created_at ?? now,
      updated_at: now,
    };
    this.pulls.set(`${key}#${pr.number}`, record);
    return record;
  }

  pull(owner: string, repo: string, number: number): PullRecord {
    const found = this.pulls.get(`${repoKey(owner, repo)}#${number}`);
    if (!found) throw notFound();
    return found;
  }

  pullsOf(owner: string, repo: string): PullRecord[] {
    const key = repoKey(owner, repo);
    return [...this.pulls.values()].filter((p) => repoKey(p.owner, p.repo) === key).sort((a, b) => b.number - a.number);
  }

  /** The only PR the fake knows (for helpers called without coordinates). */
  onlyPull(): PullRecord {
    if (this.pulls.size !== 1) throw new Error(`expected exactly one pull request, the fake has ${this.pulls.size}`);
    return [...this.pulls.values()][0]!;
  }

  omitPatchFor(path: string): void {
    this.omitted.add(path);
    this.diffCache.clear();
  }

  /** The PR's files as of head commit `headSha` (default: the current head). */
  files(pull: PullRecord, headSha = pull.head.sha): FileDiff[] {
    const key = repoKey(pull.owner, pull.repo);
    const cacheKey = `${key}@${pull.base.sha}..${headSha}`;
    let diffs = this.diffCache.get(cacheKey);
    if (!diffs) {
      const head = this.trees.get(`${key}@${headSha}`);
      if (!head) throw unprocessable(["Commit could not be resolved"]);
      diffs = diffTrees(pull.base.files, head, this.omitted);
      this.diffCache.set(cacheKey, diffs);
    }
    return diffs;
  }

  /** Resolves `ref` (a known sha, a branch name, or the default branch) and looks `path` up. */
  content(owner: string, repo: string, path: string, ref: string | undefined): ContentEntry | undefined {
    const key = repoKey(owner, repo);
    const name = ref?.replace(/^refs\/heads\//, "") ?? this.defaultBranches.get(key);
    if (name === undefined) return undefined;
    const tree = this.trees.get(`${key}@${name}`) ?? this.trees.get(`${key}@${this.refs.get(`${key}:${name}`) ?? ""}`);
    if (!tree) return undefined;
    const clean = path.replace(/^\/+|\/+$/g, "");
    const file = tree[clean];
    if (file !== undefined) return { type: "file", path: clean, content: file };
    const prefix = clean === "" ? "" : `${clean}/`;
    const entries = new Map<string, { type: "file" | "dir"; path: string; content?: FileContent }>();
    for (const [p, content] of Object.entries(tree)) {
      if (!p.startsWith(prefix)) continue;
      const [first, ...rest] = p.slice(prefix.length).split("/");
      const child = `${prefix}${first}`;
      entries.set(child, rest.length ? { type: "dir", path: child } : { type: "file", path: child, content });
    }
    if (entries.size === 0) return undefined;
    return { type: "dir", path: clean, entries: [...entries.values()].sort((a, b) => a.path.localeCompare(b.path)) };
  }

  removeLabel(pull: PullRecord, name: string): void {
    const index = pull.labels.findIndex((l) => l.toLowerCase() === name.toLowerCase());
    if (index < 0) throw notFound();
    pull.labels.splice(index, 1);
    this.removedLabels.push({ owner: pull.owner, repo: pull.repo, number: pull.number, name });
  }

  // ---- reviews and review comments -----------------------------------------------------------

  createReview(pull: PullRecord, body: Record<string, unknown>): StoredReview {
    const commitId = typeof body.commit_id === "string" ? body.commit_id : pull.head.sha;
    if (!pull.headShas.includes(commitId)) throw unprocessable(["Commit could not be resolved"]);
    const event = body.event as ReviewEvent | undefined;
    const text = typeof body.body === "string" ? body.body : "";
    const comments = Array.isArray(body.comments) ? (body.comments as Record<string, unknown>[]) : [];
    if ((event === "REQUEST_CHANGES" || event === "COMMENT") && text.trim() === "" && comments.length === 0) {
      throw unprocessable([`Body can't be blank when the event is ${event}`]);
    }
    const diffs = this.files(pull, commitId);
    const locations = comments.map((c) => this.locate(diffs, c));
    const errors = locations.filter((l): l is string => typeof l === "string");
    if (errors.length) throw unprocessable(errors);

    const now = new Date().toISOString();
    const review: StoredReview = {
      id: this.newId(),
      owner: pull.owner,
      repo: pull.repo,
      pull_number: pull.number,
      event,
      state: event ? REVIEW_STATES[event] : "PENDING",
      body: text,
      commit_id: commitId,
      comments,
      commentIds: [],
      user: this.bot,
      submitted_at: now,
    };
    comments.forEach((c, i) => {
      const location = locations[i] as ResolvedLocation;
      const comment = this.storeComment(pull, {
        pull_request_review_id: review.id,
        body: String(c.body),
        path: String(c.path),
        commit_id: commitId,
        user: this.bot,
        ...location,
      });
      review.commentIds.push(comment.id);
    });
    this.reviews.push(review);
    return review;
  }

  /** Where an inline comment lands, or GitHub's error string when it is not inside the diff. */
  private locate(diffs: FileDiff[], comment: ReviewCommentInput): ResolvedLocation | string {
    const file = diffs.find((d) => d.filename === comment.path);
    if (!file) return `Path could not be resolved: ${String(comment.path)}`;
    if (file.patch === undefined) return `Line could not be resolved: ${file.filename} has no diff to comment on`;
    const lines = parsePatch(file.patch);
    let target: PatchLine | undefined;
    let side: Side;
    if (typeof comment.line === "number") {
      side = comment.side === "LEFT" ? "LEFT" : "RIGHT";
      target = findLine(lines, side, comment.line);
      if (!target) return `Line could not be resolved: ${file.filename}:${comment.line} (${side}) is outside the diff hunks`;
    } else if (typeof comment.position === "number") {
      target = lines[comment.position];
      if (!target || target.kind === "hunk" || target.kind === "meta" || comment.position < 1) {
        return `Position could not be resolved: ${file.filename} position ${comment.position}`;
      }
      side = target.kind === "del" ? "LEFT" : "RIGHT";
    } else {
      return `Line could not be resolved: ${file.filename} comment has neither line nor position`;
    }
    const line = (side === "LEFT" ? target.oldLine : target.newLine)!;
    let startLine: number | null = null;
    let startSide: Side | null = null;
    if (typeof comment.start_line === "number") {
      startSide = comment.start_side === "LEFT" ? "LEFT" : comment.start_side === "RIGHT" ? "RIGHT" : side;
      if (!findLine(lines, startSide, comment.start_line)) {
        return `Start line could not be resolved: ${file.filename}:${comment.start_line} (${startSide}) is outside the diff hunks`;
      }
      if (startSide === side && comment.start_line > line) return `start_line must precede line: ${file.filename}`;
      startLine = comment.start_line;
    }
    return { line, side, start_line: startLine, start_side: startSide, position: target.position, diff_hunk: diffHunkFor(file.patch, target) };
  }

  private storeComment(
    pull: PullRecord,
    fields: Omit<StoredReviewComment, "id" | "owner" | "repo" | "pull_number" | "created_at">,
  ): StoredReviewComment {
    const comment: StoredReviewComment = {
      id: this.newId(),
      owner: pull.owner,
      repo: pull.repo,
      pull_number: pull.number,
      created_at: new Date().toISOString(),
      ...fields,
    };
    if (comment.in_reply_to_id === undefined) delete comment.in_reply_to_id;
    this.reviewComments.push(comment);
    return comment;
  }

  commentsOf(pull: PullRecord): StoredReviewComment[] {
    return this.reviewComments.filter(
      (c) => repoKey(c.owner, c.repo) === repoKey(pull.owner, pull.repo) && c.pull_number === pull.number,
    );
  }

  reviewsOf(pull: PullRecord): StoredReview[] {
    return this.reviews.filter(
      (r) => repoKey(r.owner, r.repo) === repoKey(pull.owner, pull.repo) && r.pull_number === pull.number,
    );
  }

  /** Replies go to the thread's first comment, as on GitHub. */
  reply(pull: PullRecord, commentId: number, body: string, user: FakeUser = this.bot): StoredReviewComment {
    const parent = this.commentsOf(pull).find((c) => c.id === commentId);
    if (!parent) throw notFound();
    const root = this.commentsOf(pull).find((c) => c.id === (parent.in_reply_to_id ?? parent.id)) ?? parent;
    return this.storeComment(pull, {
      pull_request_review_id: null,
      body,
      path: root.path,
      line: root.line,
      side: root.side,
      start_line: root.start_line,
      start_side: root.start_side,
      position: root.position,
      commit_id: root.commit_id,
      diff_hunk: root.diff_hunk,
      user,
      in_reply_to_id: root.id,
    });
  }

  addHumanReviewComment(input: HumanReviewCommentInput): StoredReviewComment {
    const pull =
      input.owner && input.repo && input.pull_number !== undefined
        ? this.pull(input.owner, input.repo, input.pull_number)
        : this.onlyPull();
    const user: FakeUser = { login: input.login, type: "User" };
    if (input.in_reply_to_id !== undefined) return this.reply(pull, input.in_reply_to_id, input.body, user);
    const side = input.side ?? "RIGHT";
    const file = this.files(pull).find((d) => d.filename === input.path);
    const target = file?.patch ? findLine(parsePatch(file.patch), side, input.line) : undefined;
    return this.storeComment(pull, {
      pull_request_review_id: this.newId(),
      body: input.body,
      path: input.path,
      line: input.line,
      side,
      start_line: null,
      start_side: null,
      position: target?.position ?? null,
      commit_id: pull.head.sha,
      diff_hunk: target && file?.patch ? diffHunkFor(file.patch, target) : "",
      user,
    });
  }

  threadId(comment: StoredReviewComment): string {
    return `PRRT_${comment.in_reply_to_id ?? comment.id}`;
  }

  isResolved(threadId: string): boolean {
    return this.resolvedThreads.includes(threadId);
  }

  resolveThread(threadId: string): boolean {
    const exists = this.reviewComments.some((c) => c.in_reply_to_id === undefined && `PRRT_${c.id}` === threadId);
    if (exists && !this.isResolved(threadId)) this.resolvedThreads.push(threadId);
    return exists;
  }

  // ---- check runs --------------------------------------------------------------------------

  createCheckRun(owner: string, repo: string, body: Record<string, unknown>): StoredCheckRun {
    const run: StoredCheckRun = {
      id: this.newId(),
      owner,
      repo,
      name: String(body.name),
      head_sha: String(body.head_sha),
      status: "queued",
      conclusion: null,
      external_id: null,
      details_url: null,
      started_at: new Date().toISOString(),
      completed_at: null,
      output: { title: null, summary: null, text: null },
      annotations: [],
      createBody: body,
      updates: [],
    };
    this.applyCheckRunFields(run, body);
    this.checkRuns.push(run);
    return run;
  }

  checkRun(owner: string, repo: string, id: number): StoredCheckRun {
    const run = this.checkRuns.find((r) => r.id === id && repoKey(r.owner, r.repo) === repoKey(owner, repo));
    if (!run) throw notFound();
    return run;
  }

  updateCheckRun(run: StoredCheckRun, body: Record<string, unknown>): StoredCheckRun {
    run.updates.push(body);
    this.applyCheckRunFields(run, body);
    return run;
  }

  private applyCheckRunFields(run: StoredCheckRun, body: Record<string, unknown>): void {
    if (typeof body.name === "string") run.name = body.name;
    if (typeof body.external_id === "string") run.external_id = body.external_id;
    if (typeof body.details_url === "string") run.details_url = body.details_url;
    if (typeof body.started_at === "string") run.started_at = body.started_at;
    if (typeof body.status === "string") run.status = body.status;
    if (typeof body.conclusion === "string") {
      // Providing a conclusion completes the run.
      run.conclusion = body.conclusion;
      run.status = "completed";
    }
    if (typeof body.completed_at === "string") run.completed_at = body.completed_at;
    else if (run.status === "completed" && run.completed_at === null) run.completed_at = new Date().toISOString();
    const output = body.output as Record<string, unknown> | undefined;
    if (output) {
      for (const field of ["title", "summary", "text"] as const) {
        if (typeof output[field] === "string") run.output[field] = output[field];
      }
      if (Array.isArray(output.annotations)) run.annotations.push(...(output.annotations as CheckRunAnnotation[]));
    }
  }
}
