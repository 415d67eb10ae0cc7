import { ts } from "ts-morph";
import { enclosingFunction, isFunctionLike, memberName, propertyNameText, receiverOf, stringValue, unwrap } from "./ast.js";
import { assignmentsTo, type Declaration, findDeclaration, functionOfDeclaration, scopeOf } from "./scope.js";
import { directSource, parameterRole, REQUEST_FIELDS } from "./sources.js";
import { parametersOf } from "./imports.js";
import { isGuardCondition, isGuarded } from "./guards.js";

/** Which sink a value flows to; sanitizers differ per sink (escapeHtml makes HTML safe, not SQL). */
export type SinkKind = "sql" | "nosql" | "command" | "code" | "path" | "url" | "redirect" | "html" | "log" | "regex" | "any";

export interface Taint {
  /** Where the untrusted value came from, as written in the code (e.g. "req.query.id"). */
  source: string;
}

const NUMERIC = new Set(["parseInt", "parseFloat", "Number", "Boolean", "isNaN", "isFinite", "isInteger", "isSafeInteger", "BigInt", "Date"]);
const NON_STRING_METHODS = new Set([
  "includes", "startsWith", "endsWith", "test", "indexOf", "lastIndexOf", "localeCompare", "has", "some", "every",
  "findIndex", "charCodeAt", "codePointAt", "getTime", "valueOf", "isValid", "hasOwnProperty", "compare",
]);
const NON_STRING_PROPS = new Set(["length", "size", "byteLength"]);
const GENERIC_SANITIZER = /^(sanitiz|escape|encode(?!d)|purif|quote|validat|clean|whitelist|allowlist|safe)/i;
const PROPAGATORS = new Set([
  "String", "join", "resolve", "normalize", "format", "decodeURIComponent", "decodeURI", "unescape", "from", "parse",
  "stringify", "assign", "concat", "values", "entries", "keys", "fromEntries", "toString", "URL", "URLSearchParams",
  "Buffer", "sprintf", "vsprintf", "util", "template", "trim", "atob", "btoa", "encodeURI",
]);
/** Callbacks of these array methods receive the elements of their receiver. */
const ELEMENT_CALLBACKS = new Set(["map", "forEach", "filter", "find", "flatMap", "reduce", "some", "every", "sort", "findLast"]);

const SANITIZERS: Record<SinkKind, RegExp> = {
  sql: /^(escape|escapeId|escapeLiteral|escapeIdentifier|literal|ident|identifier|quoteIdent|quoteLiteral)$/i,
  nosql: /^(ObjectId|ObjectID|isValidObjectId|mongoSanitize|String|toString|sanitize)$/,
  command: /^(quote|shellescape|shellEscape|escapeShellArg|shellQuote)$/i,
  code: /^$/,
  path: /^(basename|sanitizeFilename|sanitize)$/,
  url: /^(encodeURIComponent|escape)$/, // not encodeURI: it leaves `http://169.254.169.254/` as it is
  redirect: /^(encodeURIComponent)$/,
  html: /^(escape|escapeHtml|escapeHTML|encode|encodeHTML|htmlEscape|sanitize|sanitizeHtml|xss|filterXSS|encodeURIComponent|escapeExpression|inHTMLData|inDoubleQuotedAttr)$/,
  log: /^(stringify|encodeURIComponent|inspect)$/,
  regex: /^(escapeRegExp|escapeStringRegexp|escapeRegex|escapeRegExpString|quotemeta|escape)$/,
  any: /^$/,
};

interface State {
  kind: SinkKind;
  depth: number;
  /** Parameters known tainted for this evaluation (a local function evaluated at one call site). */
  bound?: Map<ts.ParameterDeclaration, Taint | undefined>;
  visiting: Set<ts.Node>;
  /** Where the value is used: allow-list guards before this point sanitize it. */
  useSite: ts.Node;
}

const MAX_DEPTH = 12;

/**
 * Is `expr` (or any part of it) controlled by the client, as seen by a sink of `kind`?
 * Intra-file, flow-insensitive, with sanitizers per kind and allow-list guards.
 */
