import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateKeyPairSync } from "node:crypto";
import { Octokit } from "@octokit/rest";
import { Probot, ProbotOctokit } from "probot";
import { GitHubFake, loadFixtureRepo, type FakePullRequest, type FileTree } from "../github-fake/server.js";
import { matchOperation, validateRequest } from "../github-fake/validator.js";
import { parsePatch, unifiedHunks } from "../github-fake/diff-tree.js";

const OWNER = "acme";
const REPO = "api";
const BASE_SHA = "a".repeat(40);
const HEAD_SHA = "b".repeat(40);

const fake = new GitHubFake();
let octokit: Octokit;
let baseUrl: string;

function lines(n: number, label = "line"): string {
  return Array.from({ length: n }, (_, i) => `${label} ${i + 1}`).join("\n") + "\n";
}

function pr(files: { base: FileTree; head: FileTree }, overrides: Partial<FakePullRequest> = {}): FakePullRequest {
  return {
    owner: OWNER,
    repo: REPO,
    number: 7,
    title: "Add things",
    labels: ["vigil:rerun", "bug"],
    base: { ref: "main", sha: BASE_SHA, files: files.base },
    head: { ref: "feature", sha: HEAD_SHA, files: files.head },
    ...overrides,
  };
}

/** base: 40-line src/app.ts; head: line 20 changed, a file added, one removed. */
function standardPr(): FakePullRequest {
  const before = lines(40);
  const after = before.replace("line 20\n", "line 20 changed\n");
  return pr({
    base: { "src/app.ts": before, "src/old.ts": "export const old = 1;\n", "README.md": "# api\n" },
    head: { "src/app.ts": after, "src/new.ts": "export const a = 1;\nexport const b = 2;\n", "README.md": "# api\n" },
  });
}

beforeAll(async () => {
  baseUrl = await fake.start();
  const quiet = () => undefined;
  octokit = new Octokit({ baseUrl, auth: "x", request: { retries: 0 }, log: { debug: quiet, info: quiet, warn: quiet, error: quiet } });
});

afterAll(async () => {
  await fake.stop();
});

beforeEach(() => {
  fake.reset();
  fake.setPullRequest(standardPr());
});

async function status(promise: Promise<unknown>): Promise<number> {
  try {
    await promise;
    return 200;
  } catch (error) {
    return (error as { status: number }).status;
  }
}

describe("validator", () => {
  it("matches operations with decoded path parameters", () => {
    expect(matchOperation("GET", "/repos/o/r/contents/src%2Fa%20b.ts")).toEqual({
      operationId: "repos/get-content",
      template: "/repos/{owner}/{repo}/contents/{path}",
      pathParams: { owner: "o", repo: "r", path: "src/a b.ts" },
    });
    expect(matchOperation("GET", "/repos/o/r/pulls/3/files")?.operationId).toBe("pulls/list-files");
    expect(matchOperation("GET", "/repos/o/r/pulls/3/nope")).toBeUndefined();
  });

  it("reports ill-typed parameters, enum violations and missing required properties", () => {
    expect(validateRequest("GET", "/repos/o/r/pulls/x/files?per_page=lots", undefined)).toEqual([
      'pulls/list-files: path parameter "pull_number" must be integer',
      'pulls/list-files: query parameter "per_page" must be integer',
    ]);
    const problems = validateRequest("PATCH", "/repos/o/r/check-runs/1", {
      conclusion: "bogus",
      output: { title: "t", summary: "s", annotations: [{ path: "a.ts", start_line: 1, end_line: 1, message: "m" }] },
    });
    expect(problems).toEqual([
      expect.stringMatching(/^checks\/update: body\/conclusion must be equal to one of the allowed values/),
      "checks/update: body/output/annotations/0 must have required property 'annotation_level'",
    ]);
    expect(validateRequest("POST", "/repos/o/r/pulls/1/reviews", { event: "COMMENT", comments: [{ path: "a", line: 1, side: "MIDDLE", body: "b" }] })).toEqual([
      'pulls/create-review: body/comments/0/side must be equal to one of the allowed values ("LEFT", "RIGHT")',
    ]);
    expect(validateRequest("POST", "/repos/o/r/check-runs", { name: "vigil", head_sha: "abc" })).toEqual([]);
    expect(validateRequest("GET", "/nowhere", undefined)).toEqual(["unknown route: GET /nowhere"]);
  });
});

