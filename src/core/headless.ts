import { ts } from "ts-morph";
import { memberName, objectProperty, stringValue, unwrap, walk } from "./ast.js";
import type { ImportTable } from "./imports.js";
import { assignmentsTo, findDeclaration } from "./scope.js";
import { parameterInput } from "./sinks-injection.js";
import { directSource, isRequestObject } from "./sources.js";
import { isGuarded } from "./guards.js";
import { targetIsFixed } from "./urls.js";
import { isNumericLike } from "./values.js";

/**
 * Sinks that are dangerous to feed with anything but a constant: headless-browser navigation, page HTML and page
 * script (puppeteer, playwright, phantom, chrome-remote-interface, wkhtmltopdf). A value that is not traced to a
 * request source but is not fixed by the code either (a parameter, an opaque global call) still decides where the
 * server's browser goes or what it runs, so it is worth a (weaker) finding there — and only there: HTTP clients and
 * file paths fed by parameters are everywhere in real code.
 */

export const BROWSER_MODULES = ["puppeteer", "puppeteer-core", "puppeteer-extra", "playwright", "playwright-core", "@playwright/test", "playwright-chromium", "playwright-firefox", "playwright-webkit", "chrome-aws-lambda", "@sparticuz/chromium", "phantom", "node-horseman"];
export const CDP_MODULES = ["chrome-remote-interface"];

/** How the sink reads the value: a URL (a code-fixed host makes the rest harmless) or code/HTML (any spliced part counts). */
export type ValueShape = "url" | "code";

/** Names whose values are chosen by whoever deploys the code: `process.env.X`, `config.url`, `settings.baseUrl`. */
const CONFIG_ROOT = /^(process|config|conf|cfg|configs|configuration|settings|env|environment|\w+Config|\w+Settings|\w+Env)$/;
const CONSTANT_GLOBALS = new Set(["__dirname", "__filename", "undefined", "NaN", "Infinity"]);
/** Global functions whose result is as constant as their arguments. */
const PASS_THROUGH_CALLS = new Set(["String", "encodeURI", "encodeURIComponent", "decodeURI", "decodeURIComponent"]);
/** String methods that keep the caller's text (`input.trim()`). */
const STRING_METHODS = /^(trim\w*|toLowerCase|toUpperCase|concat|slice|substring|substr|replace|replaceAll|padStart|padEnd|toString|normalize)$/;
/** Request fields that the server itself decides (`req.protocol`) or that hold app configuration (`req.app`). */
const SERVER_REQUEST_FIELDS = /^(app|protocol|secure|method)$/;
const MAX_DEPTH = 8;

/**
 * When a value is not fixed by the code, a short name of the part that is not (a parameter, an undeclared global
 * call, a request field taint does not model); undefined for literals, constants through variables, config/env values,
 * `JSON.stringify`'d data spliced into code, URLs whose host the code fixes, and values this cannot see into
 * (method results, imported helpers, `this.*`) — a miss costs less than a finding on safe code.
 */
export function nonConstantPart(expr: ts.Expression | undefined, shape: ValueShape, imports: ImportTable): string | undefined {
  if (!expr) return undefined;
  return new Walker(shape, imports).value(expr, 0);
}

class Walker {
  private readonly seen = new Set<ts.Node>();
  constructor(private readonly shape: ValueShape, private readonly imports: ImportTable) {}

  value(expr: ts.Expression, depth: number): string | undefined {
    let e = unwrap(expr);
    while (ts.isAwaitExpression(e)) e = unwrap(e.expression);
    if (depth > MAX_DEPTH || this.seen.has(e)) return undefined;
    this.seen.add(e);
    if (stringValue(e) !== undefined || ts.isNumericLiteral(e) || isNumericLike(e)) return undefined;
    if (ts.isTemplateExpression(e) || (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.PlusToken)) return this.built(e, depth);
    if (ts.isBinaryExpression(e) && [ts.SyntaxKind.BarBarToken, ts.SyntaxKind.QuestionQuestionToken].includes(e.operatorToken.kind)) return this.value(e.left, depth + 1) ?? this.value(e.right, depth + 1);
    if (ts.isConditionalExpression(e)) return this.value(e.whenTrue, depth + 1) ?? this.value(e.whenFalse, depth + 1);
    if (ts.isIdentifier(e)) return this.identifier(e, depth);
    if (ts.isPropertyAccessExpression(e) || ts.isElementAccessExpression(e)) return this.member(e, depth);
    if (ts.isCallExpression(e)) return this.call(e, depth);
    if (ts.isNewExpression(e) && memberName(e.expression) === "URL" && e.arguments?.length) {
      // new URL("/x/" + id, base): a relative path cannot leave the base's origin
      const [rel, base] = e.arguments;
      if (base && /^\/[^/\\]/.test(this.literalHead(rel))) return this.value(base, depth + 1);
      return this.value(rel, depth + 1) ?? (base ? this.value(base, depth + 1) : undefined);
    }
    return undefined;
  }