export function taintOf(expr: ts.Expression, kind: SinkKind = "any"): Taint | undefined {
  if (!mayHoldTaint(expr.getSourceFile())) return undefined;
  return evaluate(expr, { kind, depth: 0, visiting: new Set(), useSite: expr });
}

const sourceFiles = new WeakMap<ts.SourceFile, boolean>();

/**
 * Can anything in this file be tainted? Every source (see directSource) is a parameter with a role (request, event,
 * Nest-decorated value, listener payload, archive entry), `process.argv`, AppSync `.arguments` or an archive
 * `entryName`: without one, no expression of the file is tainted. Libraries and helpers are mostly such files, and
 * taint rules ask about thousands of their expressions. Files parsed without the indexing walk are always analyzed.
 */
function mayHoldTaint(sf: ts.SourceFile): boolean {
  let may = sourceFiles.get(sf);
  if (may === undefined) {
    const params = parametersOf(sf);
    may = !params || /\bargv\b|\.arguments\b|entryName/.test(sf.text) || params.some((p) => parameterRole(p) !== undefined);
    sourceFiles.set(sf, may);
  }
  return may;
}

function evaluate(expr: ts.Expression, st: State): Taint | undefined {
  if (st.depth > MAX_DEPTH || st.visiting.has(expr)) return undefined;
  st.visiting.add(expr);
  st.depth++;
  try {
    return evaluateInner(unwrap(expr), st);
  } finally {
    st.depth--;
    st.visiting.delete(expr);
  }
}

function any(exprs: readonly (ts.Expression | undefined)[], st: State): Taint | undefined {
  for (const e of exprs) {
    if (!e) continue;
    const t = evaluate(e, st);
    if (t) return t;
  }
  return undefined;
}

function evaluateInner(e: ts.Expression, st: State): Taint | undefined {
  const direct = directSource(e);
  if (direct) return sanitizedByType(e) ? undefined : { source: direct };

  if (ts.isIdentifier(e)) return identifierTaint(e, st);
  if (ts.isTemplateExpression(e)) return any(e.templateSpans.map((s) => s.expression), st);
  if (ts.isTaggedTemplateExpression(e)) {
    const tag = memberName(e.tag);
    // sql`…` / Prisma.sql`…` / SQL`…` build parameterized queries.
    if (tag && /^(sql|SQL|raw)$/.test(tag) && tag !== "raw") return undefined;
    if (ts.isTemplateExpression(e.template)) return any(e.template.templateSpans.map((s) => s.expression), st);
    return undefined;
  }
  if (ts.isBinaryExpression(e)) {
    const op = e.operatorToken.kind;
    if (op === ts.SyntaxKind.PlusToken || op === ts.SyntaxKind.PlusEqualsToken) return any([e.left, e.right], st);
    if (op === ts.SyntaxKind.BarBarToken || op === ts.SyntaxKind.QuestionQuestionToken || op === ts.SyntaxKind.AmpersandAmpersandToken) return any([e.left, e.right], st);
    if (op === ts.SyntaxKind.EqualsToken || op === ts.SyntaxKind.CommaToken) return evaluate(e.right, st);
    return undefined; // comparisons, arithmetic: booleans and numbers
  }
  if (ts.isConditionalExpression(e)) {
    // allowed.includes(x) ? x : "default" — the true branch only runs for allow-listed values
    const t = evaluate(e.whenTrue, st);
    if (t && (onlyChecksPresence(e.condition) || (!isGuardCondition(e.condition, t.source) && !isGuardCondition(e.condition, unwrap(e.whenTrue).getText())))) return t;
    return evaluate(e.whenFalse, st);
  }
  if (ts.isAwaitExpression(e) || ts.isSpreadElement(e)) return evaluate(e.expression, st);
  if (ts.isArrayLiteralExpression(e)) return any(e.elements, st);
  if (ts.isObjectLiteralExpression(e)) {
    const vals: ts.Expression[] = [];
    for (const p of e.properties) {
      if (ts.isPropertyAssignment(p)) vals.push(p.initializer);
      else if (ts.isShorthandPropertyAssignment(p)) vals.push(p.name);
      else if (ts.isSpreadAssignment(p)) vals.push(p.expression);
    }
    return any(vals, st);
  }
  if (ts.isPropertyAccessExpression(e)) {
    if (NON_STRING_PROPS.has(e.name.text)) return undefined;
    return evaluate(e.expression, st);
  }
  if (ts.isElementAccessExpression(e)) return evaluate(e.expression, st);
  if (ts.isCallExpression(e) || ts.isNewExpression(e)) return callTaint(e, st);
  if (ts.isPrefixUnaryExpression(e) || ts.isPostfixUnaryExpression(e) || ts.isTypeOfExpression(e) || ts.isVoidExpression(e) || ts.isDeleteExpression(e)) return undefined;
  return undefined;
}

