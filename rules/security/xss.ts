import { ts } from "ts-morph";
import { defineRule } from "../../src/core/rule.js";
import { enclosingFunction, isBooleanLiteral, isFunctionLike, literalPrefix, literalSkeleton, memberName, objectProperty, propertyNameText, receiverOf, stringValue, unwrap, walkSameFunction } from "../../src/core/ast.js";
import { assignmentsTo, findDeclaration } from "../../src/core/scope.js";
import { identifierRole, parameterRole } from "../../src/core/sources.js";
import { skeletonOf } from "../../src/core/strings.js";
import { type Taint, taintOf } from "../../src/core/taint.js";
import { returnsParameter, stableObjectLiteral, stableOption, weakSanitizerConfig } from "../../src/core/html-sanitizer-config.js";

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

interface Shape {
  /** Built at run time from literal text and values (template, `+`, `.concat()`, `util.format`). */
  build: boolean;
  /** Some literal part contains an HTML tag. */
  html: boolean;
}

const FORMAT_CALLS = /^(format|sprintf|vsprintf)$/;

/** How a string value is made, through local variables (initializer and every assignment). */
function shapeOf(expr: ts.Expression, depth = 0, seen = new Set<ts.Node>()): Shape {
  const e = unwrap(expr);
  const none: Shape = { build: false, html: false };
  if (depth > 6 || seen.has(e)) return none;
  seen.add(e);
  const lit = stringValue(e);
  if (lit !== undefined) return { build: false, html: HTML_TAG.test(lit) };
  const merge = (parts: ts.Expression[], build: boolean): Shape => {
    const out = { build, html: false };
    for (const p of parts) {
      const s = shapeOf(p, depth + 1, seen);
      out.build ||= s.build;
      out.html ||= s.html;
    }
    return out;
  };
  if (ts.isTemplateExpression(e)) {
    const html = HTML_TAG.test(literalSkeleton(e) ?? "");
    const inner = merge(e.templateSpans.map((sp) => sp.expression), true);
    return { build: true, html: html || inner.html };
  }
  if (ts.isBinaryExpression(e) && (e.operatorToken.kind === ts.SyntaxKind.PlusToken || e.operatorToken.kind === ts.SyntaxKind.PlusEqualsToken)) return merge([e.left, e.right], true);
  if (ts.isCallExpression(e)) {
    const name = memberName(e.expression);
    const recv = receiverOf(e);
    if (name === "concat" && recv) return merge([recv, ...e.arguments], true);
    if (name && FORMAT_CALLS.test(name) && e.arguments[0]) return merge([e.arguments[0]], true);
    return none;
  }
  if (ts.isIdentifier(e)) {
    const d = findDeclaration(e);
    if (!d || !ts.isVariableDeclaration(d)) return none;
    const parts = [...(d.initializer ? [d.initializer] : []), ...assignmentsTo(d)];
    return merge(parts, false);
  }
  return none;
}

/** `html = html.concat(req.query.x)`: the assignment that splices request data into an HTML-looking string. */
function concatAssignment(b: ts.BinaryExpression): { target: ts.Identifier; call: ts.CallExpression } | undefined {
  if (b.operatorToken.kind !== ts.SyntaxKind.EqualsToken) return undefined;
  const l = unwrap(b.left);
  const r = unwrap(b.right);
  if (!ts.isIdentifier(l) || !ts.isCallExpression(r) || memberName(r.expression) !== "concat") return undefined;
  const recv = receiverOf(r);
  if (!recv || !ts.isIdentifier(unwrap(recv)) || (unwrap(recv) as ts.Identifier).text !== l.text) return undefined;
  return { target: l, call: r };
}

/** The Lambda/API-gateway handler `fn` belongs to (a function with an `event` parameter), if any. */
function inLambdaHandler(node: ts.Node): boolean {
  for (let fn = enclosingFunction(node); fn; fn = enclosingFunction(fn)) {
    if (fn.parameters.some((p) => parameterRole(p) === "event")) return true;
  }
  return false;
}

