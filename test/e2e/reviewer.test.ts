import sqlInjection from "../../rules/security/sql-injection.js";
import noConsoleInServer from "../../rules/observability/no-console-in-server.js";
import dbCallInLoop from "../../rules/architecture/db-call-in-loop.js";
import { fakeSha } from "../github-fake/server.js";
import { pullRequestEvent, startHarness, OWNER, REPO, PULL, type Harness } from "./harness.js";

/** A small service file; each flag adds one known problem on a known line. */
function usersFile(o: { sqlInjection?: boolean; console?: boolean; loop?: boolean; suppressed?: boolean }): string {
  return [
    'import express from "express";', //                                                    1
    'import pino from "pino";', //                                                          2
    'import { pool } from "./db.js";', //                                                  3
    "", //                                                                                  4
    "const logger = pino();", //                                                            5
    "export const app = express();", //                                                     6
    "", //                                                                                  7
    'app.get("/users/:id", async (req, res) => {', //                                     8
    o.suppressed ? "  // vigil-ignore-next-line security/sql-injection -- ids are validated by the gateway" : "  // lookup", // 9
    o.sqlInjection || o.suppressed
      ? '  const { rows } = await pool.query("SELECT * FROM users WHERE id = " + req.params.id);' //  10
      : '  const { rows } = await pool.query("SELECT * FROM users WHERE id = $1", [req.params.id]);',
    o.console ? '  console.log("user fetched");' : '  logger.info("user fetched");', //            11
    "  res.json(rows[0]);", //                                                                     12
    "});", //                                                                                      13
    "", //                                                                                         14
    'app.post("/users/bulk", async (req, res) => {', //                                          15
    o.loop ? "  for (const u of req.body.users) await pool.query(\"INSERT INTO users (name) VALUES ($1)\", [u.name]);" : '  await pool.query("INSERT INTO users (name) SELECT unnest($1::text[])", [req.body.names]);', // 16
    "  res.sendStatus(204);", //                                                                   17
    "});", //                                                                                      18
    "",
  ].join("\n");
}

const BASE_FILES = { "src/db.ts": 'import { Pool } from "pg";\nexport const pool = new Pool();\n' };

