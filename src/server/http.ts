import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Logger } from "pino";
import type { Probot } from "probot";
import { verifySignature } from "./webhook-signature.js";
import type { Metrics } from "./metrics.js";

export const WEBHOOK_PATH = "/api/github/webhooks";
/** GitHub caps webhook payloads at 25 MB. */
const MAX_BODY = 25 * 1024 * 1024;

export interface HttpOptions {
  probot: Probot;
  secret: string;
  log: Logger;
  metrics: Metrics;
  /** Ready to take work: false while shutting down or when the queue is saturated. */
  ready: () => boolean;
}

function send(res: ServerResponse, status: number, body: unknown, type = "application/json"): void {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  res.writeHead(status, { "content-type": type, "content-length": Buffer.byteLength(text) });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        resolve(undefined);
        req.destroy();
      } else chunks.push(c);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

/**
 * Vigil's HTTP front door. We check the webhook signature ourselves, before Probot sees anything: a forged or
 * unsigned request gets a 401 and is never parsed, queued or logged with its payload.
 */
export function createHttpServer(o: HttpOptions): Server {
  return createServer((req, res) => {
    handle(req, res, o).catch((err) => {
      o.log.error({ err }, "request failed");
      if (!res.headersSent) send(res, 500, { error: "internal error" });
    });
  });
}

async function handle(req: IncomingMessage, res: ServerResponse, o: HttpOptions): Promise<void> {
  const url = new URL(req.url ?? "/", "http://localhost");
  if (req.method === "GET" && url.pathname === "/healthz") return send(res, 200, { status: "ok" });
  if (req.method === "GET" && url.pathname === "/readyz") return o.ready() ? send(res, 200, { status: "ready" }) : send(res, 503, { status: "not ready" });
  if (req.method === "GET" && url.pathname === "/metrics") return send(res, 200, await o.metrics.registry.metrics(), o.metrics.registry.contentType);
  if (url.pathname !== WEBHOOK_PATH) return send(res, 404, { error: "not found" });
  if (req.method !== "POST") return send(res, 405, { error: "use POST" });

  const event = req.headers["x-github-event"];
  const delivery = req.headers["x-github-delivery"];
  const signature = req.headers["x-hub-signature-256"];
  if (typeof event !== "string" || typeof delivery !== "string") return send(res, 400, { error: "missing x-github-event or x-github-delivery header" });
  const body = await readBody(req);
  if (!body) return send(res, 413, { error: "payload larger than 25 MB" });
  if (!verifySignature(o.secret, body, typeof signature === "string" ? signature : undefined)) {
    o.log.warn({ delivery, event, signed: typeof signature === "string" }, "webhook rejected: signature missing or wrong");
    return send(res, 401, { error: "signature does not match the webhook secret" });
  }
  let payload: unknown;
  try {
    payload = JSON.parse(body.toString("utf8"));
  } catch {
    return send(res, 400, { error: "body is not JSON" });
  }
  await o.probot.receive({ id: delivery, name: event, payload } as Parameters<Probot["receive"]>[0]);
  send(res, 202, { status: "accepted" });
}