/** Outermost expression of a string build (`"<a>" + x + "</a>"` reports once, not per `+`). */
function isOutermostBuild(e: ts.Expression): boolean {
  let p = e.parent;
  while (p && ts.isParenthesizedExpression(p)) p = p.parent;
  if (p && ts.isBinaryExpression(p) && p.operatorToken.kind === ts.SyntaxKind.PlusToken) return false;
  if (p && ts.isTemplateSpan(p)) return false;
  return true;
}

function isLogCall(call: ts.Node | undefined): boolean {
  if (!call || !ts.isCallExpression(call)) return false;
  const recv = receiverOf(call);
  const r = recv ? unwrap(recv).getText() : "";
  return /^(console|logger|log|this\.logger|this\.log)$/.test(r) || /^(debug|log)$/.test(call.expression.getText());
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

/**
 * Template engines configured not to escape: nunjucks/swig `{ autoescape: false }`, Handlebars `{ noEscape: true }`,
 * Squirrelly `autoEscaping(false)`; the options inline or in a variable that is never reassigned. Returns the call.
 */
function escapingDisabled(call: ts.CallExpression): ts.Node | undefined {
  const name = memberName(call.expression);
  if (name === "autoEscaping" && call.arguments.length === 1 && isBooleanLiteral(call.arguments[0], false)) return call;
  if (!name || !/^(configure|setDefaults|Environment|compile|precompile|render|renderString|renderFile|create|init)$/.test(name)) return undefined;
  for (const arg of call.arguments) {
    const options = stableObjectLiteral(arg);
    if (!options) continue;
    if (isBooleanLiteral(stableOption(options, "autoescape"), false)) return call;
    if (isBooleanLiteral(stableOption(options, "noEscape"), true)) return call;
  }
  return undefined;
}

/** `Mustache.escape = (v) => v` / `x.escapeMarkup = false`: the engine's HTML escaping replaced by a no-op. */
function escapingOverridden(b: ts.BinaryExpression, imports: { bindingOf(e: ts.Expression): { module: string } | undefined }): boolean {
  if (b.operatorToken.kind !== ts.SyntaxKind.EqualsToken) return false;
  const l = unwrap(b.left);
  if (!ts.isPropertyAccessExpression(l)) return false;
  if (l.name.text === "escapeMarkup") return isBooleanLiteral(b.right, false);
  if (l.name.text !== "escape") return false;
  const owner = unwrap(l.expression);
  const engine = (ts.isIdentifier(owner) && /^(Mustache|Hogan|Handlebars)$/.test(owner.text)) || /^(mustache|handlebars|hogan\.js)$/.test(imports.bindingOf(owner)?.module ?? "");
  return engine && returnsParameter(b.right, 0);
}

/** `md` in `md.render(x)` when it was made as `markdownIt({ html: true })`: raw HTML in the markdown passes through. */
function isRawHtmlMarkdownIt(recv: ts.Expression | undefined, imports: { bindingOf(e: ts.Expression): { module: string } | undefined }): boolean {
  const id = recv && unwrap(recv);
  if (!id || !ts.isIdentifier(id)) return false;
  const d = findDeclaration(id);
  const init = d && ts.isVariableDeclaration(d) && d.initializer ? unwrap(d.initializer) : undefined;
  if (!init || !(ts.isCallExpression(init) || ts.isNewExpression(init)) || imports.bindingOf(init.expression)?.module !== "markdown-it") return false;
  const options = stableObjectLiteral(init.arguments?.[0]);
  return isBooleanLiteral(stableOption(options, "html"), true);
}

/** Output that goes straight into an HTML sanitizer (`DOMPurify.sanitize(md.render(x))`) is cleaned after all. */
function isSanitizedOutput(call: ts.CallExpression): boolean {
  let p: ts.Node = call.parent;
  while (ts.isParenthesizedExpression(p) || ts.isAsExpression(p)) p = p.parent;
  return ts.isCallExpression(p) && /sanitiz|purify|xss|clean/i.test(p.expression.getText());
}

const HANDLEBARS_MODULES = /^(handlebars|hbs|express-handlebars|handlebars\/runtime)$/;

/** `new Handlebars.SafeString(x)` / `hbs.handlebars.SafeString(x)`: marks x as HTML the template writes unescaped. */
function isSafeStringCall(call: ts.CallExpression | ts.NewExpression, imports: { resolveCall(c: ts.CallExpression | ts.NewExpression): { module?: string; name: string } | undefined }): boolean {
  if (memberName(call.expression) !== "SafeString") return false;
  const r = imports.resolveCall(call);
  if (r?.module) return HANDLEBARS_MODULES.test(r.module);
  const recv = ts.isPropertyAccessExpression(unwrap(call.expression)) ? unwrap((unwrap(call.expression) as ts.PropertyAccessExpression).expression) : undefined;
  return !!recv && ts.isIdentifier(recv) && recv.text === "Handlebars" && !findDeclaration(recv);
}

export default defineRule({
  meta: {
    id: "security/xss",
    category: "security",
    severity: "error",
    cwe: ["CWE-79", "CWE-80", "CWE-116"],
    title: "Request data reflected into an HTML response",
    description:
      "The server writes data from the request into a response the browser renders as HTML without escaping it. " +
      "An attacker sends a victim a link whose parameter contains a script, which then runs on your origin with the victim's session. " +
      "Also flags the configurations that make every page unsafe: template auto-escaping switched off, and HTML sanitizers (DOMPurify, sanitize-html, js-xss) told to let scripts, event handlers or `javascript:` URLs through.",
    fix: "Escape the value for HTML (`escapeHtml`, `he.encode`, a template engine with auto-escaping), send JSON with `res.json()`, or set `Content-Type: text/plain`. Keep auto-escaping on and sanitizer allow-lists free of script-capable tags and `on*` attributes.",
  },
  create(ctx) {
    const reported = new Set<number>();
    const report = (node: ts.Node, t: Taint, message?: string): void => {
      const line = ctx.file.sourceFile.getLineAndCharacterOfPosition(node.getStart()).line;
      if (reported.has(line)) return;
      reported.add(line);
      ctx.report({ node, message: message ?? `\`${t.source}\` is written into an HTML response without escaping: reflected XSS. Escape it or send JSON/text.` });
    };
    /** A request handler (a function with a request parameter) around `n`. */
    const handlerOf = (n: ts.Node): boolean => {
      for (let fn = enclosingFunction(n); fn; fn = enclosingFunction(fn)) if (fn.parameters.some((p) => parameterRole(p) === "request")) return true;
      return false;
    };
    /** `res.send(html)` after `html = html.concat(req.query.x)`: that assignment is where the finding goes. */
    const concatReported = (arg: ts.Expression): boolean => {
      const u = unwrap(arg);
      if (!ts.isIdentifier(u)) return false;
      const d = findDeclaration(u);
      if (!d || !ts.isVariableDeclaration(d) || !shapeOf(u).html) return false;
      return assignmentsTo(d).some((a) => {
        const b = a.parent;
        return ts.isBinaryExpression(b) && !!concatAssignment(b) && (concatAssignment(b)!.call.arguments.some((x) => taintOf(x, "html")));
      });
    };
    const lambdaHtml = (e: ts.Expression): void => {
      // Lambda: an HTML string built from event data, wherever it goes (returned body, e-mail, another service).
      if (!isOutermostBuild(e) || !inLambdaHandler(e)) return;
      if (isLogCall(e.parent)) return;
      // the markup is in this expression's own literal text (not just in a variable it appends to: that one was reported where it was built)
      const own = ts.isCallExpression(e) ? stringValue(e.arguments[0]) : literalSkeleton(e);
      if (!own || !HTML_TAG.test(own)) return;
      const t = taintOf(e, "html");
      if (t) report(e, t, `HTML built from \`${t.source}\` without escaping: wherever this markup is rendered (API response, e-mail, dashboard) the caller's script runs. Escape the value for HTML.`);
    };
    /** Request data wrapped in a Handlebars SafeString: `{{value}}` then writes it raw, as `{{{value}}}` would. */
    const safeString = (call: ts.CallExpression | ts.NewExpression): void => {
      const arg = call.arguments?.[0];
      if (!arg || !isSafeStringCall(call, ctx.file.imports)) return;
      const t = taintOf(arg, "html");
      if (t) report(call, t, `\`${t.source}\` is wrapped in a Handlebars SafeString: the template writes it without escaping, so a script in it runs in the page (XSS). Escape it first (\`Handlebars.escapeExpression\`) or drop the SafeString.`);
    };
    /** DOMPurify / sanitize-html / js-xss configured to let script through: what comes out is trusted but is not safe. */
    const weakSanitizer = (call: ts.CallExpression | ts.NewExpression): void => {
      if (ctx.file.isTest) return;
      const weak = weakSanitizerConfig(call, ctx.file.imports);
      if (!weak) return;
      ctx.report({
        node: call,
        message: `${weak.library} is configured to let script through (${weak.problems.join("; ")}): its output is trusted as safe HTML, so an attacker's markup runs in the page (XSS). Remove these options.`,
        cwe: ["CWE-79", "CWE-116"],
      });
    };
    return {
      TemplateExpression(e) {
        lambdaHtml(e);
      },
      NewExpression(call) {
        safeString(call);
        weakSanitizer(call);
      },
      CallExpression(call) {
        safeString(call);
        weakSanitizer(call);
        const name = memberName(call.expression);
        const off = escapingDisabled(call);
        if (off) return void ctx.report({ node: off, message: "Template auto-escaping is switched off: every `{{ value }}` is written into the page raw, so any request data a template shows becomes script. Keep auto-escaping on and mark the few trusted fragments explicitly.", cwe: ["CWE-79", "CWE-80", "CWE-116"] });
        if (name && FORMAT_CALLS.test(name)) return lambdaHtml(call);
        if ((name === "render" || name === "renderInline") && call.arguments[0] && isRawHtmlMarkdownIt(receiverOf(call), ctx.file.imports) && !isSanitizedOutput(call)) {
          const t = taintOf(call.arguments[0], "html");
          if (t) return void report(call, t, `\`${t.source}\` is rendered by markdown-it with \`html: true\`: raw HTML in the markdown, \`<script>\` included, passes into the page (XSS). Turn \`html\` off or sanitize the output.`);
        }
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
        if (!t) return;
        // "message: " + req.query.m has no markup of its own: only strings that carry HTML (or are sent as text/html) count.
        const shape = shapeOf(arg);
        if (shape.build && !shape.html && type !== "html") return;
        if (concatReported(arg)) return;
        report(call, t);
      },
      BinaryExpression(b) {
        if (b.operatorToken.kind === ts.SyntaxKind.PlusToken) return lambdaHtml(b);
        if (escapingOverridden(b, ctx.file.imports)) {
          return void ctx.report({ node: b, message: "The template engine's HTML escaping is replaced by a no-op: every `{{ value }}` is written into the page raw, so any request data a template shows becomes script. Keep the default escaping.", cwe: ["CWE-79", "CWE-80", "CWE-116"] });
        }
        const cat = concatAssignment(b);
        if (cat) {
          const shape = shapeOf(cat.target);
          const t = shape.html ? cat.call.arguments.map((a) => taintOf(a, "html")).find((x) => x) : undefined;
          if (t && (handlerOf(b) || inLambdaHandler(b))) report(b, t);
          return;
        }
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
        if (!ret.expression) return;
        // The decorated-route test first: it is cheap, and most returns are in no controller method.
        const fn = enclosingFunction(ret);
        if (!fn || !ts.isMethodDeclaration(fn)) return;
        const decorators = ts.getDecorators(fn) ?? [];
        if (!decorators.length) return;
        const names = decorators.map((d) => (ts.isCallExpression(d.expression) ? memberName(d.expression.expression) : memberName(d.expression)) ?? "");
        if (!names.some((n) => ROUTE_DECORATORS.has(n)) || !looksHtml(ret.expression)) return;
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
