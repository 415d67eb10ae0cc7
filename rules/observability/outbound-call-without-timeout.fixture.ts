import express from "express";
import axios from "axios";
import got from "got";
import https from "node:https";
import { request } from "undici";
import { Pool } from "pg";
import { setTimeout as sleep } from "node:timers/promises";

const app = express();

// expect: observability/outbound-call-without-timeout
const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 20 });

// expect: observability/outbound-call-without-timeout
const billing = axios.create({ baseURL: "https://billing.internal/api" });

app.get("/users/:id/avatar", async (req, res) => {
  // expect: observability/outbound-call-without-timeout
  const upstream = await fetch(`https://avatars.internal/${req.params.id}`);
  res.type("png").send(Buffer.from(await upstream.arrayBuffer()));
});

app.post("/webhooks/forward", async (req, res) => {
  // expect: observability/outbound-call-without-timeout
  await fetch("https://hooks.partner.com/in", { method: "POST", body: JSON.stringify(req.body) });
  // expect: observability/outbound-call-without-timeout
  const { data } = await axios.get("https://geo.internal/lookup");
  res.json(data);
});

export async function exchangeRate(currency: string) {
  // expect: observability/outbound-call-without-timeout
  return got(`https://fx.internal/rates/${currency}`).json();
}

export function pingPartner(url: string) {
  // expect: observability/outbound-call-without-timeout
  https.get(url, (res) => res.resume());
}

export async function loadCatalog() {
  // expect: observability/outbound-call-without-timeout
  const { body } = await request("https://catalog.internal/items");
  return body.json();
}

export async function connectBroker(connect: () => Promise<void>) {
  // expect: observability/outbound-call-without-timeout
  while (true) {
    try {
      await connect();
      break;
    } catch (err) {
      console.warn("broker connect failed", err);
    }
  }
}

// ---- safe look-alikes ----

// ok: observability/outbound-call-without-timeout
const reportsDb = new Pool({ connectionString: process.env.REPORTS_URL, connectionTimeoutMillis: 5000, statement_timeout: 30000 });

// ok: observability/outbound-call-without-timeout
const envPool = new Pool();

// ok: observability/outbound-call-without-timeout
const search = axios.create({ baseURL: "https://search.internal", timeout: 3000 });

app.get("/search", async (req, res) => {
  // ok: observability/outbound-call-without-timeout
  const r = await search.get("/q", { params: { q: req.query.q } });
  // ok: observability/outbound-call-without-timeout
  const prices = await fetch("https://prices.internal/all", { signal: AbortSignal.timeout(2000) });
  // ok: observability/outbound-call-without-timeout
  const stock = await axios.get("https://stock.internal/all", { timeout: 2000 });
  res.json({ hits: r.data, prices: await prices.json(), stock: stock.data, billing: billing.defaults.baseURL });
});

export async function withCallerSignal(url: string, init: RequestInit) {
  // ok: observability/outbound-call-without-timeout
  return fetch(url, init);
}

export function pingWithTimeout(url: string) {
  // ok: observability/outbound-call-without-timeout
  const req = https.get(url, (res) => res.resume());
  req.setTimeout(3000, () => req.destroy(new Error("timeout")));
}

export async function shipping(orderId: string) {
  // ok: observability/outbound-call-without-timeout
  return got.post("https://shipping.internal/labels", { json: { orderId }, timeout: { request: 5000 } }).json();
}

export async function connectWithBackoff(connect: () => Promise<void>) {
  let attempt = 0;
  // ok: observability/outbound-call-without-timeout
  while (true) {
    try {
      await connect();
      break;
    } catch (err) {
      if (++attempt >= 5) throw err;
      await sleep(2 ** attempt * 100);
    }
  }
}

export async function drainQueue(next: () => Promise<string | undefined>, handle: (m: string) => Promise<void>) {
  // ok: observability/outbound-call-without-timeout
  for (;;) {
    const msg = await next();
    if (!msg) return;
    await handle(msg);
  }
}

app.listen(3000);
export { pool };
