import sqlInjection from "../../rules/security/sql-injection.js";
import noConsoleInServer from "../../rules/observability/no-console-in-server.js";
import dbCallInLoop from "../../rules/architecture/db-call-in-loop.js";
import { checkRunRerequested, checkSuiteRerequested, pullRequestEvent, startHarness, type Harness } from "./harness.js";

describe("a pull request review, end to end over HTTP", () => {
  let h: Harness;
  beforeEach(async () => {
    // The plumbing is tested with three known rules so that rule work elsewhere does not change these expectations.
    h = await startHarness("orders-api", { rules: [sqlInjection, noConsoleInServer, dbCallInLoop] });
  });
  afterEach(async () => {
    await h.stop();
  });

  const opened = () => pullRequestEvent("opened", { headSha: h.head.sha, baseSha: h.base.sha });

  it("reviews a signed pull_request.opened: inline comments on the changed lines and a concluded check run", async () => {
    const res = await h.send("pull_request", opened());
    expect(res.status).toBe(202);
    await h.vigil.queue.idle();

    expect(h.fake.violations).toEqual([]);
    expect(h.fake.reviews).toHaveLength(1);
    const review = h.fake.reviews[0];
    expect(review.event).toBe("COMMENT");
    const comments = h.fake.reviewComments.map((c) => `${c.path}:${c.line} ${c.body.split("\n")[0]}`).sort();
    expect(comments).toEqual([
      "src/routes/orders.ts:13 🟠 **warning** · `observability/no-console-in-server` · CWE-778",
      "src/routes/orders.ts:14 🔴 **error** · `security/sql-injection` · CWE-89",
      "src/routes/orders.ts:16 🟠 **warning** · `architecture/db-call-in-loop` · CWE-1073, CWE-1050",
    ]);
    expect(h.fake.reviewComments.every((c) => c.side === "RIGHT")).toBe(true);
    const sql = h.fake.reviewComments.find((c) => c.body.includes("sql-injection"))!;
    expect(sql.body).toContain("req.query.status");
    expect(sql.body).toMatch(/<!-- vigil-fingerprint: [0-9a-f]+ -->/);

    expect(h.fake.checkRuns).toHaveLength(1);
    const run = h.fake.checkRuns[0];
    expect(run.status).toBe("completed");
    expect(run.conclusion).toBe("failure");
    expect(run.head_sha).toBe(h.head.sha);
    expect(run.output?.title).toBe("3 findings: 1 error, 2 warnings");
    expect(run.output?.summary).toContain("| security | 1 | 0 | 0 |");
    expect(run.output?.summary).toContain("`src/legacy/broken.js`: does not parse");
    expect(run.annotations).toHaveLength(3);
  });

  it("rejects unsigned and wrongly signed webhooks with 401 and reviews nothing", async () => {
    expect((await h.send("pull_request", opened(), "none")).status).toBe(401);
    expect((await h.send("pull_request", opened(), "wrong")).status).toBe(401);
    await h.vigil.queue.idle();
    expect(h.fake.requests).toEqual([]);
    expect(h.fake.checkRuns).toEqual([]);
  });

  it("still concludes the check run when GitHub keeps failing to accept the review", async () => {
    h.fake.failNext("pulls/create-review", 500, 10);
    await h.send("pull_request", opened());
    await h.vigil.queue.idle();
    expect(h.fake.reviews).toEqual([]);
    const run = h.fake.checkRuns[0];
    expect(run.status).toBe("completed");
    expect(run.conclusion).toBe("failure");
    expect(run.output?.summary).toContain("Review comments could not be posted");
    expect(run.annotations).toHaveLength(3);
    expect(h.fake.requestsFor("pulls/create-review").length).toBeGreaterThan(1); // retried
    expect(h.fake.violations).toEqual([]);
  });

  it("never leaves the check run in progress when the review itself breaks", async () => {
    h.fake.failNext("pulls/list-files", 500, 10);
    await h.send("pull_request", opened());
    await h.vigil.queue.idle();
    const run = h.fake.checkRuns[0];
    expect(run.status).toBe("completed");
    expect(run.conclusion).toBe("neutral");
    expect(run.output?.title).toBe("Vigil could not complete the review");
  });

  it("reviews again when the re-run label is added, and removes the label", async () => {
    await h.send("pull_request", opened());
    await h.vigil.queue.idle();
    const labeled = pullRequestEvent("labeled", { headSha: h.head.sha, baseSha: h.base.sha, label: "vigil:rerun" });
    h.fake.setPullRequest({ ...h.pr, labels: ["vigil:rerun"] });
    await h.send("pull_request", labeled);
    await h.vigil.queue.idle();
    expect(h.fake.checkRuns).toHaveLength(2);
    expect(h.fake.checkRuns[1].status).toBe("completed");
    expect(h.fake.removedLabels.map((l) => l.name)).toEqual(["vigil:rerun"]);
    // nothing new to say: the second run posts no duplicate comments
    expect(h.fake.reviewComments).toHaveLength(3);
    expect(h.fake.violations).toEqual([]);
  });

  it("ignores other labels", async () => {
    await h.send("pull_request", pullRequestEvent("labeled", { headSha: h.head.sha, baseSha: h.base.sha, label: "bug" }));
    await h.vigil.queue.idle();
    expect(h.fake.checkRuns).toEqual([]);
  });

  it("reviews again on check_run.rerequested for its own check, not for another app's", async () => {
    await h.send("check_run", checkRunRerequested({ headSha: h.head.sha, baseSha: h.base.sha }, 999));
    await h.vigil.queue.idle();
    expect(h.fake.checkRuns).toEqual([]);
    await h.send("check_run", checkRunRerequested({ headSha: h.head.sha, baseSha: h.base.sha }));
    await h.vigil.queue.idle();
    expect(h.fake.checkRuns).toHaveLength(1);
    expect(h.fake.checkRuns[0].conclusion).toBe("failure");
  });

  it("reviews again on check_suite.rerequested for its own suite", async () => {
    await h.send("check_suite", checkSuiteRerequested({ headSha: h.head.sha, baseSha: h.base.sha }, 999));
    await h.vigil.queue.idle();
    expect(h.fake.checkRuns).toEqual([]);
    await h.send("check_suite", checkSuiteRerequested({ headSha: h.head.sha, baseSha: h.base.sha }));
    await h.vigil.queue.idle();
    expect(h.fake.checkRuns).toHaveLength(1);
    expect(h.fake.violations).toEqual([]);
  });

  it("skips draft pull requests until they are ready", async () => {
    h.fake.setPullRequest({ ...h.pr, draft: true });
    await h.send("pull_request", pullRequestEvent("opened", { headSha: h.head.sha, baseSha: h.base.sha, draft: true }));
    await h.vigil.queue.idle();
    expect(h.fake.checkRuns).toEqual([]);
  });

  it("answers health, readiness and metrics", async () => {
    expect((await fetch(`${h.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${h.url}/readyz`)).status).toBe(200);
    const metrics = await (await fetch(`${h.url}/metrics`)).text();
    expect(metrics).toContain("vigil_queue_depth");
  });
});