/**
 * `x && x != "" ? x : "/home"`: the condition only asks whether the value is there (truthy, not empty, not null), so the
 * true branch still holds anything the client sent. Every leaf of the `&&`/`||` chain must be such a check.
 */
function onlyChecksPresence(cond: ts.Expression): boolean {
  const c = unwrap(cond);
  if (ts.isBinaryExpression(c)) {
    const op = c.operatorToken.kind;
    if (op === ts.SyntaxKind.AmpersandAmpersandToken || op === ts.SyntaxKind.BarBarToken) return onlyChecksPresence(c.left) && onlyChecksPresence(c.right);
    if (op === ts.SyntaxKind.ExclamationEqualsToken || op === ts.SyntaxKind.ExclamationEqualsEqualsToken) {
      return [c.left, c.right].some((side) => isEmptyValue(side)) && [c.left, c.right].every((side) => isEmptyValue(side) || isPlainAccess(side));
    }
    return false;
  }
  return isPlainAccess(c);
}

function isEmptyValue(e: ts.Expression): boolean {
  const u = unwrap(e);
  return stringValue(u) === "" || u.kind === ts.SyntaxKind.NullKeyword || (ts.isIdentifier(u) && u.text === "undefined");
}

/** `x`, `req.query.next`, `req.param("next")`: reading a value, not testing it. */
function isPlainAccess(e: ts.Expression): boolean {
  const u = unwrap(e);
  if (ts.isIdentifier(u)) return true;
  if (ts.isPropertyAccessExpression(u) || ts.isElementAccessExpression(u)) return isPlainAccess(u.expression);
  if (ts.isCallExpression(u)) return REQUEST_READERS.has(memberName(u.expression) ?? "") && isPlainAccess(u.expression);
  return false;
}

/** Request accessors whose call only reads a value (`req.param("x")`, `req.get("host")`). */
const REQUEST_READERS = new Set(["param", "get", "header", "cookie"]);

/** `@Param('id') id: number` or `(id: number)`: the framework or the type already made it a number. */
function sanitizedByType(e: ts.Expression): boolean {
  if (!ts.isIdentifier(e)) return false;
  const d = findDeclaration(e);
  return !!d && ts.isParameter(d) && !!d.type && [ts.SyntaxKind.NumberKeyword, ts.SyntaxKind.BooleanKeyword].includes(d.type.kind);
}

function identifierTaint(id: ts.Identifier, st: State): Taint | undefined {
  if (id.text === "undefined") return undefined;
  const decl = findDeclaration(id);
  if (!decl) return implicitGlobalTaint(id, st);
  const t = declarationTaint(decl, st);
  if (!t) return undefined; // most identifiers: nothing to clean (the dominating-assignment search below is the costly part)
  // `x = x.replace(…)` / `x = sanitize(x)` right before this use: the value here is the cleaned one.
  const last = dominatingAssignment(id, decl);
  if (last && !evaluate(last, { ...st, useSite: last })) return undefined;
  if (isGuarded(id.text, st.useSite, decl)) return undefined;
  return t;
}

