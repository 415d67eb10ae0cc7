import { ts } from "ts-morph";
import { defineRule } from "../../src/core/rule.js";
import { isBooleanLiteral, isFunctionLike, isInside, memberName, propertyNameText, receiverOf, stringValue, unwrap, walk } from "../../src/core/ast.js";
import { taintOf } from "../../src/core/taint.js";
import { assignmentsTo, findDeclaration } from "../../src/core/scope.js";
import { objectLiteralOf, propertyNode } from "../../src/core/web-app.js";

const CORS_MODULES = ["cors", "@koa/cors", "koa-cors", "koa2-cors", "@fastify/cors", "fastify-cors", "hono/cors", "@hono/cors"];
const HEADER_SETTERS = new Set(["setHeader", "header", "set", "append", "writeHead", "setHeaders"]);
const ACAO = /^access-control-allow-origin$/i;

type OriginKind = "any" | "reflect" | "restricted" | "unknown";

/** What an `origin` option allows: any origin (`*`, `true`, a callback that always says yes), reflection, or a restricted set. */
function originKind(expr: ts.Expression | undefined, moduleName: string): OriginKind {
  if (!expr) return moduleName === "@koa/cors" || moduleName === "koa2-cors" ? "reflect" : "any";
  const e = unwrap(expr);
  if (isBooleanLiteral(e, true)) return "reflect";
  const s = stringValue(e);
  if (s !== undefined) return s === "*" ? "any" : "restricted";
  if (ts.isArrowFunction(e) || ts.isFunctionExpression(e)) return callbackKind(e);
  if (ts.isIdentifier(e)) {
    const d = e.parent && findFunction(e);
    if (d) return callbackKind(d);
  }
  // origin: req.headers.origin / a value parsed from the request URL: whatever the caller sends is allowed
  if (taintOf(e, "any")) return "reflect";
  return ts.isArrayLiteralExpression(e) || ts.isRegularExpressionLiteral(e) ? "restricted" : "unknown";
}

function findFunction(id: ts.Identifier): ts.FunctionLikeDeclaration | undefined {
  const sf = id.getSourceFile();
  let out: ts.FunctionLikeDeclaration | undefined;
  walk(sf, (n) => {
    if (out) return false;
    if (ts.isFunctionDeclaration(n) && n.name?.text === id.text) out = n;
    if (ts.isVariableDeclaration(n) && ts.isIdentifier(n.name) && n.name.text === id.text && n.initializer) {
      const init = unwrap(n.initializer);
      if (ts.isArrowFunction(init) || ts.isFunctionExpression(init)) out = init;
    }
    return undefined;
  });
  return out;
}

