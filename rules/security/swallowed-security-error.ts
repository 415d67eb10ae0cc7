import { ts } from "ts-morph";
import { defineRule } from "../../src/core/rule.js";
import { isFunctionLike, memberName, receiverOf, unwrap, walk } from "../../src/core/ast.js";

/** Calls that verify identity, integrity or permission and signal failure by throwing (or an `err` callback). */
const VERIFY_NAME = /^(verify|verifyAsync|verifySync|jwtVerify|verifyIdToken|verifyToken|verifyAccessToken|verifyJwt|verifyJWT|verifySignature|verifyWebhook|verifyHmac|constructEvent|constructEventAsync|timingSafeEqual|validateSignature|checkSignature|validateToken|decodeAndVerify|verifySessionCookie|authorize|checkPermission|checkPermissions|assertPermission|assertCan|enforce|ensureAuthorized|requirePermission|compare|compareSync)$/;
const COMPARE_RECEIVER = /^(bcrypt|bcryptjs|argon2|scrypt|this\.bcrypt|hasher|this\.hashService|hashService|passwordService)$/;
const LOG_RECEIVER = /^(console|logger|log|this\.logger|this\.log|req\.log|request\.log|Sentry|fastify\.log)$/;

function verifyCallIn(block: ts.Node): ts.CallExpression | undefined {
  let found: ts.CallExpression | undefined;
  walk(block, (n) => {
    if (found) return false;
    if (isFunctionLike(n) && !isPromiseExecutor(n)) return false;
    if (ts.isCallExpression(n) && isVerifyCall(n)) found = n;
    return undefined;
  });
  return found;
}

function isPromiseExecutor(n: ts.Node): boolean {
  return !!n.parent && ts.isNewExpression(n.parent) && memberName(n.parent.expression) === "Promise";
}

function isVerifyCall(call: ts.CallExpression): boolean {
  const name = memberName(call.expression);
  if (!name || !VERIFY_NAME.test(name)) return false;
  const recv = receiverOf(call);
  const rt = recv ? unwrap(recv).getText() : "";
  if (name === "compare" || name === "compareSync") return COMPARE_RECEIVER.test(rt);
  if (name === "verify" || name === "verifyAsync" || name === "verifySync") {
    // jwt.verify, jsonwebtoken, argon2.verify, crypto.verify, verifier.verify, this.jwtService.verify(Async)
    return !recv || /jwt|jose|token|argon|crypto|verifier|signature|hmac|webhook|svix|auth|otp|totp|speakeasy|authenticator|nacl|sign|key/i.test(rt);
  }
  if (name === "enforce") return /enforcer|casbin/i.test(rt);
  if (name === "authorize") return /auth|guard|policy|ability|acl|permission/i.test(rt) || !recv;
  return true;
}

/** What the catch block does: nothing/log only (fail-open), explicit success, or a real failure path. */
function catchOutcome(block: ts.Block): "swallow" | "handles" {
  for (const st of block.statements) {
    if (ts.isEmptyStatement(st)) continue;
    if (ts.isReturnStatement(st)) {
      const e = st.expression && unwrap(st.expression);
      // return next() with no error / return true: continue as if verified
      if (e && ts.isCallExpression(e) && memberName(e.expression) === "next" && e.arguments.length === 0) continue;
      if (e && e.kind === ts.SyntaxKind.TrueKeyword) continue;
      return "handles";
    }
    if (ts.isThrowStatement(st)) return "handles";
    if (ts.isExpressionStatement(st)) {
      const e = unwrap(st.expression);
      if (ts.isCallExpression(e)) {
        const recv = receiverOf(e);
        const n = memberName(e.expression) ?? "";
        if (recv && LOG_RECEIVER.test(unwrap(recv).getText())) continue;
        if (!recv && /^(log|debug|warn|logError|captureException|reportError)$/.test(n)) continue;
        if (recv && /Sentry/.test(recv.getText())) continue;
        if (n === "next" && e.arguments.length === 0) continue;
        return "handles"; // res.status(401)…, next(err), reject(err), reply.code(401)…
      }
      if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
        // valid = true in a catch is fail-open; valid = false / user = null is a real failure signal
        if (e.right.kind === ts.SyntaxKind.TrueKeyword) continue;
        return "handles";
      }
      return "handles";
    }
    return "handles"; // if/else, variable declarations…: assume the author handled it
  }
  return "swallow";
}

/** Names assigned in the try block: `decoded = jwt.verify(…)`, `const payload = …`. */
function assignedNames(block: ts.Block): Set<string> {
  const out = new Set<string>();
  walk(block, (n) => {
    if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken) out.add(unwrap(n.left).getText());
    if (ts.isVariableDeclaration(n) && ts.isIdentifier(n.name)) out.add(n.name.text);
    return undefined;
  });
  return out;
}

/** After the try: `if (!decoded) return res.sendStatus(401)` — the failure is handled by checking the result. */
function checkedAfter(tryStmt: ts.TryStatement): boolean {
  const names = [...assignedNames(tryStmt.tryBlock)];
  const parent = tryStmt.parent;
  if (!parent || !(ts.isBlock(parent) || ts.isSourceFile(parent))) return false;
  const idx = parent.statements.indexOf(tryStmt);
  for (const st of parent.statements.slice(idx + 1)) {
    if (!ts.isIfStatement(st)) continue;
    const cond = st.expression.getText();
    if (names.some((n) => new RegExp(`(^|[^\\w$.])${n.replace(/[.$[\]()]/g, "\\$&")}\\b`).test(cond))) return true;
  }
  return false;
}

