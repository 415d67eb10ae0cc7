import { ts } from "ts-morph";
import { defineRule } from "../../src/core/rule.js";
import { isFunctionLike, memberName, propertyNameText, receiverName, stringValue, unwrap, walk, walkSameFunction } from "../../src/core/ast.js";
import { findDeclaration, functionOfDeclaration } from "../../src/core/scope.js";
import { functionName, nameTokens } from "../../src/core/secrets.js";
import { arrayLiteralOf } from "../../src/core/sinks-injection.js";

/** Names of values that must be unguessable. */
const SECRET_TOKENS = /^(token|tokens|secret|secrets|password|passwd|pwd|passphrase|otp|totp|hotp|nonce|salt|sid|csrf|xsrf|apikey|auth|authentication|credential|credentials|session|sessionid|verification|verify|reset|recovery|invite|invitation|activation|confirm|confirmation|coupon|voucher|promo|referral|captcha|challenge|pin|iv|jwt|cookie|magic|signup|unsubscribe|share|access|refresh|bearer|pass|temp?password|mfa|2fa)$/;
const SECRET_JOINED = /(token|secret|password|passwd|nonce|sessionid|apikey|otp|csrf|xsrf|resetcode|verificationcode|verifycode|confirmationcode|activationcode|invitecode|salt|passcode|securitycode|authcode)/;
/** Identifiers that are not secrets but still should not be guessable: a weaker signal. */
const ID_TOKENS = /^(uuid|guid|id|ids|code|hash|identifier|uid)$/;
/** Legitimate uses of Math.random. */
const BENIGN_TOKENS = /^(jitter|backoff|delay|retry|retries|timeout|sleep|wait|interval|sample|sampling|sampled|rate|shuffle|shuffled|color|colour|hue|rgb|hex|x|y|z|position|pos|offset|width|height|size|angle|rotation|velocity|speed|opacity|alpha|animation|particle|latency|chance|probability|percent|percentage|weight|weights|test|tests|mock|mocks|fake|faker|demo|seed|dummy|noise|loadbalance|balancer|pick|choice|index|idx|order|trace|tracing|span|request|correlation|log|logger|element|dom|css|class|classname|react|key|filename|file|tmp|temp|tempfile|message|quote|tip|greeting|emoji|avatar|placeholder|skeleton|debounce|throttle|canary|experiment|variant|ab|bucket|lottery|dice|roll|game|score|temperature|price|amount|count|quantity|number|num|int|float|range|between|min|max)$/;
const IGNORE_CALLEES = new Set(["floor", "round", "ceil", "trunc", "abs", "toString", "substring", "substr", "slice", "padStart", "padEnd", "charAt", "join", "push", "String", "Number", "parseInt", "concat", "toFixed", "replace", "toUpperCase", "repeat", "from", "map", "fill", "random"]);

function classify(names: readonly string[]): "secret" | "id" | undefined {
  let id = false;
  let uuid = false;
  for (const n of names) {
    const tokens = nameTokens(n);
    const joined = n.toLowerCase().replace(/[^a-z0-9]/g, "");
    if (!tokens.length) continue;
    const secret = tokens.some((t) => SECRET_TOKENS.test(t)) || SECRET_JOINED.test(joined);
    const benign = tokens.some((t) => BENIGN_TOKENS.test(t));
    // `retryJitterMs`, `sampleRate`: benign wins unless a secret word is the last one (`tempPassword`).
    if (secret && (!benign || SECRET_TOKENS.test(tokens[tokens.length - 1]))) return "secret";
    if (benign || namesAnId(tokens)) return uuid ? "id" : undefined;
    // `const code = …` inside `sendResetCode()` / a "/reset-password" handler: keep looking for the purpose.
    if (tokens.some((t) => ID_TOKENS.test(t))) id = true;
    if (tokens.some((t) => /^(uuid|guid)(s|v4|4)?$/.test(t))) uuid = true;
  }
  // Plain ids (task ids, DOM ids) are not secrets; hand-rolled UUIDs are usually meant to be unguessable.
  void id;
  return uuid ? "id" : undefined;
}

/**
 * `subscriberId`, `jobId`, `requestUid`: the name says the value identifies a thing (a listener, a job), which settles
 * its purpose — later uses (`unsubscribe({ subscriberOrId })`) do not make it a secret. `sessionId` is caught earlier.
 */
function namesAnId(tokens: readonly string[]): boolean {
  return tokens.length >= 2 && /^(id|ids|uid|identifier)$/.test(tokens[tokens.length - 1]);
}

/** Does the function return (an expression using) the local `name`? */
function returnsName(fn: ts.FunctionLikeDeclaration, name: string): boolean {
  if (!fn.body) return false;
  const mentions = (e: ts.Node): boolean => {
    if (ts.isIdentifier(e) && e.text === name) return true;
    let hit = false;
    walkSameFunction(e, (n) => {
      if (ts.isIdentifier(n) && n.text === name) hit = true;
      return hit ? false : undefined;
    });
    return hit;
  };
  if (!ts.isBlock(fn.body)) return mentions(fn.body);
  let found = false;
  walkSameFunction(fn.body, (n) => {
    if (ts.isReturnStatement(n) && n.expression && mentions(n.expression)) found = true;
    return found ? false : undefined;
  });
  return found;
}

