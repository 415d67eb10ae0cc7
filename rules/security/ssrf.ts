import { ts } from "ts-morph";
import { defineRule } from "../../src/core/rule.js";
import { objectProperty, receiverOf, stringValue, unwrap } from "../../src/core/ast.js";
import type { ImportTable } from "../../src/core/imports.js";
import { findDeclaration } from "../../src/core/scope.js";
import { urlTargetTaint } from "../../src/core/urls.js";

const HTTP_VERBS = new Set(["get", "post", "put", "patch", "delete", "del", "head", "options", "request", "stream", "paginate", "postForm", "putForm", "patchForm", "fetch", "curl", "json", "text", "buffer"]);
const FETCH_MODULES = new Set(["node-fetch", "cross-fetch", "isomorphic-fetch", "isomorphic-unfetch", "make-fetch-happen", "undici", "ofetch", "ky", "phin", "urllib", "minipass-fetch", "@vercel/fetch"]);
const CLIENT_MODULES = new Set(["axios", "got", "request", "request-promise", "request-promise-native", "postman-request", "needle", "superagent", "bent", "wreck", "@hapi/wreck", "simple-get", "httpie", "centra", ...FETCH_MODULES]);
const NODE_HTTP = new Set(["http", "https", "http2"]);
const BROWSER_MODULES = ["puppeteer", "puppeteer-core", "playwright", "playwright-core", "@playwright/test", "playwright-chromium", "chrome-aws-lambda", "@sparticuz/chromium"];
/** Option names that decide where the request goes. */
const URL_OPTIONS = ["url", "uri", "baseURL", "baseUrl", "prefixUrl", "host", "hostname", "origin"];

/** The argument positions of an outgoing HTTP request call that carry its target, or undefined when the call is not one. */
function targetArgs(call: ts.CallExpression, imports: ImportTable): ts.Expression[] | undefined {
  const args = call.arguments;
  if (!args.length) return undefined;
  const r = imports.resolveCall(call);
  const callee = unwrap(call.expression);
  let mod = r?.module;
  const name = r?.name ?? "";
  // Name-based fallback when the client is a global or was imported in another file: axios.get(url), got(url).
  if (!mod) {
    const root = ts.isIdentifier(callee) ? callee : receiverOf(call);
    const rootName = root && ts.isIdentifier(unwrap(root)) ? (unwrap(root) as ts.Identifier).text : undefined;
    if (rootName && !findDeclaration(unwrap(root!) as ts.Identifier)) {
      if (rootName === "fetch" && ts.isIdentifier(callee)) return [args[0]];
      if (["axios", "got", "superagent", "needle"].includes(rootName)) mod = rootName;
    }
    if (!mod) {
      if (name === "goto" && imports.hasModule(...BROWSER_MODULES)) return [args[0]];
      return undefined;
    }
  }
  if (NODE_HTTP.has(mod)) return ["get", "request", "connect"].includes(name) ? [args[0]] : undefined;
  if (BROWSER_MODULES.includes(mod)) return name === "goto" ? [args[0]] : undefined;
  if (!CLIENT_MODULES.has(mod)) return undefined;
  if (["create", "extend", "defaults", "Agent", "Pool", "Client", "interceptors", "use", "set", "query", "send", "field", "attach", "header", "then"].includes(name)) return undefined;
  const direct = ts.isIdentifier(callee) || name === "default" || name === mod;
  if (!direct && !HTTP_VERBS.has(name)) return undefined;
  // needle("get", url) / superagent("GET", url) / needle.request("get", url) / undici.request(url)
  const first = stringValue(args[0]);
  if (first !== undefined && /^(get|post|put|patch|delete|head|options)$/i.test(first) && args[1]) return [args[1]];
  return [args[0]];
}

/** `{ hostname: req.query.host }` / `const opts = { url }` → the option values that pick the target. */
function optionTargets(arg: ts.Expression): ts.Expression[] | undefined {
  let e = unwrap(arg);
  if (ts.isIdentifier(e)) {
    const d = findDeclaration(e);
    if (d && ts.isVariableDeclaration(d) && d.initializer && ts.isObjectLiteralExpression(unwrap(d.initializer))) e = unwrap(d.initializer);
  }
  if (!ts.isObjectLiteralExpression(e)) return undefined;
  return URL_OPTIONS.map((n) => objectProperty(e, n)).filter((x): x is ts.Expression => !!x);
}

export default defineRule({
  meta: {
    id: "security/ssrf",
    category: "security",
    severity: "error",
    cwe: ["CWE-918"],
    title: "Server-side request to a client-chosen URL",
    description:
      "The server makes an HTTP request (or opens a page in a headless browser) whose scheme/host comes from the request. " +
      "An attacker can make it call internal services, cloud metadata endpoints (169.254.169.254) or other hosts on the private network.",
    fix: "Fix the host in code (`https://api.example.com/items/${encodeURIComponent(id)}`) or check the parsed URL's host against an allow-list before the request; block private and link-local addresses.",
  },
  create(ctx) {
    return {
      CallExpression(call) {
        const targets = targetArgs(call, ctx.file.imports);
        if (!targets) return;
        for (const arg of targets) {
          if (!arg) continue;
          const opts = optionTargets(arg);
          if (opts) {
            for (const o of opts) {
              const t = urlTargetTaint(o, "url", "request");
              if (t) return ctx.report({ node: call, message: `Outgoing request to a URL taken from \`${t.source}\`: an attacker can point the server at internal hosts. Fix the host or check it against an allow-list.` });
            }
            continue;
          }
          const t = urlTargetTaint(arg, "url", "request");
          if (t) return ctx.report({ node: call, message: `Outgoing request to a URL taken from \`${t.source}\`: an attacker can point the server at internal hosts. Fix the host or check it against an allow-list.` });
        }
      },
    };
  },
});