const assignPatterns = new Map<string, RegExp>();

/** `name =`, `name +=`, `name ??=` … (not `==`, `=>`, nor `obj.name =`); built once per name. */
function mentionsAssign(name: string): RegExp {
  let re = assignPatterns.get(name);
  if (!re) assignPatterns.set(name, (re = new RegExp(`(^|[^\\w$.])${name.replace(/\$/g, "\\$")}\\s*([-+*/|&]|\\?\\?)?=(?![=>])`)));
  return re;
}

/**
 * The right side of the last plain `name = …` statement that runs before `use` on every path (an earlier statement
 * of a block enclosing the use, within the same function). Undefined when a later statement may change it again.
 */
function dominatingAssignment(use: ts.Identifier, decl: Declaration): ts.Expression | undefined {
  const name = use.text;
  const text = use.getSourceFile().text;
  let child: ts.Node = use;
  for (let p = use.parent; p && p !== decl; child = p, p = p.parent) {
    if (isFunctionLike(p)) return undefined;
    if (!(ts.isBlock(p) || ts.isSourceFile(p) || ts.isCaseClause(p) || ts.isDefaultClause(p))) continue;
    const statements = p.statements as readonly ts.Statement[];
    const idx = statements.indexOf(child as ts.Statement);
    for (let i = idx - 1; i >= 0; i--) {
      const s = statements[i];
      if (ts.isExpressionStatement(s) && ts.isBinaryExpression(s.expression) && s.expression.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
        ts.isIdentifier(s.expression.left) && s.expression.left.text === name) {
        return findDeclaration(s.expression.left) === decl ? s.expression.right : undefined;
      }
      // Reached the statement holding the declaration (node spans: no trivia scanning as getStart() would do).
      if (s.end >= decl.end && s.pos <= decl.pos) return undefined;
      // Cheap test first: a statement whose text does not contain the name cannot assign it.
      const at = text.indexOf(name, s.pos);
      if (at !== -1 && at < s.end && mentionsAssign(name).test(s.getText())) return undefined; // changed in a nested statement: unknown
    }
  }
  return undefined;
}

const globalAssignmentCache = new WeakMap<ts.SourceFile, Map<string, ts.Expression[]>>();

/** `code = \`…\`` without any declaration (sloppy-mode implicit global): every `=`/`+=` to that name in the file. */
function globalAssignments(sf: ts.SourceFile, name: string): ts.Expression[] {
  let byName = globalAssignmentCache.get(sf);
  if (!byName) {
    const m = new Map<string, ts.Expression[]>();
    const visit = (n: ts.Node): void => {
      if (ts.isBinaryExpression(n) && ts.isIdentifier(n.left) && (n.operatorToken.kind === ts.SyntaxKind.EqualsToken || n.operatorToken.kind === ts.SyntaxKind.PlusEqualsToken) && !findDeclaration(n.left)) {
        const list = m.get(n.left.text) ?? [];
        list.push(n.right);
        m.set(n.left.text, list);
      }
      ts.forEachChild(n, visit);
    };
    visit(sf);
    globalAssignmentCache.set(sf, m);
    byName = m;
  }
  return byName.get(name) ?? [];
}

function implicitGlobalTaint(id: ts.Identifier, st: State): Taint | undefined {
  const assigns = globalAssignments(id.getSourceFile(), id.text);
  if (!assigns.length) return undefined;
  // Prefer the assignments made in the function that uses the name (each handler sets it before running it).
  const fn = enclosingFunction(id);
  const local = fn ? assigns.filter((a) => enclosingFunction(a) === fn) : [];
  return any(local.length ? local : assigns, st);
}

