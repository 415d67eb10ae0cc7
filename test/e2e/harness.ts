import { generateKeyPairSync, randomUUID } from "node:crypto";
import { createRequire } from "node:module";
import { join } from "node:path";
import pino from "pino";
import { GitHubFake, loadFixtureRepo, type FakePullRequest } from "../github-fake/server.js";
import { createVigil, type Vigil } from "../../src/server/vigil.js";
import { sign } from "../../src/server/webhook-signature.js";
import type { Rule } from "../../src/core/rule.js";

const require = createRequire(import.meta.url);
const examples = require("@octokit/webhooks-examples") as { name: string; examples: Record<string, unknown>[] }[];

export const APP_ID = 4242;
export const INSTALLATION_ID = 77;
export const SECRET = "vigil-test-secret";
export const OWNER = "acme";
export const REPO = "orders-api";
export const PULL = 7;
export const FIXTURES = join(import.meta.dirname, "../fixtures/repos");

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** A real payload from @octokit/webhooks-examples, re-pointed at our fixture repository. */
export function examplePayload(event: string, action: string, index = 0): Json {
  const group = examples.find((e) => e.name === event);
  const found = group?.examples.filter((e) => e.action === action)[index];
  if (!found) throw new Error(`no ${event}.${action} example`);
  return structuredClone(found) as Json;
}

function pointAtRepo(p: Json): Json {
  p.repository.name = REPO;
  p.repository.full_name = `${OWNER}/${REPO}`;
  p.repository.owner.login = OWNER;
  p.installation = { id: INSTALLATION_ID, node_id: "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uNzc=" };
  return p;
}

export function pullRequestEvent(action: string, heads: { headSha: string; baseSha: string; draft?: boolean; label?: string }): Json {
  const p = pointAtRepo(examplePayload("pull_request", action));
  p.number = PULL;
  p.pull_request.number = PULL;
  p.pull_request.head.sha = heads.headSha;
  p.pull_request.base.sha = heads.baseSha;
  p.pull_request.draft = !!heads.draft;
  if (heads.label) p.label = { ...(p.label ?? { id: 1, node_id: "L", url: "", color: "ededed", default: false, description: null }), name: heads.label };
  return p;
}

export function checkRunRerequested(heads: { headSha: string; baseSha: string }, appId = APP_ID): Json {
  const p = pointAtRepo(examplePayload("check_run", "rerequested"));
  p.check_run.head_sha = heads.headSha;
  p.check_run.name = "Vigil";
  p.check_run.app.id = appId;
  p.check_run.pull_requests = [{ number: PULL, id: 1, url: "", head: { ref: "feature", sha: heads.headSha, repo: { id: 1, url: "", name: REPO } }, base: { ref: "main", sha: heads.baseSha, repo: { id: 1, url: "", name: REPO } } }];
  return p;
}

export function checkSuiteRerequested(heads: { headSha: string; baseSha: string }, appId = APP_ID): Json {
  const p = pointAtRepo(examplePayload("check_suite", "rerequested"));
  p.check_suite.head_sha = heads.headSha;
  p.check_suite.app.id = appId;
  p.check_suite.pull_requests = [{ number: PULL, id: 1, url: "", head: { ref: "feature", sha: heads.headSha, repo: { id: 1, url: "", name: REPO } }, base: { ref: "main", sha: heads.baseSha, repo: { id: 1, url: "", name: REPO } } }];
  return p;
}

export interface Harness {
  fake: GitHubFake;
  vigil: Vigil;
  url: string;
  /** The pull request as given to the fake; spread and change it to simulate edits and pushes. */
  pr: FakePullRequest;
  base: { sha: string };
  head: { sha: string };
  send(event: string, payload: Json, signature?: "valid" | "wrong" | "none"): Promise<Response>;
  stop(): Promise<void>;
}

/** The real server on a loopback port, the GitHub fake on another, and a fixture repository loaded as PR #7. */
export async function startHarness(fixture = "orders-api", opts: { logLevel?: pino.Level; rules?: readonly Rule[] } = {}): Promise<Harness> {
  const fake = new GitHubFake();
  const apiUrl = await fake.start();
  const repo = loadFixtureRepo(join(FIXTURES, fixture));
  const pr: FakePullRequest = { owner: OWNER, repo: REPO, number: PULL, title: "Add orders listing", base: { ref: "main", ...repo.base }, head: { ref: "feature/orders", ...repo.head } };
  fake.setPullRequest(pr);
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048, privateKeyEncoding: { type: "pkcs1", format: "pem" }, publicKeyEncoding: { type: "spki", format: "pem" } });
  const vigil = await createVigil({
    appId: APP_ID, privateKey, secret: SECRET, baseUrl: apiUrl, fastRetries: true, rules: opts.rules,
    log: pino({ level: opts.logLevel ?? "silent" }),
  });
  const port = await vigil.listen(0, "127.0.0.1");
  const url = `http://127.0.0.1:${port}`;
  return {
    fake, vigil, url, pr, base: { sha: repo.base.sha }, head: { sha: repo.head.sha },
    async send(event, payload, signature = "valid") {
      const body = JSON.stringify(payload);
      const headers: Record<string, string> = { "content-type": "application/json", "x-github-event": event, "x-github-delivery": randomUUID() };
      if (signature === "valid") headers["x-hub-signature-256"] = sign(SECRET, body);
      if (signature === "wrong") headers["x-hub-signature-256"] = sign("not-the-secret", body);
      return fetch(`${url}/api/github/webhooks`, { method: "POST", headers, body });
    },
    async stop() {
      await vigil.stop();
      await fake.stop();
    },
  };
}