describe("diff computation", () => {
  it("formats hunks like git and numbers lines per side", () => {
    expect(unifiedHunks("", "a\nb\n")).toBe("@@ -0,0 +1,2 @@\n+a\n+b");
    expect(unifiedHunks("a\n", "b\n")).toBe("@@ -1 +1 @@\n-a\n+b");
    const parsed = parsePatch(unifiedHunks(lines(10), lines(10).replace("line 5\n", "five\n")));
    expect(parsed.filter((l) => l.kind === "add").map((l) => l.newLine)).toEqual([5]);
    expect(parsed.filter((l) => l.kind === "del").map((l) => l.oldLine)).toEqual([5]);
  });
});

describe("GitHubFake REST", () => {
  it("lists files with statuses, counts and GitHub-style patches", async () => {
    const { data } = await octokit.pulls.listFiles({ owner: OWNER, repo: REPO, pull_number: 7 });
    expect(data.map((f) => [f.filename, f.status, f.additions, f.deletions, f.changes])).toEqual([
      ["src/app.ts", "modified", 1, 1, 2],
      ["src/new.ts", "added", 2, 0, 2],
      ["src/old.ts", "removed", 0, 1, 1],
    ]);
    expect(data[0]!.patch).toBe(
      "@@ -17,7 +17,7 @@\n line 17\n line 18\n line 19\n-line 20\n+line 20 changed\n line 21\n line 22\n line 23",
    );
    expect(data[1]!.patch).toBe("@@ -0,0 +1,2 @@\n+export const a = 1;\n+export const b = 2;");
    expect(data[2]!.patch).toBe("@@ -1 +0,0 @@\n-export const old = 1;");
  });

  it("paginates 250 files so octokit.paginate returns them all", async () => {
    const head: FileTree = {};
    for (let i = 0; i < 250; i++) head[`src/f${String(i).padStart(3, "0")}.ts`] = `export const v${i} = ${i};\n`;
    fake.setPullRequest(pr({ base: {}, head }));
    const files = await octokit.paginate(octokit.pulls.listFiles, { owner: OWNER, repo: REPO, pull_number: 7, per_page: 100 });
    expect(files).toHaveLength(250);
    expect(new Set(files.map((f) => f.filename)).size).toBe(250);
    expect(fake.requestsFor("pulls/list-files").map((r) => r.query.page ?? "1")).toEqual(["1", "2", "3"]);

    const first = await fetch(`${baseUrl}/repos/${OWNER}/${REPO}/pulls/7/files?per_page=100`, { headers: { authorization: "token x" } });
    expect(first.headers.get("link")).toBe(
      `<${baseUrl}/repos/${OWNER}/${REPO}/pulls/7/files?per_page=100&page=2>; rel="next", ` +
        `<${baseUrl}/repos/${OWNER}/${REPO}/pulls/7/files?per_page=100&page=3>; rel="last"`,
    );
    // Default page size is 30.
    const { data } = await octokit.pulls.listFiles({ owner: OWNER, repo: REPO, pull_number: 7 });
    expect(data).toHaveLength(30);
  });

  it("caps the file list at 3,000 files while pulls.get counts all", async () => {
    const head: FileTree = {};
    for (let i = 0; i < 3005; i++) head[`f/${i}.txt`] = `${i}\n`;
    fake.setPullRequest(pr({ base: {}, head }));
    const files = await octokit.paginate(octokit.pulls.listFiles, { owner: OWNER, repo: REPO, pull_number: 7, per_page: 100 });
    expect(files).toHaveLength(3000);
    const { data } = await octokit.pulls.get({ owner: OWNER, repo: REPO, pull_number: 7 });
    expect(data.changed_files).toBe(3005);
  });

  it("gives binary files and omitted patches no patch", async () => {
    fake.setPullRequest(pr({ base: {}, head: { "logo.png": Buffer.from([0x89, 0x50, 0x00, 0x01]), "big.json": "{}\n" } }));
    fake.omitPatchFor("big.json");
    const { data } = await octokit.pulls.listFiles({ owner: OWNER, repo: REPO, pull_number: 7 });
    expect(data.map((f) => [f.filename, f.patch])).toEqual([
      ["big.json", undefined],
      ["logo.png", undefined],
    ]);
    expect(data[0]!.additions).toBe(1);
  });

  it("serves file contents by sha (base, head, and earlier heads) and 404s missing ones", async () => {
    const get = (path: string, ref: string) => octokit.repos.getContent({ owner: OWNER, repo: REPO, path, ref });
    const head = await get("src/new.ts", HEAD_SHA);
    expect(head.data).toMatchObject({ type: "file", encoding: "base64", name: "new.ts", path: "src/new.ts", size: 40 });
    const content = (head.data as { content: string }).content;
    expect(Buffer.from(content, "base64").toString("utf8")).toBe("export const a = 1;\nexport const b = 2;\n");
    const base = await get("src/old.ts", BASE_SHA);
    expect(Buffer.from((base.data as { content: string }).content, "base64").toString()).toBe("export const old = 1;\n");
    expect(await status(get("src/new.ts", BASE_SHA))).toBe(404);
    expect(await status(get("nope.ts", HEAD_SHA))).toBe(404);

    // A push: the new head is served, and so is the previous one.
    const next = standardPr();
    next.head = { ref: "feature", sha: "c".repeat(40), files: { ...next.head.files, "src/new.ts": "export const a = 2;\n" } };
    fake.setPullRequest(next);
    const pushed = await get("src/new.ts", "c".repeat(40));
    expect(Buffer.from((pushed.data as { content: string }).content, "base64").toString()).toBe("export const a = 2;\n");
    expect((await get("src/new.ts", HEAD_SHA)).status).toBe(200);

    // Unencoded slashes work too; a branch name resolves to its current sha.
    const raw = await fetch(`${baseUrl}/repos/${OWNER}/${REPO}/contents/src/new.ts?ref=feature`, { headers: { authorization: "token x" } });
    expect(Buffer.from(((await raw.json()) as { content: string }).content, "base64").toString()).toBe("export const a = 2;\n");
  });

  it("returns the pull request with head/base/labels", async () => {
    const { data } = await octokit.pulls.get({ owner: OWNER, repo: REPO, pull_number: 7 });
    expect(data).toMatchObject({
      number: 7,
      state: "open",
      draft: false,
      title: "Add things",
      head: { ref: "feature", sha: HEAD_SHA, repo: { full_name: "acme/api" } },
      base: { ref: "main", sha: BASE_SHA },
      labels: [{ name: "vigil:rerun" }, { name: "bug" }],
      html_url: "https://github.com/acme/api/pull/7",
      user: { login: "octocat", type: "User" },
    });
    const list = await octokit.pulls.list({ owner: OWNER, repo: REPO });
    expect(list.data.map((p) => p.number)).toEqual([7]);
    expect(await status(octokit.pulls.get({ owner: OWNER, repo: REPO, pull_number: 8 }))).toBe(404);
  });

  it("issues installation tokens for an app JWT only", async () => {
    const jwt = (claims: object) => `e30.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.sig`;
    const now = Math.floor(Date.now() / 1000);
    const res = await fetch(`${baseUrl}/app/installations/1/access_tokens`, {
      method: "POST",
      headers: { authorization: `Bearer ${jwt({ iss: 123, iat: now - 60, exp: now + 540 })}` },
    });
    expect(res.status).toBe(201);
    const body = (await res.json()) as { token: string; expires_at: string };
    expect(body.token).toMatch(/^ghs_fake/);
    expect(Date.parse(body.expires_at) - Date.now()).toBeGreaterThan(3500_000);
    expect(fake.violations).toEqual([]);

    const bad = await fetch(`${baseUrl}/app/installations/1/access_tokens`, { method: "POST", headers: { authorization: "token x" } });
    expect(bad.status).toBe(401);
    const anonymous = await fetch(`${baseUrl}/repos/${OWNER}/${REPO}/pulls/7`);
    expect(anonymous.status).toBe(401);
    expect(fake.violations).toEqual([
      "apps/create-installation-access-token: needs an app JWT (Bearer <jwt>)",
      "pulls/get: missing authorization header",
    ]);
  });

  it("stores check runs with annotations accumulated across updates", async () => {
    const created = await octokit.checks.create({ owner: OWNER, repo: REPO, name: "Vigil", head_sha: HEAD_SHA, status: "in_progress" });
    expect(created.status).toBe(201);
    const annotation = (line: number) => ({ path: "src/app.ts", start_line: line, end_line: line, annotation_level: "warning" as const, message: `m${line}` });
    await octokit.checks.update({
      owner: OWNER,
      repo: REPO,
      check_run_id: created.data.id,
      output: { title: "Vigil", summary: "s", annotations: [annotation(1), annotation(2)] },
    });
    const done = await octokit.checks.update({
      owner: OWNER,
      repo: REPO,
      check_run_id: created.data.id,
      conclusion: "neutral",
      output: { title: "Vigil: 3 findings", summary: "done", annotations: [annotation(3)] },
    });
    expect(done.data).toMatchObject({ status: "completed", conclusion: "neutral", output: { title: "Vigil: 3 findings", annotations_count: 3 } });
    const [run] = fake.checkRuns;
    expect(run).toMatchObject({ name: "Vigil", head_sha: HEAD_SHA, status: "completed", conclusion: "neutral" });
    expect(run!.annotations.map((a) => a.message)).toEqual(["m1", "m2", "m3"]);
    expect(run!.updates).toHaveLength(2);
    const got = await octokit.checks.get({ owner: OWNER, repo: REPO, check_run_id: created.data.id });
    expect(got.data.conclusion).toBe("neutral");
    expect(fake.violations).toEqual([]);
  });

  it("records invalid bodies as violations and answers 422", async () => {
    const created = await octokit.checks.create({ owner: OWNER, repo: REPO, name: "Vigil", head_sha: HEAD_SHA });
    const bogus = octokit.checks.update({ owner: OWNER, repo: REPO, check_run_id: created.data.id, conclusion: "bogus" as "success" });
    expect(await status(bogus)).toBe(422);
    const middle = octokit.pulls.createReview({
      owner: OWNER,
      repo: REPO,
      pull_number: 7,
      event: "COMMENT",
      comments: [{ path: "src/app.ts", line: 20, side: "MIDDLE", body: "x" }],
    });
    expect(await status(middle)).toBe(422);
    expect(fake.violations).toEqual([
      expect.stringMatching(/^checks\/update: body\/conclusion must be equal to one of the allowed values/),
      'pulls/create-review: body/comments/0/side must be equal to one of the allowed values ("LEFT", "RIGHT")',
    ]);
    expect(fake.checkRuns[0]!.updates).toEqual([]);
    expect(fake.reviews).toEqual([]);
  });

  it("creates reviews whose inline comments become review comments", async () => {
    const { data: review } = await octokit.pulls.createReview({
      owner: OWNER,
      repo: REPO,
      pull_number: 7,
      commit_id: HEAD_SHA,
      event: "COMMENT",
      body: "Vigil found 2 problems",
      comments: [
        { path: "src/app.ts", line: 20, side: "RIGHT", body: "changed line" },
        { path: "src/app.ts", line: 18, body: "context line" },
        { path: "src/app.ts", line: 20, side: "LEFT", body: "old line" },
        { path: "src/new.ts", start_line: 1, line: 2, body: "range" },
      ],
    });
    expect(review).toMatchObject({ state: "COMMENTED", commit_id: HEAD_SHA, user: { login: "vigil[bot]", type: "Bot" } });
    expect(fake.reviews).toHaveLength(1);
    const comments = await octokit.paginate(octokit.pulls.listReviewComments, { owner: OWNER, repo: REPO, pull_number: 7 });
    expect(comments.map((c) => [c.path, c.line, c.side, c.start_line, c.pull_request_review_id])).toEqual([
      ["src/app.ts", 20, "RIGHT", null, review.id],
      ["src/app.ts", 18, "RIGHT", null, review.id],
      ["src/app.ts", 20, "LEFT", null, review.id],
      ["src/new.ts", 2, "RIGHT", 1, review.id],
    ]);
    expect(comments[0]!.diff_hunk).toBe("@@ -17,7 +17,7 @@\n line 17\n line 18\n line 19\n-line 20\n+line 20 changed");
    expect(comments[0]!.user).toMatchObject({ login: "vigil[bot]", type: "Bot" });
    const reviews = await octokit.pulls.listReviews({ owner: OWNER, repo: REPO, pull_number: 7 });
    expect(reviews.data.map((r) => r.id)).toEqual([review.id]);
  });

  it("rejects comments outside the diff hunks and empty COMMENT reviews with 422", async () => {
    const outside = octokit.pulls.createReview({
      owner: OWNER,
      repo: REPO,
      pull_number: 7,
      event: "COMMENT",
      body: "x",
      comments: [
        { path: "src/app.ts", line: 20, body: "fine" },
        { path: "src/app.ts", line: 2, body: "line 2 is not in any hunk" },
      ],
    });
    const error = await outside.catch((e: { status: number; response: { data: { message: string; errors: string[] } } }) => e);
    expect(error).toMatchObject({ status: 422, response: { data: { message: "Unprocessable Entity" } } });
    expect((error as { response: { data: { errors: string[] } } }).response.data.errors).toEqual([
      expect.stringMatching(/^Line could not be resolved/),
    ]);
    expect(await status(octokit.pulls.createReview({ owner: OWNER, repo: REPO, pull_number: 7, event: "COMMENT", comments: [{ path: "README.md", line: 1, body: "unchanged file" }] }))).toBe(422);
    expect(await status(octokit.pulls.createReview({ owner: OWNER, repo: REPO, pull_number: 7, event: "REQUEST_CHANGES", body: "" }))).toBe(422);
    expect(fake.reviews).toEqual([]);
    expect(fake.reviewComments).toEqual([]);
    // Rejections by GitHub's rules are not request-shape violations.
    expect(fake.violations).toEqual([]);
  });

  it("stores replies and human comments, listed with in_reply_to_id", async () => {
    const human = fake.addHumanReviewComment({ path: "src/app.ts", line: 20, body: "why?", login: "alice" });
    const reply = await octokit.pulls.createReplyForReviewComment({ owner: OWNER, repo: REPO, pull_number: 7, comment_id: human.id, body: "because" });
    expect(reply.status).toBe(201);
    const { data } = await octokit.pulls.listReviewComments({ owner: OWNER, repo: REPO, pull_number: 7 });
    expect(data.map((c) => [c.user?.login, c.user?.type, c.body, c.in_reply_to_id])).toEqual([
      ["alice", "User", "why?", undefined],
      ["vigil[bot]", "Bot", "because", human.id],
    ]);
    expect(await status(octokit.pulls.createReplyForReviewComment({ owner: OWNER, repo: REPO, pull_number: 7, comment_id: 1, body: "x" }))).toBe(404);
  });

  it("keeps review comments across a push", async () => {
    await octokit.pulls.createReview({ owner: OWNER, repo: REPO, pull_number: 7, event: "COMMENT", body: "b", comments: [{ path: "src/app.ts", line: 20, body: "c" }] });
    const next = standardPr();
    next.head = { ...next.head, sha: "c".repeat(40) };
    fake.setPullRequest(next);
    expect(fake.reviewComments).toHaveLength(1);
    const { data } = await octokit.pulls.get({ owner: OWNER, repo: REPO, pull_number: 7 });
    expect(data.head.sha).toBe("c".repeat(40));
    // Reviews on the previous head commit are still accepted.
    const old = await octokit.pulls.createReview({ owner: OWNER, repo: REPO, pull_number: 7, commit_id: HEAD_SHA, event: "COMMENT", body: "old" });
    expect(old.data.commit_id).toBe(HEAD_SHA);
    expect(await status(octokit.pulls.createReview({ owner: OWNER, repo: REPO, pull_number: 7, commit_id: "d".repeat(40), event: "COMMENT", body: "?" }))).toBe(422);
  });

  it("removes labels and 404s absent ones", async () => {
    const res = await octokit.issues.removeLabel({ owner: OWNER, repo: REPO, issue_number: 7, name: "vigil:rerun" });
    expect(res.data.map((l) => l.name)).toEqual(["bug"]);
    expect(fake.removedLabels).toEqual([{ owner: OWNER, repo: REPO, number: 7, name: "vigil:rerun" }]);
    expect(fake.labelsOf(OWNER, REPO, 7)).toEqual(["bug"]);
    expect(await status(octokit.issues.removeLabel({ owner: OWNER, repo: REPO, issue_number: 7, name: "vigil:rerun" }))).toBe(404);
  });

  it("failNext answers the injected status the given number of times", async () => {
    fake.failNext("pulls/create-review", 500, 2);
    const review = () => octokit.pulls.createReview({ owner: OWNER, repo: REPO, pull_number: 7, event: "COMMENT", body: "hello" });
    expect(await status(review())).toBe(500);
    expect(await status(review())).toBe(500);
    expect((await review()).status).toBe(200);
    expect(fake.reviews).toHaveLength(1);
    expect(fake.requestsFor("pulls/create-review").map((r) => [r.status, r.injectedFault ?? false])).toEqual([
      [500, true],
      [500, true],
      [200, false],
    ]);
    expect(fake.pendingFaults).toEqual([]);
  });

  it("records every request with its parsed body and operationId", async () => {
    await octokit.pulls.get({ owner: OWNER, repo: REPO, pull_number: 7 });
    await octokit.checks.create({ owner: OWNER, repo: REPO, name: "Vigil", head_sha: HEAD_SHA });
    expect(fake.requests.map((r) => [r.method, r.path, r.operationId, r.authorization])).toEqual([
      ["GET", "/repos/acme/api/pulls/7", "pulls/get", "token x"],
      ["POST", "/repos/acme/api/check-runs", "checks/create", "token x"],
    ]);
    expect(fake.requests[1]!.body).toEqual({ name: "Vigil", head_sha: HEAD_SHA });
    const unknown = await fetch(`${baseUrl}/repos/${OWNER}/${REPO}/teleport`, { headers: { authorization: "token x" } });
    expect(unknown.status).toBe(404);
    expect(fake.violations).toEqual([`unknown route: GET /repos/${OWNER}/${REPO}/teleport`]);
  });

  it("serves the whole diff in the diff media type", async () => {
    const { data } = await octokit.pulls.get({ owner: OWNER, repo: REPO, pull_number: 7, mediaType: { format: "diff" } });
    const text = data as unknown as string;
    expect(text).toContain("diff --git a/src/app.ts b/src/app.ts\n");
    expect(text).toContain("--- /dev/null\n+++ b/src/new.ts\n@@ -0,0 +1,2 @@");
  });
});

