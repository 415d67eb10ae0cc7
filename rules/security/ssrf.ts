import { ts } from "ts-morph";
import { defineRule } from "../../src/core/rule.js";
import { isFunctionLike, memberName, objectProperty, receiverOf, stringValue, unwrap } from "../../src/core/ast.js";
import type { ImportTable } from "../../src/core/imports.js";
import { findDeclaration } from "../../src/core/scope.js";
import { taintOf } from "../../src/core/taint.js";
import { urlTargetTaint } from "../../src/core/urls.js";

const HTTP_VERBS = new Set(["get", "post", "put", "patch", "delete", "del", "head", "options", "request", "stream", "paginate", "postForm", "putForm", "patchForm", "fetch", "curl", "json", "text", "buffer"]);
const FETCH_MODULES = new Set(["node-fetch", "cross-fetch", "isomorphic-fetch", "isomorphic-unfetch", "make-fetch-happen", "undici", "ofetch", "ky", "phin", "urllib", "minipass-fetch", "@vercel/fetch"]);
const CLIENT_MODULES = new Set(["axios", "got", "request", "request-promise", "request-promise-native", "postman-request", "needle", "superagent", "bent", "wreck", "@hapi/wreck", "simple-get", "httpie", "centra", ...FETCH_MODULES]);
const NODE_HTTP = new Set(["http", "https", "http2"]);
const BROWSER_MODULES = ["puppeteer", "puppeteer-core", "puppeteer-extra", "playwright", "playwright-core", "@playwright/test", "playwright-chromium", "chrome-aws-lambda", "@sparticuz/chromium", "phantom", "node-horseman"];
const CDP_MODULES = ["chrome-remote-interface"];
/** Headless-browser page methods that navigate to a URL. */
const BROWSER_NAVIGATE = new Set(["goto", "open", "openUrl"]);
/** Headless-browser page methods whose string argument becomes page HTML or script run inside the browser (with its network access). */
const BROWSER_CONTENT = new Set(["setContent", "evaluate", "evaluateOnNewDocument", "addInitScript", "evaluateJavaScript", "evaluateHandle", "addScriptTag", "includeJs", "injectJs"]);
/** Receivers that are pages/frames/contexts when the client could not be resolved (a page passed in as a parameter). */
const PAGE_RECEIVER = /^(page|frame|tab|context|browserContext|ctx|p|\w*Page|\w*Frame|\w*Context)$/;
/** What the page-side function of `page.evaluate(fn, arg)` can do with its argument to reach the network or the DOM. */
const PAGE_SIDE_SINK = /\b(fetch|XMLHttpRequest|location|open|src|href|innerHTML|outerHTML|write|eval|Function|import|sendBeacon|WebSocket)\b/;
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
    cwe: ["CWE-918", "CWE-94"],
    title: "Server-side request to a client-chosen URL",
    description:
      "The server makes an HTTP request or socket connection, opens a page in a headless browser (puppeteer, playwright, phantom, " +
      "chrome-remote-interface, wkhtmltopdf), or renders/evaluates client HTML or script in such a browser, and the scheme/host or content comes from the request. " +
      "An attacker can make it call internal services, cloud metadata endpoints (169.254.169.254) or other hosts on the private network.",
    fix: "Fix the host in code (`https://api.example.com/items/${encodeURIComponent(id)}`) or check the parsed URL's host against an allow-list before the request; block private and link-local addresses.",
  },
  create(ctx) {
    const imports = ctx.file.imports;
    const browserFile = imports.hasModule(...BROWSER_MODULES);
    const cdpFile = imports.hasModule(...CDP_MODULES);
    const wkFile = imports.hasModule("wkhtmltopdf", "wkhtmltoimage");
    const report = (call: ts.Node, msg: string) => ctx.report({ node: call, message: msg });
    const requestMsg = (src: string) => `Outgoing request to a URL taken from \`${src}\`: an attacker can point the server at internal hosts. Fix the host or check it against an allow-list.`;
    const browserMsg = (src: string, what: string) =>
      `${what} built from \`${src}\` in a headless browser on the server: the attacker's HTML/script runs with the server's network access (internal hosts, cloud metadata, file:// URLs). Render only code-chosen content, or escape the data and block requests to private hosts.`;
    return {
      CallExpression(call) {
        if ((browserFile || cdpFile) && browserSink(call)) return;
        if (wkFile && wkhtmlSink(call)) return;
        if (socketSink(call)) return;
        const targets = targetArgs(call, imports);
        if (!targets) return;
        for (const arg of targets) {
          if (!arg) continue;
          const opts = optionTargets(arg);
          if (opts) {
            for (const o of opts) {
              const t = urlTargetTaint(o, "url", "request");
              if (t) return report(call, requestMsg(t.source));
            }
            continue;
          }
          const t = urlTargetTaint(arg, "url", "request");
          if (t) return report(call, requestMsg(t.source));
        }
      },
    };

    /** page.goto / page.setContent / page.evaluate… (puppeteer, playwright, phantom) and CDP's Page.navigate / Runtime.evaluate. */
    function browserSink(call: ts.CallExpression): boolean {
      const name = memberName(call.expression);
      if (!name || !ts.isPropertyAccessExpression(unwrap(call.expression))) return false;
      const r = imports.resolveCall(call);
      const recv = receiverOf(call);
      const recvName = recv ? memberName(unwrap(recv)) : undefined;
      if (cdpFile && (r?.module === undefined || CDP_MODULES.includes(r.module))) {
        const domain = r?.module ? r.path.at(-2) : recvName;
        const opts = call.arguments[0] && unwrap(call.arguments[0]);
        const field = (n: string) => (opts && ts.isObjectLiteralExpression(opts) ? objectProperty(opts, n) : undefined);
        if (domain === "Page" && name === "navigate") {
          const u = field("url");
          const t = u && urlTargetTaint(u, "url", "request");
          if (t) report(call, `Headless browser navigates to a URL taken from \`${t.source}\`: an attacker can point the server's browser at internal hosts or file:// URLs. Fix the host or check it against an allow-list.`);
          return !!t;
        }
        const key = domain === "Runtime" && (name === "evaluate" || name === "compileScript") ? ["expression"]
          : domain === "Page" && name === "printToPDF" ? ["headerTemplate", "footerTemplate"]
          : domain === "Page" && name === "setDocumentContent" ? ["html"]
          : undefined;
        if (key) {
          for (const k of key) {
            const v = field(k);
            const t = v && taintOf(v, "code");
            if (t) {
              report(call, browserMsg(t.source, k === "expression" ? "Script" : "HTML"));
              return true;
            }
          }
          return false;
        }
      }
      if (!browserFile) return false;
      const resolved = !!r?.module && BROWSER_MODULES.includes(r.module);
      if (!resolved && !(recvName && PAGE_RECEIVER.test(recvName))) return false;
      if (r?.module && !resolved) return false;
      const a0 = call.arguments[0];
      if (!a0) return false;
      if (BROWSER_NAVIGATE.has(name)) {
        const t = urlTargetTaint(a0, "url", "request");
        if (t) report(call, `Headless browser navigates to a URL taken from \`${t.source}\`: an attacker can point the server's browser at internal hosts or file:// URLs. Fix the host or check it against an allow-list.`);
        return !!t;
      }
      // phantom: page.property('content', html)
      if (name === "property" && stringValue(a0) === "content" && call.arguments[1]) {
        const t = taintOf(call.arguments[1], "code");
        if (t) report(call, browserMsg(t.source, "Page content"));
        return !!t;
      }
      if (!BROWSER_CONTENT.has(name)) return false;
      const fn = unwrap(a0);
      if (isFunctionLike(fn)) {
        // page.evaluate((u) => fetch(u), req.query.url): data handed to page-side code that requests or renders it
        if (!call.arguments.slice(1).length || !PAGE_SIDE_SINK.test(fn.getText())) return false;
        for (const a of call.arguments.slice(1)) {
          const t = taintOf(a, "code");
          if (t) {
            report(call, browserMsg(t.source, "Argument of page-side code"));
            return true;
          }
        }
        return false;
      }
      // page.addScriptTag({ content }) / ({ url })
      const scriptOpt = ts.isObjectLiteralExpression(fn) ? objectProperty(fn, "content") ?? objectProperty(fn, "url") ?? objectProperty(fn, "path") : undefined;
      const t = taintOf(scriptOpt ?? a0, "code");
      if (t) report(call, browserMsg(t.source, name === "setContent" ? "Page HTML" : "Script"));
      return !!t;
    }

    /** wkhtmltopdf(htmlOrUrl) / wkhtmltoimage.generate(htmlOrUrl): the renderer fetches whatever the input points at. */
    function wkhtmlSink(call: ts.CallExpression): boolean {
      const r = imports.resolveCall(call);
      if (!r?.module || !["wkhtmltopdf", "wkhtmltoimage"].includes(r.module)) return false;
      if (!(r.path.length <= 1 || r.name === "generate") || !call.arguments[0]) return false;
      const t = taintOf(call.arguments[0], "url");
      if (t) report(call, `\`${r.module}\` renders a URL or HTML taken from \`${t.source}\`: the renderer fetches whatever it points at (internal hosts, file:// URLs). Render only code-chosen URLs/escaped HTML.`);
      return !!t;
    }

    /** net/tls: `socket.connect(port, host)`, `net.connect({ host })`, `net.createConnection(port, host)`. */
    function socketSink(call: ts.CallExpression): boolean {
      const r = imports.resolveCall(call);
      if (!r?.module || !["net", "tls"].includes(r.module) || !["connect", "createConnection"].includes(r.name)) return false;
      const [a0, a1] = call.arguments;
      if (!a0) return false;
      const opts = unwrap(a0);
      const host = ts.isObjectLiteralExpression(opts) ? objectProperty(opts, "host") ?? objectProperty(opts, "path") : stringValue(a0) !== undefined && !/^\d+$/.test(stringValue(a0)!) ? undefined : a1;
      const t = host && !isFunctionLike(unwrap(host)) ? taintOf(host, "url") : undefined;
      if (t) report(call, `Socket connection to a host taken from \`${t.source}\`: an attacker can make the server connect to internal services. Fix the host or check it against an allow-list.`);
      return !!t;
    }
  },
});
