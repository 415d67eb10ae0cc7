/** The few GitHub operations a review needs; implemented with octokit in src/github, faked in tests. */
export interface PullInfo {
  number: number;
  headSha: string;
  baseSha: string;
  baseRef: string;
  draft: boolean;
  labels: string[];
  state: string;
}

/** `text` is absent for binary files and for files too large for the contents API (size says how large). */
export interface FileContent {
  text?: string;
  binary: boolean;
  size: number;
}

export interface PullFile {
  filename: string;
  status: "added" | "removed" | "modified" | "renamed" | "copied" | "changed" | "unchanged";
  patch?: string;
  additions: number;
  deletions: number;
  changes: number;
}

export interface ExistingComment {
  id: number;
  body: string;
  path: string;
  line: number | null;
  authorIsBot: boolean;
  inReplyToId?: number;
}

export interface InlineComment {
  path: string;
  line: number;
  startLine?: number;
  body: string;
}

export interface Annotation {
  path: string;
  start_line: number;
  end_line: number;
  annotation_level: "notice" | "warning" | "failure";
  message: string;
  title?: string;
  raw_details?: string;
}

export interface CheckOutput {
  title: string;
  summary: string;
  text?: string;
  annotations?: Annotation[];
}

export type Conclusion = "success" | "failure" | "neutral" | "cancelled" | "skipped" | "timed_out" | "action_required";

export interface GitHubPort {
  getPull(pull: number): Promise<PullInfo>;
  listFiles(pull: number): Promise<PullFile[]>;
  /** A file at a ref; undefined when the file does not exist there. */
  getContent(path: string, ref: string): Promise<FileContent | undefined>;
  createCheckRun(headSha: string, name: string): Promise<number>;
  updateCheckRun(id: number, update: { status?: "in_progress" | "completed"; conclusion?: Conclusion; output?: CheckOutput }): Promise<void>;
  listReviewComments(pull: number): Promise<ExistingComment[]>;
  createReview(pull: number, review: { commitId: string; event: "COMMENT" | "REQUEST_CHANGES"; body: string; comments: InlineComment[] }): Promise<void>;
  replyToComment(pull: number, commentId: number, body: string): Promise<void>;
  /** Marks the review threads of these comments resolved (GraphQL). Returns how many were resolved. */
  resolveThreads(pull: number, commentIds: number[]): Promise<number>;
  removeLabel(pull: number, name: string): Promise<void>;
}
