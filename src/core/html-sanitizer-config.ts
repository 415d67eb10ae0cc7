import { ts } from "ts-morph";
import { isBooleanLiteral, isFunctionLike, memberName, propertyNameText, stringValue, unwrap } from "./ast.js";
import type { ImportTable } from "./imports.js";
import { assignmentsTo, findDeclaration } from "./scope.js";

/**
 * HTML sanitizers (DOMPurify, sanitize-html, js-xss) configured so that script gets through: a tag that runs or
 * loads code allowed, event-handler attributes allowed, `javascript:` URLs no longer checked. Their output is then
 * trusted as safe HTML, so the weakened option is the XSS.
 *
 * Only options that let script through count. Options that merely widen the markup (iframes for video embeds,
 * `form`, `svg`, `style` in DOMPurify — all but iframe are in its default allow-list) are left alone.
 */

/** Tags that run or load code, or re-point the page's own resources (`<base>` moves every relative script). */
const CODE_TAGS = new Set(["script", "object", "embed", "applet", "base", "meta", "link", "frame", "frameset"]);
/** sanitize-html itself warns that allowing `script` or `style` is "inherently vulnerable to XSS". */
const SANITIZE_HTML_VULNERABLE = new Set([...CODE_TAGS, "style"]);
/** Attributes holding a URL that DOMPurify checks for `javascript:` unless told they are "URI safe". */
const URI_ATTRIBUTES = new Set(["href", "src", "action", "formaction", "xlink:href", "data", "poster", "background", "codebase", "srcset"]);
const EVENT_HANDLER = /^on[a-z]+$/i;
const SCRIPT_SCHEMES = /^(javascript|vbscript)$/i;

const DOMPURIFY_MODULES = new Set(["dompurify", "isomorphic-dompurify", "dompurify-node"]);

/** An object literal, inline or in a variable that is never reassigned (a reassigned one may hold the safe value). */
export function stableObjectLiteral(expr: ts.Expression | undefined, depth = 0): ts.ObjectLiteralExpression | undefined {
  if (!expr || depth > 4) return undefined;
  const e = unwrap(expr);
  if (ts.isObjectLiteralExpression(e)) return e;
  if (!ts.isIdentifier(e)) return undefined;
  const d = findDeclaration(e);
  if (!d || !ts.isVariableDeclaration(d) || !d.initializer || assignmentsTo(d).length) return undefined;
  return stableObjectLiteral(d.initializer, depth + 1);
}

/** The value of option `name` (last one wins; spreads of other stable literals are looked into). */
export function stableOption(obj: ts.ObjectLiteralExpression | undefined, name: string, depth = 0): ts.Expression | undefined {
  if (!obj || depth > 3) return undefined;
  for (let i = obj.properties.length - 1; i >= 0; i--) {
    const p = obj.properties[i];
    if (ts.isPropertyAssignment(p) && propertyNameText(p.name) === name) return p.initializer;
    if (ts.isShorthandPropertyAssignment(p) && p.name.text === name) return p.name;
    if (ts.isSpreadAssignment(p)) {
      const inner = stableOption(stableObjectLiteral(p.expression), name, depth + 1);
      if (inner) return inner;
    }
  }
  return undefined;
}

/** The strings a list option is built from: `['a', 'b']`, `[...defaults, 'a']`, `defaults.concat(['a'])`, a const holding one. */
function listedStrings(expr: ts.Expression | undefined, depth = 0): string[] {
  if (!expr || depth > 4) return [];
  const e = unwrap(expr);
  if (ts.isArrayLiteralExpression(e)) {
    return e.elements.flatMap((el) => (ts.isSpreadElement(el) ? listedStrings(el.expression, depth + 1) : stringValue(el) !== undefined ? [stringValue(el)!] : []));
  }
  if (ts.isCallExpression(e) && memberName(e.expression) === "concat" && ts.isPropertyAccessExpression(unwrap(e.expression))) {
    const recv = (unwrap(e.expression) as ts.PropertyAccessExpression).expression;
    return [recv, ...e.arguments].flatMap((a) => (stringValue(a) !== undefined ? [stringValue(a)!] : listedStrings(a, depth + 1)));
  }
  if (ts.isIdentifier(e)) {
    const d = findDeclaration(e);
    if (d && ts.isVariableDeclaration(d) && d.initializer && !assignmentsTo(d).length) return listedStrings(d.initializer, depth + 1);
  }
  return [];
}

const quoteAll = (names: string[]): string => names.map((n) => `'${n}'`).join(", ");

