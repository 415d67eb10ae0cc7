/** JSON shapes of GitHub REST responses, filled from the fake's state. */
import { createHash } from "node:crypto";
import { blobSha, toBuffer, type FileDiff } from "./diff-tree.js";
import type { PullRecord } from "./state.js";
import type { FakeUser, FileContent, StoredCheckRun, StoredReview, StoredReviewComment } from "./types.js";

const WEB = "https://github.com";

/** A stable positive id derived from a string (for users and repositories). */
export function stableId(seed: string): number {
  return createHash("sha1").update(seed).digest().readUInt32BE(0) % 100_000_000;
}

function nodeId(prefix: string, id: number): string {
  return `${prefix}_${Buffer.from(String(id)).toString("base64url")}`;
}

export function renderUser(api: string, user: FakeUser): Record<string, unknown> {
  const id = stableId(`user:${user.login}`);
  const slug = user.login.replace(/\[bot\]$/, "");
  return {
    login: user.login,
    id,
    node_id: nodeId(user.type === "Bot" ? "BOT" : "U", id),
    avatar_url: `https://avatars.githubusercontent.com/u/${id}?v=4`,
    url: `${api}/users/${encodeURIComponent(user.login)}`,
    html_url: user.type === "Bot" ? `${WEB}/apps/${slug}` : `${WEB}/${user.login}`,
    type: user.type,
    site_admin: false,
  };
}

export function renderRepo(api: string, owner: string, repo: string, defaultBranch: string): Record<string, unknown> {
  const id = stableId(`repo:${owner}/${repo}`.toLowerCase());
  return {
    id,
    node_id: nodeId("R", id),
    name: repo,
    full_name: `${owner}/${repo}`,
    owner: renderUser(api, { login: owner, type: "User" }),
    private: false,
    html_url: `${WEB}/${owner}/${repo}`,
    url: `${api}/repos/${owner}/${repo}`,
    fork: false,
    default_branch: defaultBranch,
  };
}

export function renderPull(api: string, pull: PullRecord, files: FileDiff[]): Record<string, unknown> {
  const { owner, repo, number } = pull;
  const repoJson = renderRepo(api, owner, repo, pull.base.ref);
  const author = renderUser(api, { login: pull.author, type: "User" });
  const branch = (b: { ref: string; sha: string }) => ({
    label: `${owner}:${b.ref}`,
    ref: b.ref,
    sha: b.sha,
    user: repoJson.owner,
    repo: repoJson,
  });
  return {
    url: `${api}/repos/${owner}/${repo}/pulls/${number}`,
    id: pull.id,
    node_id: nodeId("PR", pull.id),
    html_url: `${WEB}/${owner}/${repo}/pull/${number}`,
    diff_url: `${WEB}/${owner}/${repo}/pull/${number}.diff`,
    patch_url: `${WEB}/${owner}/${repo}/pull/${number}.patch`,
    number,
    state: "open",
    locked: false,
    title: pull.title,
    body: pull.body,
    user: author,
    labels: pull.labels.map((name) => ({
      id: stableId(`label:${name}`),
      node_id: nodeId("LA", stableId(`label:${name}`)),
      name,
      color: "ededed",
      default: false,
      description: null,
    })),
    draft: pull.draft,
    created_at: pull.created_at,
    updated_at: pull.updated_at,
    closed_at: null,
    merged_at: null,
    merge_commit_sha: null,
    head: branch(pull.head),
    base: branch(pull.base),
    author_association: "CONTRIBUTOR",
    merged: false,
    mergeable: true,
    mergeable_state: "clean",
    comments: 0,
    review_comments: 0,
    commits: pull.headShas.length,
    additions: files.reduce((n, f) => n + f.additions, 0),
    deletions: files.reduce((n, f) => n + f.deletions, 0),
    changed_files: files.length,
  };
}

export function renderFile(api: string, pull: PullRecord, file: FileDiff): Record<string, unknown> {
  const { owner, repo } = pull;
  const encoded = file.filename.split("/").map(encodeURIComponent).join("/");
  const sha = file.status === "removed" ? pull.base.sha : pull.head.sha;
  const json: Record<string, unknown> = {
    sha: file.sha,
    filename: file.filename,
    status: file.status,
    additions: file.additions,
    deletions: file.deletions,
    changes: file.changes,
    blob_url: `${WEB}/${owner}/${repo}/blob/${sha}/${encoded}`,
    raw_url: `${WEB}/${owner}/${repo}/raw/${sha}/${encoded}`,
    contents_url: `${api}/repos/${owner}/${repo}/contents/${encoded}?ref=${sha}`,
  };
  if (file.patch !== undefined) json.patch = file.patch;
  return json;
}

