import { parseArgs } from "node:util";
import { Octokit } from "@octokit/rest";
import pino from "pino";
import { OctokitPort, type OctokitLike } from "../github/octokit-port.js";
import { runReview } from "../review/run-review.js";
import type { GitHubPort } from "../review/port.js";
import { allRules } from "../../rules/index.js";
import { UsageError } from "./collect-files.js";
import { toText } from "../report/text.js";
import { toSarif } from "../report/sarif.js";

/** Reads like the real port but writes nothing: `vigil pr` without --post. */
function dryRun(port: GitHubPort): GitHubPort {
  let id = 0;
  return {
    getPull: (p) => port.getPull(p),
    listFiles: (p) => port.listFiles(p),
    getContent: (path, ref) => port.getContent(path, ref),
    listReviewComments: (p) => port.listReviewComments(p),
    createCheckRun: async () => ++id,
    updateCheckRun: async () => {},
    createReview: async () => {},
    replyToComment: async () => {},
    resolveThreads: async () => 0,
    removeLabel: async () => {},
  };
}

/** `vigil pr owner/repo#N [--post]`: reviews a PR from a terminal or an Actions job with GITHUB_TOKEN. */
export async function reviewPullFromTerminal(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { post: { type: "boolean", default: false }, format: { type: "string", default: "text" } } });
  const m = /^([\w.-]+)\/([\w.-]+)#(\d+)$/.exec(positionals[0] ?? "");
  if (!m) throw new UsageError("pr needs owner/repo#number");
  const token = process.env.GITHUB_TOKEN;
  if (!token) throw new UsageError("GITHUB_TOKEN is not set");
  const octokit = new Octokit({ auth: token, baseUrl: process.env.GITHUB_API_URL ?? "https://api.github.com" });
  const [, owner, repo, n] = m;
  const real = new OctokitPort(octokit as unknown as OctokitLike, owner, repo);
  const port = values.post ? real : dryRun(real);
  const pull = await real.getPull(Number(n));
  const outcome = await runReview(
    { owner, repo, pull: Number(n), headSha: pull.headSha, trigger: "cli" },
    { port, rules: allRules, log: pino({ level: process.env.LOG_LEVEL ?? "warn" }) },
  );
  if (outcome.status === "skipped") {
    process.stderr.write(`vigil: skipped: ${outcome.reason}\n`);
    return 0;
  }
  process.stdout.write(values.format === "sarif" ? JSON.stringify(toSarif(outcome.findings, allRules.map((r) => r.meta), "0.1.0"), null, 2) + "\n" : toText(outcome.findings, [], 0));
  return outcome.conclusion === "failure" ? 1 : 0;
}
