import { ts } from "ts-morph";
import { defineRule } from "../../src/core/rule.js";
import { enclosingFunction, isFunctionLike, memberName, receiverOf, stringValue, unwrap, walk } from "../../src/core/ast.js";
import { objectCapable } from "../../src/core/object-input.js";
import { findDeclaration } from "../../src/core/scope.js";
import { directSource } from "../../src/core/sources.js";
import { taintOf } from "../../src/core/taint.js";
import { objectLiteralOf, propertyNode } from "../../src/core/web-app.js";

const MAX_BODY = 10 * 1024 * 1024;
const BODY_PARSERS = new Set(["json", "urlencoded", "raw", "text"]);
const NUMBER_CASTS = /^(Number|parseInt|parseFloat|BigInt|Math\.trunc|Math\.floor|Math\.ceil|Math\.round|Math\.abs|toInt|toNumber)$/;

/** Bytes of a body-parser limit ("50mb", 1e8, Infinity), or undefined when unknown. */
function limitBytes(expr: ts.Expression): number | undefined {
  const e = unwrap(expr);
  if (ts.isIdentifier(e) && e.text === "Infinity") return Infinity;
  if (ts.isPropertyAccessExpression(e) && /^Number\.(MAX_SAFE_INTEGER|MAX_VALUE|POSITIVE_INFINITY)$/.test(e.getText())) return Infinity;
  if (ts.isNumericLiteral(e)) return Number(e.text.replace(/_/g, ""));
  if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.AsteriskToken) {
    const l = limitBytes(e.left);
    const r = limitBytes(e.right);
    return l !== undefined && r !== undefined ? l * r : undefined;
  }
  const s = stringValue(e);
  if (s === undefined) return undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(b|kb|mb|gb|tb)?\s*$/i.exec(s);
  if (!m) return undefined;
  const unit = (m[2] ?? "b").toLowerCase();
  return Number(m[1]) * ({ b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3, tb: 1024 ** 4 } as Record<string, number>)[unit];
}

/**
 * Is a size/count expression controlled by the client without an upper bound? Unlike taintOf, number casts do
 * not clean it (Number("1e9") is still huge); Math.min, clamps and `if (n > MAX)` checks do.
 */
function unboundedSize(expr: ts.Expression, depth = 0): string | undefined {
  if (depth > 6) return undefined;
  const e = unwrap(expr);
  if (ts.isCallExpression(e)) {
    const callee = e.expression.getText();
    const n = memberName(e.expression) ?? "";
    if (/^(Math\.min|min|clamp|_\.clamp|bounded|cap\w*|limit\w*)$/.test(callee) || /^(min|clamp)$/.test(n)) return undefined;
    if (NUMBER_CASTS.test(callee) || NUMBER_CASTS.test(n)) return e.arguments[0] ? unboundedSize(e.arguments[0], depth + 1) : undefined;
    return undefined;
  }
  if (ts.isPrefixUnaryExpression(e) && e.operator === ts.SyntaxKind.PlusToken) return unboundedSize(e.operand, depth + 1);
  if (ts.isBinaryExpression(e)) {
    const k = e.operatorToken.kind;
    if (k === ts.SyntaxKind.BarBarToken || k === ts.SyntaxKind.QuestionQuestionToken) return unboundedSize(e.left, depth + 1);
    if (k === ts.SyntaxKind.AsteriskToken || k === ts.SyntaxKind.PlusToken) return unboundedSize(e.left, depth + 1) ?? unboundedSize(e.right, depth + 1);
    return undefined;
  }
  if (ts.isConditionalExpression(e)) return undefined; // n > MAX ? MAX : n
  if (ts.isIdentifier(e)) {
    const d = findDeclaration(e);
    if (!d) return undefined;
    if (isCapped(e.text, d)) return undefined;
    if (ts.isVariableDeclaration(d) && d.initializer) return unboundedSize(d.initializer, depth + 1);
    if (ts.isBindingElement(d) || ts.isParameter(d)) {
      const t = taintOf(e, "any");
      return t?.source;
    }
    return undefined;
  }
  if (ts.isPropertyAccessExpression(e) || ts.isElementAccessExpression(e)) {
    if (ts.isPropertyAccessExpression(e) && e.name.text === "length") return undefined;
    const src = directSource(e);
    if (src) return src;
    const t = taintOf(e, "any");
    return t?.source;
  }
  return undefined;
}