describe("GitHubFake with Probot's octokit", () => {
  it("accepts the app JWT, hands out a token, and serves raw config files", async () => {
    const { privateKey } = generateKeyPairSync("rsa", {
      modulusLength: 2048,
      privateKeyEncoding: { type: "pkcs1", format: "pem" },
      publicKeyEncoding: { type: "spki", format: "pem" },
    });
    const base = standardPr();
    base.base.files[".github/vigil.yml"] = "failOn: high\n";
    fake.setPullRequest(base);
    const probot = new Probot({
      appId: 123,
      privateKey,
      baseUrl,
      logLevel: "fatal",
      Octokit: ProbotOctokit.defaults((o: object) => ({ ...o, retry: { enabled: false }, throttle: { enabled: false } })),
    });
    const installation = await probot.auth(42);
    const { data } = await installation.rest.pulls.get({ owner: OWNER, repo: REPO, pull_number: 7 });
    expect(data.head.sha).toBe(HEAD_SHA);
    const config = await installation.config.get({ owner: OWNER, repo: REPO, path: ".github/vigil.yml" });
    expect(config.config).toEqual({ failOn: "high" });
    expect(fake.requests.map((r) => [r.operationId, r.authorization?.split(" ")[0]])).toEqual([
      ["apps/create-installation-access-token", "bearer"],
      ["pulls/get", "token"],
      ["repos/get-content", "token"],
    ]);
    expect(fake.requests[0]!.pathParams).toEqual({ installation_id: "42" });
    expect(fake.issuedTokens).toHaveLength(1);
    expect(fake.violations).toEqual([]);
  });

  it("also answers under the GHES /api/v3 prefix", async () => {
    const octokitGhes = new Octokit({ baseUrl: `${baseUrl}/api/v3`, auth: "x" });
    const files = await octokitGhes.paginate(octokitGhes.pulls.listFiles, { owner: OWNER, repo: REPO, pull_number: 7, per_page: 1 });
    expect(files).toHaveLength(3);
    expect(fake.requests.map((r) => r.path)).toEqual(Array(3).fill("/repos/acme/api/pulls/7/files"));
  });
});