function declarationTaint(decl: Declaration, st: State): Taint | undefined {
  if (ts.isParameter(decl)) return parameterTaint(decl, st);
  if (ts.isVariableDeclaration(decl)) {
    if (ts.isCatchClause(decl.parent)) return catchTaint(decl.parent, st);
    if (decl.type && [ts.SyntaxKind.NumberKeyword, ts.SyntaxKind.BooleanKeyword].includes(decl.type.kind)) return undefined;
    const fromInit = decl.initializer ? forOfElement(decl, st) ?? evaluate(decl.initializer, st) : forOfElement(decl, st);
    return fromInit ?? any(assignmentsTo(decl), st) ?? any(memberWrites(decl), st);
  }
  if (ts.isBindingElement(decl)) return bindingElementTaint(decl, st);
  return undefined;
}

const memberWriteCache = new WeakMap<ts.VariableDeclaration, ts.Expression[]>();

/**
 * Values stored into a container the code built itself: `const args = []; args[1] = cmd; args.push(x)`,
 * `const q = {}; q.where = \`…${x}\``. Like the properties of an object literal, they make the whole container tainted.
 */
function memberWrites(decl: ts.VariableDeclaration): ts.Expression[] {
  const cached = memberWriteCache.get(decl);
  if (cached) return cached;
  const out: ts.Expression[] = [];
  const init = decl.initializer && unwrap(decl.initializer);
  if (init && (ts.isObjectLiteralExpression(init) || ts.isArrayLiteralExpression(init)) && ts.isIdentifier(decl.name)) {
    const name = decl.name.text;
    const isContainer = (target: ts.Expression): boolean => {
      const t = unwrap(target);
      return ts.isIdentifier(t) && t.text === name && findDeclaration(t) === decl;
    };
    const visit = (n: ts.Node): void => {
      if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken && (ts.isPropertyAccessExpression(n.left) || ts.isElementAccessExpression(n.left)) && isContainer(n.left.expression)) out.push(n.right);
      if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && /^(push|unshift)$/.test(n.expression.name.text) && isContainer(n.expression.expression)) out.push(...n.arguments);
      ts.forEachChild(n, visit);
    };
    visit(scopeOf(decl));
  }
  memberWriteCache.set(decl, out);
  return out;
}

/**
 * `catch (e)`: what the try block throws. A message built from request data (`throw new Error(\`bad user ${name}\`)`,
 * directly in the block or in a local function it calls) reaches whatever the handler does with `e`.
 */
function catchTaint(clause: ts.CatchClause, st: State): Taint | undefined {
  const { throws, calls } = thrownIn((clause.parent as ts.TryStatement).tryBlock);
  for (const thrown of throws) {
    const t = thrownValueTaint(thrown, { ...st, useSite: thrown });
    if (t) return t;
  }
  // One level into local functions called from the block, with their parameters bound to the arguments.
  for (const call of calls) {
    const fn = localFunction(call);
    if (!fn?.body || fn === enclosingFunction(clause)) continue;
    const bound = new Map<ts.ParameterDeclaration, Taint | undefined>(st.bound ?? []);
    fn.parameters.forEach((p, i) => bound.set(p, call.arguments[i] ? evaluate(call.arguments[i], st) : undefined));
    if (![...bound.values()].some(Boolean)) continue;
    for (const thrown of thrownIn(fn.body).throws) {
      const t = thrownValueTaint(thrown, { ...st, bound, useSite: thrown });
      if (t) return t;
    }
  }
  return undefined;
}

/** `new Error(msg)` / `new HttpError(400, msg)` carry their message; anything else thrown is the value itself. */
function thrownValueTaint(thrown: ts.Expression, st: State): Taint | undefined {
  const e = unwrap(thrown);
  if ((ts.isNewExpression(e) || ts.isCallExpression(e)) && /(Error|Exception)$/.test(memberName(e.expression) ?? "")) return any(e.arguments ?? [], st);
  return evaluate(e, st);
}

/** Throw statements and calls of a block that are not caught inside it (nested functions and inner try blocks with a catch excluded). */
function thrownIn(block: ts.Node): { throws: ts.Expression[]; calls: ts.CallExpression[] } {
  const throws: ts.Expression[] = [];
  const calls: ts.CallExpression[] = [];
  const visit = (n: ts.Node): void => {
    if (isFunctionLike(n)) return;
    if (ts.isThrowStatement(n) && n.expression) throws.push(n.expression);
    if (ts.isCallExpression(n)) calls.push(n);
    if (ts.isTryStatement(n) && n.catchClause) {
      visit(n.catchClause.block);
      if (n.finallyBlock) visit(n.finallyBlock);
      return;
    }
    ts.forEachChild(n, visit);
  };
  ts.forEachChild(block, visit);
  return { throws, calls };
}

