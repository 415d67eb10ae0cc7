import { ts } from "ts-morph";
import safeRegex from "safe-regex2";
import { defineRule } from "../../src/core/rule.js";
import { memberName, receiverOf, stringValue, unwrap } from "../../src/core/ast.js";
import { assignmentsTo, findDeclaration } from "../../src/core/scope.js";
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
    /** Catastrophic literals / constant constructors, reported at exit unless a use with request data was reported instead. */
    const definitions: { node: ts.Node; source: string; kind: RedosKind }[] = [];
    const usedWithRequestData = new Set<ts.Node>();

    const checkConstant = (node: ts.Node, source: string, flags: string): void => {
      const kind = problem(source, flags);
      if (kind) definitions.push({ node, source, kind });
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
      if (t) return ctx.report({ node: call, message: `Regular expression built from \`${t.source}\`: an attacker can supply a catastrophic pattern (ReDoS) or change what it matches. Escape the text (\`_.escapeRegExp\`) or avoid a regex.` });
    };
    /** `re.test(x)` / `s.match(re)` where re is a catastrophic regex and the subject comes from the request. */
    const checkApplied = (call: ts.CallExpression, name: string): void => {
      const recv = receiverOf(call);
      const [regex, subject] = APPLY_METHODS.has(name) ? [recv, call.arguments[0]] : SUBJECT_METHODS.has(name) ? [call.arguments[0], recv] : [undefined, undefined];
      const def = regex && definitionOf(regex);
      if (!def || !subject) return;
      const found = definitions.find((d) => d.node === def) ?? constantProblem(def);
      if (!found) return;
      const t = taintOf(subject, "any");
      if (!t) return;
      usedWithRequestData.add(def);
      ctx.report({ node: call, message: `\`${t.source}\` is matched against \`/${found.source.slice(0, 60)}/\`, which has ${describe(found.kind)}: one crafted request pins the event loop (ReDoS). Rewrite the pattern or bound the input length.` });
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
        if (!name || !ts.isPropertyAccessExpression(unwrap(call.expression))) return;
        checkApplied(call, name);
        if (!STRING_REGEX_METHODS.has(name)) return;
        const arg = call.arguments[0];
        if (!arg || ts.isRegularExpressionLiteral(unwrap(arg)) || stringValue(arg) !== undefined || definitionOf(arg)) return;
        const a = unwrap(arg);
        if (ts.isNewExpression(a) || (ts.isCallExpression(a) && memberName(a.expression) === "RegExp")) return; // reported at the constructor
        if (!mayBeString(receiverOf(call)) || resultUsedAsObject(call, name)) return; // searchService.search(q), fuse.search(q): not String.prototype
        const t = taintOf(arg, "regex");
        if (t) ctx.report({ node: call, message: `\`.${name}()\` turns \`${t.source}\` into a regular expression: an attacker can supply a catastrophic pattern (ReDoS).` });
      },
      "SourceFile:exit"() {
        for (const d of definitions) {
          if (usedWithRequestData.has(d.node)) continue; // reported where the request data meets it
          ctx.report({ node: d.node, severity: "warning", message: `Regular expression \`/${d.source.slice(0, 60)}/\` has ${describe(d.kind)}: a crafted input makes it run for a very long time (ReDoS).` });
        }
      },
    };
  },
});

/** Methods of a RegExp that run it on their argument, and string methods that run their regex argument on the string. */
const APPLY_METHODS = new Set(["test", "exec"]);
const SUBJECT_METHODS = new Set(["match", "matchAll", "search", "replace", "replaceAll", "split"]);

/** The regex literal or constant `new RegExp("…")` an expression is: inline, or a never-reassigned variable initialized with one. */
function definitionOf(expr: ts.Expression): ts.Node | undefined {
  let e = unwrap(expr);
  if (ts.isIdentifier(e)) {
    const d = findDeclaration(e);
    if (!d || !ts.isVariableDeclaration(d) || !d.initializer || assignmentsTo(d).length) return undefined;
    e = unwrap(d.initializer);
  }
  if (ts.isRegularExpressionLiteral(e)) return e;
  if ((ts.isNewExpression(e) || ts.isCallExpression(e)) && ts.isIdentifier(unwrap(e.expression)) && (unwrap(e.expression) as ts.Identifier).text === "RegExp" && stringValue(e.arguments?.[0]) !== undefined) return e;
  return undefined;
}

