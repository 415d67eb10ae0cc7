import Fastify from "fastify";
import pino from "pino";
import { Controller, Get, Logger, Param } from "@nestjs/common";
import debugFactory from "debug";

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
    // expect: observability/unstructured-log
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

fastify.listen({ port: 3000 });
