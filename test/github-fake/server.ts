/**
 * A local fake of the GitHub REST API (plus two GraphQL operations) for end-to-end tests and
 * the demo. Every request is recorded and validated against GitHub's OpenAPI description
 * before it is handled; non-conforming requests land in `violations` and are answered 422.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { handleGraphql } from "./graphql.js";
import { errorBody, HttpError, type FakeResponse } from "./responses.js";
import { restHandlers } from "./rest.js";
import { FakeState } from "./state.js";
import type {
  FakePullRequest,
  FakeUser,
  GitHubFakeOptions,
  HumanReviewCommentInput,
  RecordedRequest,
  RemovedLabel,
  StoredCheckRun,
  StoredReview,
  StoredReviewComment,
} from "./types.js";
import { matchOperation, validateRequest } from "./validator.js";

export { loadFixtureRepo, fakeSha, treeSha, type FixtureRepo } from "./fixtures.js";
export type * from "./types.js";

/** `failNext` bookkeeping: the answer to give instead of handling the next N calls. */
export interface PendingFault {
  operationId: string;
  status: number;
  remaining: number;
  body: unknown;
}

const GRAPHQL = "graphql";
const GHES_PREFIX = "/api/v3";

export class GitHubFake {
  /** Every request received, in order. */
  readonly requests: RecordedRequest[] = [];
  /** Human-readable problems with requests (schema, auth, unknown routes, unsupported GraphQL). */
  readonly violations: string[] = [];
  /** Faults still to be served by `failNext`. */
  readonly pendingFaults: PendingFault[] = [];

  private state: FakeState;
  private server: Server | undefined;
  private url: string | undefined;
  private readonly bot: FakeUser;
  private readonly appSlug: string;

  constructor(options: GitHubFakeOptions = {}) {
    this.bot = { login: options.botLogin ?? "vigil[bot]", type: "Bot" };
    this.appSlug = options.appSlug ?? "vigil";
    this.state = new FakeState(this.bot);
  }

  // ---- lifecycle -----------------------------------------------------------------------------

