import { ts } from "ts-morph";
import type { FileFacts } from "./file-facts.js";
import type { ProjectFacts } from "./project-facts.js";
import { accessChain, unwrap, walk } from "./ast.js";
import type { ImportTable } from "./imports.js";

/**
 * Whether a logger writes structured records (JSON lines with fields) or plain text. Field-oriented advice
 * ("pass values as fields") only makes sense for the former: winston with `format.simple()`/`printf`, Nest's
 * default ConsoleLogger, consola or log4js print a line of text in which fields are no better than interpolation.
 */
export type LogStyle = "structured" | "text";

/** Modules whose loggers write JSON records by default. */
const JSON_BY_DEFAULT = ["pino", "bunyan", "pino-http", "express-pino-logger", "koa-pino-logger", "hapi-pino", "nestjs-pino", "roarr", "@aws-lambda-powertools/logger"];
/** Modules whose loggers print text unless configured otherwise. */
const TEXT_BY_DEFAULT = ["log4js", "consola", "signale", "loglevel", "tslog", "npmlog"];
/** Every module that makes a logger this file may configure. */
const LOGGER_SOURCES = [...JSON_BY_DEFAULT, ...TEXT_BY_DEFAULT, "winston"];
/**
 * Any of LOGGER_SOURCES written as a module name (right after a quote, as every import or require has it): one scan
 * instead of one per name, and the leading quote lets the regex engine skip ahead (4× faster than the bare names).
 */
const MENTIONS_LOGGER_SOURCE = new RegExp(`["'\`](${LOGGER_SOURCES.map((m) => m.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")).join("|")})`);

function hasModule(imports: ImportTable, mods: readonly string[]): string | undefined {
  return mods.find((m) => imports.hasModule(m));
}

/** Style of the logger(s) a file creates, judged from its imports and configuration; undefined when it makes none or it is unclear. */
export function styleOfLoggerFile(file: FileFacts): LogStyle | undefined {
  const imports = file.imports;
  if (hasModule(imports, JSON_BY_DEFAULT)) return "structured";
  if (imports.hasModule("winston")) return winstonStyle(file.text);
  if (imports.hasModule("tslog")) return /\btype\s*:\s*["'`]json["'`]/.test(file.text) ? "structured" : "text";
  if (imports.hasModule("log4js")) return /\btype\s*:\s*["'`]json/.test(file.text) ? "structured" : "text";
  if (hasModule(imports, TEXT_BY_DEFAULT)) return "text";
  if (imports.hasModule("@nestjs/common") && /\bnew\s+(ConsoleLogger|Logger)\s*\(/.test(file.text)) return nestStyle(file.text);
  return undefined;
}

/** winston writes JSON by default; `format.json()`/`logstash()` keep it; `simple()`, `printf`, `cli()` make it text. */
export function winstonStyle(text: string): LogStyle | undefined {
  if (/\b(json|logstash)\s*\(/.test(text)) return "structured";
  if (/\b(simple|printf|cli)\s*\(/.test(text)) return "text";
  if (/\bformat\s*:/.test(text)) return undefined;
  return /\bcreateLogger\s*\(/.test(text) ? "structured" : undefined;
}

/** Nest's ConsoleLogger prints text unless created with `json: true` (Nest 11). */
function nestStyle(text: string): LogStyle {
  return /\bjson\s*:\s*true\b/.test(text) ? "structured" : "text";
}

/** The style shared by every logger the project configures, when they agree (memoized). */
export function projectLogStyle(project: ProjectFacts): LogStyle | undefined {
  return project.memo("logger-style:project", () => {
    const styles = new Set<LogStyle | undefined>();
    for (const f of project.files.values()) {
      if (f.isTest) continue;
      if (!MENTIONS_LOGGER_SOURCE.test(f.text)) continue;
      if (!f.imports.hasModule(...LOGGER_SOURCES)) continue;
      styles.add(styleOfLoggerFile(f));
    }
    if (nestAppStructured(project)) styles.add("structured");
    return styles.size === 1 ? [...styles][0] : undefined;
  });
}

function nestAppStructured(project: ProjectFacts): boolean {
  return project.memo("logger-style:nest", () =>
    [...project.files.values()].some((f) => /nestjs-pino|\bnew\s+ConsoleLogger\s*\(\s*\{[^}]*\bjson\s*:\s*true/.test(f.text)),
  );
}

/**
 * Style of the logger a call goes to. `module` is what the receiver is bound to (a logger package, a relative
 * `./logger` module, or undefined when injected / unknown). Follows a relative module to the file that creates the logger.
 */
export function styleOfLogger(file: FileFacts, project: ProjectFacts, module: string | undefined, receiverIsFramework: boolean): LogStyle | undefined {
  if (receiverIsFramework) return "structured"; // request.log / fastify.log: pino
  if (module) {
    if (JSON_BY_DEFAULT.some((m) => module === m || module.startsWith(m + "/"))) return "structured";
    if (module === "winston") return winstonStyle(file.text) ?? projectLogStyle(project);
    if (module === "@nestjs/common") return nestAppStructured(project) ? "structured" : "text";
    if (TEXT_BY_DEFAULT.includes(module)) return styleOfLoggerFile(file) ?? "text";
    if (module.startsWith(".")) return styleOfLocalModule(file, project, module, 0);
    return undefined;
  }
  return projectLogStyle(project);
}

function styleOfLocalModule(from: FileFacts, project: ProjectFacts, spec: string, depth: number): LogStyle | undefined {
  const path = project.resolveImport(from.path, spec);
  const target = path ? project.files.get(path) : undefined;
  if (!target) return projectLogStyle(project);
  const own = styleOfLoggerFile(target);
  if (own) return own;
  if (depth >= 2) return undefined;
  // a barrel or wrapper: `export { default } from "./winston-logger"`, `module.exports = require("./logger")`
  for (const m of target.imports.modules) if (m.startsWith(".") && /log/i.test(m)) {
    const s = styleOfLocalModule(target, project, m, depth + 1);
    if (s) return s;
  }
  const reexport = /\bfrom\s+["'](\.[^"']*log[^"']*)["']/i.exec(target.text)?.[1];
  return reexport ? styleOfLocalModule(target, project, reexport, depth + 1) : undefined;
}

/** Terminal colour helpers: a message painted with them is meant for a console, not a log pipeline. */
const COLOR_MODULES = ["colors", "colors/safe", "chalk", "kleur", "picocolors", "ansi-colors", "cli-color", "yoctocolors", "kolorist"];
const COLOR_ROOT = /^(colors|chalk|kleur|pc|picocolors|clc|ansiColors|c)$/;

/** Does the message expression paint text with a colour helper (`colors.green(x)`, chalk.red`…`)? */
export function usesColorHelpers(expr: ts.Expression, imports: ImportTable): boolean {
  let found = false;
  const check = (n: ts.Node): boolean | undefined => {
    if (found) return false;
    if (ts.isCallExpression(n) || ts.isTaggedTemplateExpression(n)) {
      const callee = unwrap(ts.isCallExpression(n) ? n.expression : n.tag);
      const chain = accessChain(callee);
      const root = chain?.[0]?.replace(/\(\)$/, "");
      if (root) {
        const bound = imports.bindings.get(root);
        if (bound ? COLOR_MODULES.includes(bound.module) : COLOR_ROOT.test(root) && root !== "c") found = true;
      }
    }
    return undefined;
  };
  check(expr);
  walk(expr, check);
  return found;
}
