import { ts } from "ts-morph";
import { defineRule } from "../../src/core/rule.js";
import { hasSpread, isBooleanLiteral, memberName, propertyNameText, receiverOf, stringValue, unwrap, walk } from "../../src/core/ast.js";
import { assignmentsTo, findDeclaration } from "../../src/core/scope.js";
import { objectLiteralOf, propertyNode } from "../../src/core/web-app.js";

const SENSITIVE_NAME = /(sess|sid\b|^sid|token|auth|jwt|refresh|access|login|remember|user|account|identity|credential|connect\.sid|__host-|__secure-)/i;
const CLIENT_READABLE = /(csrf|xsrf|theme|locale|lang|consent|pref|currency|timezone|tz|tracking|analytics|ui|banner|cookie_?notice|visited|color|mode)/i;
const SESSION_MODULES = ["express-session", "cookie-session", "koa-session", "@fastify/session", "@fastify/secure-session", "fastify-session", "client-sessions"];

function constString(e: ts.Expression): string | undefined {
  const v = stringValue(e);
  if (v !== undefined) return v;
  const u = unwrap(e);
  if (ts.isIdentifier(u)) {
    const d = findDeclaration(u);
    if (d && ts.isVariableDeclaration(d) && d.initializer) return stringValue(d.initializer);
  }
  return undefined;
}

/** The option object literals of `session(opts)`: a literal, a const bound to one, or `Object.assign({…}, {…})` of them. */
function optionObjects(expr: ts.Expression | undefined): ts.ObjectLiteralExpression[] | undefined {
  const one = objectLiteralOf(expr);
  if (one) return [one];
  const e = expr ? unwrap(expr) : undefined;
  if (!e || !ts.isCallExpression(e) || e.expression.getText() !== "Object.assign" || e.arguments.length < 2) return undefined;
  const objs = e.arguments.map((a) => objectLiteralOf(a));
  return objs.every((o): o is ts.ObjectLiteralExpression => !!o && !hasSpread(o)) ? objs : undefined;
}

type Problem = { node: ts.Node; message: string; severity?: "error" | "warning" | "notice"; cwe: string[] };

/** CWE per weakened attribute: a finding names only the attributes it is about. */
const CWE_OF: Record<string, string> = { secure: "CWE-614", httpOnly: "CWE-1004", sameSite: "CWE-1275" };

/** `secure: isSecure` / shorthand `{ secure }` where the local is a literal never reassigned. */
function flagInitializer(p: ts.ObjectLiteralElementLike): ts.Expression | undefined {
  const v = ts.isPropertyAssignment(p) ? unwrap(p.initializer) : ts.isShorthandPropertyAssignment(p) ? p.name : undefined;
  if (!v || !ts.isIdentifier(v)) return v;
  const d = findDeclaration(v);
  if (!d || !ts.isVariableDeclaration(d) || !d.initializer || assignmentsTo(d).length) return v;
  const init = unwrap(d.initializer);
  return init.kind === ts.SyntaxKind.TrueKeyword || init.kind === ts.SyntaxKind.FalseKeyword || ts.isStringLiteral(init) ? init : v;
}

function flagValue(obj: ts.ObjectLiteralExpression | undefined, name: string): "true" | "false" | "dynamic" | "missing" {
  if (!obj) return "missing";
  const p = propertyNode(obj, name) ?? propertyNode(obj, name.toLowerCase()) ?? (name === "httpOnly" ? propertyNode(obj, "httponly") : undefined);
  if (!p) return hasSpread(obj) ? "dynamic" : "missing";
  const v = flagInitializer(p);
  if (!v) return "dynamic";
  if (isBooleanLiteral(v, true)) return "true";
  if (isBooleanLiteral(v, false)) return "false";
  if (ts.isStringLiteral(v)) return v.text === "" || /^false$/i.test(v.text) ? "false" : "true";
  return "dynamic";
}

/** Flags assigned later: `sess.cookie.secure = true` (the express-session docs pattern). */
function assignedLater(sf: ts.SourceFile, flag: string): boolean {
  let found = false;
  walk(sf, (n) => {
    if (found) return false;
    if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken && memberName(n.left) === flag && ts.isPropertyAccessExpression(unwrap(n.left))) found = true;
    return undefined;
  });
  return found;
}