describe("a reviewer people keep installed", () => {
  let h: Harness;
  afterEach(async () => {
    await h.stop();
  });

  async function push(n: number, files: Record<string, string>, base: Record<string, string> = BASE_FILES): Promise<string> {
    const headSha = fakeSha(`push-${n}`);
    const baseSha = fakeSha("base");
    h.fake.setPullRequest({ owner: OWNER, repo: REPO, number: PULL, base: { ref: "main", sha: baseSha, files: base }, head: { ref: "feature", sha: headSha, files: { ...base, ...files } } });
    await h.send("pull_request", pullRequestEvent(n === 1 ? "opened" : "synchronize", { headSha, baseSha }));
    await h.vigil.queue.idle();
    return headSha;
  }

  const rulesOf = () => h.fake.reviewComments.filter((c) => !c.in_reply_to_id).map((c) => `${c.line} ${/`([a-z]+\/[a-z-]+)`/.exec(c.body)![1]}`).sort();

  beforeEach(async () => {
    h = await startHarness("orders-api", { rules: [sqlInjection, noConsoleInServer, dbCallInLoop] });
  });

  it("comments once per finding across pushes and resolves the thread of a fixed one", async () => {
    await push(1, { "src/users.ts": usersFile({ sqlInjection: true, console: true }) });
    expect(rulesOf()).toEqual(["10 security/sql-injection", "11 observability/no-console-in-server"]);

    // push 2: the SQL injection is fixed, the console.log stays, an N+1 loop is new
    const second = await push(2, { "src/users.ts": usersFile({ console: true, loop: true }) });
    expect(rulesOf()).toEqual(["10 security/sql-injection", "11 observability/no-console-in-server", "16 architecture/db-call-in-loop"]);
    expect(h.fake.reviews).toHaveLength(2);
    expect(h.fake.reviews[1].comments).toHaveLength(1);
    const sqlComment = h.fake.reviewComments.find((c) => c.body.includes("security/sql-injection"))!;
    expect(h.fake.resolvedThreads).toEqual([`PRRT_${sqlComment.id}`]);
    const run = h.fake.checkRuns.at(-1)!;
    expect(run.head_sha).toBe(second);
    expect(run.output?.summary).toContain("1 new inline comment; 1 earlier finding fixed.");
    expect(h.fake.violations).toEqual([]);

    // push 3: nothing changes → no review at all, nothing resolved twice
    await push(3, { "src/users.ts": usersFile({ console: true, loop: true }) });
    expect(h.fake.reviews).toHaveLength(2);
    expect(h.fake.resolvedThreads).toHaveLength(1);
  });

  it("replies 'fixed in <sha>' once when the thread cannot be resolved", async () => {
    await push(1, { "src/users.ts": usersFile({ sqlInjection: true }) });
    h.fake.failNext("graphql", 403, 5);
    const second = await push(2, { "src/users.ts": usersFile({}) });
    const replies = h.fake.reviewComments.filter((c) => c.in_reply_to_id);
    expect(replies).toHaveLength(1);
    expect(replies[0].body).toContain(`Fixed in ${second.slice(0, 7)}`);
    await push(3, { "src/users.ts": usersFile({}) });
    expect(h.fake.reviewComments.filter((c) => c.in_reply_to_id)).toHaveLength(1);
  });

  it("never touches other people's comments", async () => {
    await push(1, { "src/users.ts": usersFile({ sqlInjection: true }) });
    h.fake.addHumanReviewComment({ path: "src/users.ts", line: 10, body: "I agree with the bot <!-- vigil-fingerprint: 0123456789abcdef01234567 -->", login: "octocat" });
    await push(2, { "src/users.ts": usersFile({}) });
    expect(h.fake.resolvedThreads).toHaveLength(1);
    expect(h.fake.reviewComments.filter((c) => c.in_reply_to_id)).toEqual([]);
  });

  it("honours a config in the base branch that disables a rule, and ignores one in the PR head", async () => {
    const base = { ...BASE_FILES, ".github/vigil.yml": "rules:\n  observability/no-console-in-server: off\n" };
    await push(1, { "src/users.ts": usersFile({ sqlInjection: true, console: true }), ".github/vigil.yml": "rules:\n  security: off\n" }, base);
    expect(rulesOf()).toEqual(["10 security/sql-injection"]);
  });

  it("shows a clear message for an invalid config and falls back to the defaults", async () => {
    const base = { ...BASE_FILES, ".github/vigil.yml": "failOn: sometimes\nmaxInlineComments: lots\n" };
    await push(1, { "src/users.ts": usersFile({ sqlInjection: true }) }, base);
    const summary = h.fake.checkRuns[0].output!.summary!;
    expect(summary).toContain(".github/vigil.yml is invalid, defaults were used");
    expect(summary).toContain("`failOn`");
    expect(summary).toContain("`maxInlineComments`");
    expect(h.fake.checkRuns[0].conclusion).toBe("failure");
  });

  it("puts a suggestion block in the comment of a mechanically fixable finding", async () => {
    await push(1, { "src/users.ts": usersFile({ console: true }) });
    const c = h.fake.reviewComments.find((x) => x.body.includes("no-console-in-server"))!;
    expect(c.body).toContain('```suggestion\n  logger.info("user fetched");\n```');
  });

  it("respects vigil-ignore suppressions and counts them", async () => {
    await push(1, { "src/users.ts": usersFile({ suppressed: true }) });
    expect(h.fake.reviews).toEqual([]); // nothing to say: no review at all
    expect(h.fake.checkRuns[0].conclusion).toBe("success");
    expect(h.fake.checkRuns[0].output!.summary).toContain("1 finding suppressed");
  });

  it("says in the summary which files it could not review because GitHub omitted their diff", async () => {
    h.fake.omitPatchFor("src/users.ts");
    await push(1, { "src/users.ts": usersFile({ sqlInjection: true }), "src/other.ts": usersFile({ console: true }) }, { ...BASE_FILES, "src/users.ts": usersFile({}) });
    const summary = h.fake.checkRuns[0].output!.summary!;
    expect(summary).toContain("`src/users.ts`: GitHub omitted the diff");
    expect(rulesOf()).toEqual(["11 observability/no-console-in-server"]);
  });

  it("completes a 1,000-file PR with annotations in batches of at most 50 and at most 25 inline comments", async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 1000; i++) {
      files[`src/handlers/h${i}.ts`] = `export const handler${i} = (req: any, db: any) =>\n  db.query("SELECT * FROM t${i} WHERE id = " + req.params.id);\n`;
    }
    await push(1, files, {});
    const run = h.fake.checkRuns[0];
    expect(run.status).toBe("completed");
    expect(run.annotations).toHaveLength(1000);
    for (const u of run.updates as { output?: { annotations?: unknown[] } }[]) expect(u.output?.annotations?.length ?? 0).toBeLessThanOrEqual(50);
    expect(h.fake.reviews).toHaveLength(1);
    expect(h.fake.reviewComments).toHaveLength(25);
    expect(h.fake.reviews[0].body).toContain("975 more are listed in the Vigil check run only");
    expect(h.fake.violations).toEqual([]);
  }, 60_000);
});
