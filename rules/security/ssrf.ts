import { ts } from "ts-morph";
import { defineRule } from "../../src/core/rule.js";
import { enclosingFunction, isFunctionLike, memberName, objectProperty, receiverOf, stringValue, unwrap, walk } from "../../src/core/ast.js";
import type { ImportTable } from "../../src/core/imports.js";
import { findDeclaration } from "../../src/core/scope.js";
import { taintOf } from "../../src/core/taint.js";
import { urlTargetTaint } from "../../src/core/urls.js";
import { BROWSER_MODULES, CDP_MODULES, nonConstantPart, pageSideUses } from "../../src/core/headless.js";

const HTTP_VERBS = new Set(["get", "post", "put", "patch", "delete", "del", "head", "options", "request", "stream", "paginate", "postForm", "putForm", "patchForm", "fetch", "curl", "json", "text", "buffer"]);
const FETCH_MODULES = new Set(["node-fetch", "cross-fetch", "isomorphic-fetch", "isomorphic-unfetch", "make-fetch-happen", "undici", "ofetch", "ky", "phin", "urllib", "minipass-fetch", "@vercel/fetch"]);
const CLIENT_MODULES = new Set(["axios", "got", "request", "request-promise", "request-promise-native", "postman-request", "needle", "superagent", "bent", "wreck", "@hapi/wreck", "simple-get", "httpie", "centra", ...FETCH_MODULES]);
const NODE_HTTP = new Set(["http", "https", "http2"]);
/** Headless-browser page methods that navigate to a URL. */
const BROWSER_NAVIGATE = new Set(["goto", "open", "openUrl"]);
/** Headless-browser page methods whose string argument becomes page HTML or script run inside the browser (with its network access). */
const BROWSER_CONTENT = new Set(["setContent", "evaluate", "evaluateOnNewDocument", "addInitScript", "evaluateJavaScript", "evaluateHandle", "addScriptTag", "includeJs", "injectJs"]);
/** Receivers that are pages/frames/contexts when the client could not be resolved (a page passed in as a parameter). */
const PAGE_RECEIVER = /^(page|frame|tab|context|browserContext|ctx|p|\w*Page|\w*Frame|\w*Context)$/;
/** Receivers surely named for a page/frame/browser context (not Koa's `ctx` or a one-letter name). */
const PAGE_NAME = /^(page|frame|tab|context|browserContext|\w+Page|\w+Frame|\w+Context)$/;
/** What the page-side function of `page.evaluate(fn, arg)` can do with its argument to reach the network or the DOM. */
const PAGE_SIDE_SINK = /\b(fetch|XMLHttpRequest|location|open|src|href|innerHTML|outerHTML|write|eval|Function|import|sendBeacon|WebSocket)\b/;
/** Parameter names that hold a page function (`pageFunction`, `fn`), not script text: wrappers pass them through. */
const FUNCTION_NAME = /^(fn|func|callback|cb|handler|pageFunction|pageFn|\w+(Fn|Func|Function|Callback|Handler))$/;
/** The page's requests are filtered by the code (puppeteer request interception, playwright routes for every URL). */
const INTERCEPTS_REQUESTS = /\.setRequestInterception\(\s*true\s*\)|\.route\(\s*(["'`])\*\*(\/\*)?\1/;
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
  // http.get(url, { host }): the options argument overrides the URL's host
  if (NODE_HTTP.has(mod)) return ["get", "request", "connect"].includes(name) ? (args[1] && optionTargets(args[1]) ? [args[0], args[1]] : [args[0]]) : undefined;
  if (mod === "jsdom") return name === "fromURL" ? [args[0]] : undefined; // JSDOM.fromURL fetches the page
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
  const lit = e;
  return [...URL_OPTIONS.map((n) => objectProperty(lit, n)).filter((x): x is ts.Expression => !!x), ...optionsSetLater(arg)];
}

/** `const options = {}; options.url = target; request(options)`: URL options assigned after the object was made. */
function optionsSetLater(arg: ts.Expression): ts.Expression[] {
  const id = unwrap(arg);
  if (!ts.isIdentifier(id)) return [];
  const d = findDeclaration(id);
  const fn = d && enclosingFunction(d);
  if (!d || !fn?.body || enclosingFunction(arg) !== fn) return [];
  const out: ts.Expression[] = [];
  walk(fn.body, (n) => {
    if (n.getStart() >= arg.getStart()) return false;
    if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
      const l = unwrap(n.left);
      if (ts.isPropertyAccessExpression(l) && ts.isIdentifier(l.expression) && l.expression.text === id.text && URL_OPTIONS.includes(l.name.text) && findDeclaration(l.expression) === d) out.push(n.right);
    }
    return undefined;
  });
  return out;
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
      "An attacker can make it call internal services, cloud metadata endpoints (169.254.169.254) or other hosts on the private network. " +
      "Browser navigation, page HTML/script and renderer input that is not a constant (a parameter, an unseen global) is reported as a warning: whoever supplies it steers the server's browser.",
    fix: "Fix the host in code (`https://api.example.com/items/${encodeURIComponent(id)}`) or check the parsed URL's host against an allow-list before the request; block private and link-local addresses.",
  },
  create(ctx) {
    const imports = ctx.file.imports;
    const browserFile = imports.hasModule(...BROWSER_MODULES);
    const cdpFile = imports.hasModule(...CDP_MODULES);
    const wkFile = imports.hasModule("wkhtmltopdf", "wkhtmltoimage");
    const report = (call: ts.Node, msg: string) => ctx.report({ node: call, message: msg });
    // Findings for values that are not constants but not traced to a request either: server code only, as warnings.
    // A file that intercepts the page's requests (`setRequestInterception(true)`, `page.route("**/*", …)`) decides
    // itself what the browser may reach: only request data is reported there.
    // Asked only when a weak (non-constant) finding is about to be made: most files never get there.
    let weakOkCache: boolean | undefined;
    const isWeakOk = (): boolean => (weakOkCache ??= ctx.file.isServerCode && !INTERCEPTS_REQUESTS.test(ctx.file.text));
    const weakReport = (call: ts.Node, msg: string) => ctx.report({ node: call, severity: "warning", message: msg });
    const requestMsg = (src: string) => `Outgoing request to a URL taken from \`${src}\`: an attacker can point the server at internal hosts. Fix the host or check it against an allow-list.`;
    const browserMsg = (src: string, what: string) =>
      `${what} built from \`${src}\` in a headless browser on the server: the attacker's HTML/script runs with the server's network access (internal hosts, cloud metadata, file:// URLs). Render only code-chosen content, or escape the data and block requests to private hosts.`;
    return {
      // new WebSocket(url) / new (require("ws"))(url): the server opens a socket to the client-chosen host
      NewExpression(n) {
        const url = n.arguments?.[0];
        if (!url || !isWebSocketConstructor(n)) return;
        const t = urlTargetTaint(url, "url", "request");
        if (t) report(n, `WebSocket connection to a URL taken from \`${t.source}\`: an attacker can point the server at internal hosts. Fix the host or check it against an allow-list.`);
      },
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
        if (domain === "Page" && name === "navigate") return navigation(call, field("url"));
        const key = domain === "Runtime" && (name === "evaluate" || name === "compileScript") ? ["expression"]
          : domain === "Page" && name === "printToPDF" ? ["headerTemplate", "footerTemplate"]
          : domain === "Page" && name === "setDocumentContent" ? ["html"]
          : undefined;
        if (key) return key.some((k) => pageContent(call, field(k), k === "expression" ? "Script" : "HTML"));
      }
      if (!browserFile) return false;
      const resolved = !!r?.module && BROWSER_MODULES.includes(r.module);
      if (!resolved && !(recvName && PAGE_RECEIVER.test(recvName))) return false;
      if (r?.module && !resolved) return false;
      // Weak (non-constant) findings need a receiver that is surely a page: a resolved one or one named like a page.
      const surelyPage = resolved || (!!recvName && PAGE_NAME.test(recvName));
      const a0 = call.arguments[0];
      if (!a0) return false;
      if (BROWSER_NAVIGATE.has(name)) return navigation(call, a0, surelyPage);
      // phantom: page.property('content', html)
      if (name === "property" && stringValue(a0) === "content" && call.arguments[1]) return pageContent(call, call.arguments[1], "Page content", surelyPage);
      if (!BROWSER_CONTENT.has(name)) return false;
      const fn = unwrap(a0);
      if (isFunctionLike(fn)) return pageSideArguments(call, fn, surelyPage);
      // page.addScriptTag({ content }) / ({ url })
      const scriptOpt = ts.isObjectLiteralExpression(fn) ? objectProperty(fn, "content") ?? objectProperty(fn, "url") ?? objectProperty(fn, "path") : undefined;
      if (ts.isObjectLiteralExpression(fn) && !scriptOpt) return false;
      // evaluate(pageFunction) in a wrapper: a function value passed through, not script text.
      if (!scriptOpt && ts.isIdentifier(fn) && FUNCTION_NAME.test(fn.text) && !taintOf(fn, "code")) return false;
      return pageContent(call, scriptOpt ?? a0, name === "setContent" ? "Page HTML" : "Script", surelyPage);
    }

    /** The browser navigates to `url`: a request source is an error; a value the code does not fix, a warning. */
    function navigation(call: ts.CallExpression, url: ts.Expression | undefined, weak = true): boolean {
      if (!url) return false;
      const t = urlTargetTaint(url, "url", "request");
      if (t) {
        report(call, `Headless browser navigates to a URL taken from \`${t.source}\`: an attacker can point the server's browser at internal hosts or file:// URLs. Fix the host or check it against an allow-list.`);
        return true;
      }
      const part = weak && isWeakOk() ? nonConstantPart(url, "url", imports) : undefined;
      if (part) weakReport(call, `Headless browser navigates to a URL that is not a constant (\`${part}\`): if it can carry client data, the server's browser can be pointed at internal hosts, cloud metadata or file:// URLs. Fix the host in code or check the URL against an allow-list.`);
      return !!part;
    }

    /** `html`/`script` becomes page HTML or runs as page script. */
    function pageContent(call: ts.CallExpression, value: ts.Expression | undefined, what: string, weak = true): boolean {
      if (!value || isFunctionLike(unwrap(value))) return false;
      const t = taintOf(value, "code");
      if (t) {
        report(call, browserMsg(t.source, what));
        return true;
      }
      const part = weak && isWeakOk() ? nonConstantPart(value, "code", imports) : undefined;
      if (part) weakReport(call, `${what} of a headless browser on the server is not a constant (\`${part}\`): if it can carry client data, that HTML/script runs with the server's network access (internal hosts, cloud metadata, file:// URLs). Render only code-chosen content, or escape the data.`);
      return !!part;
    }

    /** page.evaluate((u) => fetch(u), value): data handed to page-side code that requests or renders it. */
    function pageSideArguments(call: ts.CallExpression, fn: ts.FunctionLikeDeclaration, weak: boolean): boolean {
      const args = call.arguments.slice(1);
      if (!args.length) return false;
      if (PAGE_SIDE_SINK.test(fn.getText())) {
        for (const a of args) {
          const t = taintOf(a, "code");
          if (t) {
            report(call, browserMsg(t.source, "Argument of page-side code"));
            return true;
          }
        }
      }
      if (!weak || !isWeakOk()) return false;
      for (let i = 0; i < args.length; i++) {
        // Only where the page-side function requests, navigates to or runs the argument: reading or comparing it is harmless.
        const part = pageSideUses(fn, i) ? nonConstantPart(args[i], "url", imports) : undefined;
        if (part) {
          weakReport(call, `Page-side code requests or runs an argument that is not a constant (\`${part}\`): if it can carry client data, the server's browser fetches whatever it names (internal hosts, cloud metadata). Pass only code-chosen URLs or check them against an allow-list.`);
          return true;
        }
      }
      return false;
    }

    /** wkhtmltopdf(htmlOrUrl) / wkhtmltoimage.generate(htmlOrUrl): the renderer fetches whatever the input points at. */
    function wkhtmlSink(call: ts.CallExpression): boolean {
      const r = imports.resolveCall(call);
      if (!r?.module || !["wkhtmltopdf", "wkhtmltoimage"].includes(r.module)) return false;
      if (!(r.path.length <= 1 || r.name === "generate") || !call.arguments[0]) return false;
      const t = taintOf(call.arguments[0], "url");
      if (t) {
        report(call, `\`${r.module}\` renders a URL or HTML taken from \`${t.source}\`: the renderer fetches whatever it points at (internal hosts, file:// URLs). Render only code-chosen URLs/escaped HTML.`);
        return true;
      }
      const part = isWeakOk() ? nonConstantPart(call.arguments[0], "url", imports) : undefined;
      if (part) weakReport(call, `\`${r.module}\` renders a URL or HTML that is not a constant (\`${part}\`): if it can carry client data, the renderer fetches whatever it points at (internal hosts, file:// URLs). Render only code-chosen URLs/escaped HTML.`);
      return !!part;
    }

    function isWebSocketConstructor(n: ts.NewExpression): boolean {
      const r = imports.resolveCall(n);
      if (r?.module) return r.module === "ws" && (r.path.length === 0 || /^(default|WebSocket|ws)$/.test(r.name) && r.path.length <= 1);
      const callee = unwrap(n.expression);
      return ts.isIdentifier(callee) && callee.text === "WebSocket" && !findDeclaration(callee) && ctx.file.isServerCode;
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