/** `if (n > 100) …`, `n = Math.min(n, 100)`, `assert(n <= MAX)` in the same function: the value is bounded. */
function isCapped(name: string, decl: ts.Node): boolean {
  let fn: ts.Node | undefined;
  for (let p = decl.parent; p; p = p.parent) if (isFunctionLike(p) || ts.isSourceFile(p)) { fn = p; break; }
  if (!fn) return false;
  const re = new RegExp(`\\b${name}\\s*(>|>=)\\s*[\\w.]+|[\\w.]+\\s*(<|<=)\\s*${name}\\b|\\b${name}\\s*=\\s*Math\\.min|Math\\.min\\([^)]*\\b${name}\\b|\\b${name}\\s*<=?\\s*\\w`);
  let capped = false;
  walk(fn, (n) => {
    if (capped) return false;
    if ((ts.isIfStatement(n) && re.test(n.expression.getText())) || (ts.isCallExpression(n) && /^(assert|ok|check|max|validate)/.test(memberName(n.expression) ?? "") && re.test(n.getText()))) capped = true;
    if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken && n.left.getText() === name && /Math\.min|clamp/.test(n.right.getText())) capped = true;
    return undefined;
  });
  return capped;
}

/**
 * `for (let i = 0; i < items.length; i++)` where `items` is a JSON body or query value: it may be an object
 * `{ "length": 1e9 }` rather than an array, and the loop then runs a billion times. Returns the request source, or
 * undefined when the code checks `Array.isArray` or the loop dereferences every element (`items[i].sku` throws at the
 * first missing one, which ends the loop).
 */
function clientLengthBound(bound: ts.Expression, loop: ts.IterationStatement): string | undefined {
  const b = unwrap(bound);
  if (!ts.isPropertyAccessExpression(b) || b.name.text !== "length") return undefined;
  const list = unwrap(b.expression);
  const src = objectCapable(list);
  if (!src) return undefined;
  const scope = enclosingFunction(loop) ?? loop.getSourceFile();
  const names = [list.getText(), src].map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  if (new RegExp(`Array\\.isArray\\(\\s*(${names.join("|")})\\s*\\)|\\b(${names.join("|")})\\s+instanceof\\s+Array\\b`).test(scope.getText())) return undefined;
  if (dereferencesElements(loop.statement, list.getText())) return undefined;
  return src;
}

/** Calls that store an element without looking at it: a hole (`undefined`) goes in as happily as a value. */
const STORING_CALLS = new Set(["push", "unshift", "add", "set", "concat"]);

/**
 * Can the loop body stop at the first missing element? Only when every use of `list[i]` (directly or through a variable
 * holding it) tolerates `undefined` — stored, concatenated, compared — does `{ "length": 1e9 }` keep it running;
 * `items[i].sku`, `path.join(dir, items[i])` or any other call taking it may throw and end the request.
 */
function dereferencesElements(body: ts.Statement, listText: string): boolean {
  let mayThrow = false;
  const holders = new Set<string>();
  const tolerates = (n: ts.Expression): boolean => {
    const p = n.parent;
    if (ts.isCallExpression(p)) return p.arguments.includes(n) && STORING_CALLS.has(memberName(p.expression) ?? "");
    if (ts.isBinaryExpression(p)) return p.operatorToken.kind !== ts.SyntaxKind.InKeyword && p.operatorToken.kind !== ts.SyntaxKind.InstanceOfKeyword;
    if (ts.isTemplateSpan(p) || ts.isArrayLiteralExpression(p) || ts.isPropertyAssignment(p)) return true;
    if (ts.isVariableDeclaration(p) && p.initializer === n && ts.isIdentifier(p.name)) {
      holders.add(p.name.text);
      return true;
    }
    return false;
  };
  walk(body, (n) => {
    if (mayThrow) return false;
    if (ts.isElementAccessExpression(n) && unwrap(n.expression).getText() === listText && !tolerates(n)) mayThrow = true;
    else if (ts.isIdentifier(n) && holders.has(n.text) && !(ts.isVariableDeclaration(n.parent) && n.parent.name === n) && !tolerates(n)) mayThrow = true;
    return undefined;
  });
  return mayThrow;
}

/** Connect/Express 3 `bodyParser()` / `multipart()`: every multipart request is written to temp files that nothing limits or deletes. */
const TEMP_FILE_PARSERS = new Set(["bodyParser", "multipart"]);

