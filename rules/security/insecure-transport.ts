import { ts } from "ts-morph";
import { defineRule } from "../../src/core/rule.js";
import { literalPrefix, memberName, objectProperty, propertyNameText, receiverOf, stringValue, unwrap } from "../../src/core/ast.js";
import { resolvedLiteral } from "../../src/core/secrets.js";
import { objectLiteralOf } from "../../src/core/sinks-injection.js";
import { assignmentsTo, findDeclaration } from "../../src/core/scope.js";

/** Hosts where clear text is fine or the URL is an identifier, not a destination. */
const LOCAL_HOST = /^(localhost|.*\.localhost|127\.\d+\.\d+\.\d+|0\.0\.0\.0|\[::1?\]|10\.\d+\.\d+\.\d+|192\.168\.\d+\.\d+|172\.(1[6-9]|2\d|3[01])\.\d+\.\d+|169\.254\.\d+\.\d+|[^.]+|.*\.(local|internal|lan|home|corp|svc|cluster\.local|test|example|invalid|localdomain|intranet|private)|host\.docker\.internal)$/i;
const EXAMPLE_HOST = /^(.*\.)?example\.(com|org|net)$/i;
const NAMESPACE_HOST = /(^|\.)(w3\.org|xmlns\.com|purl\.org|json-schema\.org|schemas\.xmlsoap\.org|schemas\.microsoft\.com|schemas\.openxmlformats\.org|ns\.adobe\.com|xml\.org|opengis\.net|docs\.oasis-open\.org|relaxng\.org|schema\.org|ogp\.me|apache\.org|openid\.net|jabber\.org|xmpp\.org|java\.sun\.com|xml\.apache\.org|rdfs\.org|rss\.org|feedburner\.com|itunes\.com|googleapis\.com\/auth)$/i;
const URLISH_NAME = /(api|base|service|backend|upstream|gateway|webhook|hook|callback|auth|oauth|token|login|issuer|jwks|endpoint|server|payment|notify|notification|remote|proxy|registry|broker|redirect|sso|saml|ldap|graphql|rpc|soap|wsdl|ingest|collector|telemetry|sync|partner|provider|vendor)[_-]?\w*(url|uri|endpoint|host|address|addr|origin)s?$|^(base_?url|baseURL|endpoint|endpoints|api_?url|api_?uri|server_?url|webhook|webhook_?url|callback_?url|callback_?uri|redirect_?uri|issuer|jwks_?uri|token_?url|token_?endpoint|auth_?url|authorization_?url)$/i;
const CLIENT_MODULES = new Set(["axios", "node-fetch", "got", "request", "request-promise", "request-promise-native", "superagent", "needle", "undici", "cross-fetch", "isomorphic-fetch", "ky", "ofetch", "phin", "bent", "http", "ws", "socket.io-client", "urllib", "make-fetch-happen", "wreck", "@hapi/wreck", "centra", "minipass-fetch"]);
const CLIENT_METHODS = new Set(["get", "post", "put", "patch", "delete", "del", "head", "options", "request", "fetch", "default", "stream", "json", "text", "send", "connect", "io", "WebSocket", "get", "curl"]);
const URL_OPTION_NAMES = ["url", "uri", "baseURL", "baseUrl", "prefixUrl", "href"];
/** gRPC targets where clear text stays on the machine or inside the cluster network. */
const LOCAL_GRPC_TARGET = /^(unix:|localhost|127\.|0\.0\.0\.0|\[::1\]|::1|[\w-]+:\d+$|[\w.-]+\.(local|internal|localhost|svc|cluster\.local)(:\d+)?$)/i;
const BROKER_MODULES = new Set(["mqtt", "async-mqtt", "amqplib", "amqplib/callback_api", "amqp-connection-manager"]);
const GRPC_MODULES = ["@grpc/grpc-js", "grpc", "nice-grpc", "@grpc/proto-loader"];

