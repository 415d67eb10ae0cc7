import { ts } from "ts-morph";
import { accessChain, isFunctionLike, memberName, propertyNameText, stringValue, unwrap } from "./ast.js";
import { findDeclaration } from "./scope.js";

/** Request fields whose values the client controls (Express, Fastify, Hapi, Next, Koa's ctx.request). */
export const REQUEST_FIELDS = new Set([
  "body", "query", "params", "headers", "header", "cookies", "signedCookies", "files", "file", "path", "url",
  "originalUrl", "hostname", "host", "baseUrl", "subdomains", "payload", "state", "querystring", "search", "href", "raw", "rawBody",
]);
/** Request methods returning client data: req.get("x"), req.header("x"), req.param("x"), c.req.json(). */
export const REQUEST_METHODS = new Set(["get", "header", "param", "json", "text", "formData", "query", "cookie", "arrayBuffer", "blob", "parseBody", "valid"]);
/** Koa context fields that proxy the request. */
const KOA_CTX_FIELDS = new Set(["query", "params", "querystring", "headers", "header", "url", "originalUrl", "path", "href", "host", "hostname", "cookies", "search", "body"]);
const LAMBDA_EVENT_FIELDS = new Set([
  "body", "queryStringParameters", "multiValueQueryStringParameters", "pathParameters", "headers", "multiValueHeaders",
  "rawPath", "rawQueryString", "cookies", "path", "arguments",
]);
/** Lambda event fields set by AWS itself, not by the caller. */
const LAMBDA_TRUSTED_FIELDS = new Set(["requestContext", "stageVariables", "resource", "httpMethod", "isBase64Encoded", "version", "routeKey", "source", "detail-type", "account", "region", "time", "id"]);
const REQUEST_NAMES = new Set(["req", "request", "_req", "incomingRequest", "httpRequest"]);
const CTX_NAMES = new Set(["ctx", "context", "koaCtx"]);
const EVENT_NAMES = new Set(["event", "evt", "apiEvent", "lambdaEvent"]);
const REQUEST_TYPE = /\b(Request|FastifyRequest|NextApiRequest|NextRequest|IncomingMessage|HapiRequest|Hapi\.Request|express\.Request)\b/;
const EVENT_TYPE = /\bAPIGateway\w*Event\w*|\bALBEvent\b|\bLambdaFunctionURLEvent\b/;
const NEST_VALUE_DECORATORS = new Set(["Body", "Query", "Param", "Headers", "Cookies", "UploadedFile", "UploadedFiles", "Ip", "HostParam"]);
const NEST_REQUEST_DECORATORS = new Set(["Req", "Request"]);
/** Events of http/https/http2 servers whose listener receives the request as first argument. */
const REQUEST_EVENTS = new Set(["request", "upgrade", "connect", "checkContinue", "checkExpectation", "stream"]);
const ROUTE_METHODS = new Set(["get", "post", "put", "patch", "delete", "del", "all", "use", "options", "head", "route", "handle", "on", "any", "register"]);
const MESSAGE_EVENTS = new Set(["message", "data", "text", "payload"]);

function decoratorName(d: ts.Decorator): string | undefined {
  const e = d.expression;
  return ts.isCallExpression(e) ? memberName(e.expression) : memberName(e);
}

/** Nest's pipes that turn the parameter into a checked number/uuid/enum. */
function hasParsingPipe(d: ts.Decorator): boolean {
  const e = d.expression;
  return ts.isCallExpression(e) && e.arguments.some((a) => /Parse(Int|Float|Bool|UUID|Enum|Array)Pipe|ValidationPipe/.test(a.getText()));
}

/**
 * "archive": an entry of a zip/tar being extracted (`.on("entry", entry => …)`, adm-zip `getEntries()` items): its
 * name/path fields come from whoever built the archive (zip-slip).
 */
export type ParamRole = "request" | "event" | "koa" | "value" | "archive" | undefined;