function enclosingFn(node: ts.Node): ts.FunctionLikeDeclaration | undefined {
  for (let p = node.parent; p; p = p.parent) if (isFunctionLike(p)) return p;
  return undefined;
}

/**
 * The names the random value itself flows into, nearest first: the variable / property / assignment target holding it,
 * the callee it is passed to, and a function's name only when the function returns the value (`generateToken()`).
 * The name of a function or class the value merely sits in (`SessionHandler`, `prepareUserData`) says nothing about it.
 */
function valueNames(node: ts.Node, ignoreCallees: ReadonlySet<string>, depth = 0): string[] {
  const out: string[] = [];
  let child: ts.Node = node;
  let p: ts.Node | undefined = node.parent;
  const viaReturnOf = (fn: ts.FunctionLikeDeclaration | undefined): boolean => {
    if (!fn) return false;
    const n = functionName(fn);
    if (n) out.push(n);
    child = fn;
    p = fn.parent;
    return true;
  };
  for (let guard = 0; p && guard < 200; guard++) {
    if (ts.isVariableDeclaration(p) && p.initializer === child) {
      if (!ts.isIdentifier(p.name)) return out;
      out.push(p.name.text);
      const fn = enclosingFn(p);
      if (fn && returnsName(fn, p.name.text) && viaReturnOf(fn)) continue;
      // `const suffix = Math.random(); const password = "x" + suffix`: a neutral name says nothing, its uses do.
      if (depth < 1 && isNeutralName(p.name.text)) out.push(...usesOf(p, ignoreCallees, depth + 1));
      return out;
    }
    if (ts.isPropertyAssignment(p) && p.initializer === child) {
      const n = propertyNameText(p.name);
      if (n) out.push(n);
    } else if (ts.isPropertyDeclaration(p) && ts.isIdentifier(p.name)) {
      out.push(p.name.text);
      return out;
    } else if (ts.isBinaryExpression(p) && p.right === child && [ts.SyntaxKind.EqualsToken, ts.SyntaxKind.PlusEqualsToken].includes(p.operatorToken.kind)) {
      const n = memberName(p.left);
      if (n) out.push(n);
      const left = unwrap(p.left);
      const fn = enclosingFn(p);
      if (!ts.isIdentifier(left) || !fn || !returnsName(fn, left.text) || !viaReturnOf(fn)) return out;
      continue;
    } else if ((ts.isCallExpression(p) || ts.isNewExpression(p)) && p.arguments?.some((a) => a === child)) {
      const n = memberName(p.expression);
      if (n && !ignoreCallees.has(n)) out.push(n);
      // a local function's parameter names what the argument is: `function setSecret(secret) {…}; setSecret(Math.random())`
      const param = parameterNameFor(p, p.arguments.indexOf(child as ts.Expression));
      if (param) out.push(param);
      for (const a of p.arguments) {
        const v = stringValue(a);
        if (v && v.length < 60) out.push(v);
      }
    } else if (ts.isReturnStatement(p)) {
      if (!viaReturnOf(enclosingFn(p))) return out;
      continue;
    } else if (isFunctionLike(p)) {
      // an arrow's expression body is its return value; a statement body is not the value
      if (!(ts.isArrowFunction(p) && p.body === child)) return out;
      if (!viaReturnOf(p)) return out;
      continue;
    } else if (ts.isStatement(p) || ts.isBlock(p) || ts.isSourceFile(p) || ts.isClassLike(p)) {
      return out;
    }
    child = p;
    p = p.parent;
  }
  return out;
}

/** Not classified either way: `r`, `suffix`, `pw`, `value`. */
function isNeutralName(name: string): boolean {
  const tokens = nameTokens(name);
  return !tokens.some((t) => BENIGN_TOKENS.test(t)) && !namesAnId(tokens) && classify([name]) === undefined;
}

/** Names the later uses of a local variable flow into (same function). */
function usesOf(decl: ts.VariableDeclaration, ignoreCallees: ReadonlySet<string>, depth: number): string[] {
  if (!ts.isIdentifier(decl.name)) return [];
  const name = decl.name.text;
  const scope = enclosingFn(decl)?.body ?? decl.getSourceFile();
  const out: string[] = [];
  walk(scope, (n) => {
    if (!ts.isIdentifier(n) || n.text !== name || n === decl.name || findDeclaration(n) !== decl) return;
    out.push(...valueNames(n, ignoreCallees, depth));
  });
  return out;
}

/** `f(x)` where `f` is a function declared in this file → the name of the parameter receiving argument `index`. */
function parameterNameFor(call: ts.CallExpression | ts.NewExpression, index: number): string | undefined {
  const callee = unwrap(call.expression);
  if (!ts.isIdentifier(callee) || index < 0) return undefined;
  const fn = functionOfDeclaration(findDeclaration(callee));
  const param = fn?.parameters[index];
  return param && ts.isIdentifier(param.name) ? param.name.text : undefined;
}

