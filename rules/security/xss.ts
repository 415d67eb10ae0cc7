import { ts } from "ts-morph";
import { defineRule } from "../../src/core/rule.js";
import { enclosingFunction, isFunctionLike, literalPrefix, literalSkeleton, memberName, objectProperty, propertyNameText, receiverOf, stringValue, unwrap, walkSameFunction } from "../../src/core/ast.js";
import { findDeclaration } from "../../src/core/scope.js";
import { identifierRole, parameterRole } from "../../src/core/sources.js";
import { skeletonOf } from "../../src/core/strings.js";
import { type Taint, taintOf } from "../../src/core/taint.js";

const SEND_METHODS = new Set(["send", "write", "end"]);
const RESPONSE_NAMES = /^(res|response|resp|reply|rep|rsp|httpResponse|serverResponse|out)$/;
const TYPE_SETTERS = new Set(["type", "contentType", "header", "set", "setHeader", "headers", "writeHead", "append"]);
const ROUTE_DECORATORS = new Set(["Get", "Post", "Put", "Patch", "Delete", "All", "Options", "Head"]);
/** Sources that are whole parsed objects: Express/Koa send them as JSON. */
const WHOLE_OBJECT = /^(\w+)\.(body|query|params|cookies|signedCookies|headers|files)$|^(\w+)\.request\.(body|query)$/;
const HTML_TAG = /<\s*[a-zA-Z!/]/;

type CT = "html" | "other" | undefined;

function contentTypeOf(value: ts.Expression | undefined): CT {
  const v = stringValue(value);
  if (v === undefined) return undefined;
  return /html|svg|xml|^htm$/i.test(v) ? "html" : "other";
}

/** The content type a `res.type()/set()/setHeader()/writeHead()` call sets, if it sets one. */
function typeSetBy(call: ts.CallExpression): CT {
  const name = memberName(call.expression);
  if (!name || !TYPE_SETTERS.has(name)) return undefined;
  const [a, b] = call.arguments;
  if (name === "type" || name === "contentType") return contentTypeOf(a);
  const key = stringValue(a);
  if (key !== undefined && /^content-type$/i.test(key)) return contentTypeOf(b);
  for (const obj of call.arguments) {
    const o = unwrap(obj);
    if (!ts.isObjectLiteralExpression(o)) continue;
    for (const p of o.properties) if (ts.isPropertyAssignment(p) && /^content-type$/i.test(propertyNameText(p.name) ?? "")) return contentTypeOf(p.initializer);
  }
  return undefined;
}

/** `res` in `res.status(200).type("html").send(x)`, plus the content types set along the chain. */
function responseRoot(call: ts.CallExpression): { root: ts.Identifier; chainType: CT } | undefined {
  let chainType: CT;
  let e = receiverOf(call);
  while (e) {
    const u = unwrap(e);
    if (ts.isIdentifier(u)) return { root: u, chainType };
    if (ts.isCallExpression(u)) {
      chainType ??= typeSetBy(u);
      e = receiverOf(u);
    } else if (ts.isPropertyAccessExpression(u) && ts.isIdentifier(u.expression) && /^(res|response)$/.test(u.name.text)) {
      return { root: u.expression, chainType }; // ctx.res.end(...)
    } else return undefined;
  }
  return undefined;
}

type Kind = "express" | "fastify" | "node";

/** Is `id` an HTTP response object, and of which framework? */
function responseKind(id: ts.Identifier, imports: { hasModule(...m: string[]): boolean }): Kind | undefined {
  const decl = findDeclaration(id);
  const typeText = decl && ts.isParameter(decl) ? decl.type?.getText() ?? "" : "";
  if (/Reply/.test(typeText)) return "fastify";
  let isResponse = RESPONSE_NAMES.test(id.text) || /Response|ServerResponse/.test(typeText);
  if (decl && ts.isParameter(decl) && isFunctionLike(decl.parent)) {
    const fn = decl.parent;
    const idx = fn.parameters.indexOf(decl);
    if (idx === 1 && fn.parameters[0] && parameterRole(fn.parameters[0]) === "request") isResponse = true;
    if (ts.getDecorators(decl)?.some((d) => /^(Res|Response)\b/.test(d.expression.getText()))) return "express";
  }
  if (!isResponse) return undefined;
  if (/^(reply|rep)$/.test(id.text) || (imports.hasModule("fastify") && !imports.hasModule("express") && !/Response/.test(typeText))) return "fastify";
  if (/ServerResponse/.test(typeText)) return "node";
  return "express";
}

/** Content type set on `root` by statements of the same function before `use`. */
function earlierType(root: ts.Identifier, use: ts.Node): CT {
  const fn = enclosingFunction(use);
  if (!fn?.body) return undefined;
  let found: CT;
  walkSameFunction(fn.body, (n) => {
    if (n.getStart() >= use.getStart()) return false;
    if (ts.isCallExpression(n)) {
      const r = receiverOf(n);
      let base = r && unwrap(r);
      while (base && ts.isCallExpression(base)) base = receiverOf(base) && unwrap(receiverOf(base)!);
      if (base && ts.isIdentifier(base) && base.text === root.text) {
        const t = typeSetBy(n);
        if (t) found = t;
      }
    }
    // ctx.type = "json" / res.contentType = …
    if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
      const l = unwrap(n.left);
      if (ts.isPropertyAccessExpression(l) && /^(type|contentType)$/.test(l.name.text) && l.expression.getText().startsWith(root.text)) {
        found = contentTypeOf(n.right) ?? found;
      }
    }
    return undefined;
  });
  return found;
}

