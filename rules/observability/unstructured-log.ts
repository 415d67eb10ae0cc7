import { ts } from "ts-morph";
import { defineRule } from "../../src/core/rule.js";
import { accessChain, endLineOf, isDynamicString, lineOf, stringValue, unwrap } from "../../src/core/ast.js";
import { LOG_LEVELS, loggerCallOf } from "../../src/core/loggers.js";
import { isRequestObject } from "../../src/core/sources.js";
import { styleOfLogger, usesColorHelpers } from "../../src/core/logger-style.js";
import { isStartupCode } from "../../src/core/startup.js";

/** Field name for an interpolated value: `userId` → userId, `order.id` → orderId, `req.ip` → ip. */
function fieldName(expr: ts.Expression): string | undefined {
  const chain = accessChain(expr);
  if (!chain || chain.some((c) => c.endsWith("()") || c === "[]")) return undefined;
  const parts = chain.filter((c) => c !== "this");
  const last = parts[parts.length - 1];
  if (!last) return undefined;
  if (parts.length >= 2 && /^(id|name|type|status|count|code)$/.test(last) && !/^(req|request|ctx|res)$/.test(parts[parts.length - 2])) {
    return parts[parts.length - 2] + last[0].toUpperCase() + last.slice(1);
  }
  return last;
}

/** `logger.info(\`user ${id} logged in\`)` → `logger.info({ id }, "user logged in")` (or winston's message-then-meta order). */
function structuredFix(tpl: ts.TemplateExpression): { fields: string; message: string } | undefined {
  const fields: string[] = [];
  const seen = new Set<string>();
  for (const span of tpl.templateSpans) {
    const e = unwrap(span.expression);
    const key = fieldName(e);
    if (!key || seen.has(key)) return undefined;
    seen.add(key);
    fields.push(ts.isIdentifier(e) && e.text === key ? key : `${key}: ${e.getText()}`);
  }
  const text = [tpl.head.text, ...tpl.templateSpans.map((s) => s.literal.text)].join(" ").replace(/\s+/g, " ").replace(/[\s:=,(\[#]+$/, "").replace(/\s+([,.;)\]])/g, "$1").trim();
  const message = text.replace(/\s+(for|from|to|of|on|at|with|by|as|is|was|id)$/i, "");
  if (!message || /["\\\n]/.test(message)) return undefined;
  return { fields: `{ ${fields.join(", ")} }`, message: JSON.stringify(message) };
}

export default defineRule({
  meta: {
    id: "observability/unstructured-log",
    category: "observability",
    severity: "notice",
    cwe: ["CWE-778", "CWE-117"],
    title: "Values interpolated into a structured logger's message",
    description:
      "Building the message with template strings or `+` turns every log line into a unique string: log search, grouping and alerting " +
      "by field stop working, values cannot be redacted, and user-controlled text can forge log lines. Logging a whole request object dumps " +
      "headers and cookies (tokens) into the logs.",
    fix: "Pass values as fields and keep the message constant: `logger.info({ userId }, \"user logged in\")` (pino/bunyan) or `logger.info(\"user logged in\", { userId })` (winston).",
  },
  create(ctx) {
    const file = ctx.file;
    if (!file.isServerCode) return {};
    const hasLogger = file.importsLogger || /\blogger\b/.test(file.text);
    if (!hasLogger) return {};
    return {
      CallExpression(call) {
        const log = loggerCallOf(call, file.imports, hasLogger);
        if (!log || log.console) return;
        let args = call.arguments.map((a) => unwrap(a));
        // winston: logger.log("info", message, meta)
        if (log.level === "log" && args.length >= 2 && LOG_LEVELS.has(stringValue(args[0]) ?? "")) args = args.slice(1);
        const whole = args.find((a) => isRequestObject(a));
        if (whole) {
          ctx.report({
            node: call,
            message: `The whole request object \`${whole.getText()}\` is logged: it carries headers, cookies and bodies (tokens, passwords) into the logs and makes every line huge. Log the fields you need (method, url, request id).`,
            severity: "warning",
          });
          return;
        }
        const message = args[0];
        if (!message || !isDynamicString(message)) return;
        // fields only help a logger that writes structured records: winston with simple()/printf, Nest's
        // ConsoleLogger, consola… print text, where a field is no better than interpolation
        const style = styleOfLogger(file, ctx.project, log.binding ?? log.module, !!log.framework);
        if (style !== "structured") return;
        // painted for a terminal (colors/chalk), or start-up / seed / "listening on port" output
        if (usesColorHelpers(message, file.imports)) return;
        if (isStartupCode(call, file.path)) return;
        // already structured: a fields object next to the message
        if (args.some((a) => ts.isObjectLiteralExpression(a))) return;
        const spans = ts.isTemplateExpression(message) ? message.templateSpans.map((s) => unwrap(s.expression)) : [];
        // constants only (`${SERVICE}`) are not variables; `${err.message}` belongs to lost-error-cause
        if (spans.length && spans.every((e) => /^[A-Z][A-Z0-9_]*$/.test(e.getText()))) return;
        if (spans.some((e) => ts.isPropertyAccessExpression(e) && /^(message|stack)$/.test(e.name.text))) return;
        const line = lineOf(call);
        let fix;
        if (ts.isTemplateExpression(message) && log.fieldsPosition && ts.isExpressionStatement(call.parent) && endLineOf(call) === line && call.arguments.length === 1) {
          const f = structuredFix(message);
          const text = file.lineText(line);
          const raw = message.getText();
          if (f && text.split(raw).length === 2) {
            const replacement = log.fieldsPosition === "first" ? `${f.fields}, ${f.message}` : `${f.message}, ${f.fields}`;
            fix = { description: "pass the values as fields", text: text.replace(raw, () => replacement) };
          }
        }
        ctx.report({
          node: call,
          message: `Values are interpolated into the \`${log.receiver}.${log.level}\` message: every line becomes a unique string, so searching, grouping and alerting by these values stop working. Pass them as fields with a constant message.`,
          fix,
        });
      },
    };
  },
});