/** `http://host/...` (or ws://, ftp://) with a remote, non-namespace host → the host; otherwise undefined. */
export function insecureRemoteHost(text: string | undefined, allowExample = false): string | undefined {
  if (!text) return undefined;
  const m = /^\s*(http|ws|ftp|telnet|mqtt|amqp):\/\/(?:[^@/\s]*@)?(\[[^\]]*\]|[^/:?#\s'"`]+)/i.exec(text);
  if (!m) return undefined;
  const host = m[2].toLowerCase();
  if (!host || host.includes("$") || host.includes("{")) return undefined;
  if (LOCAL_HOST.test(host) || NAMESPACE_HOST.test(host)) return undefined;
  if (!allowExample && EXAMPLE_HOST.test(host)) return undefined;
  return host;
}

export default defineRule({
  meta: {
    id: "security/insecure-transport",
    category: "security",
    severity: "warning",
    cwe: ["CWE-319"],
    title: "Clear-text HTTP to a remote host",
    description:
      "Requests over http:// (or ws://, ftp://) to another host travel unencrypted: anyone on the path can read API keys, tokens, " +
      "cookies and personal data, or tamper with the response.",
    fix: "Use https:// (wss://) endpoints; keep endpoints in configuration and reject non-TLS URLs for production.",
  },
  create(ctx) {
    if (ctx.file.isTest) return {};
    const imports = ctx.file.imports;
    const reported = new Set<ts.Node>();

    const report = (node: ts.Node, host: string, how: string, url: string): void => {
      if (reported.has(node)) return;
      reported.add(node);
      const scheme = /^\s*(\w+):/.exec(url)?.[1]?.toLowerCase() ?? "http";
      const proto = scheme === "ws" ? "WebSocket" : scheme.toUpperCase();
      ctx.report({ node, message: `${how} \`${host}\` over clear-text ${proto}: traffic (tokens, cookies, data) can be read or modified in transit. Use ${scheme === "ws" ? "wss://" : scheme === "ftp" ? "SFTP/FTPS" : scheme === "mqtt" ? "mqtts://" : scheme === "amqp" ? "amqps://" : "https://"}.` });
    };

    /** Literal text at the head of a URL expression: "http://…", `http://host/${x}`, "http://host" + path, or a const holding it. */
    const urlText = (expr: ts.Expression | undefined, depth = 0): { text: string; literal: boolean } | undefined => {
      if (!expr || depth > 2) return undefined;
      const e = unwrap(expr);
      const prefix = literalPrefix(e);
      if (prefix !== undefined) return { text: prefix, literal: true };
      if (ts.isIdentifier(e)) {
        const d = findDeclaration(e);
        if (d && ts.isVariableDeclaration(d) && d.initializer && !assignmentsTo(d).length) {
          const inner = urlText(d.initializer, depth + 1);
          return inner ? { text: inner.text, literal: false } : undefined;
        }
      }
      if (ts.isNewExpression(e) && memberName(e.expression) === "URL" && e.arguments?.length === 1) return urlText(e.arguments[0], depth + 1);
      if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.PlusToken) {
        const inner = urlText(e.left, depth + 1);
        return inner ? { text: inner.text, literal: false } : undefined;
      }
      return undefined;
    };

    const isClientCall = (call: ts.CallExpression | ts.NewExpression): boolean => {
      const r = imports.resolveCall(call);
      const name = memberName(call.expression);
      if (r?.module) {
        if (!CLIENT_MODULES.has(r.module)) return false;
        if (r.module === "http") return name === "get" || name === "request";
        return r.path.length <= 1 || CLIENT_METHODS.has(r.name) || !!r.instance;
      }
      if (ts.isIdentifier(unwrap(call.expression))) return name === "fetch" || name === "axios" || name === "WebSocket" || name === "EventSource" || name === "io" || name === "got" || name === "$fetch";
      const recv = receiverOf(call);
      const rn = recv ? memberName(recv) : undefined;
      return !!rn && /^(axios|got|superagent|request|http|client|httpClient|api|apiClient|needle)$/.test(rn) && CLIENT_METHODS.has(name ?? "");
    };

    const checkUrlArg = (call: ts.CallExpression | ts.NewExpression, arg: ts.Expression | undefined, carriesData = true): void => {
      if (!arg) return;
      const u = urlText(arg);
      // A request actually sent over http:// — even to a documentation host, the code path is clear text.
      const host = insecureRemoteHost(u?.text, true);
      if (!u || !host) return;
      // A bare GET of a site's root (`request("http://google.com")`) is a reachability check: no API path, no payload, no credentials.
      if (!carriesData && !/^\s*\w+:\/\/[^/?#\s]+[/?#][^\s]/.test(u.text)) return;
      report(u.literal ? unwrap(arg) : call, host, `Request to`, u.text);
    };

    /** Does the request send a body or credentials: post/put/patch with a payload, or options with body/headers/auth? */
    const sendsData = (call: ts.CallExpression | ts.NewExpression, urlArg: ts.Expression | undefined): boolean => {
      const args = call.arguments ?? [];
      const name = memberName(call.expression) ?? "";
      const rest = args.filter((a) => a !== urlArg && !ts.isFunctionLike(unwrap(a)) && !(stringValue(a) !== undefined && /^(get|post|put|patch|delete|head)$/i.test(stringValue(a)!)));
      if (/^(post|put|patch|postForm|putForm|patchForm)$/i.test(name) && rest.length) return true;
      return rest.some((a) => {
        const o = unwrap(a);
        const obj = ts.isObjectLiteralExpression(o) ? o : ts.isIdentifier(o) ? objectLiteralOf(o) : undefined;
        return !obj || ["body", "data", "json", "form", "formData", "headers", "auth", "Authorization", "multipart"].some((k) => objectProperty(obj, k));
      });
    };

    const checkClient = (call: ts.CallExpression | ts.NewExpression): void => {
      if (!isClientCall(call)) return;
      const args = call.arguments ?? [];
      const name = memberName(call.expression);
      // needle("get", url), superagent("GET", url)
      const first = args[0] && /^(get|post|put|patch|delete|head)$/i.test(literalPrefix(args[0]) ?? "") ? args[1] : args[0];
      checkUrlArg(call, first, sendsData(call, first));
      // axios({ url }), request({ uri }), got(url, { prefixUrl }), axios.create({ baseURL })
      for (const a of args.slice(0, 2)) {
        const obj = unwrap(a);
        const o = ts.isObjectLiteralExpression(obj) ? obj : ts.isIdentifier(obj) ? objectLiteralOf(obj) : undefined;
        if (!o) continue;
        for (const n of URL_OPTION_NAMES) {
          const v = objectProperty(o, n);
          if (v) checkUrlArg(call, v);
        }
      }
      void name;
    };

    const usesWebSockets = /\bWebSocket\b/.test(ctx.file.text) || imports.hasModule("ws", "socket.io-client", "isomorphic-ws", "reconnecting-websocket");
    /** A bare `"ws://"` scheme that builds a URL (`"ws://" + host`), unless the code picks `wss://` on another branch or only compares/rewrites it. */
    const bareWsScheme = (lit: ts.Node, text: string): void => {
      if (!usesWebSockets || !/^ws:\/\/$/i.test(text)) return;
      let p: ts.Node = lit.parent;
      while (ts.isParenthesizedExpression(p)) p = p.parent;
      if (ts.isConditionalExpression(p) || ts.isCaseClause(p)) return; // secure ? "wss://" : "ws://"
      if (ts.isBinaryExpression(p) && ![ts.SyntaxKind.PlusToken, ts.SyntaxKind.EqualsToken, ts.SyntaxKind.BarBarToken, ts.SyntaxKind.QuestionQuestionToken].includes(p.operatorToken.kind)) return; // === "ws://"
      if (ts.isCallExpression(p) && /^(startsWith|endsWith|includes|replace|replaceAll|indexOf|test|match|split)$/.test(memberName(p.expression) ?? "")) return;
      if (/wss:\/\//i.test(enclosingText(lit))) return; // the code also knows the TLS variant: a config switch
      ctx.report({ node: lit, message: "WebSocket URL built with clear-text `ws://`: messages (and any token in the URL or first message) can be read or modified in transit. Use `wss://`." });
    };

    /** `grpc.credentials.createInsecure()` for a client channel to a remote target: the RPCs travel in clear text. */
    const insecureGrpcChannel = (call: ts.CallExpression): void => {
      if (memberName(call.expression) !== "createInsecure") return;
      const callee = unwrap(call.expression);
      const recv = ts.isPropertyAccessExpression(callee) ? memberName(callee.expression) : undefined;
      // ServerCredentials.createInsecure(): servers commonly sit behind a mesh or load balancer that terminates TLS.
      if (recv !== "credentials" && recv !== "ChannelCredentials") return;
      if (!imports.hasModule(...GRPC_MODULES) && !/grpc/i.test(ctx.file.text)) return;
      const target = grpcTarget(call);
      if (target && LOCAL_GRPC_TARGET.test(target)) return;
      ctx.report({
        node: call,
        message: `gRPC channel without TLS${target ? ` to \`${target}\`` : ""}: requests, responses and call credentials travel in clear text and the server is not authenticated. Use credentials.createSsl().`,
      });
    };

    /** mqtt.connect("mqtt://broker.acme.io") / amqplib.connect("amqp://…"): a message-broker session (credentials included) in clear text. */
    const brokerConnect = (call: ts.CallExpression): void => {
      const r = imports.resolveCall(call);
      if (!r?.module || !BROKER_MODULES.has(r.module) || !/^(connect|connectAsync)$/.test(r.name)) return;
      const u = urlText(call.arguments[0]);
      if (!u || !/^\s*(mqtt|amqp|ws):\/\//i.test(u.text)) return;
      const host = insecureRemoteHost(u.text, true);
      if (host) report(u.literal ? unwrap(call.arguments[0]) : call, host, "Broker connection to", u.text);
    };

    return {
      StringLiteral(lit) {
        bareWsScheme(lit, lit.text);
      },
      TemplateExpression(t) {
        if (/^ws:\/\/$/i.test(t.head.text)) bareWsScheme(t, t.head.text);
      },
      CallExpression(call) {
        checkClient(call);
        brokerConnect(call);
        insecureGrpcChannel(call);
      },
      NewExpression(call) {
        const name = memberName(call.expression);
        if (name === "WebSocket" || name === "EventSource" || imports.isCallTo(call, "ws")) {
          checkUrlArg(call, call.arguments?.[0]);
        }
      },
      PropertyAssignment(prop) {
        const name = propertyNameText(prop.name);
        if (!name || !URLISH_NAME.test(name)) return;
        const u = urlText(prop.initializer);
        if (!u?.literal) return;
        const host = insecureRemoteHost(u.text);
        if (host) report(unwrap(prop.initializer), host, `\`${name}\` points to`, u.text);
      },
      VariableDeclaration(decl) {
        if (!ts.isIdentifier(decl.name) || !decl.initializer || !URLISH_NAME.test(decl.name.text)) return;
        const init = unwrap(decl.initializer);
        // process.env.API_URL || "http://…" : the fallback is what runs when the variable is missing
        const value = ts.isBinaryExpression(init) && [ts.SyntaxKind.BarBarToken, ts.SyntaxKind.QuestionQuestionToken].includes(init.operatorToken.kind) ? init.right : init;
        const u = urlText(value);
        if (!u?.literal) return;
        const host = insecureRemoteHost(u.text);
        if (host) report(unwrap(value), host, `\`${decl.name.text}\` points to`, u.text);
      },
    };
  },
});

/** Text of the function around `n` (at top level: its own statement). */
function enclosingText(n: ts.Node): string {
  let p: ts.Node = n;
  for (; p.parent && !ts.isSourceFile(p.parent); p = p.parent) if (ts.isFunctionLike(p)) return p.getText();
  return p.getText();
}

/** `new Client("api.example.com:443", grpc.credentials.createInsecure())` → "api.example.com:443". */
function grpcTarget(call: ts.CallExpression): string | undefined {
  let node: ts.Node = call;
  // creds may be stored in a variable first: const creds = grpc.credentials.createInsecure()
  for (let p: ts.Node | undefined = call.parent; p; node = p, p = p.parent) {
    if ((ts.isNewExpression(p) || ts.isCallExpression(p)) && p.arguments?.includes(node as ts.Expression)) {
      const a0 = p.arguments[0];
      const lit = a0 ? resolvedLiteral(a0) : undefined;
      return lit?.text;
    }
    if (ts.isStatement(p) || ts.isVariableDeclaration(p)) break;
  }
  return undefined;
}
