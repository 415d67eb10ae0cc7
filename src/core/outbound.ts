import { ts } from "ts-morph";
import { memberName, stringValue, unwrap } from "./ast.js";
import type { ImportTable } from "./imports.js";
import { findDeclaration } from "./scope.js";

export type OutboundClient = "fetch" | "axios" | "got" | "undici" | "http" | "ky" | "superagent";

export interface OutboundCall {
  client: OutboundClient;
  /**
   * "call": a request made with the module's defaults; "factory": creates a configured instance (axios.create, got.extend);
   * "instance": a request on such an instance (its timeout was set, or not, at the factory).
   */
  kind: "call" | "factory" | "instance";
  /** Index of the options/config argument for this call shape. */
  optionsIndex: number;
  /** The options argument when present. */
  options?: ts.Expression;
  method: string;
}

const FETCH_MODULES = ["node-fetch", "cross-fetch", "isomorphic-fetch", "undici", "@whatwg-node/fetch"];
const AXIOS_URL_ONLY = new Set(["get", "delete", "head", "options", "getUri"]);
const AXIOS_WITH_DATA = new Set(["post", "put", "patch", "postForm", "putForm", "patchForm"]);
const GOT_METHODS = new Set(["get", "post", "put", "patch", "delete", "head", "stream", "default"]);
const HTTP_METHODS = new Set(["request", "get"]);

function arg(call: ts.CallExpression, i: number): ts.Expression | undefined {
  return call.arguments[i] && unwrap(call.arguments[i]);
}

function isGlobalFetch(call: ts.CallExpression, imports: ImportTable): boolean {
  const callee = unwrap(call.expression);
  if (ts.isPropertyAccessExpression(callee)) return ["globalThis", "window", "global"].includes(callee.expression.getText()) && callee.name.text === "fetch";
  if (!ts.isIdentifier(callee) || callee.text !== "fetch") return false;
  const bound = imports.bindings.get("fetch");
  if (bound) return FETCH_MODULES.includes(bound.module);
  const decl = findDeclaration(callee);
  return !decl; // a local function or parameter named fetch is something else
}