/** `for (const x of req.body.items)`: the loop variable carries the iterable's taint. */
function forOfElement(decl: ts.VariableDeclaration, st: State): Taint | undefined {
  const list = decl.parent;
  const loop = list?.parent;
  if (loop && (ts.isForOfStatement(loop) || ts.isForInStatement(loop)) && loop.initializer === list) {
    if (ts.isForInStatement(loop)) return evaluate(loop.expression, st); // keys of a request object are client-controlled
    return evaluate(loop.expression, st);
  }
  return undefined;
}

function bindingElementTaint(el: ts.BindingElement, st: State): Taint | undefined {
  // Walk up to the declaration or parameter that owns the pattern, remembering the property path.
  const path: string[] = [];
  let node: ts.Node = el;
  while (ts.isBindingElement(node)) {
    const key = node.propertyName ? propertyNameText(node.propertyName) : ts.isIdentifier(node.name) ? node.name.text : undefined;
    path.unshift(key ?? "[]");
    node = node.parent.parent; // BindingElement → pattern → owner
  }
  if (el.initializer && !el.dotDotDotToken) {
    // default values do not add taint; the destructured value does
  }
  if (ts.isParameter(node)) {
    const role = parameterRole(node);
    if (role === "request" && REQUEST_FIELDS.has(path[0])) return { source: `req.${path.join(".")}` };
    if (role === "event" && path[0] && /body|queryStringParameters|pathParameters|headers/.test(path[0])) return { source: `event.${path.join(".")}` };
    if (role === "koa" && path[0] === "request") return { source: `ctx.${path.join(".")}` };
    if (role === "value") return { source: path.join(".") };
    if (role === "archive" && path.length === 1 && /^(path|name|fileName|entryName)$/.test(path[0])) return { source: `entry.${path[0]}` };
    return parameterTaint(node, st);
  }
  if (ts.isVariableDeclaration(node) && node.initializer) {
    const init = unwrap(node.initializer);
    // const { id } = req  → treat like req.id
    const direct = directSourceWithPath(init, path);
    if (direct) return { source: direct };
    const t = evaluate(node.initializer, st);
    // const { username } = req.body → "req.body.username": the field, not the whole object
    if (t && !el.dotDotDotToken && !path.includes("[]") && directSource(init) === t.source) return { source: `${t.source}.${path.join(".")}` };
    return t;
  }
  if (ts.isVariableDeclaration(node)) return forOfElement(node, st);
  return undefined;
}

function directSourceWithPath(init: ts.Expression, path: string[]): string | undefined {
  if (ts.isIdentifier(init) && path.length && REQUEST_FIELDS.has(path[0])) {
    const d = findDeclaration(init);
    if (d && ts.isParameter(d) && parameterRole(d) === "request") return `${init.text}.${path.join(".")}`;
    if (d && ts.isParameter(d) && parameterRole(d) === "koa" && path[0] === "request") return `${init.text}.${path.join(".")}`;
  }
  return undefined;
}

function parameterTaint(param: ts.ParameterDeclaration, st: State): Taint | undefined {
  if (st.bound?.has(param)) return st.bound.get(param);
  const role = parameterRole(param);
  if (role === "value") return { source: param.name.getText() };
  if (role) return undefined; // the request object itself is not a string; its fields are sources
  const fn = param.parent;
  if (!isFunctionLike(fn)) return undefined;
  const index = fn.parameters.indexOf(param);
  // Callback of an array method: (x) => … in tainted.map(x => …)
  const call = fn.parent && ts.isCallExpression(fn.parent) ? fn.parent : undefined;
  if (call && ELEMENT_CALLBACKS.has(memberName(call.expression) ?? "") && call.arguments[0] === fn) {
    const recv = receiverOf(call);
    if (recv && index <= 1) return evaluate(recv, st);
  }
  // A local function: tainted when some call site in the file passes tainted data in this position.
  for (const site of callSitesOf(fn)) {
    const arg = site.arguments?.[index];
    if (arg) {
      const t = evaluate(arg, { ...st, useSite: arg });
      if (t) return t;
    }
  }
  return undefined;
}