/** `(origin, cb) => cb(null, true)` / `ctx => ctx.get("Origin")` with no check on the way: any origin. */
function callbackKind(fn: ts.FunctionLikeDeclaration): OriginKind {
  if (!fn.body) return "unknown";
  const text = fn.body.getText();
  const hasCheck = (n: ts.Node): boolean => {
    let found = false;
    walk(n, (c) => {
      if (found) return false;
      if (ts.isIfStatement(c) || ts.isConditionalExpression(c) || ts.isSwitchStatement(c)) found = true;
      if (ts.isBinaryExpression(c) && [ts.SyntaxKind.EqualsEqualsEqualsToken, ts.SyntaxKind.EqualsEqualsToken, ts.SyntaxKind.ExclamationEqualsEqualsToken, ts.SyntaxKind.AmpersandAmpersandToken, ts.SyntaxKind.BarBarToken].includes(c.operatorToken.kind)) found = true;
      if (ts.isCallExpression(c) && /^(includes|indexOf|test|has|some|find|match|startsWith|endsWith)$/.test(memberName(c.expression) ?? "")) found = true;
      return undefined;
    });
    return found;
  };
  if (hasCheck(fn.body)) return "restricted";
  if (/\(\s*null\s*,\s*(true|origin)\s*\)/.test(text) || /\b(get|header)\(\s*['"]origin['"]\s*\)|headers\.origin|header\.origin/i.test(text)) return "reflect";
  if (!ts.isBlock(fn.body) && /origin/i.test(text)) return "reflect";
  return "unknown";
}

function isCredentialsTrue(obj: ts.ObjectLiteralExpression | undefined): boolean {
  const p = obj && propertyNode(obj, "credentials");
  return !!p && ts.isPropertyAssignment(p) && (isBooleanLiteral(p.initializer, true) || stringValue(p.initializer) === "true");
}

function headerName(e: ts.Expression | undefined): string | undefined {
  return e ? stringValue(e) : undefined;
}

export default defineRule({
  meta: {
    id: "security/permissive-cors",
    category: "security",
    severity: "error",
    cwe: ["CWE-942", "CWE-346", "CWE-183"],
    title: "CORS allows any origin (with credentials)",
    description:
      "The CORS policy reflects or wildcards the request's Origin. With credentials allowed, any website the user visits can call the API " +
      "with the user's cookies and read the responses (account data, CSRF tokens).",
    fix: "Allow an explicit list of trusted origins (`origin: [\"https://app.example.com\"]` or a callback that checks an allow-list); never combine `*`/reflection with `credentials: true`.",
  },
  create(ctx) {
    if (ctx.file.isTest) return {};
    const imports = ctx.file.imports;
    const text = ctx.file.text;
    /** Any place in the file that sets Access-Control-Allow-Credentials: true. */
    let credentials: boolean | undefined;
    /** Any place in the file that sets Access-Control-Allow-Credentials: true (read only when a wildcard is found). */
    const fileAllowsCredentials = (): boolean => (credentials ??= /access-control-allow-credentials['"`]\s*[,:]\s*(true|['"`]true['"`])/i.test(text));

    const checkOptions = (node: ts.Node, opts: ts.Expression | undefined, moduleName: string): void => {
      const obj = objectLiteralOf(opts);
      if (opts && !obj) return;
      if (obj && obj.properties.some((p) => ts.isSpreadAssignment(p))) return;
      const originProp = obj && propertyNode(obj, "origin");
      const origin = originProp && ts.isPropertyAssignment(originProp) ? originProp.initializer : originProp && ts.isShorthandPropertyAssignment(originProp) ? originProp.name : undefined;
      if (originProp && !origin && !ts.isMethodDeclaration(originProp)) return;
      const kind = originProp && ts.isMethodDeclaration(originProp) ? callbackKind(originProp) : originKind(origin, moduleName);
      const creds = isCredentialsTrue(obj);
      // Options kept in a variable: the `origin` line shows the policy, the `cors(opts)` call does not.
      if (opts && ts.isIdentifier(unwrap(opts)) && originProp) node = originProp;
      if (creds && (kind === "any" || kind === "reflect")) {
        ctx.report({ node, message: `CORS ${kind === "reflect" ? "reflects any request Origin" : "allows any origin"} together with \`credentials: true\`: any website can make authenticated requests and read the responses.` });
      } else if (kind === "reflect" && originProp) {
        ctx.report({ node, severity: "warning", message: "CORS reflects any request Origin (`origin: true` or an always-yes callback): restrict it to an allow-list." });
      } else if (kind === "any" && origin) {
        ctx.report({ node, severity: "notice", message: "CORS explicitly allows any origin (`*`): make sure this API serves only public, unauthenticated data." });
      }
    };

    const checkHeader = (node: ts.Node, value: ts.Expression, siblings: ts.Node): void => {
      const v = unwrap(value);
      const s = stringValue(v) ?? constantString(v);
      const fn = siblings;
      const credsNearby = fileAllowsCredentials() || /allow-credentials['"`]\s*[,:]\s*(true|['"`]true)/i.test(fn.getText());
      if (s === "*") {
        // `if (cors === "*") set("…Origin", "*") else if (allowed) { set("…Credentials", "true"); … }`: never both at once
        const settings = credentialSettings(node.getSourceFile());
        const local = settings.filter((c) => isInside(c, fn));
        const credsWithStar = credsNearby && (local.length ? local : settings).some((c) => !exclusiveBranches(node, c));
        if (!credsWithStar && mirrorsConfiguredWildcard(node)) return;
        if (credsWithStar) ctx.report({ node, message: "`Access-Control-Allow-Origin: *` together with `Access-Control-Allow-Credentials: true`: the API is meant to be private but allows every origin." });
        else ctx.report({ node, severity: "notice", message: "`Access-Control-Allow-Origin: *`: any website can read these responses; restrict it unless the data is public." });
        return;
      }
      if (s !== undefined) return;
      const t = taintOf(v, "any");
      if (t && !readsHeaderOtherThanOrigin(v)) {
        ctx.report({ node, severity: credsNearby ? "error" : "warning", message: `\`Access-Control-Allow-Origin\` reflects \`${t.source}\`${credsNearby ? " with credentials allowed" : ""}: any website can read the responses. Check the origin against an allow-list.` });
      }
    };

    return {
      RegularExpressionLiteral(re) {
        // origin: [/^https:\/\/app.example.com$/] — the unescaped dot also matches "appXexample.com" (a domain anyone can register)
        if (!isOriginRegex(re)) return;
        const dot = looseDot(re.text);
        if (dot) ctx.report({ node: re, severity: "warning", message: `CORS origin pattern \`${re.text}\` has an unescaped \`.\` in \`${dot}\`: it also matches look-alike hosts an attacker can register (\`.\` matches any character). Escape it as \`\\.\`.` });
      },
      CallExpression(call) {
        const name = memberName(call.expression);
        // cors({...}) / app.use(cors({...})) / koa cors
        const r = imports.resolveCall(call);
        if (r?.module && CORS_MODULES.includes(r.module) && (ts.isIdentifier(unwrap(call.expression)) || r.name === "default" || r.name === "cors")) {
          checkOptions(call, call.arguments[0], r.module);
          return;
        }
        // fastify.register(require("@fastify/cors"), {...}) / fastify.register(cors, {...})
        if (name === "register" && call.arguments[0]) {
          const b = imports.bindingOf(call.arguments[0]);
          if (b && CORS_MODULES.includes(b.module)) checkOptions(call, call.arguments[1], b.module);
          return;
        }
        // NestJS: app.enableCors({...}); NestFactory.create(AppModule, { cors: {...} })
        if (name === "enableCors" && ts.isPropertyAccessExpression(unwrap(call.expression))) {
          if (call.arguments[0]) checkOptions(call, call.arguments[0], "cors");
          else ctx.report({ node: call, severity: "notice", message: "`enableCors()` without options allows every origin (`Access-Control-Allow-Origin: *`): pass `{ origin: [...] }` unless this API serves only public data." });
          return;
        }
        if (name === "create" && receiverOf(call)?.getText() === "NestFactory") {
          const o = objectLiteralOf(call.arguments[1]);
          const c = o && propertyNode(o, "cors");
          if (c && ts.isPropertyAssignment(c) && objectLiteralOf(c.initializer)) checkOptions(c, c.initializer, "cors");
          else if (c && ts.isPropertyAssignment(c) && isBooleanLiteral(c.initializer, true)) {
            ctx.report({ node: call, severity: "notice", message: "`cors: true` enables CORS for every origin (`Access-Control-Allow-Origin: *`): pass `cors: { origin: [...] }` unless this API serves only public data." });
          }
          return;
        }
        // res.setHeader("Access-Control-Allow-Origin", value) / ctx.set(…) / reply.header(…)
        if (name && HEADER_SETTERS.has(name)) {
          const fn = enclosing(call);
          const h = headerName(call.arguments[0]);
          if (h && ACAO.test(h) && call.arguments[1]) {
            checkHeader(call, call.arguments[1], fn);
            return;
          }
          // res.set({ "Access-Control-Allow-Origin": …}) / res.writeHead(200, {...})
          for (const a of call.arguments) {
            const o = unwrap(a);
            if (!ts.isObjectLiteralExpression(o)) continue;
            for (const p of o.properties) {
              if (!ts.isPropertyAssignment(p)) continue;
              const key = p.name && (ts.isStringLiteral(p.name) || ts.isIdentifier(p.name)) ? p.name.text : undefined;
              if (key && ACAO.test(key)) checkHeader(p, p.initializer, o);
            }
          }
        }
      },
    };
  },
});

/** Headers a cross-site page controls in its victim's request: the browser writes its own site there. */
const SITE_HEADERS = /^(origin|referer|referrer)$/i;
const REQUEST_OBJECT = /^(req|request|ctx|context|c\.req|ctx\.request)$/;

/**
 * `req.headers.host`, `req.get("x-tenant")`, the whole `req.headers`: reflecting them is not a CORS hole, because the
 * page attacking a user cannot choose them — the browser sets Host and Cookie itself, and a custom header needs a
 * preflight that this reflection (which never sees the header's value there) does not answer. Only Origin/Referer, or
 * the URL and body (which the attacker's page writes), let any site pick the allowed origin. A local constant is
 * followed once (`const origin = req.header("Origin")`).
 */
function readsHeaderOtherThanOrigin(expr: ts.Expression): boolean {
  let e = unwrap(expr);
  if (ts.isIdentifier(e)) {
    const d = findDeclaration(e);
    if (!d || !ts.isVariableDeclaration(d) || !d.initializer || assignmentsTo(d).length) return false;
    e = unwrap(d.initializer);
  }
  const isHeaders = (x: ts.Expression): boolean => ts.isPropertyAccessExpression(x) && x.name.text === "headers";
  if (isHeaders(e)) return true;
  if (ts.isPropertyAccessExpression(e) && isHeaders(e.expression)) return !SITE_HEADERS.test(e.name.text);
  if (ts.isElementAccessExpression(e) && isHeaders(e.expression)) {
    const key = stringValue(e.argumentExpression);
    return key !== undefined && !SITE_HEADERS.test(key);
  }
  if (ts.isCallExpression(e) && ts.isPropertyAccessExpression(e.expression) && ["header", "get", "getHeader"].includes(e.expression.name.text)) {
    const target = e.expression.expression;
    if (!REQUEST_OBJECT.test(target.getText()) && !isHeaders(target)) return false;
    const arg = e.arguments[0];
    if (!arg || ts.isNumericLiteral(arg)) return true; // `req.header()` reads nothing at all
    const key = stringValue(arg);
    return key !== undefined && !SITE_HEADERS.test(key);
  }
  return false;
}

/** `const allowed = "*"; res.set("Access-Control-Allow-Origin", allowed)`: a local never reassigned, holding a literal. */
function constantString(e: ts.Expression): string | undefined {
  if (!ts.isIdentifier(e)) return undefined;
  const d = findDeclaration(e);
  if (!d || !ts.isVariableDeclaration(d) || !d.initializer || assignmentsTo(d).length) return undefined;
  return stringValue(d.initializer);
}

/** `if (config.cors === "*") set("…Origin", "*")`: the header applies the operator's configured policy, not the code's choice. */
function mirrorsConfiguredWildcard(node: ts.Node): boolean {
  for (let p = node.parent; p && !isFunctionLike(p); p = p.parent) {
    const cond = ts.isIfStatement(p) ? p.expression : ts.isConditionalExpression(p) ? p.condition : undefined;
    if (cond && !isInside(node, cond) && /[=!]==?\s*(['"`])\*\1/.test(cond.getText())) return true;
  }
  return false;
}

/** The calls / properties that set `Access-Control-Allow-Credentials: true`. */
function credentialSettings(file: ts.SourceFile): ts.Node[] {
  const out: ts.Node[] = [];
  walk(file, (n) => {
    if (!ts.isStringLiteralLike(n) || !/^access-control-allow-credentials$/i.test(n.text)) return undefined;
    const holder = n.parent;
    if (holder && /allow-credentials['"`]\s*[,:]\s*(true|['"`]true)/i.test(holder.getText())) out.push(holder);
    return undefined;
  });
  return out;
}

/** `a` and `b` sit in different branches of one if/else or `?:`, so they never run together. */
function exclusiveBranches(a: ts.Node, b: ts.Node): boolean {
  const above = new Set<ts.Node>();
  for (let p: ts.Node | undefined = a; p; p = p.parent) above.add(p);
  let child: ts.Node = b;
  let common: ts.Node | undefined = b.parent;
  while (common && !above.has(common)) {
    child = common;
    common = common.parent;
  }
  if (!common || above.has(b)) return false;
  const branchOf = (n: ts.Node): ts.Node | undefined => {
    for (let x: ts.Node = n; x.parent; x = x.parent) if (x.parent === common) return x;
    return undefined;
  };
  const ba = branchOf(a);
  const bb = child;
  if (ts.isIfStatement(common)) return !!ba && ba !== bb && ba !== common.expression && bb !== common.expression;
  if (ts.isConditionalExpression(common)) return !!ba && ba !== bb && ba !== common.condition && bb !== common.condition;
  return false;
}

function enclosing(n: ts.Node): ts.Node {
  for (let p = n.parent; p; p = p.parent) if (isFunctionLike(p)) return p;
  return n.getSourceFile();
}

/** The host-name piece with an unescaped `.` meant as a literal dot (`www.foo.com`), or undefined. `(.+\.)*` / `.*` are intended wildcards. */
export function looseDot(regexText: string): string | undefined {
  const body = regexText.slice(1, regexText.lastIndexOf("/"));
  let inClass = false;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c === "\\") { i++; continue; }
    if (c === "[") inClass = true;
    else if (c === "]") inClass = false;
    if (inClass || c !== ".") continue;
    const prev = body[i - 1] ?? "";
    const next = body[i + 1] ?? "";
    if (/[*+?{]/.test(next)) continue; // .*, .+ : a deliberate wildcard
    if (/[\w)]/.test(prev) && /[\w(]/.test(next)) {
      const m = /[\w.()|-]*$/.exec(body.slice(0, i))![0] + "." + /^[\w.()|-]*/.exec(body.slice(i + 1))![0];
      return m;
    }
  }
  return undefined;
}

/** A regex used as an allowed CORS origin: `origin:` value (or in its array), or in a variable/array named like cors/origins. */
function isOriginRegex(re: ts.RegularExpressionLiteral): boolean {
  let p: ts.Node = re.parent;
  while (ts.isParenthesizedExpression(p) || ts.isArrayLiteralExpression(p) || ts.isAsExpression(p)) p = p.parent;
  if (ts.isPropertyAssignment(p)) return /^(origin|origins|allowedOrigins?|corsOrigins?)$/i.test(propertyNameText(p.name) ?? "");
  if (ts.isVariableDeclaration(p) && ts.isIdentifier(p.name)) return /cors|origin/i.test(p.name.text);
  return false;
}
