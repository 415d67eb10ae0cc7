import { ts } from "ts-morph";
import { ImportTable } from "./imports.js";
import { isFrontendPath, isScriptPath, isTestPath } from "./file-kind.js";
import { lineOf } from "./ast.js";

const LOGGER_MODULES = ["pino", "winston", "bunyan", "@nestjs/common", "log4js", "loglevel", "signale", "consola", "roarr", "tslog", "@aws-lambda-powertools/logger", "fastify", "pino-http", "express-pino-logger", "morgan"];
const SERVER_MODULES = ["express", "fastify", "koa", "@nestjs/core", "@nestjs/common", "@hapi/hapi", "hapi", "restify", "hono", "http", "https", "next", "@trpc/server", "apollo-server", "@apollo/server", "socket.io", "ws", "@koa/router", "koa-router", "aws-lambda", "bullmq", "kafkajs", "amqplib"];

/** Everything rules may ask about one file; computed lazily so rules pay only for what they use. */
export class FileFacts {
  private importTable?: ImportTable;
  private parsed?: ts.SourceFile;
  private lineCache?: string[];

  constructor(
    readonly path: string,
    readonly text: string,
    /** The syntax tree, or how to get it: context files are parsed only when a rule asks for their tree. */
    source: ts.SourceFile | (() => ts.SourceFile),
    /** False for files loaded only as context (imports of changed files): analyzed for facts, never reported. */
    readonly reported: boolean = true,
  ) {
    if (typeof source === "function") this.parse = source;
    else this.parsed = source;
  }

  private parse?: () => ts.SourceFile;

  get sourceFile(): ts.SourceFile {
    return (this.parsed ??= this.parse!());
  }

  get lines(): string[] {
    return (this.lineCache ??= this.text.split(/\r?\n/));
  }

  /** `lines.length` without splitting the text (every analyzed file is counted; few need their lines). */
  get lineCount(): number {
    if (this.lineCache) return this.lineCache.length;
    let n = 1;
    for (let i = this.text.indexOf("\n"); i !== -1; i = this.text.indexOf("\n", i + 1)) n++;
    return n;
  }

  get imports(): ImportTable {
    return (this.importTable ??= new ImportTable(this.sourceFile));
  }

  // Asked by most rules for every file: each answer is computed once.
  private kinds?: { test: boolean; script: boolean; frontend?: boolean };

  private get kind(): { test: boolean; script: boolean; frontend?: boolean } {
    return (this.kinds ??= { test: isTestPath(this.path), script: isScriptPath(this.path) || this.text.startsWith("#!") });
  }

  get isTest(): boolean {
    return this.kind.test;
  }

  get isScript(): boolean {
    return this.kind.script;
  }

  get isFrontend(): boolean {
    const k = this.kind;
    return (k.frontend ??= isFrontendPath(this.path) && !this.imports.hasModule(...SERVER_MODULES));
  }

  /** Long-running backend code: not a test, script, CLI or front-end file. */
  get isServerCode(): boolean {
    return !this.isTest && !this.isScript && !this.isFrontend;
  }

  /** Imports a server framework (or Node's http) itself. */
  get importsServerFramework(): boolean {
    return this.imports.hasModule(...SERVER_MODULES);
  }

  get importsLogger(): boolean {
    return this.imports.hasModule(...LOGGER_MODULES) || (this.makesLogger ??= /\b(logger|log)\s*[.:=]/.test(this.text) && /\b(createLogger|getLogger|pino\(|winston\.|new Logger\()/.test(this.text));
  }

  /** The text part of importsLogger, scanned once (several rules ask per file). */
  private makesLogger?: boolean;

  private readonly textMatches = new Map<RegExp, boolean>();

  /** `re.test(this.text)`, remembered per pattern: a rule and a project-wide scan often ask the same of one file. */
  matches(re: RegExp): boolean {
    if (re.global || re.sticky) return re.test(this.text); // stateful (lastIndex): never cached
    let hit = this.textMatches.get(re);
    if (hit === undefined) this.textMatches.set(re, (hit = re.test(this.text)));
    return hit;
  }

  lineOf(node: ts.Node): number {
    return lineOf(node, this.sourceFile);
  }

  lineText(line: number): string {
    return this.lines[line - 1] ?? "";
  }
}
