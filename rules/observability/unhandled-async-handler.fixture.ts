import express, { Router } from "express";
import fs from "node:fs";
import net from "node:net";
import { pipeline } from "node:stream/promises";
import { EventEmitter } from "node:events";
import { createGzip } from "node:zlib";
import pino from "pino";
import { Pool } from "pg";
import { asyncHandler } from "./middleware/async-handler";

const logger = pino();
const pool = new Pool({ connectionTimeoutMillis: 5000 });
const app = express();
const router = Router();

// expect: observability/unhandled-async-handler
app.get("/users/:id", async (req, res) => {
  const { rows } = await pool.query("SELECT * FROM users WHERE id = $1", [req.params.id]);
  res.json(rows[0]);
});

router.post(
  "/orders",
  express.json(),
  // expect: observability/unhandled-async-handler
  async function createOrder(req, res) {
    const { rows } = await pool.query("INSERT INTO orders (sku) VALUES ($1) RETURNING id", [req.body.sku]);
    res.status(201).json(rows[0]);
  },
);

app.get("/exports/:name", (req, res) => {
  // expect: observability/unhandled-async-handler
  fs.createReadStream(`/var/exports/${req.params.name}.csv`).pipe(res);
});

export function tailLog(path: string, onLine: (l: string) => void) {
  // expect: observability/unhandled-async-handler
  const stream = fs.createReadStream(path, { encoding: "utf8" });
  stream.on("data", (chunk) => onLine(String(chunk)));
}

export function connectLegacy(host: string) {
  // expect: observability/unhandled-async-handler
  const socket = net.connect({ host, port: 7000 });
  socket.write("HELLO\n");
  return socket.remoteAddress;
}

// expect: observability/unhandled-async-handler
process.on("uncaughtException", (err) => {
  logger.error({ err }, "uncaught exception");
});

export const jobs = new (class JobBus {
  // never emits 'error': no listener needed
  // ok: observability/unhandled-async-handler
  readonly bus = new EventEmitter();
})();

export function runJob(task: () => Promise<void>) {
  // expect: observability/unhandled-async-handler
  const events = new EventEmitter();
  task().catch((err) => events.emit("error", err));
  return events;
}

// ---- safe look-alikes ----

// ok: observability/unhandled-async-handler
app.get("/orders/:id", asyncHandler(async (req, res) => {
  const { rows } = await pool.query("SELECT * FROM orders WHERE id = $1", [req.params.id]);
  res.json(rows[0]);
}));

// ok: observability/unhandled-async-handler
app.delete("/orders/:id", async (req, res, next) => {
  try {
    await pool.query("DELETE FROM orders WHERE id = $1", [req.params.id]);
    res.sendStatus(204);
  } catch (err) {
    next(err);
  }
});

export async function archive(name: string, out: NodeJS.WritableStream) {
  // ok: observability/unhandled-async-handler
  await pipeline(fs.createReadStream(`/var/archive/${name}`), createGzip(), out);
}

export function copyWithHandler(src: string, dest: string) {
  // ok: observability/unhandled-async-handler
  const input = fs.createReadStream(src);
  input.on("error", (err) => logger.error({ err }, "read failed"));
  input.pipe(fs.createWriteStream(dest).on("error", (err) => logger.error({ err }, "write failed")));
}

// ok: observability/unhandled-async-handler
app.get("/ping", async (_req, res) => {
  res.send("pong");
});

// ok: observability/unhandled-async-handler
process.on("uncaughtException", (err) => {
  logger.fatal({ err }, "uncaught exception, exiting");
  process.exit(1);
});

const httpServer = app.listen(3000);
function stopAndExit() {
  httpServer.close(() => process.exit(1));
}
const onFatal = (err: Error) => {
  logger.fatal({ err }, "fatal error");
  stopAndExit();
};
// ok: observability/unhandled-async-handler
process.on("uncaughtException", onFatal);

export function notifier() {
  // ok: observability/unhandled-async-handler
  const emitter = new EventEmitter();
  emitter.on("error", (err) => logger.warn({ err }, "notifier error"));
  return (msg: string) => emitter.emit("error", new Error(msg));
}

app.use(router);
export { jobs as jobBus };
