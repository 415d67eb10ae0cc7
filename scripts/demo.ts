/**
 * `npm run demo`: the real Vigil server on a loopback port, the local GitHub fake on another, and a real
 * `pull_request.opened` payload from @octokit/webhooks-examples (pointed at test/fixtures/repos/orders-api),
 * signed with the webhook secret and sent over HTTP. Prints what GitHub would show: the inline comments and
 * the check run.
 */
import { pullRequestEvent, startHarness } from "../test/e2e/harness.js";

const h = await startHarness("orders-api", { logLevel: process.env.LOG_LEVEL as never });
try {
  const res = await h.send("pull_request", pullRequestEvent("opened", { headSha: h.head.sha, baseSha: h.base.sha }));
  console.log(`POST /api/github/webhooks (pull_request.opened, signed) → ${res.status}`);
  await h.vigil.queue.idle();

  for (const review of h.fake.reviews) {
    console.log(`\n━━ Review (${review.event}) on ${review.commit_id.slice(0, 7)}: ${review.body}`);
  }
  for (const c of [...h.fake.reviewComments].sort((a, b) => a.path.localeCompare(b.path) || (a.line ?? 0) - (b.line ?? 0))) {
    const body = c.body.replace(/\n?<sub>.*<\/sub>/s, "").replace(/<!--.*?-->/g, "").trim();
    console.log(`\n── ${c.path}:${c.line}\n${body.split("\n").map((l) => "   " + l).join("\n")}`);
  }
  for (const run of h.fake.checkRuns) {
    console.log(`\n━━ Check run "${run.name}": ${run.status} / ${run.conclusion}`);
    console.log(`   ${run.output?.title}`);
    console.log(run.output?.summary?.split("\n").map((l) => "   " + l).join("\n"));
    console.log(`   annotations: ${run.annotations.length}`);
  }
  if (h.fake.violations.length) {
    console.error(`\nOpenAPI violations:\n${h.fake.violations.join("\n")}`);
    process.exitCode = 1;
  }
  if (!h.fake.checkRuns.every((r) => r.status === "completed")) process.exitCode = 1;
} finally {
  await h.stop();
}