/** Fields of an archive entry that hold the attacker-chosen file name. */
const ARCHIVE_NAME_FIELDS = new Set(["path", "name", "fileName", "entryName", "linkname", "linkpath"]);
const GRAPHQL_ROOTS = new Set(["Query", "Mutation", "Subscription"]);
const RESPONSE_PARAM = new Set(["res", "response", "reply"]);

/** Is this function passed as a handler to a route/registration call (`app.get("/x", fn)`, `router.post(…, mw, fn)`)? */
export function isRouteHandler(fn: ts.Node): boolean {
  let p = fn.parent;
  while (p && (ts.isParenthesizedExpression(p) || ts.isAsExpression(p))) p = p.parent;
  if (p && ts.isCallExpression(p) && p.arguments.some((a) => unwrap(a) === fn)) {
    const name = memberName(p.expression);
    // `emitter.on("error", (e) => …)` is not a route: only Node's request events hand over a request.
    if (name === "on" || name === "once") return REQUEST_EVENTS.has(stringValue(p.arguments[0]) ?? "");
    if (name && ROUTE_METHODS.has(name)) return true;
    // wrappers: asyncHandler(async (req, res) => …) inside a route call
    const outer = p.parent;
    if (outer && ts.isCallExpression(outer) && outer.arguments.includes(p)) {
      const on = memberName(outer.expression);
      if (on && ROUTE_METHODS.has(on)) return true;
    }
  }
  // fastify.route({ handler: async (request, reply) => … }), hapi server.route({ handler })
  if (p && ts.isPropertyAssignment(p) && ["handler", "preHandler"].includes(memberName(p.name as ts.Identifier) ?? "")) return true;
  return false;
}

const roleCache = new WeakMap<ts.ParameterDeclaration, ParamRole | null>();

/** What a parameter carries when the function is a request handler, a Nest controller method, a Lambda handler or a socket listener. */
export function parameterRole(param: ts.ParameterDeclaration): ParamRole {
  // Taint and source checks ask about the same parameters over and over; the answer depends only on the tree.
  const cached = roleCache.get(param);
  if (cached !== undefined) return cached ?? undefined;
  const role = computeParameterRole(param);
  roleCache.set(param, role ?? null);
  return role;
}

function computeParameterRole(param: ts.ParameterDeclaration): ParamRole {
  for (const d of ts.canHaveDecorators(param) ? ts.getDecorators(param) ?? [] : []) {
    const n = decoratorName(d);
    if (n && NEST_REQUEST_DECORATORS.has(n)) return "request";
    if (n && NEST_VALUE_DECORATORS.has(n)) return hasParsingPipe(d) ? undefined : "value";
  }
  const fn = param.parent;
  if (!isFunctionLike(fn)) return undefined;
  const index = fn.parameters.indexOf(param);
  const name = ts.isIdentifier(param.name) ? param.name.text : undefined;
  const typeText = param.type?.getText() ?? "";
  if (EVENT_TYPE.test(typeText)) return "event";
  if (REQUEST_TYPE.test(typeText) && !/Response|Reply/.test(typeText)) return "request";
  if (name && REQUEST_NAMES.has(name)) return "request";
  if (name && EVENT_NAMES.has(name) && index === 0 && isLambdaHandler(fn)) return "event";
  if (name && CTX_NAMES.has(name) && index === 0) return "koa";
  if (index === 0 && isRequestDataListener(fn)) return "value";
  if (index === 0 && isArchiveEntryCallback(fn)) return "archive";
  if (index === 0 && isRouteHandler(fn)) return ts.isObjectBindingPattern(param.name) ? "request" : "request";
  // Express middleware shape returned by a factory: (req, res, next) / ({ query }, res, next)
  if (index === 0 && isMiddlewareShape(fn)) return "request";
  if (index === 1 && isGraphqlResolver(fn)) return "value";
  if (index === 0 && isMessageListener(fn)) return "value";
  return undefined;
}