/** The problem of a regex definition visited later than its use (hoisted functions, class fields). */
function constantProblem(def: ts.Node): { source: string; kind: RedosKind } | undefined {
  let source: string | undefined;
  let flags = "";
  if (ts.isRegularExpressionLiteral(def)) {
    const m = /^\/(.*)\/([a-z]*)$/s.exec(def.text);
    if (m) [source, flags] = [m[1], m[2]];
  } else if (ts.isNewExpression(def) || ts.isCallExpression(def)) {
    source = stringValue(def.arguments?.[0]);
    flags = stringValue(def.arguments?.[1]) ?? "";
  }
  const kind = source === undefined ? undefined : problem(source, flags);
  return kind && source !== undefined ? { source, kind } : undefined;
}

/** Receivers named like a search backend or service: their `.search()`/`.match()` is a method of their own. */
const SEARCHER_NAME = /(service|client|index|engine|repo|repository|provider|searcher|fuse|lunr|algolia|elastic|meili|router|matcher|api|db|model)$/i;

/** `require("x")`, `URI(…)`, `createClient()`: calls that hand back a module or an object, not a string. */
function makesObject(call: ts.CallExpression): boolean {
  const callee = unwrap(call.expression);
  const name = memberName(callee) ?? "";
  if (name === "require") return true;
  if (ts.isIdentifier(callee) && /^[A-Z]/.test(name) && name !== "String") return true;
  return /^(create|new|make|build|connect|get\w*(Client|Service|Index|Repository))/.test(name) && !/^(get|create)\w*(String|Text|Name|Path|Url)$/.test(name);
}

/**
 * Could `recv` be a string? Not when it is an imported module (`Search.search(q)`), an object built here
 * (`new Fuse(list)`, `{}`, `URI(…)` and other calls that do not return strings), or a class: there `.search()`/`.match()`
 * is that object's own method, not a regex match.
 */
function mayBeString(recv: ts.Expression | undefined): boolean {
  if (!recv) return false;
  const r = unwrap(recv);
  if (ts.isCallExpression(r)) return !makesObject(r);
  if (ts.isNewExpression(r) || ts.isObjectLiteralExpression(r) || ts.isArrayLiteralExpression(r) || r.kind === ts.SyntaxKind.ThisKeyword) return false;
  // this.searchService.search(q), ctx.elastic.search(q), index.search(q)
  if (ts.isPropertyAccessExpression(r)) return !SEARCHER_NAME.test(r.name.text);
  if (!ts.isIdentifier(r)) return true;
  if (SEARCHER_NAME.test(r.text)) return false;
  const d = findDeclaration(r);
  if (!d) return true;
  if (ts.isImportClause(d) || ts.isNamespaceImport(d) || ts.isImportSpecifier(d) || ts.isImportEqualsDeclaration(d) || ts.isClassDeclaration(d) || ts.isFunctionDeclaration(d)) return false;
  if (ts.isVariableDeclaration(d) && d.initializer) {
    const init = unwrap(d.initializer);
    if (ts.isNewExpression(init) || ts.isObjectLiteralExpression(init)) return false;
    if (ts.isCallExpression(init)) return !makesObject(init);
  }
  return true;
}

/** `x.search(input).href()` / `.foo`: the result is an object, so `search` is not String.prototype.search (which returns a number). */
function resultUsedAsObject(call: ts.CallExpression, name: string): boolean {
  let n: ts.Node = call;
  while (n.parent && ts.isParenthesizedExpression(n.parent)) n = n.parent;
  const p = n.parent;
  if (!p || !ts.isPropertyAccessExpression(p) || p.expression !== n) return false;
  const prop = p.name.text;
  if (name === "search") return prop !== "toString";
  return !/^(length|index|input|groups|map|forEach|filter|slice|join|indexOf|includes|some|every|find|reduce|at|pop|shift|toString|concat)$/.test(prop);
}