describe("GitHubFake GraphQL", () => {
  const THREADS = `query($owner: String!, $repo: String!, $number: Int!) {
    repository(owner: $owner, name: $repo) {
      pullRequest(number: $number) {
        reviewThreads(first: 100) { nodes { id isResolved comments(first: 1) { nodes { databaseId } } } }
      }
    }
  }`;

  it("lists review threads and resolves them", async () => {
    await octokit.pulls.createReview({
      owner: OWNER,
      repo: REPO,
      pull_number: 7,
      event: "COMMENT",
      body: "b",
      comments: [
        { path: "src/app.ts", line: 20, body: "one" },
        { path: "src/new.ts", line: 1, body: "two" },
      ],
    });
    const [first, second] = fake.reviewComments;
    await octokit.pulls.createReplyForReviewComment({ owner: OWNER, repo: REPO, pull_number: 7, comment_id: first!.id, body: "reply" });

    type Threads = { repository: { pullRequest: { reviewThreads: { nodes: { id: string; isResolved: boolean; comments: { nodes: { databaseId: number }[] } }[] } } } };
    const before = await octokit.graphql<Threads>(THREADS, { owner: OWNER, repo: REPO, number: 7 });
    expect(before.repository.pullRequest.reviewThreads.nodes.map((n) => [n.id, n.isResolved, n.comments.nodes.map((c) => c.databaseId)])).toEqual([
      [`PRRT_${first!.id}`, false, [first!.id]],
      [`PRRT_${second!.id}`, false, [second!.id]],
    ]);

    const resolved = await octokit.graphql<{ resolveReviewThread: { thread: { id: string; isResolved: boolean } } }>(
      "mutation($threadId: ID!) { resolveReviewThread(input: {threadId: $threadId}) { thread { id isResolved } } }",
      { threadId: `PRRT_${second!.id}` },
    );
    expect(resolved.resolveReviewThread.thread).toEqual({ id: `PRRT_${second!.id}`, isResolved: true });
    expect(fake.resolvedThreads).toEqual([`PRRT_${second!.id}`]);

    const after = await octokit.graphql<Threads>(THREADS, { owner: OWNER, repo: REPO, number: 7 });
    expect(after.repository.pullRequest.reviewThreads.nodes.map((n) => n.isResolved)).toEqual([false, true]);
    await expect(octokit.graphql("mutation { resolveReviewThread(input: {threadId: \"PRRT_1\"}) { thread { id } } }")).rejects.toThrow(/Could not resolve/);
    expect(fake.requestsFor("graphql")).toHaveLength(4);
    expect(fake.violations).toEqual([]);
  });
});

describe("loadFixtureRepo", () => {
  it("reads base/** and head/** into trees, keeping binaries as Buffers", () => {
    const dir = mkdtempSync(join(tmpdir(), "vigil-fixture-"));
    try {
      mkdirSync(join(dir, "base", "src"), { recursive: true });
      mkdirSync(join(dir, "head", "src", "deep"), { recursive: true });
      writeFileSync(join(dir, "base", "src", "a.ts"), "a\n");
      writeFileSync(join(dir, "head", "src", "a.ts"), "b\n");
      writeFileSync(join(dir, "head", "src", "deep", "img.bin"), Buffer.from([1, 0, 2]));
      const repo = loadFixtureRepo(dir);
      expect(repo.base.files).toEqual({ "src/a.ts": "a\n" });
      expect(repo.head.files["src/a.ts"]).toBe("b\n");
      expect(Buffer.isBuffer(repo.head.files["src/deep/img.bin"])).toBe(true);
      expect(repo.base.sha).toMatch(/^[0-9a-f]{40}$/);
      expect(repo.base.sha).not.toBe(repo.head.sha);
      expect(loadFixtureRepo(dir).head.sha).toBe(repo.head.sha);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