/**
 * What the cookie library does when a flag is left out: express-session and `res.cookie` send no Secure and (res.cookie) no
 * HttpOnly; the `cookies` module behind cookie-session, koa-session and `ctx.cookies` sets HttpOnly and sets Secure on HTTPS requests.
 */
type Defaults = { httpOnly: boolean; secure: boolean };

function checkOptions(obj: ts.ObjectLiteralExpression | undefined, sensitive: boolean, where: ts.Node, what: string, sf: ts.SourceFile | undefined, defaults: Defaults): Problem | undefined {
  const secure = flagValue(obj, "secure");
  const httpOnly = flagValue(obj, "httpOnly");
  const sameSite = obj ? propertyNode(obj, "sameSite") ?? propertyNode(obj, "samesite") : undefined;
  const sameSiteValue = sameSite && ts.isPropertyAssignment(sameSite) ? stringValue(sameSite.initializer)?.toLowerCase() : undefined;
  if (secure === "false" && sensitive) return { node: propertyNode(obj, "secure")!, cwe: [CWE_OF.secure], message: `${what} sets \`secure: false\`: the cookie is sent over plain HTTP where it can be sniffed.` };
  if (httpOnly === "false" && sensitive) {
    return { node: propertyNode(obj, "httpOnly") ?? propertyNode(obj, "httponly")!, cwe: [CWE_OF.httpOnly], message: `${what} sets \`httpOnly: false\`: any XSS can read the cookie with document.cookie.` };
  }
  if (sameSiteValue === "none" && secure !== "true" && secure !== "dynamic" && !defaults.secure) return { node: sameSite!, cwe: [CWE_OF.sameSite, CWE_OF.secure], message: `${what} sets \`sameSite: "none"\` without \`secure: true\`: the cookie is sent cross-site over HTTP.` };
  if (!sensitive) return undefined;
  if (obj && hasSpread(obj)) return undefined;
  const missing: string[] = [];
  if (secure === "missing" && !defaults.secure && !(sf && assignedLater(sf, "secure"))) missing.push("secure");
  if (httpOnly === "missing" && !defaults.httpOnly) missing.push("httpOnly");
  if (missing.length) return { node: where, cwe: missing.map((m) => CWE_OF[m]), message: `${what} without ${missing.map((m) => `\`${m}\``).join(" and ")}: ${missing.includes("secure") ? "it travels over plain HTTP" : "scripts can read it"}. Set \`secure: true, httpOnly: true, sameSite: "lax"\`.` };
  if (!sameSite && !defaults.httpOnly && sameSiteValue === undefined) {
    return { node: where, cwe: [CWE_OF.sameSite], severity: "notice", message: `${what} without \`sameSite\`: set \`sameSite: "lax"\` or \`"strict"\` so it is not sent on cross-site requests.` };
  }
  return undefined;
}

