import { ts } from "ts-morph";
import { defineRule } from "../../src/core/rule.js";
import { enclosingFunction, isBooleanLiteral, isFunctionLike, isLoop, memberName, propertyNameText, receiverOf, stringValue, unwrap, walk } from "../../src/core/ast.js";
import { isGuarded } from "../../src/core/guards.js";
import { assignmentsTo, findDeclaration } from "../../src/core/scope.js";
import { type Taint, taintOf } from "../../src/core/taint.js";
import { isNumericLike } from "../../src/core/values.js";

/** Deep-merge style functions: every argument after the target is a source. */
const MERGE_FNS = new Set(["merge", "mergeWith", "defaultsDeep", "extend", "deepExtend", "deepMerge", "mergeDeep", "mixin", "mixinDeep", "assignDeep", "defaults", "applyToDefaults", "mergeAll", "all"]);
/** Set-by-path functions: the path (argument 1) picks the property chain. */
const PATH_FNS = new Set(["set", "setWith", "update", "updateWith", "setProperty", "insert", "push", "ensureExists", "setValue", "str", "dset", "zipObjectDeep", "unflatten", "object"]);
const MERGE_MODULES = new Set(["lodash", "lodash-es", "deepmerge", "merge-deep", "mixin-deep", "defaults-deep", "assign-deep", "deep-extend", "extend", "node.extend", "just-extend", "merge", "jquery", "@hapi/hoek", "hoek", "lodash.merge", "lodash.mergewith", "lodash.defaultsdeep", "merge-options", "deep-assign", "merge-recursive"]);
const PATH_MODULES = new Set(["lodash", "lodash-es", "dot-prop", "object-path", "set-value", "dset", "lodash.set", "lodash.setwith", "lodash.zipobjectdeep", "dot-object", "flat", "object-path-set", "nested-property", "deep-set", "set-in", "@strikeentco/set", "dottie"]);
/** Names that show prototype keys are filtered or the target has no prototype. */
const KEY_GUARD = /__proto__|['"`]constructor['"`]|['"`]prototype['"`]|\bhasOwn\s*\(|is(Safe|Unsafe|Dangerous|Forbidden|Prototype)\w*Key|(UNSAFE|FORBIDDEN|BLOCKED|DANGEROUS|RESERVED|DENY|BANNED)_?KEYS|isPrototypePolluted|\bisSafe\w*\s*\(|\w*[pP]ollut\w*\s*\(|Object\.freeze\(\s*Object\.prototype|\bnew Map\b/i;

type Kind = "merge" | "path";

function libraryCall(call: ts.CallExpression, imports: { resolveCall(c: ts.CallExpression): { module?: string; name: string } | undefined }): Kind | undefined {
  const r = imports.resolveCall(call);
  const mod = r?.module;
  const name = r?.name ?? memberName(call.expression) ?? "";
  if (mod) {
    const direct = name === "default" || ts.isIdentifier(unwrap(call.expression)) && !/^(set|merge|extend)/i.test(name) && name === mod;
    if (/^lodash\.(set|setwith|zipobjectdeep)$/.test(mod)) return "path";
    if (/^lodash\.(merge|mergewith|defaultsdeep)$/.test(mod)) return "merge";
    if (PATH_MODULES.has(mod) && PATH_FNS.has(name) && mod !== "jquery") return mod === "flat" && name !== "unflatten" ? undefined : "path";
    if (MERGE_MODULES.has(mod) && (MERGE_FNS.has(name) || direct || name === "default")) {
      if (/^lodash/.test(mod) && ["extend", "defaults", "all"].includes(name)) return undefined; // shallow in lodash
      if ((mod === "jquery" || mod === "extend" || mod === "node.extend") && !isBooleanLiteral(call.arguments[0], true)) return undefined; // shallow unless deep=true
      return "merge";
    }
    return undefined;
  }
  // Globals / untracked imports: _.merge(…), lodash.set(…), $.extend(true, …)
  const recv = receiverOf(call);
  const rn = recv && ts.isIdentifier(unwrap(recv)) ? (unwrap(recv) as ts.Identifier).text : undefined;
  if (!rn) return undefined;
  if (/^(_|lodash)$/.test(rn) && ["merge", "mergeWith", "defaultsDeep"].includes(name)) return "merge";
  if (/^(_|lodash)$/.test(rn) && ["set", "setWith", "zipObjectDeep"].includes(name)) return "path";
  if (/^(\$|jQuery)$/.test(rn) && name === "extend" && isBooleanLiteral(call.arguments[0], true)) return "merge";
  return undefined;
}

function isKeyLike(e: ts.Expression): boolean {
  const u = unwrap(e);
  return !ts.isStringLiteral(u) && !ts.isNumericLiteral(u) && !ts.isNoSubstitutionTemplateLiteral(u) && !isNumericLike(u) && !ts.isPrefixUnaryExpression(u);
}

/** `{}` / `Object.create(null)` / `new Map()` created in this function: polluting its own prototype does nothing global. */
function isFreshLocalObject(e: ts.Expression): boolean {
  const u = unwrap(e);
  if (!ts.isIdentifier(u)) return false;
  const d = findDeclaration(u);
  if (!d || !ts.isVariableDeclaration(d) || !d.initializer) return false;
  const init = unwrap(d.initializer);
  return ts.isObjectLiteralExpression(init) || ts.isArrayLiteralExpression(init) || ts.isNewExpression(init) || /^Object\.create\(/.test(init.getText());
}

/** Function text (all enclosing functions) mentions a prototype-key filter. */
function keyGuarded(node: ts.Node, key: ts.Expression): boolean {
  for (let f = enclosingFunction(node); f; f = enclosingFunction(f)) if (KEY_GUARD.test(f.getText())) return true;
  if (!enclosingFunction(node) && KEY_GUARD.test(node.getSourceFile().text.slice(Math.max(0, node.getStart() - 400), node.getStart()))) return true;
  const k = unwrap(key);
  if (ts.isIdentifier(k)) {
    const d = findDeclaration(k);
    if (d && isGuarded(k.text, node, d)) return true;
  }
  return false;
}

/** `cur = cur[k]` / `obj = obj[part] ??= {}` in the same function: a loop walking a property path. */
function walksPath(target: ts.Identifier): boolean {
  const fn = enclosingFunction(target);
  if (!fn?.body) return false;
  let found = false;
  walk(fn.body, (n) => {
    if (found) return false;
    if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isIdentifier(n.left) && n.left.text === target.text) {
      let r = unwrap(n.right);
      while (ts.isBinaryExpression(r) && [ts.SyntaxKind.EqualsToken, ts.SyntaxKind.BarBarToken, ts.SyntaxKind.QuestionQuestionToken, ts.SyntaxKind.QuestionQuestionEqualsToken, ts.SyntaxKind.BarBarEqualsToken].includes(r.operatorToken.kind)) r = unwrap(r.left);
      if (ts.isElementAccessExpression(r) && isKeyLike(r.argumentExpression)) found = true;
    }
    return undefined;
  });
  return found;
}

function functionName(fn: ts.FunctionLikeDeclaration): string | undefined {
  if (fn.name && ts.isIdentifier(fn.name)) return fn.name.text;
  if (ts.isVariableDeclaration(fn.parent) && ts.isIdentifier(fn.parent.name)) return fn.parent.name.text;
  if ((ts.isPropertyAssignment(fn.parent) || ts.isMethodDeclaration(fn)) && fn.name) return propertyNameText(fn.name);
  return undefined;
}

/** The loop key variable of `for (const k in src)` / `Object.keys(src).forEach((k) => …)` / `for (const k of Object.keys(src))`. */
function isIteratedKey(key: ts.Expression): boolean {
  const k = unwrap(key);
  if (!ts.isIdentifier(k)) return false;
  const d = findDeclaration(k);
  if (!d) return false;
  if (ts.isVariableDeclaration(d)) {
    const loop = d.parent.parent;
    if (ts.isForInStatement(loop)) return true;
    if (ts.isForOfStatement(loop) && /\b(keys|entries|getOwnPropertyNames)\s*\(/.test(loop.expression.getText())) return true;
  }
  if (ts.isBindingElement(d)) {
    let p: ts.Node = d;
    while (ts.isBindingElement(p) || ts.isArrayBindingPattern(p) || ts.isObjectBindingPattern(p)) p = p.parent;
    if (ts.isVariableDeclaration(p) && ts.isForOfStatement(p.parent.parent) && /\bentries\s*\(/.test(p.parent.parent.expression.getText())) return true;
    if (ts.isParameter(p) && isFunctionLike(p.parent) && ts.isCallExpression(p.parent.parent) && /\b(keys|entries)\s*\([^)]*\)\s*\.\s*(forEach|map|reduce)/.test(p.parent.parent.getText())) return true;
  }
  if (ts.isParameter(d) && isFunctionLike(d.parent) && ts.isCallExpression(d.parent.parent) && /\b(keys|getOwnPropertyNames)\s*\([^)]*\)\s*\.\s*(forEach|map|reduce)/.test(d.parent.parent.expression.getText())) return true;
  return false;
}

/** A recursive merge/clone helper: assigns target[key] for every key of a source and calls itself for nested objects. */
function isRecursiveMerge(fn: ts.FunctionLikeDeclaration): boolean {
  const name = functionName(fn);
  if (!name || !fn.body) return false;
  let recursive = false;
  walk(fn.body, (n) => {
    if (ts.isCallExpression(n) && memberName(n.expression) === name) recursive = true;
    return !recursive;
  });
  return recursive;
}

const ITERATION_CALLBACKS = new Set(["forEach", "reduce", "map", "some", "every"]);

/** A number used as key: `i` of `for (let i = 0; …)`, the index parameter of a forEach/map callback, numeric values. */
function isIndexKey(key: ts.Expression): boolean {
  const k = unwrap(key);
  if (!isKeyLike(k)) return true;
  if (!ts.isIdentifier(k)) return false;
  const d = findDeclaration(k);
  if (!d) return false;
  if (ts.isVariableDeclaration(d) && ts.isVariableDeclarationList(d.parent) && ts.isForStatement(d.parent.parent) && d.initializer && isNumericLike(d.initializer)) return true;
  if (ts.isParameter(d) && isFunctionLike(d.parent) && d.parent.parameters.indexOf(d) >= 1 && ts.isCallExpression(d.parent.parent)) {
    const m = memberName(d.parent.parent.expression);
    return !!m && m !== "reduce" && ITERATION_CALLBACKS.has(m);
  }
  return false;
}

/** The function whose loop (or forEach/reduce callback) contains `node`, when it does. */
function loopingFunction(node: ts.Node): ts.FunctionLikeDeclaration | undefined {
  for (let p: ts.Node | undefined = node.parent; p; p = p.parent) {
    if (isLoop(p)) return enclosingFunction(p);
    if (isFunctionLike(p)) {
      const call = p.parent;
      if (call && ts.isCallExpression(call) && call.arguments.includes(p as ts.Expression) && ITERATION_CALLBACKS.has(memberName(call.expression) ?? "")) return enclosingFunction(call);
      return undefined;
    }
  }
  return undefined;
}

/** `obj = obj[key]` / `obj = obj[key] || (obj[key] = {})` / `cur = cur[k] ??= {}`: the walked object and key, when `b` is such a step. */
function pathStep(b: ts.BinaryExpression): { target: ts.Identifier; key: ts.Expression } | undefined {
  if (b.operatorToken.kind !== ts.SyntaxKind.EqualsToken) return undefined;
  const l = unwrap(b.left);
  if (!ts.isIdentifier(l)) return undefined;
  let r = unwrap(b.right);
  while (ts.isBinaryExpression(r) && [ts.SyntaxKind.EqualsToken, ts.SyntaxKind.BarBarToken, ts.SyntaxKind.QuestionQuestionToken, ts.SyntaxKind.QuestionQuestionEqualsToken, ts.SyntaxKind.BarBarEqualsToken].includes(r.operatorToken.kind)) r = unwrap(r.left);
  if (!ts.isElementAccessExpression(r) || !ts.isIdentifier(unwrap(r.expression)) || (unwrap(r.expression) as ts.Identifier).text !== l.text) return undefined;
  return { target: l, key: r.argumentExpression };
}

const deepSetCache = new WeakMap<ts.Node, boolean>();

/**
 * A set-by-path helper: splits a dotted path, walks `obj = obj[key]` in a loop (creating missing levels) and
 * writes `obj[last] = value` — with no `__proto__`/`constructor` check, `a.__proto__.polluted` reaches Object.prototype.
 */
function isUnsafeDeepSetStep(b: ts.BinaryExpression): boolean {
  const step = pathStep(b);
  if (!step || isIndexKey(step.key)) return false;
  const fn = loopingFunction(b);
  if (!fn?.body) return false;
  const cached = deepSetCache.get(b);
  if (cached !== undefined) return cached;
  const text = fn.getText();
  let ok = /\bsplit\s*\(/.test(text) && !KEY_GUARD.test(text) && !/\b(hasOwnProperty|hasOwn|in\s+\w+)\b/.test(text);
  if (ok) {
    // …and it writes a value (not just `{}` for a missing level) through the walked object: a setter, not a getter
    let writes = false;
    walk(fn.body, (n) => {
      if (writes) return false;
      if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
        const l = unwrap(n.left);
        const r = unwrap(n.right);
        if (ts.isElementAccessExpression(l) && ts.isIdentifier(unwrap(l.expression)) && (unwrap(l.expression) as ts.Identifier).text === step.target.text && isKeyLike(l.argumentExpression)
          && !ts.isObjectLiteralExpression(r) && !ts.isArrayLiteralExpression(r) && !ts.isBinaryExpression(r) && !ts.isElementAccessExpression(r)) writes = true;
      }
      return undefined;
    });
    ok = writes;
  }
  deepSetCache.set(b, ok);
  return ok;
}

/** `items` in `items[k2] = v` when it was read with a client-chosen key (`items = store[req.params.id]`): two client-chosen levels. */
function readWithTaintedKey(target: ts.Expression): Taint | undefined {
  const u = unwrap(target);
  if (!ts.isIdentifier(u)) return undefined;
  const d = findDeclaration(u);
  if (!d || !ts.isVariableDeclaration(d)) return undefined;
  const values = [...(d.initializer ? [d.initializer] : []), ...assignmentsTo(d)];
  for (const v of values) {
    let r = unwrap(v);
    while (ts.isBinaryExpression(r) && [ts.SyntaxKind.EqualsToken, ts.SyntaxKind.BarBarToken, ts.SyntaxKind.QuestionQuestionToken].includes(r.operatorToken.kind)) r = unwrap(r.operatorToken.kind === ts.SyntaxKind.EqualsToken ? r.right : r.left);
    if (ts.isElementAccessExpression(r) && isKeyLike(r.argumentExpression)) {
      const t = taintOf(r.argumentExpression, "any");
      if (t) return t;
    }
  }
  return undefined;
}

export default defineRule({
  meta: {
    id: "security/prototype-pollution",
    category: "security",
    severity: "error",
    cwe: ["CWE-1321", "CWE-915"],
    title: "Prototype pollution through client-controlled keys",
    description:
      "Request data decides property names of an existing object (`obj[a][b] = v`, set-by-path, recursive merge). A key of `__proto__` or " +
      "`constructor.prototype` writes to Object.prototype, which every object in the process inherits: attackers flip flags like `isAdmin`, " +
      "crash the server or reach code execution through template engines and child_process options.",
    fix: "Reject `__proto__`, `constructor` and `prototype` keys (or allow-list keys), merge into `Object.create(null)`, use a `Map`, or validate the body with a schema before merging.",
  },
  create(ctx) {
    const reported = new Set<ts.Node>();
    const report = (node: ts.Node, message: string): void => {
      if (reported.has(node)) return;
      reported.add(node);
      ctx.report({ node, message });
    };
    return {
      CallExpression(call) {
        const kind = libraryCall(call, ctx.file.imports);
        if (kind === "merge") {
          const args = call.arguments;
          const start = isBooleanLiteral(args[0], true) ? 2 : 1;
          const target = args[start - 1];
          if (target && /^Object\.create\(\s*null\s*\)$/.test(unwrap(target).getText())) return;
          // deepmerge(a, b) / merge(a, b) return a new object: both arguments are sources
          const sources = args.slice(/^(deepmerge|merge-deep|deepMerge)$/.test(memberName(call.expression) ?? "") || ctx.file.imports.resolveCall(call)?.module === "deepmerge" ? 0 : start);
          for (const s of sources) {
            if (ts.isFunctionLike(unwrap(s))) continue;
            const t = sourceTaint(s);
            if (t && !keyGuarded(call, s)) return report(call, `Deep merge of \`${t.source}\`: a \`__proto__\` key in the request pollutes Object.prototype. Validate or pick fields before merging.`);
          }
          return;
        }
        if (kind === "path") {
          const name = memberName(call.expression) ?? "";
          const path = name === "zipObjectDeep" || name === "unflatten" || name === "object" ? call.arguments[0] : name === "str" ? call.arguments[0] : call.arguments[1];
          if (!path) return;
          const t = taintOf(path, "any");
          if (t && !keyGuarded(call, path)) report(call, `Property path from \`${t.source}\`: a path like \`__proto__.isAdmin\` writes to Object.prototype. Allow-list the paths.`);
          return;
        }
        // A local recursive merge helper called with request data
        const callee = unwrap(call.expression);
        if (ts.isIdentifier(callee) && call.arguments.length >= 2) {
          const d = findDeclaration(callee);
          const fn = d && (ts.isFunctionDeclaration(d) ? d : ts.isVariableDeclaration(d) && d.initializer && isFunctionLike(unwrap(d.initializer)) ? (unwrap(d.initializer) as ts.FunctionLikeDeclaration) : undefined);
          if (fn && enclosingFunction(call) !== fn && unsafeMergeAssignments(fn).length) {
            for (const a of call.arguments.slice(1)) {
              const t = taintOf(a, "any");
              if (t) return report(call, `\`${callee.text}()\` recursively copies keys of \`${t.source}\` without filtering \`__proto__\`: prototype pollution.`);
            }
          }
        }
      },
      BinaryExpression(b) {
        if (b.operatorToken.kind !== ts.SyntaxKind.EqualsToken) return;
        if (isUnsafeDeepSetStep(b)) {
          return report(b, "Set-by-path helper walks `obj = obj[key]` over a split path with no `__proto__`/`constructor`/`prototype` check: a path like `__proto__.isAdmin` writes to Object.prototype. Reject those keys (or check `hasOwnProperty`) before descending.");
        }
        const left = unwrap(b.left);
        if (!ts.isElementAccessExpression(left) || !isKeyLike(left.argumentExpression)) return;
        const key = left.argumentExpression;
        const target = unwrap(left.expression);
        // 1. A recursive merge helper: target[key] = … for every key of a source, without a key filter
        const fn = enclosingFunction(b);
        const merging = fn && unsafeMergeAssignments(fn).includes(b);
        if (merging) return report(b, "Recursive merge assigns every key of its source without skipping `__proto__`/`constructor`: prototype pollution when the source comes from a request.");
        const tk = taintOf(key, "any");
        if (!tk) return;
        if (keyGuarded(b, key)) return;
        // 2. obj[a][b] = v with a client-chosen key (unless obj has no prototype: obj["__proto__"] is then its own, empty slot)
        if (ts.isElementAccessExpression(target) && isKeyLike(target.argumentExpression) && !isPrototypeLess(target.expression)) {
          return report(b, `Nested assignment with key from \`${tk.source}\`: \`obj["__proto__"][x] = v\` pollutes Object.prototype. Allow-list keys or use a Map.`);
        }
        // 3. cur = cur[part] … cur[last] = v: walking a client-chosen path
        const parentAssign = b.parent && ts.isBinaryExpression(b.parent) && b.parent.operatorToken.kind === ts.SyntaxKind.EqualsToken && b.parent.right === b;
        if (ts.isIdentifier(target) && walksPath(target) && !parentAssign) {
          if (walkReportedIn(b)) return; // the helper itself was reported at its walking step

          return report(b, `Set-by-path with a path from \`${tk.source}\`: \`__proto__.x\` reaches Object.prototype. Allow-list keys or reject __proto__/constructor/prototype.`);
        }
        // 4. existing (non-local) object: store[key] = request value
        // 4. two client-chosen levels: items = store[req.params.id]; items[req.query.name] = value
        const outer = readWithTaintedKey(target);
        const tv: Taint | undefined = outer && taintOf(b.right, "any");
        if (tv && !isFreshLocalObject(target) && !(ts.isIdentifier(target) && isLocalParam(target)) && target.kind !== ts.SyntaxKind.ThisKeyword) {
          report(b, `Two property levels chosen by the request (\`${outer!.source}\`, then \`${tk.source}\`): \`["__proto__"]["x"] = v\` pollutes Object.prototype. Allow-list keys or use a Map.`);
        }
      },
    };
  },
});

/** A merge source that can carry a `__proto__` key: object literals only through spreads, computed keys and nested objects. */
function sourceTaint(e: ts.Expression): Taint | undefined {
  const u = unwrap(e);
  if (!ts.isObjectLiteralExpression(u)) return taintOf(e, "any");
  for (const p of u.properties) {
    if (ts.isSpreadAssignment(p)) {
      const t = taintOf(p.expression, "any");
      if (t) return t;
    } else if (ts.isPropertyAssignment(p)) {
      if (ts.isComputedPropertyName(p.name)) {
        const t = taintOf(p.name.expression, "any");
        if (t) return t;
      }
      const v = unwrap(p.initializer);
      if (ts.isTemplateExpression(v) || ts.isCallExpression(v) && /^(String|Number|Boolean|parseInt|parseFloat)$/.test(v.expression.getText())) continue;
      const t = sourceTaint(v);
      if (t) return t;
    } else if (ts.isShorthandPropertyAssignment(p)) {
      const t = taintOf(p.name, "any");
      if (t) return t;
    }
  }
  return undefined;
}

/** A variable initialised with `Object.create(null)`: it inherits nothing, so no key of it reaches Object.prototype. */
function isPrototypeLess(e: ts.Expression): boolean {
  const u = unwrap(e);
  if (!ts.isIdentifier(u)) return false;
  const d = findDeclaration(u);
  return !!d && ts.isVariableDeclaration(d) && !!d.initializer && /^Object\.create\(\s*null\s*\)$/.test(unwrap(d.initializer).getText());
}

function isLocalParam(id: ts.Identifier): boolean {
  const d = findDeclaration(id);
  return !!d && ts.isParameter(d);
}

const mergeCache = new WeakMap<ts.Node, ts.BinaryExpression[]>();

/** Assignments `target[key] = …` of a recursive merge helper over iterated keys, when the helper filters no prototype keys. */
function unsafeMergeAssignments(fn: ts.FunctionLikeDeclaration): ts.BinaryExpression[] {
  const cached = mergeCache.get(fn);
  if (cached) return cached;
  const out: ts.BinaryExpression[] = [];
  if (fn.body && isRecursiveMerge(fn) && !KEY_GUARD.test(fn.getText())) {
    walk(fn.body, (n) => {
      if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
        const l = unwrap(n.left);
        if (ts.isElementAccessExpression(l) && isIteratedKey(l.argumentExpression) && ts.isIdentifier(unwrap(l.expression)) && !isFreshLocalObject(l.expression)) {
          const right = n.right.getText();
          const keyText = unwrap(l.argumentExpression).getText();
          // copies the source's value (src[key]) or recurses into it
          if (right.includes(`[${keyText}]`) || new RegExp(`\\b${stringValue(l.argumentExpression) ?? keyText}\\b`).test(right)) out.push(n);
        }
      }
      return undefined;
    });
  }
  mergeCache.set(fn, out);
  return out;
}

/** Does the function around `b` contain a walking step reported as an unsafe deep-set helper? */
function walkReportedIn(b: ts.Node): boolean {
  const fn = enclosingFunction(b);
  if (!fn?.body) return false;
  let found = false;
  walk(fn.body, (n) => {
    if (found) return false;
    if (ts.isBinaryExpression(n) && isUnsafeDeepSetStep(n)) found = true;
    return undefined;
  });
  return found;
}
