import { ts } from "ts-morph";
import { defineRule } from "../../src/core/rule.js";
import { enclosingFunction, literalPrefix, memberName, objectProperty, propertyNameText, stringValue, unwrap } from "../../src/core/ast.js";
import { isNumericLike } from "../../src/core/values.js";
import { targetIsFixed, urlTargetTaint, type UrlTaint } from "../../src/core/urls.js";
import { taintOf, type Taint } from "../../src/core/taint.js";
import { assignmentsTo, findDeclaration } from "../../src/core/scope.js";

const HEADER_SETTERS = new Set(["setHeader", "header", "set", "append", "writeHeader", "setHeaders"]);

/** Parts a third party cannot choose for the victim's request: mount path, scheme, Host header. */
const SERVER_SIDE = /^[\w$]+(\.request|\.req)?\.(baseUrl|protocol|host|hostname|subdomains|secure|ip|ips|origin)$/;
function ignorable(t: Taint, piece: ts.Expression): boolean {
  return SERVER_SIDE.test(t.source) || /\b(get|header)\(\s*['"](host|x-forwarded-host|x-forwarded-proto|origin)['"]\s*\)|headers\s*(\.|\[['"])(host|origin)\b/i.test(piece.getText());
}

/** Redirecting back to the Referer is the "back" idiom, not an attacker-chosen target. */
function isRefererOnly(t: UrlTaint, value: ts.Expression): boolean {
  return /refer/i.test(t.source) || /\b(get|header)\(\s*['"]referr?er['"]\s*\)|headers\s*(\.|\[['"])referr?er/i.test(value.getText());
}

/**
 * `"users/" + id`: a relative path whose first segment is literal resolves against the current URL, so the
 * browser stays on this origin (unlike `"/" + x` → `//evil.com`, or `"u" + x` → `u.evil.com`-looking hosts).
 */
