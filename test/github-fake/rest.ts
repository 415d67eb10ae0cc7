/** Handlers of the REST operations the fake implements, keyed by operationId. */
import { randomBytes } from "node:crypto";
import { gitDiff, isBinary, toBuffer } from "./diff-tree.js";
import { paginate } from "./pagination.js";
import {
  renderCheckRun,
  renderContentFile,
  renderDirEntry,
  renderFile,
  renderPull,
  renderReview,
  renderReviewComment,
} from "./render.js";
import { HttpError, notFound, errorBody, type FakeResponse } from "./responses.js";
import { MAX_PULL_FILES, type FakeState, type PullRecord } from "./state.js";

export interface RestContext {
  state: FakeState;
  /** API base URL as the client addressed it (for `url` fields). */
  api: string;
  /** Absolute request URL (for `Link` headers). */
  url: URL;
  params: Record<string, string>;
  body: Record<string, unknown>;
  accept: string;
  appSlug: string;
}

type Handler = (ctx: RestContext) => FakeResponse;

/** The GitHub diff media type caps (406 beyond them). */
const MAX_DIFF_FILES = 300;
const MAX_DIFF_LINES = 20_000;

const json = (body: unknown, status = 200): FakeResponse => ({ status, body });

function pullOf(ctx: RestContext): PullRecord {
  return ctx.state.pull(ctx.params.owner!, ctx.params.repo!, Number(ctx.params.pull_number ?? ctx.params.issue_number));
}

function paged<T>(ctx: RestContext, items: readonly T[], render: (item: T) => unknown): FakeResponse {
  const page = paginate(items, ctx.url);
  return { status: 200, body: page.items.map(render), headers: page.link ? { link: page.link } : {} };
}

export const restHandlers: Record<string, Handler> = {
  "apps/create-installation-access-token": (ctx) => {
    const token = `ghs_fake${randomBytes(16).toString("hex")}`;
    ctx.state.issuedTokens.push(token);
    return json(
      {
        token,
        expires_at: new Date(Date.now() + 3600_000).toISOString().replace(/\.\d{3}Z$/, "Z"),
        permissions: ctx.body.permissions ?? { checks: "write", contents: "read", metadata: "read", pull_requests: "write" },
        repository_selection: "all",
      },
      201,
    );
  },

  "pulls/list": (ctx) => {
    const state = ctx.url.searchParams.get("state") ?? "open";
    const head = ctx.url.searchParams.get("head");
    const base = ctx.url.searchParams.get("base");
    // Every pull request the fake knows is open.
    const candidates = state === "closed" ? [] : ctx.state.pullsOf(ctx.params.owner!, ctx.params.repo!);
    const pulls = candidates
      .filter((p) => !head || head === `${p.owner}:${p.head.ref}` || head === p.head.ref)
      .filter((p) => !base || base === p.base.ref);
    return paged(ctx, pulls, (p) => renderPull(ctx.api, p, ctx.state.files(p)));
  },

  "pulls/get": (ctx) => {
    const pull = pullOf(ctx);
    const files = ctx.state.files(pull);
    if (/application\/vnd\.github(\.v3)?\.diff/.test(ctx.accept)) {
      const lines = files.reduce((n, f) => n + f.changes, 0);
      if (files.length > MAX_DIFF_FILES || lines > MAX_DIFF_LINES) {
        throw new HttpError(406, {
          ...errorBody(406, `Sorry, the diff exceeded the maximum number of ${files.length > MAX_DIFF_FILES ? "files (300)" : "lines (20000)"}.`),
          errors: [{ resource: "PullRequest", field: "diff", code: "too_large" }],
        });
      }
      const head = pull.head.files;
      return { status: 200, raw: gitDiff(pull.base.files, head), headers: { "content-type": "text/plain; charset=utf-8", "x-github-media-type": "github.v3; param=diff" } };
    }
    return json(renderPull(ctx.api, pull, files));
  },

  "pulls/list-files": (ctx) => {
    const pull = pullOf(ctx);
    const files = ctx.state.files(pull).slice(0, MAX_PULL_FILES);
    return paged(ctx, files, (f) => renderFile(ctx.api, pull, f));
  },

  "repos/get-content": (ctx) => {
    const { owner, repo, path } = ctx.params as { owner: string; repo: string; path: string };
    const ref = ctx.url.searchParams.get("ref") ?? undefined;
    const entry = ctx.state.content(owner, repo, path, ref);
    if (!entry) throw notFound();
    const refName = ref ?? "HEAD";
    if (entry.type === "dir") return json(entry.entries.map((e) => renderDirEntry(ctx.api, owner, repo, refName, e)));
    if (/application\/vnd\.github(\.v3)?\.raw/.test(ctx.accept)) {
      const type = isBinary(entry.content) ? "application/octet-stream" : "text/plain; charset=utf-8";
      return { status: 200, raw: toBuffer(entry.content), headers: { "content-type": type, "x-github-media-type": "github.v3; param=raw" } };
    }
    return json(renderContentFile(ctx.api, owner, repo, entry.path, refName, entry.content));
  },

  "checks/create": (ctx) => {
    const run = ctx.state.createCheckRun(ctx.params.owner!, ctx.params.repo!, ctx.body);
    return json(renderCheckRun(ctx.api, run, ctx.appSlug), 201);
  },

  "checks/update": (ctx) => {
    const run = ctx.state.checkRun(ctx.params.owner!, ctx.params.repo!, Number(ctx.params.check_run_id));
    return json(renderCheckRun(ctx.api, ctx.state.updateCheckRun(run, ctx.body), ctx.appSlug));
  },

  "checks/get": (ctx) => {
    const run = ctx.state.checkRun(ctx.params.owner!, ctx.params.repo!, Number(ctx.params.check_run_id));
    return json(renderCheckRun(ctx.api, run, ctx.appSlug));
  },

  "pulls/create-review": (ctx) => {
    const review = ctx.state.createReview(pullOf(ctx), ctx.body);
    return json(renderReview(ctx.api, review));
  },

  "pulls/list-reviews": (ctx) => {
    return paged(ctx, ctx.state.reviewsOf(pullOf(ctx)), (r) => renderReview(ctx.api, r));
  },

  "pulls/list-review-comments": (ctx) => {
    const since = ctx.url.searchParams.get("since");
    const direction = ctx.url.searchParams.get("direction") ?? "asc";
    let comments = ctx.state.commentsOf(pullOf(ctx));
    if (since) comments = comments.filter((c) => c.created_at >= new Date(since).toISOString());
    if (direction === "desc") comments = [...comments].reverse();
    return paged(ctx, comments, (c) => renderReviewComment(ctx.api, c));
  },

  "pulls/create-reply-for-review-comment": (ctx) => {
    const reply = ctx.state.reply(pullOf(ctx), Number(ctx.params.comment_id), String(ctx.body.body));
    return json(renderReviewComment(ctx.api, reply), 201);
  },

  "issues/remove-label": (ctx) => {
    const pull = pullOf(ctx);
    try {
      ctx.state.removeLabel(pull, ctx.params.name!);
    } catch (error) {
      if (error instanceof HttpError) throw new HttpError(404, errorBody(404, "Label does not exist"));
      throw error;
    }
    return json(pull.labels.map((name) => ({ name, color: "ededed", default: false })));
  },
};
