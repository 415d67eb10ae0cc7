import { ts } from "ts-morph";
import { memberName, stringValue, unwrap } from "./ast.js";
import type { ImportTable } from "./imports.js";

export type ServerFramework = "express" | "fastify" | "koa" | "nest" | "hapi" | "http";

/** Paths load balancers and orchestrators probe. */
export const HEALTH_PATH = /^\/?([\w.-]+\/)*(health|healthz|healthcheck|health-check|_health|ready|readyz|readiness|live|livez|liveness|alive|ping|status|heartbeat)(\/|$|\?)/i;
/** Libraries and names that provide health endpoints. */
export const HEALTH_HINT = /@nestjs\/terminus|TerminusModule|HealthCheck|HealthModule|HealthController|@godaddy\/terminus|createTerminus|lightship|fastify-healthcheck|@fastify\/under-pressure|under-pressure|express-healthcheck|express-actuator|actuator|healthRouter|healthRoutes|healthcheck/i;
/** Signal handling and libraries that close servers gracefully. */
export const SHUTDOWN_HINT = /SIGTERM|SIGINT|enableShutdownHooks|createTerminus|@godaddy\/terminus|http-terminator|createHttpTerminator|lightship|stoppable|close-with-grace|closeWithGrace|graceful-shutdown|gracefulShutdown|fastify-graceful-shutdown|beforeShutdown|onShutdown|shutdown/i;

/** Does this call/new create an HTTP server or app (`express()`, `Fastify()`, `new Koa()`, `NestFactory.create()`, `http.createServer()`)? */
export function serverCreationOf(node: ts.CallExpression | ts.NewExpression, imports: ImportTable): ServerFramework | undefined {
  const callee = unwrap(node.expression);
  // require("fastify")({ logger: true })
  if (ts.isCallExpression(callee) && ts.isIdentifier(callee.expression) && callee.expression.text === "require") {
    const m = stringValue(callee.arguments[0]);
    return m === "express" ? "express" : m === "fastify" ? "fastify" : undefined;
  }
  const r = imports.resolveCall(node);
  if (!r?.module || r.instance) return undefined;
  const last = r.path[r.path.length - 1];
  const direct = ts.isIdentifier(callee) || last === "default" || r.path.length === 0;
  if (r.module === "express" && ts.isCallExpression(node) && direct && r.name !== "Router") return "express";
  if (r.module === "fastify" && ts.isCallExpression(node) && (direct || r.name === "fastify")) return "fastify";
  if (r.module === "koa" && ts.isNewExpression(node)) return "koa";
  if (r.module === "@nestjs/core" && r.path.includes("NestFactory") && (r.name === "create" || r.name === "createMicroservice")) return r.name === "create" ? "nest" : undefined;
  if (r.module === "@hapi/hapi" && (r.name === "server" || r.name === "Server")) return "hapi";
  if ((r.module === "http" || r.module === "https" || r.module === "http2") && (r.name === "createServer" || r.name === "createSecureServer")) return "http";
  return undefined;
}

const SERVER_MODULES = ["express", "fastify", "koa", "@nestjs/core", "@hapi/hapi", "http", "https", "http2"];

/** `app.listen(…)` / `server.listen(…)` / hapi `server.start()` on a server instance of a known framework (or `app` imported from a local module). */
export function isServerListen(call: ts.CallExpression, imports: ImportTable): boolean {
  const name = memberName(call.expression);
  if (name !== "listen" && name !== "start") return false;
  const r = imports.resolveCall(call);
  if (!r?.module) return false;
  if (SERVER_MODULES.includes(r.module) && r.instance) return name === "listen" || r.module === "@hapi/hapi";
  const recv = ts.isPropertyAccessExpression(unwrap(call.expression)) ? unwrap((unwrap(call.expression) as ts.PropertyAccessExpression).expression) : undefined;
  // import app from "./app"; app.listen(PORT)
  return name === "listen" && r.module.startsWith(".") && !!recv && ts.isIdentifier(recv) && /^(app|server|httpServer|api)$/i.test(recv.text);
}