/** Files up to 1 MB come base64-encoded in 60-character lines; larger ones have encoding "none". */
export function renderContentFile(api: string, owner: string, repo: string, path: string, ref: string, content: FileContent): Record<string, unknown> {
  const bytes = toBuffer(content);
  const sha = blobSha(content);
  const encodedPath = path.split("/").map(encodeURIComponent).join("/");
  const tooLarge = bytes.length > 1024 * 1024;
  const base64 = tooLarge ? "" : (bytes.toString("base64").match(/.{1,60}/g) ?? []).join("\n") + (bytes.length ? "\n" : "");
  const url = `${api}/repos/${owner}/${repo}/contents/${encodedPath}?ref=${encodeURIComponent(ref)}`;
  return {
    type: "file",
    encoding: tooLarge ? "none" : "base64",
    size: bytes.length,
    name: path.split("/").pop(),
    path,
    content: base64,
    sha,
    url,
    git_url: `${api}/repos/${owner}/${repo}/git/blobs/${sha}`,
    html_url: `${WEB}/${owner}/${repo}/blob/${ref}/${encodedPath}`,
    download_url: `https://raw.githubusercontent.com/${owner}/${repo}/${ref}/${encodedPath}`,
    _links: { self: url, git: `${api}/repos/${owner}/${repo}/git/blobs/${sha}`, html: `${WEB}/${owner}/${repo}/blob/${ref}/${encodedPath}` },
  };
}

export function renderDirEntry(api: string, owner: string, repo: string, ref: string, entry: { type: "file" | "dir"; path: string; content?: FileContent }): Record<string, unknown> {
  const sha = entry.content !== undefined ? blobSha(entry.content) : createHash("sha1").update(`tree:${entry.path}`).digest("hex");
  return {
    type: entry.type,
    name: entry.path.split("/").pop(),
    path: entry.path,
    sha,
    size: entry.content !== undefined ? toBuffer(entry.content).length : 0,
    url: `${api}/repos/${owner}/${repo}/contents/${entry.path}?ref=${encodeURIComponent(ref)}`,
    html_url: `${WEB}/${owner}/${repo}/${entry.type === "dir" ? "tree" : "blob"}/${ref}/${entry.path}`,
    download_url: entry.type === "file" ? `https://raw.githubusercontent.com/${owner}/${repo}/${ref}/${entry.path}` : null,
  };
}

export function renderReviewComment(api: string, c: StoredReviewComment): Record<string, unknown> {
  const json: Record<string, unknown> = {
    url: `${api}/repos/${c.owner}/${c.repo}/pulls/comments/${c.id}`,
    pull_request_review_id: c.pull_request_review_id,
    id: c.id,
    node_id: nodeId("PRRC", c.id),
    diff_hunk: c.diff_hunk,
    path: c.path,
    position: c.position,
    original_position: c.position,
    commit_id: c.commit_id,
    original_commit_id: c.commit_id,
    user: renderUser(api, c.user),
    body: c.body,
    created_at: c.created_at,
    updated_at: c.created_at,
    html_url: `${WEB}/${c.owner}/${c.repo}/pull/${c.pull_number}#discussion_r${c.id}`,
    pull_request_url: `${api}/repos/${c.owner}/${c.repo}/pulls/${c.pull_number}`,
    author_association: c.user.type === "Bot" ? "NONE" : "CONTRIBUTOR",
    start_line: c.start_line,
    original_start_line: c.start_line,
    start_side: c.start_side,
    line: c.line,
    original_line: c.line,
    side: c.side,
    subject_type: "line",
  };
  if (c.in_reply_to_id !== undefined) json.in_reply_to_id = c.in_reply_to_id;
  return json;
}

export function renderReview(api: string, r: StoredReview): Record<string, unknown> {
  return {
    id: r.id,
    node_id: nodeId("PRR", r.id),
    user: renderUser(api, r.user),
    body: r.body,
    state: r.state,
    html_url: `${WEB}/${r.owner}/${r.repo}/pull/${r.pull_number}#pullrequestreview-${r.id}`,
    pull_request_url: `${api}/repos/${r.owner}/${r.repo}/pulls/${r.pull_number}`,
    submitted_at: r.state === "PENDING" ? null : r.submitted_at,
    commit_id: r.commit_id,
    author_association: "NONE",
  };
}

export function renderCheckRun(api: string, run: StoredCheckRun, appSlug: string): Record<string, unknown> {
  const appId = stableId(`app:${appSlug}`);
  return {
    id: run.id,
    node_id: nodeId("CR", run.id),
    head_sha: run.head_sha,
    external_id: run.external_id,
    url: `${api}/repos/${run.owner}/${run.repo}/check-runs/${run.id}`,
    html_url: `${WEB}/${run.owner}/${run.repo}/runs/${run.id}`,
    details_url: run.details_url,
    status: run.status,
    conclusion: run.conclusion,
    started_at: run.started_at,
    completed_at: run.completed_at,
    output: {
      ...run.output,
      annotations_count: run.annotations.length,
      annotations_url: `${api}/repos/${run.owner}/${run.repo}/check-runs/${run.id}/annotations`,
    },
    name: run.name,
    check_suite: { id: stableId(`suite:${run.head_sha}`) },
    app: { id: appId, slug: appSlug, name: appSlug, node_id: nodeId("A", appId) },
    pull_requests: [],
  };
}
