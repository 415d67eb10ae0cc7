import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import pino, { type Logger } from "pino";
import { Probot, ProbotOctokit } from "probot";
import { vigilApp } from "../github/app.js";
import { OctokitPort, type OctokitLike } from "../github/octokit-port.js";
import { InProcessQueue } from "../queue/in-process.js";
import type { ReviewQueue } from "../queue/types.js";
import { runReview } from "../review/run-review.js";
import type { ReviewJob } from "../review/job.js";
import type { Rule } from "../core/rule.js";
import { createHttpServer } from "./http.js";
import { createMetrics } from "./metrics.js";

export interface VigilOptions {
  appId: number;
  privateKey: string;
  secret: string;
  /** GitHub API base URL (GitHub Enterprise, or the local fake in tests and the demo). */
  baseUrl?: string;
  /** Web URL used in links of the check summary. */
  serverUrl?: string;
  log?: Logger;
  logLevel?: pino.LevelWithSilent;
  concurrency?: number;
  rerunLabel?: string;
  skipDrafts?: boolean;
  /** The rules to run (default: all of rules/index.ts). */
  rules?: readonly Rule[];
  /** Tests and the demo: retry after milliseconds instead of seconds, no throttling queue. */
  fastRetries?: boolean;
}

export interface Vigil {
  server: Server;
  queue: ReviewQueue;
  probot: Probot;
  log: Logger;
  listen(port: number, host?: string): Promise<number>;
  stop(): Promise<void>;
}

/** Secrets never reach the logs, whichever object they travel in. */
export const REDACT = ["req.headers.authorization", "headers.authorization", "*.authorization", "privateKey", "*.privateKey", "token", "*.token", "secret", "*.secret"];

/** Wires Probot, the queue, the review and the HTTP server together. */
export async function createVigil(o: VigilOptions): Promise<Vigil> {
  const log = o.log ?? pino({ level: o.logLevel ?? "info", redact: { paths: REDACT, censor: "[redacted]" } });
  const Octokit = o.fastRetries
    ? ProbotOctokit.defaults((opts: Record<string, unknown>) => ({ ...opts, retry: { retryAfterBaseValue: 5 }, throttle: { enabled: false } }))
    : ProbotOctokit;
  const rules = o.rules ?? (await import("../../rules/index.js")).allRules;
  const probot = new Probot({ appId: o.appId, privateKey: o.privateKey, secret: o.secret, baseUrl: o.baseUrl, log: log.child({ name: "probot" }), Octokit });
  let shuttingDown = false;

  const run = async (job: ReviewJob): Promise<void> => {
    const jobLog = log.child({ delivery: job.deliveryId, repo: `${job.owner}/${job.repo}`, pull: job.pull });
    const end = metrics.duration.startTimer();
    try {
      const octokit = (await probot.auth(job.installationId)) as unknown as OctokitLike;
      const port = new OctokitPort(octokit, job.owner, job.repo);
      const outcome = await runReview(job, { port, rules, log: jobLog, serverUrl: o.serverUrl, defaultRerunLabel: o.rerunLabel, defaultSkipDrafts: o.skipDrafts });
      metrics.reviews.inc({ outcome: outcome.status === "completed" ? outcome.conclusion : "skipped" });
      if (outcome.status === "completed") for (const f of outcome.findings) metrics.findings.inc({ severity: f.severity });
      else jobLog.info({ reason: outcome.reason }, "review skipped");
    } catch (err) {
      metrics.githubErrors.inc({ status: String((err as { status?: number }).status ?? "none") });
      metrics.reviews.inc({ outcome: "error" });
      jobLog.error({ err }, "review job failed");
    } finally {
      end();
    }
  };
  const queue: ReviewQueue = new InProcessQueue(run, o.concurrency ?? 2);
  const metrics = createMetrics(() => queue.depth);
  await probot.load(vigilApp({ enqueue: (job) => queue.enqueue(job), appId: o.appId }));
  const server = createHttpServer({ probot, secret: o.secret, log, metrics, ready: () => !shuttingDown && queue.depth < 200 });

  return {
    server, queue, probot, log,
    listen: (port, host = "0.0.0.0") =>
      new Promise((resolve) => server.listen(port, host, () => resolve((server.address() as AddressInfo).port))),
    async stop() {
      shuttingDown = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await closed;
      await queue.close();
    },
  };
}
