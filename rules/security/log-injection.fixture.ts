import express from "express";
import http from "node:http";
import url from "node:url";
import pino from "pino";
import winston from "winston";
import Fastify from "fastify";
import { Controller, Get, Logger, Query } from "@nestjs/common";
import chalk from "chalk";

const app = express();
app.use(express.json());
const logger = pino();
const audit = winston.createLogger({ transports: [new winston.transports.Console()] });
const fastify = Fastify({ logger: true });

app.post("/login", (req, res) => {
  const { username } = req.body;
  // expect: security/log-injection
  logger.info(`Login attempt for user ${username}`);
  // expect: security/log-injection
  console.log("Failed login: " + req.body.username + " from " + req.ip);
  res.sendStatus(401);
});

app.get("/search", (req, res) => {
  const q = req.query.q as string;
  // expect: security/log-injection
  audit.warn("search query: " + q);
  // expect: security/log-injection
  console.error("lookup failed for %s", req.query.id);
  res.json([]);
});

http.createServer((req, res) => {
  const parsed = url.parse(req.url ?? "/", true);
  const tenant = parsed.query.tenant;
  // expect: security/log-injection
  console.warn(`unknown tenant ${tenant}`);
  // expect: security/log-injection
  console.info("tenant:", tenant);
  const ref = new URL(req.url ?? "/", "http://localhost").searchParams.get("ref");
  // expect: security/log-injection
  logger.info("referred by " + ref);
  // ok: security/log-injection
  console.info("GET " + req.url);
  res.end();
});

fastify.get("/items/:id", async (request) => {
  const { id } = request.params as { id: string };
  // expect: security/log-injection
  request.log.info(`fetching item ${id}`);
  return { id };
});

@Controller("reports")
export class ReportsController {
  private readonly logger = new Logger(ReportsController.name);

  @Get()
  list(@Query("owner") owner: string) {
    // expect: security/log-injection
    this.logger.log(`Listing reports for ${owner}`);
    // ok: security/log-injection
    this.logger.log({ msg: "listing reports", owner });
    return [];
  }
}

// ---- safe look-alikes ----

app.post("/signup", (req, res) => {
  // ok: security/log-injection
  logger.info({ user: req.body.username, ip: req.ip }, "signup");
  // ok: security/log-injection
  logger.info(`signup payload ${JSON.stringify(req.body.username)}`);
  const clean = String(req.body.username).replace(/[\r\n]/g, "");
  // ok: security/log-injection
  console.log(`new user ${clean}`);
  res.sendStatus(201);
});

app.get("/page", (req, res) => {
  const page = parseInt(String(req.query.page), 10);
  // ok: security/log-injection
  logger.debug(`rendering page ${page}`);
  // ok: security/log-injection
  console.log("request body", req.body);
  // ok: security/log-injection
  audit.info("page view", { path: req.path, page });
  res.send("ok");
});

const warn = console.warn;

app.get("/greet", (req, res) => {
  const name = String(req.query.name);
  // expect: security/log-injection
  console.log(chalk.green(`greeting ${name}`));
  // expect: security/log-injection
  warn("unknown visitor:", name);
  // ok: security/log-injection
  console.log(chalk.green("greeting sent"));
  // ok: security/log-injection
  warn("greeting for", name.replace(/[\r\n]/g, " "));
  res.send("hi");
});

app.use((req, res, next) => {
  // ok: security/log-injection
  console.log(`${req.method} ${req.originalUrl}`);
  next();
});

// vigil-fixture-file: bin/create-service.ts
const projectName = process.argv[2] ?? "my-service";
// ok: security/log-injection
console.log(`Creating ${projectName} in ${process.cwd()}`);
