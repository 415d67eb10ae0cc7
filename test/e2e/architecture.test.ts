import { pullRequestEvent, startHarness, type Harness } from "./harness.js";

describe("architecture review of a layered service, end to end", () => {
  let h: Harness;
  beforeAll(async () => {
    // All rules: the PR below must get exactly the two architecture comments and nothing else.
    h = await startHarness("layered-api");
    await h.send("pull_request", pullRequestEvent("opened", { headSha: h.head.sha, baseSha: h.base.sha }));
    await h.vigil.queue.idle();
  });
  afterAll(async () => {
    await h.stop();
  });

  it("comments on the controller→repository import and on the import that closes the cycle, and nothing else", () => {
    const comments = h.fake.reviewComments.map((c) => `${c.path}:${c.line} ${/`([a-z]+\/[a-z-]+)`/.exec(c.body)![1]}`).sort();
    expect(comments).toEqual([
      "src/controllers/users.controller.ts:3 architecture/layer-violation",
      "src/services/users.service.ts:2 architecture/import-cycle",
    ]);
    expect(h.fake.violations).toEqual([]);
  });

  it("names the cycle and draws both findings as mermaid diagrams", () => {
    const cycle = h.fake.reviewComments.find((c) => c.body.includes("import-cycle"))!;
    expect(cycle.body).toContain("services/users.service → services/orders.service → services/users.service");
    expect(cycle.body).toContain("```mermaid");
    const layer = h.fake.reviewComments.find((c) => c.body.includes("layer-violation"))!;
    expect(layer.body).toContain("```mermaid");
    expect(h.fake.checkRuns[0].output?.summary).toContain("```mermaid");
  });

  it("read the unchanged module that closes the cycle as context at the head commit", () => {
    const reads = h.fake.requestsFor("repos/get-content").map((r) => decodeURIComponent(r.path));
    expect(reads.some((p) => p.endsWith("src/services/orders.service.ts"))).toBe(true);
  });
});