function isStringBuild(e: ts.Expression): boolean {
  const u = unwrap(e);
  return ts.isTemplateExpression(u) || (ts.isBinaryExpression(u) && u.operatorToken.kind === ts.SyntaxKind.PlusToken);
}

function looksHtml(e: ts.Expression): boolean {
  const u = unwrap(e);
  const sk = ts.isIdentifier(u) ? skeletonOf(u) : literalSkeleton(u);
  return !!sk && HTML_TAG.test(sk);
}

/** Tainted and able to carry markup: not JSON.stringify, not a whole parsed body sent as JSON. */
function htmlTaint(arg: ts.Expression): Taint | undefined {
  const u = unwrap(arg);
  if (ts.isCallExpression(u) && /^JSON\.stringify$/.test(u.expression.getText())) return undefined;
  if (ts.isObjectLiteralExpression(u) || ts.isArrayLiteralExpression(u)) return undefined;
  const t = taintOf(arg, "html");
  if (!t) return undefined;
  if (WHOLE_OBJECT.test(t.source) && !isStringBuild(arg) && !looksHtml(arg)) return undefined;
  return t;
}

export default defineRule({
  meta: {
    id: "security/xss",
    category: "security",
    severity: "error",
    cwe: ["CWE-79"],
    title: "Request data reflected into an HTML response",
    description:
      "The server writes data from the request into a response the browser renders as HTML without escaping it. " +
      "An attacker sends a victim a link whose parameter contains a script, which then runs on your origin with the victim's session.",
    fix: "Escape the value for HTML (`escapeHtml`, `he.encode`, a template engine with auto-escaping), send JSON with `res.json()`, or set `Content-Type: text/plain`.",
  },
  create(ctx) {
    const report = (node: ts.Node, t: Taint): void =>
      ctx.report({ node, message: `\`${t.source}\` is written into an HTML response without escaping: reflected XSS. Escape it or send JSON/text.` });
    return {
      CallExpression(call) {
        const name = memberName(call.expression);
        if (!name || !SEND_METHODS.has(name) || !call.arguments.length) return;
        const r = responseRoot(call);
        if (!r) return;
        const kind = responseKind(r.root, ctx.file.imports);
        if (!kind) return;
        const type = r.chainType ?? earlierType(r.root, call);
        if (type === "other") return;
        if (kind === "fastify" && type !== "html") return; // fastify sends strings as text/plain
        const arg = call.arguments[0];
        const t = htmlTaint(arg);
        if (t) report(call, t);
      },
      BinaryExpression(b) {
        // Koa: ctx.body = "<p>" + ctx.query.name  (strings starting with "<" are sent as text/html)
        if (b.operatorToken.kind !== ts.SyntaxKind.EqualsToken) return;
        const l = unwrap(b.left);
        if (!ts.isPropertyAccessExpression(l) || l.name.text !== "body") return;
        const owner = unwrap(l.expression);
        const ctxId = ts.isIdentifier(owner) ? owner : ts.isPropertyAccessExpression(owner) && owner.name.text === "response" && ts.isIdentifier(owner.expression) ? owner.expression : undefined;
        if (!ctxId || identifierRole(ctxId) !== "koa") return;
        const type = earlierType(ctxId, b);
        if (type === "other") return;
        const t = htmlTaint(b.right);
        if (!t) return;
        const prefix = literalPrefix(b.right);
        const startsWithMarkup = prefix !== undefined ? /^\s*</.test(prefix) : !isStringBuild(b.right);
        if (type === "html" || startsWithMarkup || looksHtml(b.right) && prefix === undefined) report(b, t);
      },
      ReturnStatement(ret) {
        // NestJS controller method returning an HTML string built from @Query()/@Param() values
        if (!ret.expression || !looksHtml(ret.expression)) return;
        const fn = enclosingFunction(ret);
        if (!fn || !ts.isMethodDeclaration(fn)) return;
        const decorators = ts.getDecorators(fn) ?? [];
        const names = decorators.map((d) => (ts.isCallExpression(d.expression) ? memberName(d.expression.expression) : memberName(d.expression)) ?? "");
        if (!names.some((n) => ROUTE_DECORATORS.has(n))) return;
        const header = decorators.find((d) => ts.isCallExpression(d.expression) && memberName(d.expression.expression) === "Header" && /^content-type$/i.test(stringValue(d.expression.arguments[0]) ?? ""));
        if (header && ts.isCallExpression(header.expression) && contentTypeOf(header.expression.arguments[1]) === "other") return;
        const t = htmlTaint(ret.expression);
        if (t) report(ret, t);
      },
      PropertyAssignment(p) {
        // Lambda: return { statusCode: 200, headers: { "Content-Type": "text/html" }, body: `<h1>${name}</h1>` }
        if (propertyNameText(p.name) !== "body") return;
        const obj = p.parent;
        if (!objectProperty(obj, "statusCode")) return;
        const headers = objectProperty(obj, "headers");
        const ct = headers && ts.isObjectLiteralExpression(unwrap(headers))
          ? (unwrap(headers) as ts.ObjectLiteralExpression).properties.find((h) => ts.isPropertyAssignment(h) && /^content-type$/i.test(propertyNameText(h.name) ?? ""))
          : undefined;
        if (!ct || !ts.isPropertyAssignment(ct) || contentTypeOf(ct.initializer) !== "html") return;
        const t = htmlTaint(p.initializer);
        if (t) report(p, t);
      },
    };
  },
});
