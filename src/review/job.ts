/** Everything needed to review one push of one pull request; built from a webhook or the CLI. */
export interface ReviewJob {
  installationId?: number;
  owner: string;
  repo: string;
  pull: number;
  headSha: string;
  baseSha?: string;
  trigger: "pull_request" | "label" | "check_run" | "check_suite" | "cli";
  /** Set for label triggers: the label that was added (reviewed only if it is the configured re-run label). */
  label?: string;
  draft?: boolean;
  deliveryId?: string;
}

export function jobKey(job: ReviewJob): string {
  return `${job.owner}/${job.repo}#${job.pull}@${job.headSha}`;
}
