import { ts } from "ts-morph";
import { defineRule } from "../../src/core/rule.js";
import { lineOf } from "../../src/core/ast.js";
import { loggerCallOf } from "../../src/core/loggers.js";
import type { FileFacts } from "../../src/core/file-facts.js";
import type { ProjectFacts } from "../../src/core/project-facts.js";

/** Logging libraries a project may already use (what to point at instead of console). */
const LOGGER_LIBS = ["pino", "pino-http", "express-pino-logger", "nestjs-pino", "winston", "nest-winston", "bunyan", "log4js", "tslog", "@aws-lambda-powertools/logger", "roarr", "consola", "signale", "loglevel", "fastify"];

function fileHasLogger(f: FileFacts): boolean {
  if (f.imports.hasModule(...LOGGER_LIBS)) return true;
  for (const b of f.imports.bindings.values()) if (b.module === "@nestjs/common" && b.path[0] === "Logger") return true;
  return /new\s+Logger\(/.test(f.text) && f.imports.hasModule("@nestjs/common");
}

/** Does this file or any file of the project use a logger library? (memoized per analysis) */
function projectHasLogger(file: FileFacts, project: ProjectFacts): boolean {
  if (fileHasLogger(file)) return true;
  return project.memo("no-console:project-has-logger", () => [...project.files.values()].some((f) => !f.isTest && LOGGER_LIBS.some((m) => f.text.includes(m)) && fileHasLogger(f)));
}

/** Command-line programs print to the terminal on purpose, wherever they live. */
const CLI_MODULES = ["commander", "yargs", "meow", "cac", "@oclif/core", "oclif", "minimist", "arg", "inquirer", "@inquirer/prompts", "prompts", "ora", "listr2", "clipanion"];
const CLI_FILE = /(^|\/)(cli|seed|repl)\.[cm]?[jt]s$|\.cli\.[cm]?[jt]s$/;
/** oclif / yargs `commandDir` / framework CLIs keep one file per sub-command in a `commands/` folder. */
const COMMANDS_DIR = /(^|\/)commands\//;
/** …but in a Nest CQRS layout `commands/` holds command handlers that run inside the server. */
const NEST_MODULES = ["@nestjs/common", "@nestjs/core", "@nestjs/cqrs", "@nestjs/microservices"];

function isCliCommandFile(f: FileFacts): boolean {
  return COMMANDS_DIR.test(f.path) && !f.imports.hasModule(...NEST_MODULES) && !/@(CommandHandler|Injectable)\(/.test(f.text);
}

const CONSOLE_TO_LEVEL: Record<string, string> = { log: "info", info: "info", warn: "warn", error: "error", debug: "debug", trace: "trace" };

/** Names of a logger in scope: `logger`, `log`, `this.logger`, fastify's `request.log`, nest's `this.logger`. */
function loggerName(file: string): string | undefined {
  const m = /\b(?:const|let|var)\s+(logger|log)\s*=/.exec(file) ?? /import\s+(?:\{[^}]*\b(logger)\b[^}]*\}|(logger))\s+from/.exec(file);
  if (m) return m[1] ?? m[2] ?? m[3];
  if (/private\s+(?:readonly\s+)?logger\b/.test(file)) return "this.logger";
  return undefined;
}

function isLogger(name: string, file: import("../../src/core/file-facts.js").FileFacts): boolean {
  const probe = `${name}.info("x")`;
  const sf = ts.createSourceFile("probe.ts", probe, ts.ScriptTarget.Latest, true);
  const call = (sf.statements[0] as ts.ExpressionStatement).expression as ts.CallExpression;
  const root = name.replace(/^this\./, "");
  const bound = file.imports.bindings.get(root);
  if (bound) return !!loggerCallOf(call, file.imports, true) && !/^debug$/.test(bound.module);
  return name === "this.logger" || /\b(createLogger|getLogger|pino\(|winston\.|new Logger\(|bunyan)/.test(file.text);
}

export default defineRule({
  meta: {
    id: "observability/no-console-in-server",
    category: "observability",
    severity: "warning",
    cwe: ["CWE-778"],
    title: "console.* in server code",
    description:
      "console output in a server is unstructured, has no level, request id or redaction, and is often dropped by log pipelines. " +
      "Production incidents then have no usable trail.",
    fix: "Use the project's logger (pino, winston, nest Logger, `request.log`) with a fields object: `logger.info({ orderId }, \"order created\")`.",
  },
  create(ctx) {
    const file = ctx.file;
    // Every report is on a `console.<method>(…)` call: without the word, nothing below can fire (skips the logger probing).
    if (!file.text.includes("console")) return {};
    if (!file.isServerCode || CLI_FILE.test(file.path) || file.imports.hasModule(...CLI_MODULES) || isCliCommandFile(file)) return {};
    // Only where a logger exists or the file is clearly server code: a library may legitimately print.
    if (!file.importsLogger && !file.importsServerFramework && !/\blogger\b/.test(file.text)) return {};
    const named = loggerName(file.text);
    // only suggest a name that really is a structured logger here (`const log = debug("x")` is not)
    const logger = named && isLogger(named, file) ? named : undefined;
    // no logger anywhere: the advice is to add one, at notice level (console is all the project has)
    const noLogger = !logger && !projectHasLogger(file, ctx.project);
    return {
      CallExpression(call) {
        const callee = call.expression;
        if (!ts.isPropertyAccessExpression(callee) || !ts.isIdentifier(callee.expression) || callee.expression.text !== "console") return;
        const method = callee.name.text;
        const level = CONSOLE_TO_LEVEL[method];
        if (!level) return;
        const line = lineOf(call);
        const text = file.lineText(line);
        const canFix = logger && ts.isExpressionStatement(call.parent) && lineOf(call.parent) === line && call.arguments.length === 1 && !text.includes("console", text.indexOf("console") + 1);
        if (noLogger) {
          ctx.report({
            node: call,
            severity: "notice",
            message: `\`console.${method}\` in server code, and the project has no logger: add a structured logger (pino, or winston with \`format.json()\`) so lines have a level, context and redaction.`,
          });
          return;
        }
        ctx.report({
          node: call,
          message: `\`console.${method}\` in server code: use the ${logger ? `\`${logger}\`` : "project's structured logger"} so the line has a level, context and redaction.`,
          fix: canFix ? { description: `use ${logger}.${level}`, text: text.replace(`console.${method}(`, `${logger}.${level}(`) } : undefined,
        });
      },
    };
  },
});