function isLambdaHandler(fn: ts.FunctionLikeDeclaration): boolean {
  const name = fn.name && ts.isIdentifier(fn.name) ? fn.name.text : ts.isVariableDeclaration(fn.parent) && ts.isIdentifier(fn.parent.name) ? fn.parent.name.text : undefined;
  if (name && /handler|lambda|main/i.test(name)) return true;
  // exports.handler = async (event) => …
  const p = fn.parent;
  return !!p && ts.isBinaryExpression(p) && /handler/i.test(p.left.getText());
}

function paramName(p: ts.ParameterDeclaration | undefined): string | undefined {
  return p && ts.isIdentifier(p.name) ? p.name.text : undefined;
}

/** `(req, res, next)` / `({ query }, res, next)`: the second parameter is the response and the third `next`. */
function isMiddlewareShape(fn: ts.FunctionLikeDeclaration): boolean {
  const ps = fn.parameters;
  if (ps.length !== 3) return false;
  const r = paramName(ps[1]);
  if (!r || !RESPONSE_PARAM.has(r) || paramName(ps[2]) !== "next") return false;
  if (ps[0].type && /^(string|number|boolean)$/.test(ps[0].type.getText())) return false;
  // returned from a middleware factory: `return (req, res, next) => …` / `() => function (req, res, next) {…}`
  let p: ts.Node | undefined = fn.parent;
  while (p && (ts.isParenthesizedExpression(p) || ts.isAsExpression(p))) p = p.parent;
  return !!p && (ts.isReturnStatement(p) || (ts.isArrowFunction(p) && p.body !== undefined && unwrap(p.body as ts.Expression) === fn));
}

/**
 * A GraphQL resolver: a method of a `Query:`/`Mutation:`/`Subscription:` resolver map, or a function shaped
 * `(parent, args, context, info)`. Its second parameter holds the client's arguments.
 */
function isGraphqlResolver(fn: ts.FunctionLikeDeclaration): boolean {
  const ps = fn.parameters;
  if (ps.length < 2) return false;
  let holder: ts.Node | undefined = fn.parent;
  if (holder && ts.isPropertyAssignment(holder)) holder = holder.parent;
  if (holder && ts.isObjectLiteralExpression(holder) && (ts.isMethodDeclaration(fn) || ts.isPropertyAssignment(fn.parent))) {
    const owner = holder.parent;
    if (owner && ts.isPropertyAssignment(owner) && GRAPHQL_ROOTS.has(propertyNameText(owner.name) ?? "")) return true;
  }
  if (ps.length >= 3) {
    const [a, b, c, d] = ps.map(paramName);
    if (b === "args" && /^_?(parent|root|obj|source|_)$/.test(a ?? "") && /^(context|ctx|_context|_ctx)$/.test(c ?? "") && (ps.length === 3 || /^_?info$/.test(d ?? ""))) return true;
  }
  return false;
}

/** `req.on("data", chunk => …)`: the chunks are the raw request body. */
function isRequestDataListener(fn: ts.Node): boolean {
  const p = fn.parent;
  if (!p || !ts.isCallExpression(p) || memberName(p.expression) !== "on" || stringValue(p.arguments[0]) !== "data") return false;
  const recv = ts.isPropertyAccessExpression(p.expression) ? unwrap(p.expression.expression) : undefined;
  return !!recv && ts.isIdentifier(recv) && identifierRole(recv) === "request";
}

/** `.on("entry", entry => …)` of unzip/unzipper/tar-stream/yauzl, or a callback over adm-zip's `getEntries()`. */
function isArchiveEntryCallback(fn: ts.Node): boolean {
  const p = fn.parent;
  if (!p || !ts.isCallExpression(p)) return false;
  const m = memberName(p.expression);
  if (m === "on" && stringValue(p.arguments[0]) === "entry" && p.arguments[1] === fn) return true;
  if (m && /^(forEach|map|filter|some|every|find)$/.test(m) && p.arguments[0] === fn && ts.isPropertyAccessExpression(p.expression)) {
    return isEntriesList(p.expression.expression);
  }
  return false;
}

