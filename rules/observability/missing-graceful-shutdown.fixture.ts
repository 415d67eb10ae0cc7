import express from "express";
import http from "node:http";
import Fastify from "fastify";
import Koa from "koa";
import { NestFactory } from "@nestjs/core";
import { createHttpTerminator } from "http-terminator";
import { AppModule } from "./app.module";
import { createSubscriber } from "./pg-listen";

// ---- flagged: started, never drained ----

const app = express();
app.get("/api/orders", (_req, res) => res.json([]));
// expect: observability/missing-graceful-shutdown
app.listen(3000, () => console.info("api up"));

const admin = Fastify({ logger: true });
admin.get("/admin/jobs", async () => ({ jobs: [] }));
// expect: observability/missing-graceful-shutdown
await admin.listen({ port: 3001 });

const web = new Koa();
// expect: observability/missing-graceful-shutdown
const webServer = http.createServer(web.callback()).listen(3002);

// ---- safe look-alikes ----

const api = express();
api.get("/health", (_req, res) => res.sendStatus(200));
// ok: observability/missing-graceful-shutdown
const server = api.listen(3003);
process.on("SIGTERM", () => {
  server.close(() => process.exit(0));
});

const nest = await NestFactory.create(AppModule);
nest.enableShutdownHooks();
// ok: observability/missing-graceful-shutdown
await nest.listen(3004);

const metricsApp = express();
const metricsServer = http.createServer(metricsApp);
const terminator = createHttpTerminator({ server: metricsServer });
// ok: observability/missing-graceful-shutdown
metricsServer.listen(9100);
process.once("SIGINT", () => void terminator.terminate());

// LISTEN/NOTIFY subscriber: not an HTTP server
const subscriber = createSubscriber({ connectionString: process.env.DATABASE_URL });
// ok: observability/missing-graceful-shutdown
await subscriber.listen("order_created");

export { webServer };