export default defineRule({
  meta: {
    id: "security/insecure-cookie",
    category: "security",
    severity: "warning",
    cwe: ["CWE-614", "CWE-1004", "CWE-1275", "CWE-522"],
    title: "Session or auth cookie without Secure / HttpOnly / SameSite",
    description:
      "A session or token cookie without `Secure` is sent over plain HTTP and can be sniffed; without `HttpOnly` any XSS can steal it; " +
      "with `SameSite=None` (or no SameSite) it rides along on cross-site requests.",
    fix: "Set `{ secure: true, httpOnly: true, sameSite: \"lax\" }` (or \"strict\") on auth and session cookies; behind a proxy add `app.set(\"trust proxy\", 1)`.",
  },
  create(ctx) {
    if (ctx.file.isTest) return {};
    const sf = ctx.file.sourceFile;
    // Every cookie this rule reports holds a session id, an auth token or a CSRF secret: a credential, so each
    // finding is also CWE-522 beside the flag's own CWE.
    const credential = (cwe: string[]): string[] => [...cwe, "CWE-522"];
    const report = (p: Problem | undefined): void => {
      if (p) ctx.report({ node: p.node, message: p.message, severity: p.severity, cwe: credential(p.cwe) });
    };
    /** res.cookie(name, value, opts) / cookies.set(…): `cookiesModule` when the `cookies` library (HttpOnly on, Secure on HTTPS) sets it. */
    const checkCookieSet = (call: ts.CallExpression, recvText: string, cookiesModule: boolean): void => {
      const cookieName = constString(call.arguments[0]);
      const opts = call.arguments[2];
      const obj = objectLiteralOf(opts);
      if (opts && !obj) return; // options built elsewhere: cannot tell
      // Options written in the call: the finding goes on the call; options kept in a variable: on the weakened flag.
      const inline = !!opts && unwrap(opts) === obj;
      const place = (p: Problem): Problem => (inline && ts.isObjectLiteralElementLike(p.node) ? { ...p, node: call } : p);
      const valueText = unwrap(call.arguments[1]).getText();
      const sensitive = cookieName === undefined
        ? /^(token|jwt|accessToken|refreshToken|sessionId|sid|authToken)$/i.test(valueText) || /\b(sign|jwt)\w*\(/.test(valueText)
        : SENSITIVE_NAME.test(cookieName) && !CLIENT_READABLE.test(cookieName);
      // Explicitly weakened flags matter for any cookie that is not meant for client scripts.
      const weakenable = cookieName === undefined || !CLIENT_READABLE.test(cookieName);
      const p = checkOptions(obj, sensitive, call, `Cookie \`${cookieName ?? "…"}\``, sf, { httpOnly: cookiesModule, secure: cookiesModule });
      if (p) return report(place(p));
      if (!weakenable || !obj) return;
      if (flagValue(obj, "secure") === "false") {
        report(place({ node: propertyNode(obj, "secure")!, cwe: [CWE_OF.secure], message: `Cookie \`${cookieName ?? "…"}\` sets \`secure: false\`: it is sent over plain HTTP.` }));
      } else if (flagValue(obj, "httpOnly") === "false" && cookieName === undefined) {
        report(place({ node: propertyNode(obj, "httpOnly") ?? propertyNode(obj, "httponly")!, cwe: [CWE_OF.httpOnly], message: "Cookie set with `httpOnly: false`: scripts (and any XSS) can read it." }));
      }
      void recvText;
    };

    /** csurf({ cookie: { secure: false } }): the CSRF secret cookie explicitly sent over HTTP or exposed to scripts. */
    const checkCsurfCookie = (call: ts.CallExpression): boolean => {
      const r = ctx.file.imports.resolveCall(call);
      if (!r?.module || !["csurf", "@dr.pogodin/csurf"].includes(r.module) || r.path.length > 1) return false;
      const opts = objectLiteralOf(call.arguments[0]);
      const cookieProp = opts && propertyNode(opts, "cookie");
      const cookie = cookieProp && ts.isPropertyAssignment(cookieProp) ? objectLiteralOf(cookieProp.initializer) : undefined;
      if (!cookie) return true;
      const inline = unwrap(call.arguments[0]) === opts;
      for (const flag of ["secure", "httpOnly"] as const) {
        if (flagValue(cookie, flag) !== "false") continue;
        report({ node: inline ? call : propertyNode(cookie, flag)!, cwe: [CWE_OF[flag]], message: `CSRF secret cookie set with \`${flag}: false\`: ${flag === "secure" ? "it is sent over plain HTTP" : "scripts (and any XSS) can read it"}.` });
        return true;
      }
      return true;
    };

    return {
      CallExpression(call) {
        const name = memberName(call.expression);
        const recv = receiverOf(call);
        const recvText = recv ? unwrap(recv).getText() : "";
        // res.cookie(name, value, opts) / reply.setCookie(…) / ctx.cookies.set(…) / cookies().set(…)
        const isCookieSet =
          (name === "cookie" && /^(res|response|reply|resp|ctx\.res|ctx\.response|this\.res)$/.test(recvText)) ||
          (name === "setCookie" && /^(reply|res|response)$/.test(recvText)) ||
          (name === "set" && /(^|\.)cookies(\(\))?$/.test(recvText));
        if (isCookieSet && call.arguments.length >= 2) {
          checkCookieSet(call, recvText, name === "set" && (/^(ctx|context|this)\.cookies$/.test(recvText) || (ctx.file.imports.hasModule("cookies") && ts.isIdentifier(unwrap(recv!)))));
          return;
        }
        if (checkCsurfCookie(call)) return;
        // session middleware options
        let r = ctx.file.imports.resolveCall(call);
        let args: readonly ts.Expression[] = call.arguments;
        if (name === "register" && call.arguments.length >= 1) {
          // fastify.register(require("@fastify/session"), { cookie: {…} })
          const b = ctx.file.imports.bindingOf(call.arguments[0]);
          if (!b) return;
          r = { module: b.module, path: b.path, name: "default" };
          args = call.arguments.slice(1);
          if (!args.length) return;
        } else {
          const callee = unwrap(call.expression);
          if (!ts.isIdentifier(callee) && name !== "default") return;
        }
        if (!r?.module || !SESSION_MODULES.includes(r.module)) return;
        if (r.path.length > 1) return;
        if (args.length === 0) {
          if (r.module === "express-session") report({ node: call, cwe: [CWE_OF.secure], message: "express-session with default cookie options: the session cookie is sent without `secure` (and without `sameSite`)." });
          return;
        }
        const parts = optionObjects(args.at(-1));
        if (!parts) return;
        const opts = parts.at(-1)!;
        // Options written inline cannot be patched later (`opts.cookie.secure = true` under a production check).
        const laterSf = ts.isIdentifier(unwrap(args.at(-1)!)) ? sf : undefined;
        // Session middleware findings go on the `session(…)` call: that is where the configuration is reviewed.
        // Options kept in a variable are the exception for an explicit `secure: false`: the call line does not show it, the property does.
        const optionsElsewhere = ts.isIdentifier(unwrap(args.at(-1)!));
        const atCall = (p: Problem | undefined): void => {
          if (!p) return;
          const explicitFlag = ts.isPropertyAssignment(p.node) && /^(secure|httpOnly|httponly|sameSite|samesite)$/.test(propertyNameText(p.node.name) ?? "");
          ctx.report({ node: optionsElsewhere && explicitFlag ? p.node : call, message: p.message, severity: p.severity, cwe: credential(p.cwe) });
        };
        if (r.module === "express-session" || r.module === "@fastify/session" || r.module === "fastify-session") {
          const cookieProp = [...parts].reverse().map((o) => propertyNode(o, "cookie")).find((p) => p);
          const cookie = cookieProp && ts.isPropertyAssignment(cookieProp) ? objectLiteralOf(cookieProp.initializer) : undefined;
          if (cookieProp && !cookie) return;
          // opts.cookie = { … } assigned later (often under a production check)
          if (!cookieProp && /\.cookie\s*=\s*\{/.test(ctx.file.text)) return;
          atCall(checkOptions(cookie, true, cookieProp ?? call, "Session cookie", laterSf, { httpOnly: true, secure: false }));
        } else {
          // cookie-session / koa-session: flags live on the options object; the `cookies` module underneath sets HttpOnly,
          // and Secure whenever the request came over HTTPS, so only an explicit `false` weakens them.
          atCall(checkOptions(opts, true, call, "Session cookie", laterSf, { httpOnly: true, secure: true }));
        }
      },
      BinaryExpression(b) {
        // sess.cookie.secure = false / session.httpOnly = false
        if (b.operatorToken.kind !== ts.SyntaxKind.EqualsToken || !isBooleanLiteral(b.right, false)) return;
        const left = unwrap(b.left);
        if (!ts.isPropertyAccessExpression(left)) return;
        const flag = left.name.text;
        if (flag !== "secure" && flag !== "httpOnly") return;
        if (!/(sess|cookie)/i.test(left.expression.getText())) return;
        ctx.report({ node: b, cwe: credential([CWE_OF[flag]]), message: `Session cookie \`${flag}\` set to false: ${flag === "secure" ? "sent over plain HTTP" : "readable by scripts"}.` });
      },
    };
  },
});
