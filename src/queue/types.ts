import type { ReviewJob } from "../review/job.js";

export type JobRunner = (job: ReviewJob) => Promise<void>;

/** Where webhooks put reviews; the in-process queue now, a shared queue for scale-out later. */
export interface ReviewQueue {
  /** Returns false when an identical job (same repo, PR and head SHA) is already waiting. */
  enqueue(job: ReviewJob): boolean;
  /** Jobs waiting plus jobs running. */
  readonly depth: number;
  /** Resolves when nothing is waiting or running (tests, graceful shutdown). */
  idle(): Promise<void>;
  close(): Promise<void>;
}