  /** Templates and `+` chains: for a URL, only the parts before the host is fixed matter. */
  private built(e: ts.Expression, depth: number): string | undefined {
    let before = "";
    for (const piece of flatten(e)) {
      if (typeof piece === "string") {
        before += piece;
        continue;
      }
      if (this.shape === "code" && isSerializedData(piece)) continue;
      const part = this.value(piece, depth + 1);
      if (!part) {
        before += "\0";
        continue;
      }
      return this.shape === "url" && targetIsFixed(before, "request") ? undefined : part;
    }
    return undefined;
  }

  private literalHead(expr: ts.Expression): string {
    const first = flatten(unwrap(expr))[0];
    return typeof first === "string" ? first : "";
  }

  private identifier(id: ts.Identifier, depth: number): string | undefined {
    if (CONSTANT_GLOBALS.has(id.text) || /^[A-Z][A-Z0-9_]*$/.test(id.text)) return undefined;
    const d = findDeclaration(id);
    if (!d) return undefined; // imported bindings and globals: module-level values this cannot see
    if (ts.isParameter(d) || ts.isBindingElement(d)) return parameterInput(id);
    if (!ts.isVariableDeclaration(d)) return undefined;
    const loop = d.parent?.parent;
    if (loop && ts.isForOfStatement(loop) && loop.initializer === d.parent) return this.value(loop.expression, depth + 1);
    if (!ts.isIdentifier(d.name) || isGuarded(id.text, id, d)) return undefined;
    for (const v of [...(d.initializer ? [d.initializer] : []), ...assignmentsTo(d)]) {
      const part = this.value(v, depth + 1);
      if (part) return part;
    }
    return undefined;
  }

  private member(e: ts.PropertyAccessExpression | ts.ElementAccessExpression, depth: number): string | undefined {
    const text = e.getText();
    if (/^[A-Z][A-Z0-9_]*(\.[A-Za-z0-9_]+)*$/.test(text)) return undefined;
    const field = memberName(e);
    if (field && ["length", "size"].includes(field)) return undefined;
    const root = rootOf(e);
    if (!root || root.kind === ts.SyntaxKind.ThisKeyword) return undefined;
    if (ts.isIdentifier(root) && CONFIG_ROOT.test(root.text)) return undefined;
    const recv = unwrap(e.expression);
    const reqField = requestField(e);
    if (reqField !== undefined) {
      // Fields the taint engine models (req.query.x) keep its verdict: unless sanitized or allow-listed it already reported.
      if (directSource(e) !== undefined || SERVER_REQUEST_FIELDS.test(reqField)) return undefined;
      return short(text); // req.foo, req.user.website: not chosen by the code
    }
    // const opts = { url: "https://…" }; page.goto(opts.url)
    if (ts.isIdentifier(recv) && field) {
      const d = findDeclaration(recv);
      const init = d && ts.isVariableDeclaration(d) && d.initializer ? unwrap(d.initializer) : undefined;
      if (init && ts.isObjectLiteralExpression(init)) {
        const v = objectProperty(init, field);
        return v ? this.value(v, depth + 1) : undefined;
      }
    }
    return this.value(recv, depth + 1) ? short(text) : undefined;
  }

