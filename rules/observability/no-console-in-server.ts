import { ts } from "ts-morph";
import { defineRule } from "../../src/core/rule.js";
import { lineOf } from "../../src/core/ast.js";

const CONSOLE_TO_LEVEL: Record<string, string> = { log: "info", info: "info", warn: "warn", error: "error", debug: "debug", trace: "trace" };

/** Names of a logger in scope: `logger`, `log`, `this.logger`, fastify's `request.log`, nest's `this.logger`. */
function loggerName(file: string): string | undefined {
  const m = /\b(?:const|let|var)\s+(logger|log)\s*=/.exec(file) ?? /import\s+(?:\{[^}]*\b(logger)\b[^}]*\}|(logger))\s+from/.exec(file);
  if (m) return m[1] ?? m[2] ?? m[3];
  if (/private\s+(?:readonly\s+)?logger\b/.test(file)) return "this.logger";
  return undefined;
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
    if (!file.isServerCode) return {};
    // Only where a logger exists or the file is clearly server code: a library may legitimately print.
    if (!file.importsLogger && !file.importsServerFramework && !/\blogger\b/.test(file.text)) return {};
    const logger = loggerName(file.text);
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
        ctx.report({
          node: call,
          message: `\`console.${method}\` in server code: use the ${logger ? `\`${logger}\`` : "project's structured logger"} so the line has a level, context and redaction.`,
          fix: canFix ? { description: `use ${logger}.${level}`, text: text.replace(`console.${method}(`, `${logger}.${level}(`) } : undefined,
        });
      },
    };
  },
});