function isEntriesList(expr: ts.Expression): boolean {
  const e = unwrap(expr);
  if (ts.isCallExpression(e)) return memberName(e.expression) === "getEntries";
  if (ts.isIdentifier(e)) {
    const d = findDeclaration(e);
    return !!d && ts.isVariableDeclaration(d) && !!d.initializer && ts.isCallExpression(unwrap(d.initializer)) && memberName((unwrap(d.initializer) as ts.CallExpression).expression) === "getEntries";
  }
  return false;
}

function isMessageListener(fn: ts.Node): boolean {
  const p = fn.parent;
  if (!p || !ts.isCallExpression(p) || memberName(p.expression) !== "on") return false;
  const ev = stringValue(p.arguments[0]);
  const recv = ts.isPropertyAccessExpression(p.expression) ? p.expression.expression.getText() : "";
  // A peer's message on a socket (ws, socket.io, net): not any stream's "data" (files, child processes, parsers).
  return ev !== undefined && MESSAGE_EVENTS.has(ev) && /(socket|\bws|websocket|\bconn(ection)?)$/i.test(recv);
}

/** The role of an identifier that names a handler's parameter (through destructuring of the parameter too). */
export function identifierRole(id: ts.Identifier): ParamRole {
  const decl = findDeclaration(id);
  if (!decl) return undefined;
  if (ts.isParameter(decl)) return parameterRole(decl);
  return undefined;
}

const directSourceCache = new WeakMap<ts.Expression, string | null>();

/**
 * If `expr` reads client-controlled data directly (req.query.x, ctx.request.body, event.body, @Body() dto,
 * process.argv), returns a short description of the source, else undefined.
 */
export function directSource(expr: ts.Expression): string | undefined {
  // Called for every expression the taint engine evaluates, by many rules: the answer depends only on the tree.
  const cached = directSourceCache.get(expr);
  if (cached !== undefined) return cached ?? undefined;
  const found = computeDirectSource(expr);
  directSourceCache.set(expr, found ?? null);
  return found;
}

function computeDirectSource(expr: ts.Expression): string | undefined {
  const e = unwrap(expr);
  if (ts.isPropertyAccessExpression(e) || ts.isElementAccessExpression(e) || ts.isCallExpression(e)) {
    const chain = accessChain(e);
    if (!chain) return undefined;
    const rootExpr = rootIdentifier(e);
    if (!rootExpr) return undefined;
    const root = rootExpr.text;
    if (root === "process" && chain[1] === "argv") return "process.argv";
    const role = identifierRole(rootExpr);
    const f1 = chain[1]?.replace(/\(\)$/, "");
    const isCall1 = chain[1]?.endsWith("()");
    if (role === "request") {
      if (f1 === "payload" && isPayloadCmsInstance(rootExpr, chain[2] ?? memberReadFrom(e))) return undefined;
      if (f1 && !isCall1 && REQUEST_FIELDS.has(f1)) return chain.slice(0, 3).join(".");
      if (f1 && isCall1 && REQUEST_METHODS.has(f1)) return chain.slice(0, 2).join(".");
      if (f1 === "req" && chain[2]) return chain.slice(0, 3).join("."); // Hono c.req.*
      if (f1 === "request" && chain[2]) return chain.slice(0, 3).join(".");
    }
    if (role === "koa") {
      if (f1 === "request" && chain[2] && REQUEST_FIELDS.has(chain[2].replace(/\(\)$/, ""))) return chain.slice(0, 4).join(".");
      if (f1 === "req" && chain[2] && REQUEST_FIELDS.has(chain[2].replace(/\(\)$/, ""))) return chain.slice(0, 4).join(".");
      if (f1 && KOA_CTX_FIELDS.has(f1)) return chain.slice(0, 3).join(".");
      if (f1 === "req" && chain[2]) return chain.slice(0, 3).join(".");
      if (f1 === "get" && isCall1) return chain.slice(0, 2).join(".");
    }
    if (role === "event" && f1 && LAMBDA_EVENT_FIELDS.has(f1)) return chain.slice(0, 3).join(".");
    // Direct invocations / custom events: the payload's own fields (event.cmd, event["file"]) are caller-controlled too.
    if (role === "event" && f1 && !isCall1 && f1 !== "[]" && !LAMBDA_TRUSTED_FIELDS.has(f1)) return chain.slice(0, 3).join(".");
    if ((role === "value") && chain.length >= 1) return chain.join(".");
    if (role === "archive" && f1 && !isCall1 && ARCHIVE_NAME_FIELDS.has(f1)) return chain.slice(0, 2).join(".");
    // AppSync / direct Lambda invocations: `input.arguments`, `event.arguments` hold the caller's arguments.
    if (f1 === "arguments" && (root === "input" || root === "event")) {
      const d = findDeclaration(rootExpr);
      if (d && ts.isParameter(d) && isFunctionLike(d.parent) && d.parent.parameters.indexOf(d) === 0) return chain.slice(0, 2).join(".");
    }
    // adm-zip: `zip.getEntry(name).entryName`, `item.entryName` of an entry looked up by name
    if (f1 === "entryName" && isArchiveEntryValue(rootExpr)) return chain.slice(0, 2).join(".");
  }
  if (ts.isIdentifier(e)) {
    const role = identifierRole(e);
    if (role === "value") return e.text;
  }
  return undefined;
}

