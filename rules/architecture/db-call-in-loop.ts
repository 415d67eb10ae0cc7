import { ts } from "ts-morph";
import { defineRule } from "../../src/core/rule.js";
import { isFunctionLike, isLoop, memberName, receiverName } from "../../src/core/ast.js";
import { isDataAccessCall } from "../../src/core/data-access.js";
import { directSource } from "../../src/core/sources.js";
import { taintOf } from "../../src/core/taint.js";
import { isStartupCode, isStartupPath, runsAtModuleLoad } from "../../src/core/startup.js";

/** The collection a loop iterates (for-of expression, receiver of items.map/forEach), if visible. */
function iteratedCollection(loop: ts.Node): ts.Expression | undefined {
  if (ts.isForOfStatement(loop) || ts.isForInStatement(loop)) return loop.expression;
  if (ts.isCallExpression(loop) && ts.isPropertyAccessExpression(loop.expression)) return loop.expression.expression;
  return undefined;
}

/** `promises.push(db.query(…))`: one query per iteration, collected for a later Promise.all. */
function isCollectedPromise(call: ts.CallExpression): boolean {
  const p = call.parent;
  return !!p && ts.isCallExpression(p) && p.arguments.includes(call) && memberName(p.expression) === "push";
}

/** The loop that runs this node repeatedly in the same function, if any (a callback of forEach/map counts). */
function enclosingLoop(node: ts.Node): ts.Node | undefined {
  for (let p = node.parent; p; p = p.parent) {
    if (isLoop(p)) {
      // the loop's own header (for (const x of await db.find())) runs once
      if ((ts.isForOfStatement(p) || ts.isForInStatement(p)) && isWithin(node, p.expression)) continue;
      return p;
    }
    if (isFunctionLike(p)) {
      const call = p.parent;
      if (call && ts.isCallExpression(call) && ["forEach", "map", "flatMap", "reduce", "each"].includes(memberName(call.expression) ?? "") && call.arguments.includes(p as ts.Expression)) {
        // Promise.all(items.map(…)) is handled the same way: one query per item.
        return call;
      }
      return undefined;
    }
  }
  return undefined;
}

function isWithin(node: ts.Node, container: ts.Node): boolean {
  for (let p: ts.Node | undefined = node; p; p = p.parent) if (p === container) return true;
  return false;
}

export default defineRule({
  meta: {
    id: "architecture/db-call-in-loop",
    category: "architecture",
    severity: "warning",
    cwe: ["CWE-1073", "CWE-1050"],
    title: "Database query inside a loop (N+1)",
    description:
      "A query or ORM call runs once per item of a loop. With N items the request makes N+1 round trips: fine in a test with 3 rows, " +
      "a timeout in production with 3,000.",
    fix: "Fetch all rows in one query (`WHERE id = ANY($1)`, `whereIn`, `findMany({ where: { id: { in: ids } } })`, an `include`/join), or batch with a DataLoader.",
  },
  create(ctx) {
    if (ctx.file.isTest || ctx.file.isScript || isStartupPath(ctx.file.path)) return {};
    return {
      CallExpression(call) {
        if (!isDataAccessCall(call, ctx.file.imports)) return;
        const awaited = ts.isAwaitExpression(call.parent) || isInsidePromiseMap(call) || isCollectedPromise(call);
        if (!awaited) return;
        const loop = enclosingLoop(call);
        if (!loop) return;
        // seeding, migrations and start-up loops run once, not per request
        if (runsAtModuleLoad(loop) || isStartupCode(loop, ctx.file.path)) return;
        const list = iteratedCollection(loop);
        const source = list && (directSource(list) ?? taintOf(list, "any")?.source);
        ctx.report({
          node: call,
          message: `\`${receiverName(call) ?? ""}.${memberName(call.expression)}\` runs once per loop iteration (N+1 queries): load the rows in one query or batch them.` +
            (source ? ` The list comes from the request (\`${source}\`), so the client decides how many queries run.` : ""),
        });
      },
    };
  },
});

/** items.map(async (x) => db.find(x)) without await: Promise.all over per-item queries. */
function isInsidePromiseMap(call: ts.CallExpression): boolean {
  const fn = call.parent && (ts.isArrowFunction(call.parent) ? call.parent : ts.isReturnStatement(call.parent) ? call.parent.parent?.parent : undefined);
  return !!fn && isFunctionLike(fn) && !!fn.parent && ts.isCallExpression(fn.parent) && memberName(fn.parent.expression) === "map";
}