const RELATIVE_SEGMENT = /^[\w.~%!$&'()*+,;=@-]+\//;

/** `[base, "?next=", req.query.next].join("")`: the target is fixed when the elements before the first tainted one fix it. */
function joinedArrayTaint(value: ts.Expression): UrlTaint | undefined | "not-a-join" {
  const call = unwrap(value);
  if (!ts.isCallExpression(call) || memberName(call.expression) !== "join" || !ts.isPropertyAccessExpression(call.expression)) return "not-a-join";
  const array = unwrap(call.expression.expression);
  if (!ts.isArrayLiteralExpression(array) || array.elements.some(ts.isSpreadElement)) return "not-a-join";
  const sep = call.arguments.length ? stringValue(call.arguments[0]) : ",";
  if (sep === undefined) return "not-a-join";
  let before = "";
  for (const el of array.elements) {
    const lit = stringValue(el);
    const t = lit === undefined ? urlTargetTaint(el, "redirect", "redirect", ignorable) : undefined;
    if (t) return targetIsFixed(before + t.before, "redirect") ? undefined : { ...t, before: before + t.before };
    before += (lit ?? "\0") + sep;
  }
  return undefined;
}

/**
 * `let url = "/Me/" + handle + "/"; if (qs) url += "?" + qs;`: a variable only ever appended to keeps the target
 * its initializer fixes. Returns the initializer's verdict ("fixed", or the taint that decides the target), or
 * undefined when the value is not such a variable or its initializer does not settle the question.
 */
function initializerVerdict(value: ts.Expression): UrlTaint | "fixed" | undefined {
  const id = unwrap(value);
  if (!ts.isIdentifier(id)) return undefined;
  const decl = findDeclaration(id);
  if (!decl || !ts.isVariableDeclaration(decl) || !decl.initializer) return undefined;
  const appended = assignmentsTo(decl);
  if (!appended.length || !appended.every((a) => ts.isBinaryExpression(a.parent) && a.parent.operatorToken.kind === ts.SyntaxKind.PlusEqualsToken)) return undefined;
  const init = decl.initializer;
  const t = urlTargetTaint(init, "redirect", "redirect", ignorable);
  if (t) return t;
  if (taintOf(init, "redirect")) return "fixed"; // client data only after a prefix that pins the target
  const prefix = literalPrefix(init);
  return prefix && targetIsFixed(prefix, "redirect") ? "fixed" : undefined;
}

function check(value: ts.Expression | undefined): UrlTaint | undefined {
  if (!value || isNumericLike(value)) return undefined;
  const joined = joinedArrayTaint(value);
  if (joined !== "not-a-join") return joined && !isRefererOnly(joined, value) ? joined : undefined;
  const verdict = initializerVerdict(value);
  if (verdict === "fixed") return undefined;
  const t = verdict ?? urlTargetTaint(value, "redirect", "redirect", ignorable);
  if (!t || RELATIVE_SEGMENT.test(t.before)) return undefined;
  return !isRefererOnly(t, value) ? t : undefined;
}

function locationIn(obj: ts.Expression | undefined): ts.Expression | undefined {
  if (!obj) return undefined;
  const o = unwrap(obj);
  if (!ts.isObjectLiteralExpression(o)) return undefined;
  for (const p of o.properties) {
    if (ts.isPropertyAssignment(p) && /^location$/i.test(propertyNameText(p.name) ?? "")) return p.initializer;
    if (ts.isShorthandPropertyAssignment(p) && /^location$/i.test(p.name.text)) return p.name;
  }
  return undefined;
}

export default defineRule({
  meta: {
    id: "security/open-redirect",
    category: "security",
    severity: "error",
    cwe: ["CWE-601"],
    title: "Redirect to a client-chosen URL",
    description:
      "The response redirects to a URL taken from the request (`?next=`, `returnTo`, a header). An attacker can craft a link on " +
      "your domain that sends users to a phishing page, or leak OAuth codes and tokens to their own host.",
    fix: "Redirect only to app-relative paths (check `url.startsWith('/') && !url.startsWith('//')` and no backslash) or to hosts on an allow-list; otherwise fall back to a fixed page.",
  },
  create(ctx) {
    const report = (node: ts.Node, t: UrlTaint): void =>
      ctx.report({ node, message: `Redirect target comes from \`${t.source}\`: an attacker can send users to any site. Allow only relative paths or allow-listed hosts.` });
    return {
      CallExpression(call) {
        const name = memberName(call.expression);
        if (!name) return;
        const args = call.arguments;
        const isMethod = ts.isPropertyAccessExpression(unwrap(call.expression)) || ts.isElementAccessExpression(unwrap(call.expression));
        if (name === "redirect" || name === "location" || name === "temporaryRedirect" || name === "permanentRedirect") {
          // res.redirect(url) / res.redirect(302, url) / reply.redirect(url, 301) / ctx.redirect(url) / next's redirect(url)
          if (!isMethod && !ctx.file.imports.isCallTo(call, ["next/navigation", "next/server", "@remix-run/node", "@remix-run/server-runtime", "react-router", "@sveltejs/kit"])) return;
          for (const a of args.slice(0, 2)) {
            if (ts.isObjectLiteralExpression(unwrap(a))) continue;
            const t = check(a);
            if (t) return report(call, t);
          }
          return;
        }
        if (isMethod && HEADER_SETTERS.has(name)) {
          const key = stringValue(args[0]);
          if (key !== undefined && /^(location|refresh)$/i.test(key)) {
            const value = args[1];
            if (/^refresh$/i.test(key)) {
              const skel = value && ts.isTemplateExpression(unwrap(value)) ? unwrap(value).getText() : "";
              if (!/url=/i.test(skel)) return;
            }
            const t = check(value);
            if (t) report(call, t);
          } else if (args.length === 1) {
            const t = check(locationIn(args[0]));
            if (t) report(call, t);
          }
          return;
        }
        if (isMethod && (name === "writeHead" || name === "writeHeader")) {
          for (const a of args) {
            const t = check(locationIn(a));
            if (t) return report(call, t);
          }
        }
      },
      PropertyAssignment(p) {
        // Lambda / serverless: return { statusCode: 302, headers: { Location: event.queryStringParameters.next } }
        if (!/^location$/i.test(propertyNameText(p.name) ?? "")) return;
        const headers = p.parent;
        const holder = headers.parent;
        if (!ts.isPropertyAssignment(holder) || !/^(headers|multiValueHeaders)$/.test(propertyNameText(holder.name) ?? "")) return;
        const response = holder.parent;
        if (!ts.isObjectLiteralExpression(response) || !objectProperty(response, "statusCode") && !objectProperty(response, "status")) return;
        // headers inside a call (writeHead/fetch options) are handled elsewhere or are not responses
        const t = check(p.initializer);
        if (t) report(p, t);
      },
      ReturnStatement(ret) {
        // NestJS: @Redirect() handler returning { url } overrides the decorator's target
        const obj = ret.expression && unwrap(ret.expression);
        if (!obj || !ts.isObjectLiteralExpression(obj)) return;
        const url = objectProperty(obj, "url");
        if (!url) return;
        const fn = enclosingFunction(ret);
        if (!fn || !ts.isMethodDeclaration(fn)) return;
        const redirect = (ts.getDecorators(fn) ?? []).some((d) => {
          const e = d.expression;
          return (ts.isCallExpression(e) ? memberName(e.expression) : memberName(e)) === "Redirect";
        });
        if (!redirect) return;
        const t = check(url);
        if (t) report(ret, t);
      },
      BinaryExpression(b) {
        // response.headers.location = x / headers["Location"] = x
        if (b.operatorToken.kind !== ts.SyntaxKind.EqualsToken) return;
        const left = unwrap(b.left);
        if (!(ts.isPropertyAccessExpression(left) || ts.isElementAccessExpression(left))) return;
        if (!/^location$/i.test(memberName(left) ?? "")) return;
        const owner = memberName(left.expression) ?? "";
        if (!/^(headers|header)$/i.test(owner)) return;
        const t = check(b.right);
        if (t) report(b, t);
      },
    };
  },
});