/** Members of Payload CMS's Local API object, which Payload hands to its handlers as `req.payload`. */
const PAYLOAD_CMS_MEMBERS = new Set(["config", "collections", "globals", "db", "logger", "jobs", "kv", "blocks", "importMap", "crons", "versions", "extensions"]);
const PAYLOAD_CMS_METHODS = /^(find|findByID|findGlobal|findVersions|findVersionByID|findDistinct|create|update|updateGlobal|delete|count|countVersions|duplicate|login|sendEmail|getAdminURL|getAPIURL|encrypt|decrypt)\(\)$/;

/**
 * In Hapi `request.payload` is the body; in Payload CMS (`PayloadRequest`) `req.payload` is the server's own API object
 * (`req.payload.config`, `req.payload.find(…)`), which holds no client data.
 */
function isPayloadCmsInstance(root: ts.Identifier, member: string | undefined): boolean {
  if (member && (PAYLOAD_CMS_MEMBERS.has(member) || PAYLOAD_CMS_METHODS.test(member))) return true;
  const d = findDeclaration(root);
  return !!d && ts.isParameter(d) && /\bPayloadRequest\b/.test(d.type?.getText() ?? "");
}

/** `x.config` / `x.find(…)` around `x`: the member read from the expression, as accessChain spells it. */
function memberReadFrom(e: ts.Expression): string | undefined {
  const p = e.parent;
  if (!p || !ts.isPropertyAccessExpression(p) || p.expression !== e) return undefined;
  return ts.isCallExpression(p.parent) && p.parent.expression === p ? `${p.name.text}()` : p.name.text;
}

function isArchiveEntryValue(id: ts.Identifier): boolean {
  const d = findDeclaration(id);
  if (!d || !ts.isVariableDeclaration(d) || !d.initializer) return false;
  const init = unwrap(d.initializer);
  return ts.isCallExpression(init) && /^getEntry$/.test(memberName(init.expression) ?? "");
}

/** The identifier at the root of a.b.c / a["b"].c() / a.b().c. */
export function rootIdentifier(expr: ts.Expression): ts.Identifier | undefined {
  let e: ts.Expression = unwrap(expr);
  for (;;) {
    if (ts.isIdentifier(e)) return e;
    if (ts.isPropertyAccessExpression(e) || ts.isElementAccessExpression(e)) e = unwrap(e.expression);
    else if (ts.isCallExpression(e)) e = unwrap(e.expression);
    else return undefined;
  }
}

/** True when `expr` is the request object itself (`req`, `ctx.request`), not a field of it. */
export function isRequestObject(expr: ts.Expression): boolean {
  const e = unwrap(expr);
  if (ts.isIdentifier(e)) return identifierRole(e) === "request";
  if (ts.isPropertyAccessExpression(e) && ts.isIdentifier(e.expression) && identifierRole(e.expression) === "koa") return e.name.text === "request" || e.name.text === "req";
  return false;
}
