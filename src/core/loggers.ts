import { ts } from "ts-morph";
import { accessChain, memberName, unwrap } from "./ast.js";
import type { Binding, ImportTable } from "./imports.js";

/** Structured loggers: they take a fields object next to the message. */
export const STRUCTURED_LOGGER_MODULES = ["pino", "winston", "bunyan", "@nestjs/common", "log4js", "tslog", "@aws-lambda-powertools/logger", "roarr", "consola", "signale", "fastify", "pino-http"];
/** Loggers whose first argument is a fields object (`logger.info({ id }, "msg")`). */
const OBJECT_FIRST = ["pino", "bunyan", "fastify", "pino-http", "roarr"];

export const LOG_LEVELS = new Set(["trace", "debug", "verbose", "info", "log", "notice", "warn", "warning", "error", "fatal", "crit", "critical", "alert", "emerg", "silly", "http"]);
const ERROR_LEVELS = new Set(["error", "fatal", "crit", "critical", "alert", "emerg"]);

export interface LoggerCall {
  /** The level method (`info`, `error`…); `log` for console.log / nest's logger.log. */
  level: string;
  /** Receiver text as written (`logger`, `this.logger`, `request.log`, `console`). */
  receiver: string;
  console: boolean;
  /** Module the logger comes from when known (pino, winston…). */
  module?: string;
  /** Where a fields object goes: "first" (pino/bunyan), "last" (winston, nest context), undefined when unknown. */
  fieldsPosition?: "first" | "last";
  /** What the receiver's root is bound to (a logger package or a relative `./logger` module), when known. */
  binding?: string;
  /** `request.log` / `fastify.log`: the framework's own (pino) logger. */
  framework?: boolean;
}

const LOGGER_NAME = /^(logger|log|_logger|_log|\w*Logger|\w*Log)$/i;
const NOT_LOGGER = /^(Math|changelog|catalog|dialog|blog|backlog|auditLog\w*Repository|eventLog\w*)$/i;

/** Is the call `<logger>.<level>(…)` on console, a pino/winston/bunyan/nest logger, or a logger-named receiver? */
export function loggerCallOf(call: ts.CallExpression, imports: ImportTable, fileImportsLogger: boolean): LoggerCall | undefined {
  const callee = unwrap(call.expression);
  if (!ts.isPropertyAccessExpression(callee)) return undefined;
  const level = callee.name.text;
  if (!LOG_LEVELS.has(level)) return undefined;
  const recv = unwrap(callee.expression);
  const chain = accessChain(recv);
  if (!chain) return undefined;
  // logger.child({ reqId }).info(…) and getLogger().warn(…) are loggers; other calls in the chain are not known
  if (chain.some((c) => c.endsWith("()") && !/^(child|getLogger|createLogger|logger|get)\(\)$/.test(c))) return undefined;
  const receiver = recv.getText();
  if (chain.length === 1 && chain[0] === "console") return { level, receiver, console: true };
  const root = chain[0] === "this" ? chain[1] : chain[0];
  const plain = chain.filter((c) => !c.endsWith("()"));
  const last = plain[plain.length - 1] ?? "";
  const bound = chain[0] === "this" ? classFieldBinding(call, root, imports) : root ? imports.bindings.get(root.replace(/\(\)$/, "")) : undefined;
  const viaBinding = bound && STRUCTURED_LOGGER_MODULES.some((m) => bound.module === m || bound.module.startsWith(m + "/")) ? bound.module : undefined;
  // request.log / reply.log / fastify.log / app.log (fastify's pino), ctx.log (koa-pino-logger)
  const frameworkLog = plain.length >= 2 && last === "log" && /^(req|request|reply|fastify|app|server|ctx|this)$/.test(plain[plain.length - 2] ?? "");
  const named = LOGGER_NAME.test(last) && !NOT_LOGGER.test(last) && fileImportsLogger;
  if (!viaBinding && !frameworkLog && !named) return undefined;
  if (bound && !viaBinding && !/^[./@~]|logger|log/i.test(bound.module)) return undefined; // `log` from the debug module, etc.
  const module = viaBinding ?? (frameworkLog && chain[0] !== "this" ? "fastify" : chain[0] === "this" ? undefined : moduleHint(imports));
  const fieldsPosition = module && OBJECT_FIRST.includes(module) ? "first" : module === "winston" ? "last" : undefined;
  return { level, receiver, console: false, module, fieldsPosition, binding: bound?.module, framework: frameworkLog && chain[0] !== "this" };
}

/** `this.logger` → what the class field `logger = new Logger(…)` / `logger = pino()` was initialized with. */
function classFieldBinding(node: ts.Node, field: string | undefined, imports: ImportTable): Binding | undefined {
  if (!field) return undefined;
  for (let p: ts.Node | undefined = node.parent; p; p = p.parent) {
    if (ts.isClassDeclaration(p) || ts.isClassExpression(p)) {
      for (const m of p.members) {
        if (ts.isPropertyDeclaration(m) && m.name.getText() === field && m.initializer) return imports.bindingOf(m.initializer);
      }
      return undefined;
    }
  }
  return undefined;
}

function moduleHint(imports: ImportTable): string | undefined {
  const found = STRUCTURED_LOGGER_MODULES.filter((m) => imports.hasModule(m) && m !== "@nestjs/common" && m !== "fastify");
  if (found.length === 1) return found[0];
  if (!found.length && imports.hasModule("@nestjs/common")) return "@nestjs/common";
  return undefined;
}

export function isErrorLevel(level: string): boolean {
  return ERROR_LEVELS.has(level);
}

/** Convenience: the method name of a logger call. */
export function logLevelOf(call: ts.CallExpression): string | undefined {
  return memberName(call.expression);
}