export default defineRule({
  meta: {
    id: "security/resource-limits",
    category: "security",
    severity: "warning",
    cwe: ["CWE-400", "CWE-770"],
    title: "Resource use controlled by the client without a limit",
    description:
      "A request value decides how much memory or work the server spends (loop counts, array/buffer sizes, page sizes), or the body parser " +
      "accepts huge bodies. One request can exhaust memory or CPU and take the service down.",
    fix: "Clamp client numbers (`Math.min(Number(req.query.limit) || 20, 100)`), validate them with a schema max, and keep body limits small (the 100kb default, a few MB for specific routes).",
  },
  create(ctx) {
    if (ctx.file.isTest) return {};
    const imports = ctx.file.imports;
    const reportSize = (node: ts.Node, what: string, src: string): void => {
      ctx.report({ node, message: `${what} is taken from \`${src}\` without an upper bound: one request can make the server allocate or loop without limit. Clamp it.` });
    };
    const reportClientLength = (loop: ts.IterationStatement, bound: ts.Expression): void => {
      const src = clientLengthBound(bound, loop);
      if (src) ctx.report({ node: loop, message: `Loop bound \`${unwrap(bound).getText()}\` reads the length of \`${src}\`, which a JSON body or query string can make an object like \`{ "length": 1e9 }\`: one request keeps the server looping. Check \`Array.isArray\` and cap the length first.` });
    };
    return {
      CallExpression(call) {
        const name = memberName(call.expression);
        if (!name) return;
        const r = imports.resolveCall(call);
        if (TEMP_FILE_PARSERS.has(name) && r?.module && ["express", "connect"].includes(r.module) && r.path.filter((p) => p !== "default").length === 1) {
          ctx.report({ node: call, message: `\`${r.module}.${name}()\` (Express 3 / Connect) saves every multipart upload to a temp file with no size or count limit and never deletes it: any client can fill the disk. Use express.json()/urlencoded() and a multipart parser with limits (multer, busboy) only on upload routes.` });
          return;
        }
        // express.json({ limit: "50mb" }) / bodyParser.urlencoded({ limit }) / koa-body / fastify({ bodyLimit })
        if (BODY_PARSERS.has(name) && r?.module && ["express", "body-parser"].includes(r.module)) {
          const o = objectLiteralOf(call.arguments[0]);
          const p = propertyNode(o, "limit");
          if (p && ts.isPropertyAssignment(p)) {
            const b = limitBytes(p.initializer);
            if (b !== undefined && b > MAX_BODY) ctx.report({ node: p, message: `Body parser limit \`${p.initializer.getText()}\`: every route accepts bodies this large, which is a cheap memory/CPU exhaustion.` });
          }
          return;
        }
        if (r?.module && ["koa-body", "koa-bodyparser", "@koa/bodyparser", "fastify"].includes(r.module)) {
          const o = objectLiteralOf(call.arguments[0]);
          for (const key of ["jsonLimit", "formLimit", "textLimit", "bodyLimit", "limit"]) {
            const p = propertyNode(o, key);
            if (p && ts.isPropertyAssignment(p)) {
              const b = limitBytes(p.initializer);
              if (b !== undefined && b > MAX_BODY) ctx.report({ node: p, message: `Body size limit \`${key}: ${p.initializer.getText()}\` is very large: cheap memory exhaustion.` });
            }
          }
          return;
        }
        // new Array(n) handled below; Array(n), Buffer.alloc(n), "x".repeat(n), Array.from({ length: n })
        const recv = receiverOf(call);
        const recvText = recv ? unwrap(recv).getText() : "";
        let sizeArg: ts.Expression | undefined;
        let what = "";
        if (recvText === "Buffer" && /^(alloc|allocUnsafe|allocUnsafeSlow)$/.test(name)) [sizeArg, what] = [call.arguments[0], `\`Buffer.${name}\` size`];
        else if (!recv && name === "Array") [sizeArg, what] = [call.arguments[0], "Array size"];
        else if (name === "repeat" && recv) [sizeArg, what] = [call.arguments[0], "`.repeat()` count"];
        else if ((name === "padStart" || name === "padEnd") && recv) [sizeArg, what] = [call.arguments[0], `\`.${name}()\` length`];
        else if (recvText === "Array" && name === "from") {
          const len = propertyNode(objectLiteralOf(call.arguments[0]), "length");
          if (len && ts.isPropertyAssignment(len)) [sizeArg, what] = [len.initializer, "`Array.from({ length })`"];
        } else if ((name === "limit" || name === "take") && recv && call.arguments.length === 1) {
          [sizeArg, what] = [call.arguments[0], `Query \`.${name}()\``];
        }
        if (sizeArg) {
          if (what.startsWith("Array size") && ts.isNumericLiteral(unwrap(sizeArg))) return;
          const src = unboundedSize(sizeArg);
          if (src) reportSize(call, what, src);
        }
      },
      NewExpression(n) {
        const name = memberName(n.expression);
        // new Ajv({ allErrors: true }): unbounded error allocation on untrusted data.
        if (name && /^(Ajv|Ajv2019|Ajv2020|default)$/.test(name) && ["ajv", "ajv/dist/2019", "ajv/dist/2020"].includes(imports.resolveCall(n)?.module ?? "")) {
          const o = objectLiteralOf(n.arguments?.[0]);
          const p = propertyNode(o, "allErrors");
          if (p && ts.isPropertyAssignment(p) && unwrap(p.initializer).kind === ts.SyntaxKind.TrueKeyword) {
            ctx.report({ node: n, cwe: ["CWE-400"], message: "Ajv with `allErrors: true` keeps validating after the first error: one crafted body with thousands of violations makes the server allocate an error object (and message) for each. Keep it off when validating requests." });
          }
          return;
        }
        if (!name || !/^(Array|Uint8Array|Int8Array|Uint16Array|Int32Array|Uint32Array|Float32Array|Float64Array|ArrayBuffer|SharedArrayBuffer)$/.test(name)) return;
        const a = n.arguments?.[0];
        if (!a || n.arguments!.length !== 1) return;
        const src = unboundedSize(a);
        if (src) reportSize(n, `\`new ${name}()\` size`, src);
      },
      ForStatement(f) {
        const c = f.condition && unwrap(f.condition);
        if (!c || !ts.isBinaryExpression(c)) return;
        const k = c.operatorToken.kind;
        const bound = k === ts.SyntaxKind.LessThanToken || k === ts.SyntaxKind.LessThanEqualsToken ? c.right : k === ts.SyntaxKind.GreaterThanToken || k === ts.SyntaxKind.GreaterThanEqualsToken ? c.left : undefined;
        if (!bound) return;
        const src = unboundedSize(bound);
        if (src) return reportSize(f, "Loop bound", src);
        reportClientLength(f, bound);
      },
      WhileStatement(w) {
        const c = unwrap(w.expression);
        if (!ts.isBinaryExpression(c)) return;
        const k = c.operatorToken.kind;
        const bound = k === ts.SyntaxKind.LessThanToken || k === ts.SyntaxKind.LessThanEqualsToken ? c.right : undefined;
        if (!bound) return;
        const src = unboundedSize(bound);
        if (src) return reportSize(w, "Loop bound", src);
        reportClientLength(w, bound);
      },
      PropertyAssignment(p) {
        // prisma/typeorm/sequelize pagination: { take: Number(req.query.limit) }, { limit: parseInt(limit) }
        const key = p.name && memberName(p.name as ts.Identifier);
        if (key !== "take" && key !== "limit" && key !== "first" && key !== "pageSize" && key !== "perPage") return;
        const obj = p.parent;
        // must be a query options object passed to a call (directly or nested), not a response payload
        let q: ts.Node = obj;
        while (q.parent && (ts.isObjectLiteralExpression(q.parent) || ts.isPropertyAssignment(q.parent))) q = q.parent;
        const call = q.parent;
        if (!call || !ts.isCallExpression(call) || !call.arguments.includes(q as ts.Expression)) return;
        const cn = memberName(call.expression) ?? "";
        if (!/^(find\w*|paginate|aggregate|search|query|getMany|list\w*|select\w*|scan|get\w*|fetch\w*)$/i.test(cn) && !(key === "take" || key === "limit")) return;
        if (/^(json|send|render|status|set|cookie|log|info|debug|warn|error|rateLimit|slowDown)$/i.test(cn)) return;
        const src = unboundedSize(p.initializer);
        if (src) reportSize(p, `Page size \`${key}\``, src);
      },
    };
  },
});