  /** Listens on 127.0.0.1 (random port); resolves to the base URL, e.g. `http://127.0.0.1:51234`. */
  async start(): Promise<string> {
    if (this.url) return this.url;
    const server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => resolve());
    });
    this.server = server;
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    this.url = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
  }

  get baseUrl(): string {
    if (!this.url) throw new Error("GitHubFake is not started");
    return this.url;
  }

  /** Forgets everything: pull requests, trees, reviews, check runs, requests, violations, faults. */
  reset(): void {
    this.state = new FakeState(this.bot);
    this.requests.length = 0;
    this.violations.length = 0;
    this.pendingFaults.length = 0;
  }

  // ---- state set-up --------------------------------------------------------------------------

  /** Adds a pull request; with an existing number it replaces base/head (a new push), keeping reviews and check runs. */
  setPullRequest(pr: FakePullRequest): void {
    this.state.setPullRequest(pr);
  }

  /** Leaves `patch` out of pulls/list-files for this path, as GitHub does for very large diffs. */
  omitPatchFor(path: string): void {
    this.state.omitPatchFor(path);
  }

  /** Answers `status` (with `body`, default GitHub's error shape) to the next `times` calls of `operationId` ("graphql" for GraphQL). */
  failNext(operationId: string, status: number, times = 1, body?: unknown): void {
    this.pendingFaults.push({ operationId, status, remaining: times, body: body ?? errorBody(status) });
  }

  /** Another user's review comment (no diff check); defaults to the only PR when coordinates are omitted. */
  addHumanReviewComment(input: HumanReviewCommentInput): StoredReviewComment {
    return this.state.addHumanReviewComment(input);
  }

  // ---- state inspection ----------------------------------------------------------------------

  get checkRuns(): StoredCheckRun[] {
    return this.state.checkRuns;
  }
  get reviews(): StoredReview[] {
    return this.state.reviews;
  }
  /** All review comments (inline comments of reviews, replies and human comments), in creation order. */
  get reviewComments(): StoredReviewComment[] {
    return this.state.reviewComments;
  }
  get removedLabels(): RemovedLabel[] {
    return this.state.removedLabels;
  }
  /** Thread ids (`PRRT_<commentId>`) resolved through GraphQL. */
  get resolvedThreads(): string[] {
    return this.state.resolvedThreads;
  }
  /** Installation tokens handed out. */
  get issuedTokens(): string[] {
    return this.state.issuedTokens;
  }

  /** Current labels of a pull request. */
  labelsOf(owner: string, repo: string, number: number): string[] {
    return [...this.state.pull(owner, repo, number).labels];
  }

  /** Recorded requests for one operationId. */
  requestsFor(operationId: string): RecordedRequest[] {
    return this.requests.filter((r) => r.operationId === operationId);
  }

  /** Polls until `predicate(this)` holds (for work the app does asynchronously). */
  async waitFor(predicate: (fake: this) => boolean, timeoutMs = 5000, what = "condition"): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this)) {
      if (Date.now() > deadline) throw new Error(`GitHubFake.waitFor: timed out after ${timeoutMs} ms waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  // ---- HTTP ----------------------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let response: FakeResponse;
    let record: RecordedRequest | undefined;
    try {
      const host = req.headers.host ?? "127.0.0.1";
      const url = new URL(req.url ?? "/", `http://${host}`);
      const prefix = url.pathname.startsWith(`${GHES_PREFIX}/`) ? GHES_PREFIX : "";
      let path = url.pathname.slice(prefix.length);
      if (path === "/api/graphql") path = "/graphql";
      const method = (req.method ?? "GET").toUpperCase();
      const raw = await readBody(req);
      const match = matchOperation(method, path);
      const operationId = method === "POST" && path === "/graphql" ? GRAPHQL : match?.operationId;
      record = {
        method,
        path,
        query: Object.fromEntries(url.searchParams),
        pathParams: match?.pathParams ?? {},
        body: undefined,
        operationId,
        authorization: header(req, "authorization"),
        accept: header(req, "accept"),
      };
      this.requests.push(record);
      const label = operationId ?? `${method} ${path}`;
      if (raw.length) {
        try {
          record.body = JSON.parse(raw.toString("utf8"));
        } catch {
          this.violations.push(`${label}: body is not valid JSON`);
          throw new HttpError(400, errorBody(400, "Problems parsing JSON"));
        }
      }
      this.checkAuthorization(label, operationId, record.authorization);
      if (operationId !== GRAPHQL) {
        const problems = validateRequest(method, `${path}${url.search}`, record.body);
        if (problems.length) {
          this.violations.push(...problems);
          if (!operationId) throw new HttpError(404, errorBody(404));
          throw new HttpError(422, { ...errorBody(422, `Invalid request.\n\n${problems.join("\n")}`), errors: problems });
        }
      }
      const fault = this.takeFault(operationId!);
      if (fault) {
        record.injectedFault = true;
        response = { status: fault.status, body: fault.body, headers: fault.status === 429 ? { "retry-after": "1" } : {} };
      } else {
        response = this.dispatch(operationId!, prefix, url, record);
      }
    } catch (error) {
      if (error instanceof HttpError) response = { status: error.status, body: error.body, headers: error.headers };
      else {
        const message = error instanceof Error ? error.stack ?? error.message : String(error);
        this.violations.push(`fake internal error: ${message}`);
        response = { status: 500, body: errorBody(500, `GitHubFake internal error: ${message}`) };
      }
    }
    if (record) record.status = response.status;
    send(res, response);
  }

  private dispatch(operationId: string, prefix: string, url: URL, record: RecordedRequest): FakeResponse {
    if (operationId === GRAPHQL) {
      const outcome = handleGraphql(this.state, record.body);
      if (outcome.violation) this.violations.push(outcome.violation);
      return { status: 200, body: outcome.body };
    }
    const handler = restHandlers[operationId];
    if (!handler) {
      this.violations.push(`${operationId}: described but not implemented by the fake`);
      return { status: 501, body: errorBody(501, `GitHubFake does not implement ${operationId}`) };
    }
    return handler({
      state: this.state,
      api: `${url.origin}${prefix}`,
      url,
      params: record.pathParams,
      body: (record.body ?? {}) as Record<string, unknown>,
      accept: record.accept ?? "",
      appSlug: this.appSlug,
    });
  }

  /**
   * GitHub needs credentials everywhere here: an app JWT (`Bearer <jwt>`) for /app endpoints,
   * an installation token (`token …` or `Bearer …`, not a JWT) for the rest.
   */
  private checkAuthorization(label: string, operationId: string | undefined, authorization: string | undefined): void {
    const fail = (problem: string, message: string) => {
      this.violations.push(`${label}: ${problem}`);
      throw new HttpError(401, errorBody(401, message));
    };
    if (!authorization) return fail("missing authorization header", "Requires authentication");
    const m = /^(token|bearer)\s+(\S+)$/i.exec(authorization.trim());
    if (!m) return fail(`malformed authorization header "${authorization.slice(0, 20)}…"`, "Bad credentials");
    const jwt = decodeJwt(m[2]!);
    if (operationId === "apps/create-installation-access-token") {
      if (m[1]!.toLowerCase() !== "bearer" || !jwt) return fail("needs an app JWT (Bearer <jwt>)", "A JSON web token could not be decoded");
      if (jwt.iss === undefined || typeof jwt.exp !== "number") return fail("app JWT lacks iss/exp claims", "A JSON web token could not be decoded");
      if (jwt.exp * 1000 < Date.now()) return fail("app JWT has expired", "'Expiration time' claim ('exp') is too far in the past");
    } else if (jwt) {
      fail("app JWT used where an installation token is required", "Resource not accessible by integration");
    }
  }

  private takeFault(operationId: string): PendingFault | undefined {
    const index = this.pendingFaults.findIndex((f) => f.operationId === operationId);
    if (index < 0) return undefined;
    const fault = this.pendingFaults[index]!;
    if (--fault.remaining <= 0) this.pendingFaults.splice(index, 1);
    return fault;
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(", ") : value;
}

function decodeJwt(token: string): Record<string, unknown> | undefined {
  const parts = token.split(".");
  if (parts.length !== 3) return undefined;
  try {
    const payload = JSON.parse(Buffer.from(parts[1]!, "base64url").toString("utf8")) as unknown;
    return typeof payload === "object" && payload !== null ? (payload as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function send(res: ServerResponse, response: FakeResponse): void {
  const headers: Record<string, string> = {
    "x-github-media-type": "github.v3; format=json",
    "x-github-request-id": `FAKE:${Date.now().toString(16)}`,
    "x-ratelimit-limit": "5000",
    "x-ratelimit-remaining": "4999",
    "x-ratelimit-reset": String(Math.floor(Date.now() / 1000) + 3600),
    ...response.headers,
  };
  let payload: string | Buffer = "";
  if (response.raw !== undefined) payload = response.raw;
  else if (response.body !== undefined && response.status !== 204) {
    payload = JSON.stringify(response.body);
    headers["content-type"] ??= "application/json; charset=utf-8";
  }
  res.writeHead(response.status, { ...headers, "content-length": String(Buffer.byteLength(payload)) });
  res.end(payload);
}
