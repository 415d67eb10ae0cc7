import express from "express";
import http from "node:http";
import Fastify from "fastify";
import Koa from "koa";
import Router from "@koa/router";
import { NestFactory } from "@nestjs/core";
import { AppModule } from "./app.module";
import { register } from "prom-client";

// Public API
// expect: observability/missing-health-check
const app = express();
app.use(express.json());
app.get("/api/orders", (_req, res) => res.json([]));
app.listen(Number(process.env.PORT ?? 3000));

// Metrics side-car server on its own port
// expect: observability/missing-health-check
const metricsServer = http.createServer(async (_req, res) => {
  res.setHeader("Content-Type", register.contentType);
  res.end(await register.metrics());
});
metricsServer.listen(9100);

// Internal admin API
// expect: observability/missing-health-check
const admin = Fastify({ logger: true });
admin.get("/admin/jobs", async () => ({ jobs: [] }));
await admin.listen({ port: 3001, host: "0.0.0.0" });

// ---- safe look-alikes ----

// ok: observability/missing-health-check
const web = new Koa();
const router = new Router();
router.get("/widgets", (ctx) => { ctx.body = []; });
web.use(router.routes());
web.use(async (ctx, next) => {
  if (ctx.path === "/healthz") { ctx.body = "ok"; return; }
  await next();
});
web.listen(3002);

// ok: observability/missing-health-check
const internal = Fastify();
internal.get("/readyz", async () => ({ ready: true }));
internal.listen({ port: 3003 });

// Created here, started by the test harness / server.ts
// ok: observability/missing-health-check
export const testApp = express();
testApp.get("/api/ping-me", (_req, res) => res.send("x"));

// Nest: the health controller lives in a module this file only imports
// ok: observability/missing-health-check
const nest = await NestFactory.create(AppModule);
await nest.listen(3004);

// An express app wrapped in an http server, with a probe route
// ok: observability/missing-health-check
const api = express();
api.get("/health", (_req, res) => res.sendStatus(200));
http.createServer(api).listen(3005);
