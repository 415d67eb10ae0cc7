import express, { type Request, type Response } from "express";
import { readFile } from "node:fs/promises";
import pino from "pino";
import { Pool } from "pg";
import { redis } from "./redis";
import { sendWelcomeEmail, publishEvent } from "./notifications";

const logger = pino();
const pool = new Pool({ connectionString: process.env.DATABASE_URL, connectionTimeoutMillis: 5000 });
const app = express();
app.use(express.json());

app.post("/users", async (req: Request, res: Response) => {
  const { rows } = await pool.query("INSERT INTO users (email) VALUES ($1) RETURNING id", [req.body.email]);
  try {
    await sendWelcomeEmail(req.body.email);
    // expect: observability/swallowed-error
  } catch (err) {}
  res.status(201).json({ id: rows[0].id });
});

app.get("/orders/:id", async (req, res) => {
  try {
    const { rows } = await pool.query("SELECT * FROM orders WHERE id = $1", [req.params.id]);
    res.json(rows[0]);
    // expect: observability/swallowed-error
  } catch (e) {
    res.json({ order: null });
  }
});

app.delete("/sessions/:id", async (req, res) => {
  try {
    await redis.del(`session:${req.params.id}`);
    // expect: observability/swallowed-error
  } catch (error) {
    logger.error("failed to delete session");
  }
  res.sendStatus(204);
});

export async function recordSignup(userId: string) {
  // expect: observability/swallowed-error
  publishEvent("user.signup", { userId }).catch(() => {});
}

export function warmCache() {
  // expect: observability/swallowed-error
  redis.get("feature-flags").then((v) => logger.info({ size: v?.length }, "flags warmed"), () => logger.warn("cache warm failed"));
}

export function flushMetrics(flush: () => Promise<void>, noop: () => void) {
  // expect: observability/swallowed-error
  flush().catch(noop);
}

// ---- safe look-alikes ----

export function parseJson<T>(raw: string): T | null {
  try {
    return JSON.parse(raw) as T;
    // ok: observability/swallowed-error
  } catch {
    return null;
  }
}

export async function loadOptionalConfig(path: string) {
  try {
    return JSON.parse(await readFile(path, "utf8"));
    // ok: observability/swallowed-error
  } catch {
    // ignore: the override file is optional; defaults apply
  }
  return {};
}

app.get("/profile/:id", async (req, res, next) => {
  try {
    const { rows } = await pool.query("SELECT * FROM profiles WHERE id = $1", [req.params.id]);
    res.json(rows[0]);
    // ok: observability/swallowed-error
  } catch (err) {
    next(err);
  }
});

app.get("/recommendations", async (req, res) => {
  try {
    res.json(await redis.get("recs"));
    // ok: observability/swallowed-error
  } catch (err) {
    logger.warn({ err }, "recommendations unavailable, serving empty list");
    res.json({ items: [] });
  }
});

app.get("/inventory/:sku", async (req, res) => {
  try {
    const { rows } = await pool.query("SELECT qty FROM inventory WHERE sku = $1", [req.params.sku]);
    res.json(rows[0]);
    // ok: observability/swallowed-error
  } catch {
    res.status(503).json({ error: "inventory unavailable" });
  }
});

export async function getUserOrNull(id: string) {
  // ok: observability/swallowed-error
  const user = await pool.query("SELECT * FROM users WHERE id = $1", [id]).catch(() => null);
  return user?.rows[0] ?? null;
}

export async function chargeWithRetry(charge: () => Promise<void>) {
  try {
    await charge();
    // ok: observability/swallowed-error
  } catch (err) {
    logger.error({ err }, "charge failed");
    throw err;
  }
}

export function auditAsync(entry: object) {
  // ok: observability/swallowed-error
  publishEvent("audit", entry).catch((err) => logger.error({ err }, "audit publish failed"));
}

export function removeTempFile(unlink: () => Promise<void>) {
  // ok: observability/swallowed-error
  unlink().catch(() => { /* best effort: the tmp dir is wiped on deploy */ });
}

export function readCacheDebug(key: string) {
  try {
    return redis.get(key);
    // ok: observability/swallowed-error
  } catch (_ignored) {}
  return undefined;
}

app.listen(3000);

// ---- best-effort cleanup ----
import { rm } from "node:fs/promises";

export async function cleanBuildDir(dir: string) {
  // ok: observability/swallowed-error
  await rm(dir, { recursive: true }).catch(() => {});
}

export async function closeQuietly(conn: { close(): Promise<void> }) {
  try {
    await conn.close();
    // ok: observability/swallowed-error
  } catch (err) {}
}

export async function cleanAndReport(dir: string) {
  try {
    await rm(dir, { recursive: true });
    await publishEvent("cleaned", { dir });
    // expect: observability/swallowed-error
  } catch (err) {}
}
