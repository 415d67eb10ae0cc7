import Fastify from "fastify";
import pino from "pino";
import { Controller, Get, Logger, Param } from "@nestjs/common";
import debugFactory from "debug";
import colors from "colors/safe";
import auditLog from "./lib/json-logger";
import consoleLog from "./lib/text-logger";

const logger = pino({ level: process.env.LOG_LEVEL ?? "info" });
const debug = debugFactory("orders");
const SERVICE = "orders";
const fastify = Fastify({ logger: true });

export function onLogin(userId: string, ip: string) {
  // expect: observability/unstructured-log
  logger.info(`user ${userId} logged in from ${ip}`);
}

export function onOrder(order: { id: string; total: number }) {
  // expect: observability/unstructured-log
  logger.warn("order " + order.id + " total is " + order.total);
}

fastify.post("/orders", async (request, reply) => {
  const { sku } = request.body as { sku: string };
  // expect: observability/unstructured-log
  request.log.info(`creating order for ${sku}`);
  return reply.code(201).send({ sku });
});

fastify.get("/debug", async (request) => {
  // expect: observability/unstructured-log
  request.log.debug(request);
  return { ok: true };
});

@Controller("invoices")
export class InvoicesController {
  private readonly logger = new Logger(InvoicesController.name);

  @Get(":id")
  find(@Param("id") id: string) {
    // Nest's default ConsoleLogger prints text (its 2nd argument is a context name, not fields)
    // ok: observability/unstructured-log
    this.logger.log(`fetching invoice ${id}`);
    return { id };
  }
}

// ---- safe look-alikes ----

export function onLogout(userId: string) {
  // ok: observability/unstructured-log
  logger.info({ userId }, `user ${userId} logged out`);
}

export function started(port: number) {
  // ok: observability/unstructured-log
  logger.info(`${SERVICE} ready`);
  // ok: observability/unstructured-log
  console.log(`listening on ${port}`);
  // ok: observability/unstructured-log
  debug(`port ${port}`);
}

export function failed(err: Error) {
  // ok: observability/unstructured-log
  logger.error("payment provider unavailable");
  // ok: observability/unstructured-log
  logger.error({ err, provider: "stripe" }, "charge failed");
}

export function mathy(x: number) {
  // ok: observability/unstructured-log
  return Math.log(`${x}`.length);
}

export function refunded(orderId: string) {
  // winston with format.json(): structured
  // expect: observability/unstructured-log
  auditLog.info(`refund issued for ${orderId}`);
  // winston with format.simple()/printf: a plain-text logger
  // ok: observability/unstructured-log
  consoleLog.info(`refund issued for ${orderId}`);
}

export function solved(challenge: { key: string }) {
  // painted for a terminal
  // ok: observability/unstructured-log
  logger.info(`Solved ${colors.cyan(challenge.key)}`);
}

export async function seedProducts(products: string[]) {
  // ok: observability/unstructured-log
  logger.info(`seeding ${products.length} products`);
}

fastify.listen({ port: 3000 }, (err, address) => {
  // ok: observability/unstructured-log
  logger.info(`listening on ${address}`);
});

// vigil-fixture-context: src/lib/json-logger.ts
import winston from "winston";
export default winston.createLogger({ format: winston.format.combine(winston.format.timestamp(), winston.format.json()), transports: [new winston.transports.Console()] });

// vigil-fixture-context: src/lib/text-logger.ts
import * as w from "winston";
export default w.createLogger({ format: w.format.combine(w.format.colorize(), w.format.printf(({ level, message }) => `${level}: ${message}`)), transports: [new w.transports.Console()] });

import { fork } from "node:child_process";
export function startWorker(script: string) {
  const child = fork(script, [], { env: { ...process.env, NODE_ENV: "development" } });
  child.on("error", (error) => {
    // ok: observability/unstructured-log
    logger.error("worker failed to start", error);
  });
  return child;
}