/** Is this call an outbound HTTP request (or an HTTP client factory) with a client Vigil knows? */
export function outboundCallOf(call: ts.CallExpression, imports: ImportTable): OutboundCall | undefined {
  if (isGlobalFetch(call, imports)) return { client: "fetch", kind: "call", optionsIndex: 1, options: arg(call, 1), method: "fetch" };
  const r = imports.resolveCall(call);
  if (!r?.module) return undefined;
  const name = r.name;
  if (r.module === "axios") {
    if (r.instance) {
      // api.get(…) on an axios.create() instance, or the instance called directly: api(config)
      if (AXIOS_URL_ONLY.has(name) || AXIOS_WITH_DATA.has(name) || name === "request" || ts.isIdentifier(unwrap(call.expression))) {
        return { client: "axios", kind: "instance", optionsIndex: -1, method: name };
      }
      return undefined;
    }
    if (name === "create") return { client: "axios", kind: "factory", optionsIndex: 0, options: arg(call, 0), method: name };
    if (AXIOS_URL_ONLY.has(name) && name !== "getUri") return { client: "axios", kind: "call", optionsIndex: 1, options: arg(call, 1), method: name };
    if (AXIOS_WITH_DATA.has(name)) return { client: "axios", kind: "call", optionsIndex: 2, options: arg(call, 2), method: name };
    if (name === "request") return { client: "axios", kind: "call", optionsIndex: 0, options: arg(call, 0), method: name };
    if (name === "default" || (r.path.length === 1 && ts.isIdentifier(unwrap(call.expression)))) {
      const first = arg(call, 0);
      const idx = first && ts.isObjectLiteralExpression(first) ? 0 : 1;
      return { client: "axios", kind: "call", optionsIndex: idx, options: arg(call, idx), method: "request" };
    }
    return undefined;
  }
  if (r.module === "got") {
    if (r.instance) return GOT_METHODS.has(name) || ts.isIdentifier(unwrap(call.expression)) ? { client: "got", kind: "instance", optionsIndex: -1, method: name } : undefined;
    if (name === "extend") return { client: "got", kind: "factory", optionsIndex: 0, options: arg(call, 0), method: name };
    if (GOT_METHODS.has(name) || (r.path.length === 1 && ts.isIdentifier(unwrap(call.expression)))) {
      const first = arg(call, 0);
      const idx = first && ts.isObjectLiteralExpression(first) ? 0 : 1;
      return { client: "got", kind: "call", optionsIndex: idx, options: arg(call, idx), method: name };
    }
    return undefined;
  }
  if (r.module === "undici") {
    if (r.instance) return ["request", "stream", "dispatch"].includes(name) ? { client: "undici", kind: "instance", optionsIndex: -1, method: name } : undefined;
    if (name === "fetch") return { client: "fetch", kind: "call", optionsIndex: 1, options: arg(call, 1), method: name };
    if (name === "request" || name === "stream") return { client: "undici", kind: "call", optionsIndex: 1, options: arg(call, 1), method: name };
    return undefined;
  }
  if ((r.module === "http" || r.module === "https") && !r.instance && HTTP_METHODS.has(name) && r.path.length <= 2) {
    const first = arg(call, 0);
    const urlLike = (e: ts.Expression | undefined): boolean =>
      !!e && (ts.isStringLiteral(e) || ts.isTemplateExpression(e) || ts.isNoSubstitutionTemplateLiteral(e) || ts.isBinaryExpression(e) || ts.isNewExpression(e) || (ts.isIdentifier(e) && /url|uri|href|endpoint|target|link/i.test(e.text)) || (ts.isPropertyAccessExpression(e) && /url|uri|href|endpoint/i.test(e.name.text)));
    if (first && !urlLike(first)) return { client: "http", kind: "call", optionsIndex: 0, options: first, method: name };
    const second = arg(call, 1);
    const isCallback = !!second && (ts.isArrowFunction(second) || ts.isFunctionExpression(second) || (ts.isIdentifier(second) && /^(cb|callback|done|next|handler|on[A-Z]\w*|handle\w*)$/.test(second.text)));
    return { client: "http", kind: "call", optionsIndex: 1, options: isCallback ? undefined : second, method: name };
  }
  if (r.module === "ky") return { client: "ky", kind: r.instance ? "instance" : "call", optionsIndex: 1, options: arg(call, 1), method: name };
  if (r.module === "superagent") return ["get", "post", "put", "patch", "delete", "del", "head", "default"].includes(name) ? { client: "superagent", kind: "call", optionsIndex: -1, method: name } : undefined;
  return undefined;
}

/** Nest's HttpService (`this.httpService.get(…)`), a bare call on a client Vigil cannot resolve, but a common outbound shape. */
export function isNestHttpServiceCall(call: ts.CallExpression): boolean {
  const e = unwrap(call.expression);
  if (!ts.isPropertyAccessExpression(e)) return false;
  const recv = e.expression.getText();
  return /^this\.(httpService|http)$/.test(recv) && ["get", "post", "put", "patch", "delete", "head", "request"].includes(e.name.text);
}

/** Any outbound request Vigil recognizes (including requests on configured instances). */
export function isOutboundRequest(call: ts.CallExpression, imports: ImportTable): boolean {
  const o = outboundCallOf(call, imports);
  if (o) return o.kind !== "factory";
  return isNestHttpServiceCall(call);
}

/** `"…"` literal URL value when static, for messages. */
export function urlText(call: ts.CallExpression): string | undefined {
  return stringValue(call.arguments[0]);
}

export function methodOf(call: ts.CallExpression): string | undefined {
  return memberName(call.expression);
}