/** `(a, b, value) => value` (or a name declared as such a function): a hook that hands back its argument `index` unchanged, i.e. does nothing. */
export function returnsParameter(expr: ts.Expression | undefined, index: number): boolean {
  const f = expr && resolveFunction(expr);
  if (!f?.body || f.parameters.length <= index) return false;
  const param = f.parameters[index].name;
  if (!ts.isIdentifier(param)) return false;
  let body: ts.Node = f.body;
  if (ts.isBlock(body)) {
    if (body.statements.length !== 1 || !ts.isReturnStatement(body.statements[0]) || !body.statements[0].expression) return false;
    body = body.statements[0].expression;
  }
  let r = unwrap(body as ts.Expression);
  if (ts.isCallExpression(r) && r.expression.getText() === "String" && r.arguments.length === 1) r = unwrap(r.arguments[0]);
  return ts.isIdentifier(r) && r.text === param.text;
}

/** A function expression, or the function a never-reassigned name is declared as. */
function resolveFunction(expr: ts.Expression): ts.FunctionLikeDeclaration | undefined {
  const e = unwrap(expr);
  if (ts.isArrowFunction(e) || ts.isFunctionExpression(e)) return e;
  if (!ts.isIdentifier(e)) return undefined;
  const d = findDeclaration(e);
  if (d && ts.isFunctionDeclaration(d)) return d;
  if (d && ts.isVariableDeclaration(d) && d.initializer && !assignmentsTo(d).length) {
    const init = unwrap(d.initializer);
    if (isFunctionLike(init)) return init;
  }
  return undefined;
}

/** DOMPurify options that let script through. */
function domPurifyProblems(opts: ts.ObjectLiteralExpression): string[] {
  const out: string[] = [];
  // FORBID_TAGS / FORBID_ATTR win over the allow-lists.
  const forbiddenTags = new Set(listedStrings(stableOption(opts, "FORBID_TAGS")).map((t) => t.toLowerCase()));
  const forbiddenAttrs = new Set(listedStrings(stableOption(opts, "FORBID_ATTR")).map((a) => a.toLowerCase()));
  for (const key of ["ADD_TAGS", "ALLOWED_TAGS"]) {
    const bad = listedStrings(stableOption(opts, key)).filter((t) => CODE_TAGS.has(t.toLowerCase()) && !forbiddenTags.has(t.toLowerCase()));
    if (bad.length) out.push(`${quoteAll(bad)} in ${key}`);
  }
  for (const key of ["ADD_ATTR", "ALLOWED_ATTR"]) {
    const bad = listedStrings(stableOption(opts, key)).filter((a) => EVENT_HANDLER.test(a) && !forbiddenAttrs.has(a.toLowerCase()));
    if (bad.length) out.push(`event handler ${quoteAll(bad)} in ${key}`);
  }
  const uriSafe = listedStrings(stableOption(opts, "ADD_URI_SAFE_ATTR")).filter((a) => URI_ATTRIBUTES.has(a.toLowerCase()));
  if (uriSafe.length) out.push(`${quoteAll(uriSafe)} in ADD_URI_SAFE_ATTR (its URLs are no longer checked for \`javascript:\`)`);
  if (isBooleanLiteral(stableOption(opts, "ALLOW_UNKNOWN_PROTOCOLS"), true)) out.push("ALLOW_UNKNOWN_PROTOCOLS: true");
  if (isBooleanLiteral(stableOption(opts, "SAFE_FOR_XML"), false)) out.push("SAFE_FOR_XML: false");
  if (isBooleanLiteral(stableOption(opts, "SANITIZE_DOM"), false)) out.push("SANITIZE_DOM: false");
  const uriRegexp = stableOption(opts, "ALLOWED_URI_REGEXP");
  if (uriRegexp && ts.isRegularExpressionLiteral(unwrap(uriRegexp))) {
    const source = (unwrap(uriRegexp) as ts.RegularExpressionLiteral).text.replace(/^\/|\/[a-z]*$/g, "");
    if (!source.startsWith("^")) out.push("ALLOWED_URI_REGEXP without a `^` anchor (`javascript:alert(1)//https://…` matches)");
  }
  return out;
}

/** sanitize-html options that let script through. */
function sanitizeHtmlProblems(opts: ts.ObjectLiteralExpression): string[] {
  const out: string[] = [];
  const tags = stableOption(opts, "allowedTags");
  const noTags = tags && ts.isArrayLiteralExpression(unwrap(tags)) && (unwrap(tags) as ts.ArrayLiteralExpression).elements.length === 0;
  if (isBooleanLiteral(tags, false)) out.push("allowedTags: false (every tag, `<script>` included)");
  const bad = listedStrings(tags).filter((t) => SANITIZE_HTML_VULNERABLE.has(t.toLowerCase()));
  if (bad.length) out.push(`${quoteAll(bad)} in allowedTags`);
  const attrs = stableOption(opts, "allowedAttributes");
  if (isBooleanLiteral(attrs, false) && !noTags) out.push("allowedAttributes: false (every attribute, `onerror` included)");
  const attrObj = stableObjectLiteral(attrs);
  if (attrObj && !noTags) {
    const handlers = attrObj.properties.flatMap((p) => (ts.isPropertyAssignment(p) ? listedStrings(p.initializer) : [])).filter((a) => EVENT_HANDLER.test(a) || a === "*" || /^on\*$/i.test(a));
    if (handlers.length) out.push(`event-handler attributes ${quoteAll([...new Set(handlers)])} in allowedAttributes`);
  }
  const schemes = listedStrings(stableOption(opts, "allowedSchemes")).filter((s) => SCRIPT_SCHEMES.test(s));
  const byTag = stableObjectLiteral(stableOption(opts, "allowedSchemesByTag"));
  if (byTag) for (const p of byTag.properties) if (ts.isPropertyAssignment(p)) schemes.push(...listedStrings(p.initializer).filter((s) => SCRIPT_SCHEMES.test(s)));
  if (schemes.length) out.push(`the ${quoteAll([...new Set(schemes)])} URL scheme allowed`);
  return out;
}