export default defineRule({
  meta: {
    id: "security/swallowed-security-error",
    category: "security",
    severity: "error",
    cwe: ["CWE-390", "CWE-703", "CWE-755"],
    title: "Failed security check swallowed (fail-open)",
    description:
      "A token, signature, password or permission check throws on failure, but the error is caught and ignored (or only logged) and the code " +
      "carries on as if the check had passed. Forged tokens and wrong passwords are then accepted.",
    fix: "Treat a failed verification as a denial: `catch { return res.status(401).json({ error: \"Invalid token\" }) }` / `throw new UnauthorizedException()` / `return false`.",
  },
  create(ctx) {
    if (ctx.file.isTest) return {};
    return {
      TryStatement(t) {
        const c = t.catchClause;
        if (!c) return;
        const call = verifyCallIn(t.tryBlock);
        if (!call) return;
        if (catchOutcome(c.block) !== "swallow") return;
        if (checkedAfter(t)) return;
        const what = call.expression.getText().slice(0, 40);
        ctx.report({ node: c, message: `The failure of \`${what}()\` is caught and ${c.block.statements.length ? "only logged" : "ignored"}: execution continues as if the check passed (fail-open). Deny the request in the catch.` });
      },
      CallExpression(call) {
        // jwt.verify(token, key, (err, decoded) => { …no exit on err… })
        if (!isVerifyCall(call)) return;
        const cb = call.arguments.map((a) => unwrap(a)).find((a): a is ts.ArrowFunction | ts.FunctionExpression => ts.isArrowFunction(a) || ts.isFunctionExpression(a));
        if (!cb || cb.parameters.length < 1 || !cb.body || !ts.isBlock(cb.body)) return;
        const p0 = cb.parameters[0];
        if (!ts.isIdentifier(p0.name) || !/^(err|error|e|ex)$/i.test(p0.name.text)) return;
        const errName = p0.name.text;
        const body = cb.body;
        const mentions = new RegExp(`\\b${errName}\\b`);
        // an `if (err)` (or `if (!err)`) that leaves or branches is a real check
        let checked = false;
        walk(body, (n) => {
          if (checked) return false;
          if (isFunctionLike(n)) return false;
          if (ts.isIfStatement(n) && mentions.test(n.expression.getText())) {
            const negated = /^!/.test(n.expression.getText().trim());
            if (n.elseStatement || negated) checked = true;
            else if (ts.isBlock(n.thenStatement) ? catchOutcome(n.thenStatement) === "handles" : !isLogOnly(n.thenStatement)) checked = true;
          }
          if (ts.isConditionalExpression(n) && mentions.test(n.condition.getText())) checked = true;
          if (ts.isCallExpression(n) && n.arguments.some((a) => unwrap(a).getText() === errName) && !LOG_RECEIVER.test(receiverOf(n)?.getText() ?? "")) checked = true; // next(err) / reject(err) / done(err)
          return undefined;
        });
        if (checked || resultDecides(call, cb)) return;
        ctx.report({ node: call, message: `The \`${errName}\` of \`${call.expression.getText().slice(0, 40)}()\` is never acted on: the callback continues as if verification succeeded (fail-open).` });
      },
    };
  },
});

/**
 * `bcrypt.compare(pw, hash, (err, same) => resolve(same === true))`: on error the result is undefined, so a callback
 * that tests the result (or hands a compare result on) denies by itself — the error needs no separate branch.
 */
function resultDecides(call: ts.CallExpression, cb: ts.ArrowFunction | ts.FunctionExpression): boolean {
  const p1 = cb.parameters[1];
  if (!p1 || !ts.isIdentifier(p1.name) || !cb.body) return false;
  const name = p1.name.text;
  const isCompare = /^compare(Sync)?$/.test(memberName(call.expression) ?? "");
  let decides = false;
  walk(cb.body, (n) => {
    if (decides) return false;
    if (isFunctionLike(n)) return false;
    if (!ts.isIdentifier(n) || n.text !== name) return undefined;
    const parent = n.parent;
    // if (same) / same ? … : … / !same / same === true
    if (ts.isIfStatement(parent) && parent.expression === n) decides = true;
    if (ts.isConditionalExpression(parent) && parent.condition === n) decides = true;
    if (ts.isPrefixUnaryExpression(parent) && parent.operator === ts.SyntaxKind.ExclamationToken) decides = true;
    if (ts.isBinaryExpression(parent) && /^(===|==|!==|!=|&&|\|\|)$/.test(parent.operatorToken.getText())) decides = true;
    // a boolean compare result passed on (resolve(same), done(null, isMatch)) is false/undefined on error
    if (isCompare && ts.isCallExpression(parent) && parent.arguments.some((a) => a === n)) decides = true;
    return undefined;
  });
  return decides;
}

function isLogOnly(st: ts.Statement): boolean {
  if (ts.isExpressionStatement(st) && ts.isCallExpression(unwrap(st.expression))) {
    const recv = receiverOf(unwrap(st.expression) as ts.CallExpression);
    return !!recv && LOG_RECEIVER.test(unwrap(recv).getText());
  }
  return false;
}
