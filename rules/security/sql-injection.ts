import { ts } from "ts-morph";
import { defineRule } from "../../src/core/rule.js";
import { looksLikeCondition, looksLikeSql, sqlSinkOf } from "../../src/core/sql.js";
import { interpolations, skeletonOf } from "../../src/core/strings.js";
import { taintOf } from "../../src/core/taint.js";
import { isDynamicString, unwrap } from "../../src/core/ast.js";
import { isNumericLike, isConstantLike } from "../../src/core/values.js";

/** A value spliced right after a comparison or inside quotes: where a bound parameter belongs. */
const VALUE_POSITION = /(=|<>|!=|<|>|\blike|\bin\s*\(|\bvalues\s*\(|,|')\s*'?%?$/i;

export default defineRule({
  meta: {
    id: "security/sql-injection",
    category: "security",
    severity: "error",
    cwe: ["CWE-89"],
    title: "SQL built from untrusted input",
    description:
      "SQL text is concatenated or interpolated with data the client controls (request body, query, params, headers). " +
      "An attacker can change the query: read other users' rows, bypass login, drop tables.",
    fix: "Pass values as bound parameters (`$1`/`?` with a values array, knex `whereRaw('id = ?', [id])`, Prisma `$queryRaw` tagged template, TypeORM `:name` parameters).",
  },
  create(ctx) {
    return {
      CallExpression(call) {
        const sink = sqlSinkOf(call);
        if (!sink) return;
        const sql = unwrap(sink.sql);
        const skeleton = skeletonOf(sql);
        if (sink.kind === "query" && !looksLikeSql(skeleton)) return;
        if (sink.kind === "condition" && !looksLikeCondition(skeleton)) return;
        const parts = interpolations(sql);
        if (!parts.length) return;
        for (const part of parts) {
          const t = taintOf(part, "sql");
          if (t) {
            ctx.report({ node: call, message: `SQL query built from \`${t.source}\`: use a bound parameter instead of string concatenation.` });
            return;
          }
        }
        // Not provably from the request, but spliced where a bound value belongs: still injectable by whoever calls this.
        if (!isDynamicString(sql) && !ts.isIdentifier(sql)) return;
        if (!looksLikeSql(skeleton) && !looksLikeCondition(skeleton)) return;
        const risky = parts.filter((p) => !isNumericLike(p) && !isConstantLike(p) && valuePosition(p));
        if (risky.length && !ctx.file.isTest) {
          ctx.report({
            node: call,
            severity: "warning",
            message: `SQL built by interpolating \`${risky[0].getText().slice(0, 40)}\` into the query text: pass it as a bound parameter.`,
          });
        }
      },
    };
  },
});

/** Is `part` spliced right after a comparison operator or inside quotes in the SQL text? */
function valuePosition(part: ts.Expression): boolean {
  const sf = part.getSourceFile();
  // The literal text just before the interpolation, in the same line of code.
  const before = sf.text.slice(Math.max(0, part.getStart(sf) - 40), part.getStart(sf)).replace(/\$\{$/, "").replace(/['"`]?\s*\+\s*$/, "");
  return VALUE_POSITION.test(before.trimEnd());
}