/** js-xss (`xss`, `filterXSS`, `new FilterXSS`) options that let script through. */
function jsXssProblems(opts: ts.ObjectLiteralExpression): string[] {
  const out: string[] = [];
  const list = stableObjectLiteral(stableOption(opts, "whiteList") ?? stableOption(opts, "allowList"));
  if (list) {
    const tags: string[] = [];
    const handlers: string[] = [];
    for (const p of list.properties) {
      if (!ts.isPropertyAssignment(p) && !ts.isShorthandPropertyAssignment(p)) continue;
      const tag = propertyNameText(p.name) ?? "";
      if (CODE_TAGS.has(tag.toLowerCase())) tags.push(tag);
      if (ts.isPropertyAssignment(p)) handlers.push(...listedStrings(p.initializer).filter((a) => EVENT_HANDLER.test(a)));
    }
    if (tags.length) out.push(`${quoteAll(tags)} in whiteList`);
    if (handlers.length) out.push(`event handler ${quoteAll([...new Set(handlers)])} in whiteList`);
  }
  if (returnsParameter(stableOption(opts, "escapeHtml"), 0)) out.push("an `escapeHtml` that escapes nothing (tags outside the whitelist pass as they are)");
  if (returnsParameter(stableOption(opts, "safeAttrValue"), 2)) out.push("a `safeAttrValue` that returns the value unchecked (`javascript:` URLs pass)");
  if (returnsParameter(stableOption(opts, "onIgnoreTag"), 1)) out.push("an `onIgnoreTag` that keeps the tag as it is");
  return out;
}

type Library = "DOMPurify" | "sanitize-html" | "js-xss";

/** Which sanitizer `call` configures, and its options argument. */
function sanitizerCall(call: ts.CallExpression | ts.NewExpression, imports: ImportTable): { library: Library; options: ts.Expression | undefined } | undefined {
  const args: readonly ts.Expression[] = call.arguments ?? [];
  const r = imports.resolveCall(call);
  const mod = r?.module;
  if (mod && DOMPURIFY_MODULES.has(mod) || !mod && isGlobalDomPurify(call)) {
    if (r?.name === "sanitize" && ts.isCallExpression(call)) return { library: "DOMPurify", options: args[1] };
    if (r?.name === "setConfig" && ts.isCallExpression(call)) return { library: "DOMPurify", options: args[0] };
    return undefined;
  }
  // The module itself is the function: `sanitizeHtml(dirty, opts)`, `xss(html, opts)`.
  const callee = unwrap(call.expression);
  const bound = ts.isIdentifier(callee) ? imports.bindings.get(callee.text) : undefined;
  const direct = ts.isCallExpression(call) && !!bound && !bound.instance && (bound.path.length === 0 || bound.path.length === 1 && bound.path[0] === "default");
  if (mod === "sanitize-html" && direct) return { library: "sanitize-html", options: args[1] };
  if (mod === "xss") {
    if (ts.isNewExpression(call) && r!.name === "FilterXSS") return { library: "js-xss", options: args[0] };
    if (ts.isCallExpression(call) && (direct || r!.name === "filterXSS")) return { library: "js-xss", options: args[1] };
  }
  return undefined;
}

/** `DOMPurify.sanitize(...)` with DOMPurify a page global (loaded by a script tag). */
function isGlobalDomPurify(call: ts.CallExpression | ts.NewExpression): boolean {
  const callee = unwrap(call.expression);
  if (!ts.isPropertyAccessExpression(callee)) return false;
  const recv = unwrap(callee.expression);
  return ts.isIdentifier(recv) && recv.text === "DOMPurify" && !findDeclaration(recv);
}

/** What is wrong with a sanitizer call's configuration, or undefined when it is not a sanitizer call / is fine. */
export function weakSanitizerConfig(call: ts.CallExpression | ts.NewExpression, imports: ImportTable): { library: Library; problems: string[] } | undefined {
  const s = sanitizerCall(call, imports);
  const opts = s && stableObjectLiteral(s.options);
  if (!s || !opts) return undefined;
  const problems = s.library === "DOMPurify" ? domPurifyProblems(opts) : s.library === "sanitize-html" ? sanitizeHtmlProblems(opts) : jsXssProblems(opts);
  return problems.length ? { library: s.library, problems } : undefined;
}