const CSPRNG = /\bcrypto\b|getRandomValues|randomUUID|randomBytes|randomInt/;

/** `crypto ? crypto.getRandomValues(…) : Math.random()`: the weak source only runs where no CSPRNG exists (never in Node). */
function isCryptoFallback(call: ts.Node): boolean {
  for (let child: ts.Node = call, p = call.parent; p && !ts.isSourceFile(p); child = p, p = p.parent) {
    if (ts.isConditionalExpression(p) && (p.whenTrue === child || p.whenFalse === child)) {
      const other = p.whenTrue === child ? p.whenFalse : p.whenTrue;
      if (CSPRNG.test(p.condition.getText()) || CSPRNG.test(other.getText())) return true;
    }
    if (ts.isIfStatement(p) && (p.thenStatement === child || p.elseStatement === child)) {
      const other = p.thenStatement === child ? p.elseStatement : p.thenStatement;
      if (CSPRNG.test(p.expression.getText()) || (other && CSPRNG.test(other.getText()))) return true;
    }
  }
  return false;
}

/**
 * `statuses[Math.floor(Math.random() * statuses.length)]` over a fixed list of words or values: a random choice among
 * known options (a mock status, a greeting), never secret material. Picking from single characters
 * (`chars[Math.floor(Math.random() * 62)]`) builds a token and stays reported.
 */
function picksAWord(call: ts.CallExpression): boolean {
  let p: ts.Node = call;
  while (p.parent && !ts.isElementAccessExpression(p.parent) && (ts.isBinaryExpression(p.parent) || ts.isCallExpression(p.parent) || ts.isParenthesizedExpression(p.parent))) p = p.parent;
  const access = p.parent;
  if (!access || !ts.isElementAccessExpression(access) || access.argumentExpression !== p) return false;
  const list = arrayLiteralOf(access.expression);
  if (!list || list.elements.length < 2) return false;
  return list.elements.every((el) => {
    const v = stringValue(el);
    return v === undefined ? !ts.isSpreadElement(el) : v.length > 1;
  });
}

const PSEUDO_CWE = ["CWE-338", "CWE-330", "CWE-327"];
const MATH_CWE = ["CWE-338", "CWE-330"];

export default defineRule({
  meta: {
    id: "security/insecure-randomness",
    category: "security",
    severity: "error",
    cwe: ["CWE-338", "CWE-330", "CWE-327"],
    title: "Predictable random value used as a secret",
    description:
      "Math.random() is not cryptographically secure: its state can be recovered from a few outputs, so tokens, session ids, " +
      "password-reset codes, OTPs, nonces or salts built from it can be predicted and forged.",
    fix: "Use crypto.randomBytes(32).toString('hex'), crypto.randomUUID() or crypto.randomInt(min, max) for anything that must be unguessable.",
  },
  create(ctx) {
    if (ctx.file.isTest) return {};
    return {
      PropertyAccessExpression(pa) {
        // `const gen = crypto.pseudoRandomBytes` / `promisify(crypto.pseudoRandomBytes)`: the function taken as a value.
        if (pa.name.text !== "pseudoRandomBytes" || !ts.isIdentifier(pa.expression) || pa.expression.text !== "crypto") return;
        if (ts.isCallExpression(pa.parent) && pa.parent.expression === pa) return; // reported as a call
        ctx.report({ node: pa, cwe: PSEUDO_CWE, message: "crypto.pseudoRandomBytes is not cryptographically strong (deprecated): use crypto.randomBytes." });
      },
      CallExpression(call) {
        const callee = unwrap(call.expression);
        const name = memberName(callee);
        if (name === "pseudoRandomBytes" && (receiverName(call) === "crypto" || ctx.file.imports.isCallTo(call, "crypto", ["pseudoRandomBytes"]))) {
          ctx.report({ node: call, cwe: PSEUDO_CWE, message: "crypto.pseudoRandomBytes is not cryptographically strong (deprecated): use crypto.randomBytes." });
          return;
        }
        if (name !== "random" || !ts.isPropertyAccessExpression(callee) || !ts.isIdentifier(callee.expression) || callee.expression.text !== "Math") return;
        if (isCryptoFallback(call) || picksAWord(call)) return;
        const names = valueNames(call, IGNORE_CALLEES);
        const kind = classify(names);
        if (kind === "secret") {
          const where = names.find((n) => classify([n]) === "secret") ?? "a secret";
          ctx.report({ node: call, cwe: MATH_CWE, message: `Math.random() builds \`${where}\`, which must be unguessable: use crypto.randomBytes / crypto.randomUUID / crypto.randomInt.` });
          return;
        }
        if (kind === "id") {
          ctx.report({ node: call, severity: "warning", cwe: MATH_CWE, message: "UUID generated with Math.random(): predictable and collision-prone; use crypto.randomUUID()." });
        }
      },
    };
  },
});