const callSiteCache = new WeakMap<ts.Node, (ts.CallExpression | ts.NewExpression)[]>();

/** Calls of a locally declared function or method, by name, within its file. */
function callSitesOf(fn: ts.FunctionLikeDeclaration): (ts.CallExpression | ts.NewExpression)[] {
  const cached = callSiteCache.get(fn);
  if (cached) return cached;
  let name: string | undefined;
  if (fn.name && (ts.isIdentifier(fn.name) || ts.isPrivateIdentifier(fn.name))) name = fn.name.text;
  else if (ts.isVariableDeclaration(fn.parent) && ts.isIdentifier(fn.parent.name)) name = fn.parent.name.text;
  else if (ts.isPropertyAssignment(fn.parent)) name = propertyNameText(fn.parent.name);
  const out = name ? callsByName(fn.getSourceFile()).get(name) ?? [] : [];
  callSiteCache.set(fn, out);
  return out;
}

const callsByNameCache = new WeakMap<ts.SourceFile, Map<string, (ts.CallExpression | ts.NewExpression)[]>>();

/** Every call and `new` of a file grouped by callee name, in source order: one walk per file instead of one per function asked about. */
function callsByName(sf: ts.SourceFile): Map<string, (ts.CallExpression | ts.NewExpression)[]> {
  let byName = callsByNameCache.get(sf);
  if (byName) return byName;
  const m = new Map<string, (ts.CallExpression | ts.NewExpression)[]>();
  const visit = (n: ts.Node): void => {
    if (ts.isCallExpression(n) || ts.isNewExpression(n)) {
      const callee = memberName(n.expression);
      if (callee !== undefined) {
        const list = m.get(callee);
        if (list) list.push(n);
        else m.set(callee, [n]);
      }
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  callsByNameCache.set(sf, (byName = m));
  return byName;
}

/** Sinks encodeURI does nothing for: it keeps `://`, `/` and `..`, so the whole URL or path passes through unchanged. */
const ENCODE_URI_KEEPS = new Set<SinkKind>(["url", "redirect", "path"]);

function isSanitizerName(name: string, kind: SinkKind): boolean {
  if (name === "encodeURI" && ENCODE_URI_KEEPS.has(kind)) return false;
  return SANITIZERS[kind].test(name) || GENERIC_SANITIZER.test(name);
}

/** `.replace(/[\r\n]/g, "")`, `.replace(/[^a-z0-9]/gi, "")`: a replace that strips the dangerous characters. */
function isNeutralizingReplace(call: ts.CallExpression, kind: SinkKind): boolean {
  const name = memberName(call.expression);
  if (name !== "replace" && name !== "replaceAll") return false;
  const pattern = call.arguments[0];
  if (!pattern || !ts.isRegularExpressionLiteral(pattern)) return false;
  const re = pattern.text;
  if (/\[\^[\w\\-]*\]/.test(re)) return true; // negated allow-list class: keeps only safe characters
  if (kind === "log" && /\\n|\\r/.test(re)) return true;
  // /^(\.\.(\/|\\|$))+/: strips every leading `../` (anchored, repeated), not a single occurrence
  if (kind === "path" && /^\/\^\(/.test(re) && /\.\./.test(re.replace(/\\\./g, ".")) && /\)\+\/[gimsuy]*$/.test(re)) return true;
  if (kind === "path" && /\.\./.test(re.replace(/\\\./g, "."))) return false; // stripping "../" once is bypassable
  if (kind === "regex" && /\\\$&|\$&/.test(call.arguments[1]?.getText() ?? "")) return true;
  if (kind === "html" && /[<>&"']/.test(re)) return true;
  return false;
}

function callTaint(call: ts.CallExpression | ts.NewExpression, st: State): Taint | undefined {
  const name = memberName(call.expression);
  const args = call.arguments ?? [];
  if (!name) return ts.isCallExpression(call) ? evaluate(call.expression, st) : undefined;
  if (NUMERIC.has(name) || /^(is[A-Z]|to(Int|Float|Number|Boolean|Date)$)/.test(name)) return undefined;
  const recv = receiverOf(call);
  if (recv && ts.isIdentifier(recv) && recv.text === "Math") return undefined;
  if (isSanitizerName(name, st.kind)) return undefined;
  if (ts.isCallExpression(call) && isNeutralizingReplace(call, st.kind)) return undefined;
  // Schema validation: zod/joi/yup/valibot/class-validator return a checked value.
  if (/^(parse|safeParse|parseAsync|validate|validateSync|validateAsync|cast|assert|check|plainToInstance|plainToClass)$/.test(name) && recv && !/^(JSON|url|URL|path|qs|querystring|Date|Number|yaml|YAML)$/.test(recv.getText())) return undefined;
  if (recv && NON_STRING_METHODS.has(name)) return undefined;

  // Methods on a tainted receiver keep the taint: req.query.q.trim(), name.toLowerCase(), parts.join("/").
  if (recv) {
    const t = evaluate(recv, st);
    if (t) return t;
  }
  // Well-known functions that pass their input through.
  if (PROPAGATORS.has(name)) {
    const t = any(args, st);
    if (t) return t;
  }
  // Local functions: tainted when a return depends on a tainted argument.
  const local = localFunction(call);
  if (local) return returnTaint(local, args, st);
  return undefined;
}

function localFunction(call: ts.CallExpression | ts.NewExpression): ts.FunctionLikeDeclaration | undefined {
  const callee = unwrap(call.expression);
  if (ts.isIdentifier(callee)) return functionOfDeclaration(findDeclaration(callee));
  if (ts.isPropertyAccessExpression(callee) && callee.expression.kind === ts.SyntaxKind.ThisKeyword) {
    const cls = callee.parent && findClass(callee);
    const m = cls?.members.find((m) => ts.isMethodDeclaration(m) && m.name.getText() === callee.name.text);
    return m && ts.isMethodDeclaration(m) ? m : undefined;
  }
  return undefined;
}

function findClass(n: ts.Node): ts.ClassLikeDeclaration | undefined {
  for (let p = n.parent; p; p = p.parent) if (ts.isClassDeclaration(p) || ts.isClassExpression(p)) return p;
  return undefined;
}

function returnTaint(fn: ts.FunctionLikeDeclaration, args: readonly ts.Expression[], st: State): Taint | undefined {
  if (!fn.body) return undefined;
  const bound = new Map<ts.ParameterDeclaration, Taint | undefined>(st.bound ?? []);
  fn.parameters.forEach((p, i) => bound.set(p, args[i] ? evaluate(args[i], st) : undefined));
  const inner: State = { ...st, bound };
  if (!ts.isBlock(fn.body)) return evaluate(fn.body, { ...inner, useSite: fn.body });
  const returns: ts.Expression[] = [];
  const visit = (n: ts.Node): void => {
    if (isFunctionLike(n)) return;
    if (ts.isReturnStatement(n) && n.expression) returns.push(n.expression);
    ts.forEachChild(n, visit);
  };
  ts.forEachChild(fn.body, visit);
  for (const r of returns) {
    const t = evaluate(r, { ...inner, useSite: r });
    if (t) return t;
  }
  return undefined;
}

/** True when the expression is a string literal or built only from literals. */
export function isConstantString(expr: ts.Expression): boolean {
  const e = unwrap(expr);
  if (stringValue(e) !== undefined) return true;
  if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.PlusToken) return isConstantString(e.left) && isConstantString(e.right);
  return false;
}
