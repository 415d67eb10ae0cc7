import { ts } from "ts-morph";
import safeRegex from "safe-regex2";
import { defineRule } from "../../src/core/rule.js";
import { memberName, stringValue, unwrap } from "../../src/core/ast.js";
import { catastrophicBacktracking, type RedosKind } from "../../src/core/regex.js";
import { taintOf } from "../../src/core/taint.js";

const STRING_REGEX_METHODS = new Set(["match", "matchAll", "search"]);

function problem(source: string, flags: string): RedosKind | undefined {
  const kind = catastrophicBacktracking(source, flags);
  // Nested quantifiers always have star height > 1: safe-regex2 confirms the structure.
  if (kind === "nested-quantifier" && safeRegex(source)) return undefined;
  return kind;
}

function describe(kind: RedosKind): string {
  return kind === "nested-quantifier"
    ? "nested quantifiers whose iterations can split the same input in exponentially many ways"
    : "a repeated group whose alternatives match the same characters";
}

export default defineRule({
  meta: {
    id: "security/redos",
    category: "security",
    severity: "error",
    cwe: ["CWE-1333", "CWE-400", "CWE-730", "CWE-625", "CWE-185"],
    title: "Regular expression open to catastrophic backtracking (ReDoS)",
    description:
      "A regular expression with nested or ambiguous repetition takes exponential time on a crafted non-matching input, or the pattern " +
      "itself comes from the request. One request can pin Node's single event-loop thread for seconds to minutes and stall every other request.",
    fix: "Rewrite the pattern without nested quantifiers (`(a+)+` → `a+`), make alternatives disjoint, bound input length, or use RE2 (`re2` package). Escape user text before building a RegExp (`_.escapeRegExp`).",
  },
  create(ctx) {
    const checkConstant = (node: ts.Node, source: string, flags: string): void => {
      const kind = problem(source, flags);
      if (kind) ctx.report({ node, severity: "warning", message: `Regular expression \`/${source.slice(0, 60)}/\` has ${describe(kind)}: a crafted input makes it run for a very long time (ReDoS).` });
    };
    const checkConstructor = (call: ts.CallExpression | ts.NewExpression): void => {
      const callee = unwrap(call.expression);
      if (!ts.isIdentifier(callee) || callee.text !== "RegExp") return;
      const [pattern, flagsArg] = call.arguments ?? [];
      if (!pattern) return;
      const src = stringValue(pattern);
      if (src !== undefined) return checkConstant(call, src, stringValue(flagsArg) ?? "");
      if (ts.isRegularExpressionLiteral(unwrap(pattern))) return;
      const t = taintOf(pattern, "regex");
      if (t) ctx.report({ node: call, message: `Regular expression built from \`${t.source}\`: an attacker can supply a catastrophic pattern (ReDoS) or change what it matches. Escape the text (\`_.escapeRegExp\`) or avoid a regex.` });
    };
    return {
      RegularExpressionLiteral(lit) {
        const m = /^\/(.*)\/([a-z]*)$/s.exec(lit.text);
        if (m) checkConstant(lit, m[1], m[2]);
      },
      NewExpression: checkConstructor,
      CallExpression(call) {
        checkConstructor(call);
        const name = memberName(call.expression);
        if (!name || !STRING_REGEX_METHODS.has(name) || !ts.isPropertyAccessExpression(unwrap(call.expression))) return;
        const arg = call.arguments[0];
        if (!arg || ts.isRegularExpressionLiteral(unwrap(arg)) || stringValue(arg) !== undefined) return;
        const a = unwrap(arg);
        if (ts.isNewExpression(a) || (ts.isCallExpression(a) && memberName(a.expression) === "RegExp")) return; // reported at the constructor
        const t = taintOf(arg, "regex");
        if (t) ctx.report({ node: call, message: `\`.${name}()\` turns \`${t.source}\` into a regular expression: an attacker can supply a catastrophic pattern (ReDoS).` });
      },
    };
  },
});
