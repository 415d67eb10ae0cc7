import { ts } from "ts-morph";
import { defineRule } from "../../src/core/rule.js";
import { functionArguments, isFunctionLike, memberName, objectProperty, unwrap, walk } from "../../src/core/ast.js";
import { isOutboundRequest } from "../../src/core/outbound.js";
import { rootIdentifier } from "../../src/core/sources.js";

const METRIC_MODULES = ["prom-client", "@opentelemetry/api", "hot-shots", "node-statsd", "dd-trace", "@opentelemetry/sdk-metrics", "nestjs-otel", "@willsoto/nestjs-prometheus"];
const AUTO_INSTRUMENTATION = /@opentelemetry\/auto-instrumentations-node|@opentelemetry\/instrumentation-(http|undici|amqplib|kafkajs)|dd-trace['"]\)\.init|elastic-apm-node|newrelic/;
const SPAN_CALLS = new Set(["startActiveSpan", "startSpan", "startTimer"]);
const METRIC_CALLS = new Set(["observe", "inc", "record", "add", "timing", "histogram", "increment", "distribution"]);
const METRIC_NAME = /histogram|counter|summary|gauge|metric|duration|latency|timer|requests|calls|errors|stats|statsd|meter/i;
const WRAPPERS = /^(withSpan|traced|trace|instrument\w*|measure\w*|timed|withMetrics|withTracing|observe\w*)$/;
const DECORATORS = /^(Span|Trace|Traced|Instrument\w*|OtelMethodCounter|Timed|Measure\w*)$/;

function decoratorNames(node: ts.Node): string[] {
  if (!ts.canHaveDecorators(node)) return [];
  return (ts.getDecorators(node) ?? []).map((d) => (ts.isCallExpression(d.expression) ? memberName(d.expression.expression) : memberName(d.expression)) ?? "");
}

/** The unit siblings are compared at: the outermost function around a node (a method, a top-level function, a route handler). */
function unitOf(node: ts.Node): ts.Node | undefined {
  let unit: ts.Node | undefined;
  for (let p: ts.Node | undefined = node.parent; p; p = p.parent) if (isFunctionLike(p)) unit = p;
  return unit;
}

export default defineRule({
  meta: {
    id: "observability/uninstrumented-outbound-call",
    category: "observability",
    severity: "notice",
    cwe: ["CWE-778"],
    title: "Outbound call not instrumented like its siblings",
    description:
      "This file times or traces its calls to other services, but not this one. When it becomes slow or starts failing, the dashboards and " +
      "traces built on the sibling metrics show nothing, and the latency hides inside the parent span.",
    fix: "Wrap it like the others: a span (`tracer.startActiveSpan(\"…\", …)`) or the same histogram (`const end = histogram.startTimer({ target }); … end()`).",
  },
  create(ctx) {
    const file = ctx.file;
    if (!file.isServerCode || !file.imports.hasModule(...METRIC_MODULES)) return {};
    const imports = file.imports;
    const sites: { node: ts.Node; unit: ts.Node; kind: string }[] = [];

    const instrumented = new Map<ts.Node, boolean>();
    const isInstrumented = (unit: ts.Node): boolean => {
      const known = instrumented.get(unit);
      if (known !== undefined) return known;
      let found = decoratorNames(unit).some((d) => DECORATORS.test(d));
      if (!found) {
        walk(unit, (n) => {
          if (found) return false;
          if (!ts.isCallExpression(n)) return undefined;
          const name = memberName(n.expression);
          if (!name) return undefined;
          if (SPAN_CALLS.has(name) || (ts.isIdentifier(unwrap(n.expression)) && WRAPPERS.test(name))) found = true;
          else if (METRIC_CALLS.has(name)) {
            const root = rootIdentifier(n.expression);
            const recvText = ts.isPropertyAccessExpression(unwrap(n.expression)) ? (unwrap(n.expression) as ts.PropertyAccessExpression).expression.getText() : "";
            const bound = root && imports.bindings.get(root.text);
            if ((bound && METRIC_MODULES.includes(bound.module)) || METRIC_NAME.test(recvText)) found = true;
          }
          return undefined;
        });
      }
      // the unit is itself passed to a wrapper: withSpan("x", async () => …)
      const parent = unit.parent;
      if (!found && parent && ts.isCallExpression(parent) && WRAPPERS.test(memberName(parent.expression) ?? "")) found = true;
      instrumented.set(unit, found);
      return found;
    };

    return {
      CallExpression(call) {
        if (isOutboundRequest(call, imports)) {
          const unit = unitOf(call);
          if (unit) sites.push({ node: call, unit, kind: "outbound call" });
          return;
        }
        const name = memberName(call.expression);
        // amqplib channel.consume(queue, handler) / kafkajs consumer.run({ eachMessage })
        let handler: ts.Node | undefined;
        if (name === "consume" && call.arguments.length >= 2) handler = functionArguments(call)[0];
        if (name === "run" && call.arguments[0]) {
          const h = objectProperty(unwrap(call.arguments[0]), "eachMessage") ?? objectProperty(unwrap(call.arguments[0]), "eachBatch");
          if (h && (ts.isArrowFunction(unwrap(h)) || ts.isFunctionExpression(unwrap(h)))) handler = unwrap(h);
        }
        if (handler) sites.push({ node: call, unit: handler, kind: "queue consumer" });
      },
      NewExpression(n) {
        // bullmq: new Worker(queue, async (job) => …)
        if (!imports.isCallTo(n, "bullmq", ["Worker"])) return;
        const h = n.arguments?.[1] && unwrap(n.arguments[1]);
        if (h && (ts.isArrowFunction(h) || ts.isFunctionExpression(h))) sites.push({ node: n, unit: h, kind: "queue consumer" });
      },
      "SourceFile:exit"() {
        if (sites.length < 2) return;
        if (ctx.project.filesMatching(AUTO_INSTRUMENTATION).size) return;
        const units = new Map<ts.Node, typeof sites>();
        for (const s of sites) units.set(s.unit, [...(units.get(s.unit) ?? []), s]);
        const covered = [...units.keys()].filter(isInstrumented);
        if (!covered.length || covered.length === units.size) return;
        for (const [unit, list] of units) {
          if (covered.includes(unit)) continue;
          const s = list[0];
          ctx.report({
            node: s.node,
            message: `This ${s.kind} has no span or metric while its siblings in this file are instrumented: when it slows down or fails, the dashboards built on those metrics will not show it. Instrument it the same way.`,
          });
        }
      },
    };
  },
});