  private call(e: ts.CallExpression, depth: number): string | undefined {
    const callee = unwrap(e.expression);
    const name = memberName(callee) ?? "";
    if (ts.isPropertyAccessExpression(callee) && STRING_METHODS.test(name)) {
      return this.value(callee.expression, depth + 1) ?? (name === "concat" ? e.arguments.map((a) => this.value(a, depth + 1)).find(Boolean) : undefined);
    }
    if (!ts.isIdentifier(callee)) return undefined; // method results (render(), readFileSync(), config.get()) are opaque
    if (PASS_THROUGH_CALLS.has(callee.text)) return e.arguments[0] ? this.value(e.arguments[0], depth + 1) : undefined;
    // A function no code in the file declares or imports: its result is input this file cannot see (`input()`).
    if (!findDeclaration(callee) && !this.imports.bindings.has(callee.text) && !isKnownGlobal(callee.text)) return `${callee.text}()`;
    return undefined;
  }
}

/** Literal text and spliced expressions of a template or `+` chain, in order. */
function flatten(expr: ts.Expression): (string | ts.Expression)[] {
  const e = unwrap(expr);
  const s = stringValue(e);
  if (s !== undefined) return [s];
  if (ts.isTemplateExpression(e)) return [e.head.text, ...e.templateSpans.flatMap((sp) => [sp.expression, sp.literal.text])];
  if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.PlusToken) return [...flatten(e.left), ...flatten(e.right)];
  return [e];
}

/** `JSON.stringify(x)` spliced into script text is a JS literal: data, not code. */
function isSerializedData(expr: ts.Expression): boolean {
  const e = unwrap(expr);
  return ts.isCallExpression(e) && e.expression.getText() === "JSON.stringify";
}

/** `req.foo.bar` → "foo": the field read from a request object, or undefined when the chain does not start at one. */
function requestField(expr: ts.Expression): string | undefined {
  let e = unwrap(expr);
  while (ts.isPropertyAccessExpression(e) || ts.isElementAccessExpression(e) || ts.isCallExpression(e)) {
    const inner = unwrap(e.expression);
    if (!ts.isCallExpression(e) && isRequestObject(inner)) return memberName(e) ?? "[]";
    e = inner;
  }
  return undefined;
}

function rootOf(expr: ts.Expression): ts.Expression | undefined {
  let e = unwrap(expr);
  while (ts.isPropertyAccessExpression(e) || ts.isElementAccessExpression(e) || ts.isCallExpression(e)) e = unwrap(e.expression);
  return ts.isIdentifier(e) || e.kind === ts.SyntaxKind.ThisKeyword ? e : undefined;
}

const short = (text: string): string => (text.length > 40 ? text.slice(0, 40) + "…" : text);

/** Runtime and platform globals: calling them is not reading unseen input. */
function isKnownGlobal(name: string): boolean {
  return name in globalThis || name === "require"; // require is module-scoped, not a property of globalThis
}

/**
 * `page.evaluate((u) => fetch(u), value)`: is the page-side parameter that receives argument `index` used where it
 * makes the page request or run something (fetch/open/import/eval, location/src/href/innerHTML assignment, document.write)?
 */
export function pageSideUses(fn: ts.FunctionLikeDeclaration, index: number): boolean {
  const p = fn.parameters[index];
  if (!p || !ts.isIdentifier(p.name) || !fn.body) return false;
  const name = p.name.text;
  const mentions = (n: ts.Node): boolean => {
    if (ts.isIdentifier(n) && n.text === name) return true;
    let hit = false;
    walk(n, (c) => {
      if (ts.isIdentifier(c) && c.text === name) hit = true;
      return !hit;
    });
    return hit;
  };
  let used = false;
  walk(fn, (n) => {
    if ((ts.isCallExpression(n) || ts.isNewExpression(n)) && /^(fetch|open|eval|Function|sendBeacon|WebSocket|EventSource|write|writeln|importScripts|setTimeout|setInterval)$/.test(memberName(n.expression) ?? "") && n.arguments?.some(mentions)) used = true;
    else if (ts.isCallExpression(n) && n.expression.kind === ts.SyntaxKind.ImportKeyword && n.arguments.some(mentions)) used = true;
    else if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken && /^(location|href|src|innerHTML|outerHTML|action)$/.test(memberName(n.left) ?? "") && mentions(n.right)) used = true;
    return !used;
  });
  return used;
}
