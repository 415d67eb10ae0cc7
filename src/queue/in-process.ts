import { jobKey, type ReviewJob } from "../review/job.js";
import type { JobRunner, ReviewQueue } from "./types.js";

/** A small FIFO in this process: dedupes waiting jobs by (repo, PR, head SHA) and runs a few at a time. */
export class InProcessQueue implements ReviewQueue {
  private readonly waiting: ReviewJob[] = [];
  private running = 0;
  private closed = false;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly run: JobRunner, private readonly concurrency = 2, private readonly onError: (err: unknown, job: ReviewJob) => void = () => {}) {}

  get depth(): number {
    return this.waiting.length + this.running;
  }

  enqueue(job: ReviewJob): boolean {
    if (this.closed) return false;
    const key = jobKey(job);
    // A re-run request (label, button) for a job already waiting is the same work.
    if (this.waiting.some((j) => jobKey(j) === key)) return false;
    this.waiting.push(job);
    queueMicrotask(() => this.pump());
    return true;
  }

  private pump(): void {
    while (this.running < this.concurrency && this.waiting.length) {
      const job = this.waiting.shift()!;
      this.running++;
      this.run(job)
        .catch((err) => this.onError(err, job))
        .finally(() => {
          this.running--;
          this.pump();
          if (this.depth === 0) this.idleWaiters.splice(0).forEach((w) => w());
        });
    }
  }

  idle(): Promise<void> {
    if (this.depth === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.idle();
  }
}
