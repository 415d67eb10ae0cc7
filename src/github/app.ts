import type { Probot } from "probot";
import type { ReviewJob } from "../review/job.js";

export interface AppOptions {
  /** Puts a review job on the queue; returns false when an identical job is already waiting. */
  enqueue: (job: ReviewJob) => boolean;
  /** Our GitHub App id: check_run/check_suite events of other apps are ignored. */
  appId?: number;
}

interface PullRef {
  number: number;
  head: { sha: string };
  base: { sha: string };
}

/**
 * The Probot app: which events start a review, nothing else. Handlers only validate and enqueue,
 * so the webhook is answered at once (GitHub gives up after 10 s); the review runs in the background.
 */
export function vigilApp(options: AppOptions) {
  return (app: Probot): void => {
    const enqueue = (job: ReviewJob, log: Probot["log"]): void => {
      const queued = options.enqueue(job);
      log.info({ owner: job.owner, repo: job.repo, pull: job.pull, headSha: job.headSha, trigger: job.trigger, queued }, queued ? "review queued" : "review already queued");
    };

    app.on(["pull_request.opened", "pull_request.synchronize", "pull_request.reopened", "pull_request.ready_for_review"], async (context) => {
      const pr = context.payload.pull_request;
      const { owner, repo } = context.repo();
      enqueue({
        installationId: context.payload.installation?.id, owner, repo, pull: pr.number, headSha: pr.head.sha, baseSha: pr.base.sha,
        trigger: "pull_request", draft: !!pr.draft, deliveryId: context.id,
      }, context.log);
    });

    app.on("pull_request.labeled", async (context) => {
      const pr = context.payload.pull_request;
      const label = context.payload.label?.name;
      if (!label) return;
      const { owner, repo } = context.repo();
      enqueue({
        installationId: context.payload.installation?.id, owner, repo, pull: pr.number, headSha: pr.head.sha, baseSha: pr.base.sha,
        trigger: "label", label, draft: !!pr.draft, deliveryId: context.id,
      }, context.log);
    });

    const rerequested = (kind: "check_run" | "check_suite", appId: number | undefined, headSha: string, pulls: PullRef[], context: { repo: () => { owner: string; repo: string }; id: string; payload: { installation?: { id: number } }; log: Probot["log"] }) => {
      if (options.appId !== undefined && appId !== options.appId) {
        context.log.debug({ appId }, `${kind}.rerequested of another app ignored`);
        return;
      }
      const { owner, repo } = context.repo();
      for (const pr of pulls) {
        enqueue({ installationId: context.payload.installation?.id, owner, repo, pull: pr.number, headSha: pr.head.sha || headSha, baseSha: pr.base.sha, trigger: kind, deliveryId: context.id }, context.log);
      }
    };

    app.on("check_run.rerequested", async (context) => {
      const run = context.payload.check_run;
      if (run.name !== "Vigil" && options.appId === undefined) return;
      rerequested("check_run", run.app?.id ?? undefined, run.head_sha, run.pull_requests as PullRef[], context);
    });

    app.on("check_suite.rerequested", async (context) => {
      const suite = context.payload.check_suite;
      rerequested("check_suite", suite.app?.id ?? undefined, suite.head_sha, suite.pull_requests as PullRef[], context);
    });
  };
}
