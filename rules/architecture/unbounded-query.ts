import { ts } from "ts-morph";
import { defineRule } from "../../src/core/rule.js";
import { hasSpread, literalSkeleton, memberName, nodeText, propertyNameText, receiverOf, unwrap } from "../../src/core/ast.js";
import { enclosingHandler } from "../../src/core/arch-handlers.js";
import { isDataAccessCall } from "../../src/core/data-access.js";
import { callRoot } from "../../src/core/transactions.js";
import { isStartupCode, isStartupPath } from "../../src/core/startup.js";

const LIST_METHODS = new Set(["findAll", "find", "findMany", "getMany", "getRawMany", "findAndCountAll"]);
/** Option keys that shape rows but do not bound how many come back. Any other key (a Mongo filter field, where, take, limit) counts as a bound. */
const NON_BOUNDING_KEYS = new Set([
  "select", "relations", "order", "orderBy", "include", "attributes", "raw", "distinct", "cache", "withDeleted", "loadEagerRelations",
  "relationLoadStrategy", "group", "paranoid", "nest", "lean", "sort", "projection", "populate", "skip", "offset", "omit", "comment", "subQuery",
]);
/** Builder steps after the call that bound or stream the result. */
const BOUNDING_CHAIN = new Set(["limit", "take", "paginate", "cursor", "stream", "where", "andWhere", "first", "countDocuments", "count", "batchSize", "eachAsync", "findOne", "estimatedDocumentCount"]);
/** Small reference tables: listing all of them is the point. */
const REFERENCE_DATA = /countr|currenc|language|locale|timezone|role|permission|setting|config|categor|plan|feature|flag|enum|lookup|status|region|tenant|currency/i;

function chainAfter(call: ts.CallExpression): string[] {
  const out: string[] = [];
  let e: ts.Node = call;
  for (;;) {
    const p = e.parent;
    if (p && ts.isPropertyAccessExpression(p) && p.expression === e && p.parent && ts.isCallExpression(p.parent)) {
      out.push(p.name.text);
      e = p.parent;
    } else return out;
  }
}

function chainBefore(call: ts.CallExpression): string[] {
  const out: string[] = [];
  let e: ts.Expression | undefined = receiverOf(call);
  while (e) {
    const u = unwrap(e);
    if (ts.isCallExpression(u)) {
      const n = memberName(u.expression);
      if (n) out.push(n);
      e = receiverOf(u);
    } else if (ts.isPropertyAccessExpression(u)) e = u.expression;
    else break;
  }
  return out;
}

/** Is the options/filter argument missing or free of anything that bounds the result? undefined when it cannot be seen. */
function unboundedArgs(call: ts.CallExpression): boolean {
  const first = call.arguments[0] && unwrap(call.arguments[0]);
  if (!first) return true;
  if (!ts.isObjectLiteralExpression(first) || hasSpread(first)) return false;
  if (call.arguments.length > 1) {
    // Mongoose find(filter, projection, { limit })
    const opts = call.arguments[2] && unwrap(call.arguments[2]);
    if (opts && (!ts.isObjectLiteralExpression(opts) || opts.properties.some((p) => p.name && /^(limit|batchSize)$/.test(propertyNameText(p.name) ?? "")))) return false;
  }
  return first.properties.every((p) => p.name !== undefined && NON_BOUNDING_KEYS.has(propertyNameText(p.name) ?? ""));
}

const SELECT_STAR = /^\s*SELECT\s+(DISTINCT\s+)?(\w+\.)?\*\s+FROM\s+["`]?([\w.]+)/i;
const SQL_BOUND = /\b(WHERE|LIMIT|TOP|FETCH\s+(FIRST|NEXT)|OFFSET|GROUP\s+BY)\b/i;

export default defineRule({
  meta: {
    id: "architecture/unbounded-query",
    category: "architecture",
    severity: "warning",
    cwe: ["CWE-1049", "CWE-770"],
    title: "Request handler loads a whole table",
    description:
      "A request handler reads every row of a table (`findAll()`, `find({})`, `findMany()` or `SELECT *` without WHERE/LIMIT). It works with the " +
      "test data; in production the response, the memory and the query time grow with the table until requests time out or the process runs out of memory.",
    fix: "Paginate (`take`/`limit` + cursor or offset from validated query parameters, with a maximum), filter with `where`, or stream/batch when every row is really needed.",
  },
  create(ctx) {
    if (!ctx.file.isServerCode || isStartupPath(ctx.file.path)) return {};
    const imports = ctx.file.imports;
    return {
      CallExpression(call) {
        const method = memberName(call.expression);
        if (!method) return;
        if (LIST_METHODS.has(method)) {
          if (!isDataAccessCall(call, imports, "read") && !(method === "getMany" || method === "getRawMany")) return;
          const model = nodeText(call.expression);
          if (REFERENCE_DATA.test(model)) return;
          if (chainAfter(call).some((m) => BOUNDING_CHAIN.has(m))) return;
          if (method === "getMany" || method === "getRawMany") {
            const before = chainBefore(call);
            if (!before.includes("createQueryBuilder") || before.some((m) => /^(where|andWhere|orWhere|whereInIds|take|limit|innerJoin\w*)$/.test(m))) return;
          } else if (!unboundedArgs(call)) return;
          if (method === "findAndCountAll" && call.arguments.length) return;
          if (!enclosingHandler(call) || isStartupCode(call, ctx.file.path)) return;
          ctx.report({
            node: call,
            message: `\`${model.replace(/\s+/g, "")}(${call.arguments.length ? "…" : ""})\` in a request handler has no \`where\`/\`take\`/\`limit\`: it returns the whole table, which grows with production data.`,
          });
          return;
        }
        if ((method === "query" || method === "execute" || method === "any" || method === "manyOrNone") && call.arguments[0]) {
          const sql = literalSkeleton(call.arguments[0]);
          if (sql === undefined) return;
          const m = SELECT_STAR.exec(sql);
          if (!m || SQL_BOUND.test(sql) || REFERENCE_DATA.test(m[3])) return;
          if (!isDataAccessCall(call, imports, "read") && !callRoot(call)) return;
          if (!enclosingHandler(call) || isStartupCode(call, ctx.file.path)) return;
          ctx.report({
            node: call,
            message: `\`SELECT * FROM ${m[3]}\` without WHERE or LIMIT in a request handler returns the whole table.`,
          });
        }
      },
    };
  },
});
