/** Public types of the local GitHub fake (see server.ts). */

export type FileContent = string | Buffer;
/** Repository tree: POSIX path relative to the repo root → file content. */
export type FileTree = Record<string, FileContent>;

export interface FakeBranch {
  ref: string;
  sha: string;
  files: FileTree;
}

export interface FakePullRequest {
  owner: string;
  repo: string;
  number: number;
  title?: string;
  body?: string;
  draft?: boolean;
  labels?: string[];
  /** Login of the PR author (default "octocat"). */
  author?: string;
  base: FakeBranch;
  head: FakeBranch;
}

export interface FakeUser {
  login: string;
  type: "Bot" | "User";
}

export type Side = "LEFT" | "RIGHT";

export interface StoredReviewComment {
  id: number;
  owner: string;
  repo: string;
  pull_number: number;
  pull_request_review_id: number | null;
  body: string;
  path: string;
  line: number | null;
  side: Side;
  start_line: number | null;
  start_side: Side | null;
  /** Position in the diff of `commit_id` (legacy GitHub addressing). */
  position: number | null;
  commit_id: string;
  diff_hunk: string;
  user: FakeUser;
  in_reply_to_id?: number;
  created_at: string;
}

export type ReviewEvent = "APPROVE" | "REQUEST_CHANGES" | "COMMENT";
export type ReviewState = "APPROVED" | "CHANGES_REQUESTED" | "COMMENTED" | "PENDING";

export interface StoredReview {
  id: number;
  owner: string;
  repo: string;
  pull_number: number;
  event: ReviewEvent | undefined;
  state: ReviewState;
  body: string;
  commit_id: string;
  /** The inline comments exactly as sent in the request body. */
  comments: Record<string, unknown>[];
  /** Ids of the review comments created from `comments`. */
  commentIds: number[];
  user: FakeUser;
  submitted_at: string;
}

export interface CheckRunAnnotation {
  path: string;
  start_line: number;
  end_line: number;
  start_column?: number;
  end_column?: number;
  annotation_level: "notice" | "warning" | "failure";
  message: string;
  title?: string;
  raw_details?: string;
}

export interface StoredCheckRun {
  id: number;
  owner: string;
  repo: string;
  name: string;
  head_sha: string;
  status: string;
  conclusion: string | null;
  external_id: string | null;
  details_url: string | null;
  started_at: string | null;
  completed_at: string | null;
  output: { title: string | null; summary: string | null; text: string | null };
  /** Every annotation sent, accumulated over the create call and all updates. */
  annotations: CheckRunAnnotation[];
  /** The body of the create call. */
  createBody: Record<string, unknown>;
  /** Each PATCH (checks/update) body, in order. */
  updates: Record<string, unknown>[];
}

export interface RecordedRequest {
  method: string;
  /** Path without the query string (and without a GHES `/api/v3` prefix). */
  path: string;
  query: Record<string, string>;
  /** Decoded path parameters of the matched operation (empty for GraphQL/unknown routes). */
  pathParams: Record<string, string>;
  /** Parsed JSON body (undefined when there was none). */
  body: unknown;
  /** REST operationId, "graphql", or undefined for an unknown route. */
  operationId: string | undefined;
  authorization: string | undefined;
  accept: string | undefined;
  /** Response status, set once answered. */
  status?: number;
  /** Set when the answer came from `failNext`. */
  injectedFault?: boolean;
}

export interface RemovedLabel {
  owner: string;
  repo: string;
  number: number;
  name: string;
}

export interface HumanReviewCommentInput {
  path: string;
  line: number;
  body: string;
  login: string;
  side?: Side;
  /** Defaults to the only PR the fake knows about. */
  owner?: string;
  repo?: string;
  pull_number?: number;
  /** Make it a reply to this comment id. */
  in_reply_to_id?: number;
}

export interface GitHubFakeOptions {
  /** Login of the app's bot user (default "vigil[bot]"). */
  botLogin?: string;
  /** App slug reported on check runs (default "vigil"). */
  appSlug?: string;
}
