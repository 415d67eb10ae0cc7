import type { Octokit } from "@octokit/rest";
import type { CheckOutput, Conclusion, ExistingComment, FileContent, GitHubPort, InlineComment, PullFile, PullInfo } from "../review/port.js";

/** Structural type shared by Probot's installation octokit and @octokit/rest. */
export type OctokitLike = Pick<Octokit, "rest" | "paginate" | "graphql">;

function status(err: unknown): number | undefined {
  return (err as { status?: number }).status;
}

/** GitHubPort over octokit, scoped to one repository. Retries and rate limits are octokit's plugins' job. */
export class OctokitPort implements GitHubPort {
  constructor(private readonly octokit: OctokitLike, private readonly owner: string, private readonly repo: string) {}

  private get r() {
    return { owner: this.owner, repo: this.repo };
  }

  async getPull(pull: number): Promise<PullInfo> {
    const { data } = await this.octokit.rest.pulls.get({ ...this.r, pull_number: pull });
    return {
      number: data.number, headSha: data.head.sha, baseSha: data.base.sha, baseRef: data.base.ref, draft: !!data.draft,
      labels: data.labels.map((l) => l.name ?? ""), state: data.state,
    };
  }

  async listFiles(pull: number): Promise<PullFile[]> {
    const files = await this.octokit.paginate(this.octokit.rest.pulls.listFiles, { ...this.r, pull_number: pull, per_page: 100 });
    return files.map((f) => ({ filename: f.filename, status: f.status, patch: f.patch, additions: f.additions, deletions: f.deletions, changes: f.changes }));
  }

  async getContent(path: string, ref: string): Promise<FileContent | undefined> {
    try {
      const { data } = await this.octokit.rest.repos.getContent({ ...this.r, path, ref });
      if (Array.isArray(data) || data.type !== "file") return undefined;
      if (!("content" in data) || data.encoding !== "base64") return { binary: false, size: data.size };
      const buf = Buffer.from(data.content, "base64");
      if (buf.includes(0)) return { binary: true, size: buf.length };
      return { text: buf.toString("utf8"), binary: false, size: buf.length };
    } catch (err) {
      if (status(err) === 404) return undefined;
      throw err;
    }
  }

  async createCheckRun(headSha: string, name: string): Promise<number> {
    const { data } = await this.octokit.rest.checks.create({ ...this.r, name, head_sha: headSha, status: "queued" });
    return data.id;
  }

  async updateCheckRun(id: number, update: { status?: "in_progress" | "completed"; conclusion?: Conclusion; output?: CheckOutput }): Promise<void> {
    await this.octokit.rest.checks.update({
      ...this.r, check_run_id: id, ...(update.status ? { status: update.status } : {}),
      ...(update.conclusion ? { conclusion: update.conclusion, completed_at: new Date().toISOString() } : {}),
      ...(update.output ? { output: update.output } : {}),
    });
  }

  async listReviewComments(pull: number): Promise<ExistingComment[]> {
    const comments = await this.octokit.paginate(this.octokit.rest.pulls.listReviewComments, { ...this.r, pull_number: pull, per_page: 100 });
    return comments.map((c) => ({
      id: c.id, body: c.body, path: c.path, line: c.line ?? null, authorIsBot: c.user?.type === "Bot",
      inReplyToId: c.in_reply_to_id ?? undefined,
    }));
  }

  async createReview(pull: number, review: { commitId: string; event: "COMMENT" | "REQUEST_CHANGES"; body: string; comments: InlineComment[] }): Promise<void> {
    await this.octokit.rest.pulls.createReview({
      ...this.r, pull_number: pull, commit_id: review.commitId, event: review.event, body: review.body,
      comments: review.comments.map((c) => ({ path: c.path, line: c.line, side: "RIGHT" as const, body: c.body, ...(c.startLine ? { start_line: c.startLine, start_side: "RIGHT" as const } : {}) })),
    });
  }

  async replyToComment(pull: number, commentId: number, body: string): Promise<void> {
    await this.octokit.rest.pulls.createReplyForReviewComment({ ...this.r, pull_number: pull, comment_id: commentId, body });
  }

  async resolveThreads(pull: number, commentIds: number[]): Promise<number> {
    const res = await this.octokit.graphql<{ repository: { pullRequest: { reviewThreads: { nodes: { id: string; isResolved: boolean; comments: { nodes: { databaseId: number }[] } }[] } } } }>(
      `query($owner: String!, $repo: String!, $pull: Int!) {
        repository(owner: $owner, name: $repo) { pullRequest(number: $pull) {
          reviewThreads(first: 100) { nodes { id isResolved comments(first: 1) { nodes { databaseId } } } } } }
      }`,
      { owner: this.owner, repo: this.repo, pull },
    );
    const wanted = new Set(commentIds);
    let resolved = 0;
    for (const t of res.repository.pullRequest.reviewThreads.nodes) {
      const first = t.comments.nodes[0]?.databaseId;
      if (first === undefined || !wanted.has(first)) continue;
      if (!t.isResolved) await this.octokit.graphql(`mutation($id: ID!) { resolveReviewThread(input: { threadId: $id }) { thread { id } } }`, { id: t.id });
      resolved++;
    }
    return resolved;
  }

  async removeLabel(pull: number, name: string): Promise<void> {
    try {
      await this.octokit.rest.issues.removeLabel({ ...this.r, issue_number: pull, name });
    } catch (err) {
      if (status(err) !== 404) throw err;
    }
  }
}
