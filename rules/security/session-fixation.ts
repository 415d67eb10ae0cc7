import { ts } from "ts-morph";
import { defineRule } from "../../src/core/rule.js";
import { accessChain, isFunctionLike, memberName, receiverOf, stringValue, unwrap } from "../../src/core/ast.js";
import { findDeclaration } from "../../src/core/scope.js";
import { containsCall, decoratorsOf, enclosingRoute, functionName, LOGIN_NAME, LOGIN_PATH } from "../../src/core/web-app.js";

/** Session keys that mean "this session is now authenticated". */
const AUTH_KEY = /^(user|userId|user_id|uid|userid|account|accountId|authenticated|isAuthenticated|loggedIn|isLoggedIn|logged_in|auth|authUser|currentUser|username|email|role|roles|isAdmin|admin|passport|principal|identity|customerId|memberId)$/;
const REGENERATE = /^(regenerate|regenerateSession|regenerateId)$/;
const PASSWORD_CHECK = /^(compare|compareSync|verify|verifyPassword|checkPassword|comparePassword|validatePassword|isValidPassword|matchPassword|authenticate)$/;

/** `req.session` / `ctx.session` / `request.session` / a Nest `@Session() session` parameter. */
function isSessionObject(expr: ts.Expression): boolean {
  const e = unwrap(expr);
  if (ts.isPropertyAccessExpression(e) && e.name.text === "session") {
    const base = unwrap(e.expression).getText();
    return /^(req|request|ctx|context|this\.req|ctx\.request)$/.test(base);
  }
  if (ts.isIdentifier(e)) {
    const d = findDeclaration(e);
    if (d && ts.isParameter(d)) return decoratorsOf(d).some((x) => x.name === "Session");
  }
  return false;
}

/** The session key an assignment/set call writes, when it is an auth key: `req.session.userId = …`, `req.session.user.id = …`. */
function authWrite(node: ts.BinaryExpression | ts.CallExpression): string | undefined {
  if (ts.isBinaryExpression(node)) {
    if (node.operatorToken.kind !== ts.SyntaxKind.EqualsToken) return undefined;
    let left = unwrap(node.left);
    while (ts.isPropertyAccessExpression(left) || ts.isElementAccessExpression(left)) {
      const key = memberName(left);
      if (isSessionObject(left.expression)) return key && AUTH_KEY.test(key) ? key : undefined;
      left = unwrap(left.expression);
    }
    return undefined;
  }
  const name = memberName(node.expression);
  const recv = receiverOf(node);
  if (!recv) return undefined;
  if (name === "set" && isSessionObject(recv)) {
    const key = stringValue(node.arguments[0]);
    return key && AUTH_KEY.test(key) ? key : undefined;
  }
  if (name === "assign" && recv.getText() === "Object" && node.arguments[0] && isSessionObject(node.arguments[0])) {
    const src = node.arguments[1] && unwrap(node.arguments[1]);
    if (src && ts.isObjectLiteralExpression(src)) {
      for (const p of src.properties) {
        const k = p.name && memberName(p.name as ts.Identifier);
        if (k && AUTH_KEY.test(k)) return k;
      }
    }
  }
  return undefined;
}

/** The outermost function of the login flow (route handler, passport callback, named login function). */
function loginScope(node: ts.Node): ts.Node | undefined {
  const route = enclosingRoute(node);
  if (route) {
    const name = ts.isCallExpression(route.route.call) ? undefined : functionName(route.handler);
    if ((route.route.path && LOGIN_PATH.test(route.route.path) && route.route.method !== "get") || (route.route.path && /log-?in|sign-?in|callback/i.test(route.route.path)) || (name && LOGIN_NAME.test(name))) return route.handler;
    if (containsCall(route.handler, PASSWORD_CHECK)) return route.handler;
    return undefined;
  }
  let outer: ts.FunctionLikeDeclaration | undefined;
  for (let p: ts.Node | undefined = node.parent; p; p = p.parent) {
    if (!isFunctionLike(p)) continue;
    const name = functionName(p);
    if (name && LOGIN_NAME.test(name)) outer = p;
    // passport.authenticate("local", (err, user) => { … }) — the custom callback of a login
    const call = p.parent && ts.isCallExpression(p.parent) ? p.parent : undefined;
    if (call && memberName(call.expression) === "authenticate" && /passport/.test(call.expression.getText())) outer = p;
  }
  if (outer) {
    // keep climbing: the route handler that contains the passport call is the real scope
    const r = enclosingRoute(outer);
    return r?.handler ?? outer;
  }
  return undefined;
}

export default defineRule({
  meta: {
    id: "security/session-fixation",
    category: "security",
    severity: "error",
    cwe: ["CWE-384"],
    title: "Session not regenerated on login",
    description:
      "The login handler stores the authenticated user in the existing session without issuing a new session id. " +
      "An attacker who planted a session id in the victim's browser (fixation) is logged in as the victim once they sign in.",
    fix: "Call `req.session.regenerate((err) => { … req.session.userId = user.id; req.session.save(…) })` before storing auth state (passport ≥ 0.6 `req.login` does this).",
  },
  create(ctx) {
    if (ctx.file.isTest) return {};
    if (!/session/.test(ctx.file.text)) return {};
    const check = (node: ts.BinaryExpression | ts.CallExpression): void => {
      const key = authWrite(node);
      if (!key) return;
      const scope = loginScope(node);
      if (!scope) return;
      if (containsCall(scope, REGENERATE) || containsCall(scope, /^(logIn|login)$/) && /\b(req|request)\.(logIn|login)\s*\(/.test(scope.getText())) return;
      // session destroyed and recreated (koa: ctx.session = null) counts as a new session
      if (/\.session\s*=\s*(null|undefined|\{\s*\})/.test(scope.getText())) return;
      ctx.report({ node, message: `Login stores \`${accessChain(ts.isBinaryExpression(node) ? node.left : node.expression)?.join(".") ?? key}\` in the existing session without \`req.session.regenerate()\`: session fixation.` });
    };
    return {
      BinaryExpression: check,
      CallExpression: check,
    };
  },
});
