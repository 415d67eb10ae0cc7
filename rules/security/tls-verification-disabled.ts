import { ts } from "ts-morph";
import { defineRule } from "../../src/core/rule.js";
import { endLineOf, isFunctionLike, lineOf, memberName, propertyNameText, stringValue, unwrap, walk } from "../../src/core/ast.js";
import { assignmentsTo, findDeclaration } from "../../src/core/scope.js";

/** `!true` → false, `!!false` → false: the boolean a chain of negations of a literal evaluates to. */
function negatedBoolean(e: ts.Expression): boolean | undefined {
  let negations = 0;
  let x = e;
  while (ts.isPrefixUnaryExpression(x) && x.operator === ts.SyntaxKind.ExclamationToken) {
    negations++;
    x = unwrap(x.operand);
  }
  if (!negations || (x.kind !== ts.SyntaxKind.TrueKeyword && x.kind !== ts.SyntaxKind.FalseKeyword)) return undefined;
  return (x.kind === ts.SyntaxKind.TrueKeyword) !== (negations % 2 === 1);
}

/** `let insecure = false; … rejectUnauthorized: insecure`: a local never reassigned, initialized to a literal. */
function constantInitializer(e: ts.Expression): ts.Expression | undefined {
  if (!ts.isIdentifier(e)) return undefined;
  const d = findDeclaration(e);
  if (!d || !ts.isVariableDeclaration(d) || !d.initializer || assignmentsTo(d).length) return undefined;
  const init = unwrap(d.initializer);
  return init.kind === ts.SyntaxKind.FalseKeyword || init.kind === ts.SyntaxKind.TrueKeyword || ts.isNumericLiteral(init) || ts.isPrefixUnaryExpression(init) ? init : undefined;
}

/** The on/off value a setting is written as: `true`/`false`, `1`/`0`, their strings, `!true`, or a never-reassigned local holding one. */
function switchValue(expr: ts.Expression): boolean | undefined {
  const e = unwrap(expr);
  const held = constantInitializer(e);
  if (held) return switchValue(held);
  const negated = negatedBoolean(e);
  if (negated !== undefined) return negated;
  if (e.kind === ts.SyntaxKind.TrueKeyword) return true;
  if (e.kind === ts.SyntaxKind.FalseKeyword) return false;
  const s = ts.isNumericLiteral(e) ? e.text : stringValue(e);
  return s === "true" || s === "1" ? true : s === "false" || s === "0" ? false : undefined;
}

function isOff(expr: ts.Expression): boolean {
  return switchValue(expr) === false;
}

function isOn(expr: ts.Expression): boolean {
  return switchValue(expr) === true;
}

/** `() => undefined`, `() => {}`, `function () { return null; }`: accepts any certificate identity. */
function acceptsAnything(expr: ts.Expression): boolean {
  const e = unwrap(expr);
  if (!isFunctionLike(e) || !e.body) return false;
  if (!ts.isBlock(e.body)) {
    const b = unwrap(e.body);
    return b.kind === ts.SyntaxKind.UndefinedKeyword || b.kind === ts.SyntaxKind.NullKeyword || (ts.isIdentifier(b) && b.text === "undefined") || ts.isVoidExpression(b);
  }
  let returnsError = false;
  walk(e.body, (n) => {
    if (isFunctionLike(n)) return false;
    if (ts.isReturnStatement(n) && n.expression) {
      const r = unwrap(n.expression);
      if (!(r.kind === ts.SyntaxKind.UndefinedKeyword || r.kind === ts.SyntaxKind.NullKeyword || (ts.isIdentifier(r) && r.text === "undefined"))) returnsError = true;
    }
    if (ts.isThrowStatement(n)) returnsError = true;
  });
  return !returnsError;
}

export default defineRule({
  meta: {
    id: "security/tls-verification-disabled",
    category: "security",
    severity: "error",
    cwe: ["CWE-295"],
    title: "TLS certificate verification disabled",
    description:
      "With certificate checks off, anyone on the network path (Wi-Fi, proxy, compromised router, cloud neighbour) can " +
      "impersonate the server and read or modify the traffic, including credentials and tokens.",
    fix: "Keep `rejectUnauthorized: true` (the default). For private CAs pass the CA bundle (`ca: fs.readFileSync(…)`) or set NODE_EXTRA_CA_CERTS instead of disabling verification.",
  },
  create(ctx) {
    if (ctx.file.isTest) return {};
    const sf = ctx.file.sourceFile;

    const reportOption = (prop: ts.PropertyAssignment, name: string, fixedValue: string): void => {
      const line = lineOf(prop, sf);
      const text = ctx.file.lineText(line);
      const own = endLineOf(prop, sf) === line && text.trim().replace(/,$/, "") === prop.getText(sf).trim();
      ctx.report({
        node: prop,
        message: `\`${prop.getText(sf).trim()}\` disables TLS certificate verification: the connection can be intercepted (man-in-the-middle).`,
        fix: own ? { description: "Verify certificates", text: text.replace(prop.getText(sf), `${prop.name.getText(sf)}: ${fixedValue}`) } : undefined,
      });
      void name;
    };

    return {
      PropertyAssignment(prop) {
        const name = propertyNameText(prop.name);
        if (!name) return;
        if ((name === "rejectUnauthorized" || name === "strictSSL" || name === "verifySSL" || name === "sslValidate") && isOff(prop.initializer)) {
          reportOption(prop, name, "true");
          return;
        }
        if ((name === "tlsAllowInvalidCertificates" || name === "tlsAllowInvalidHostnames" || name === "sslAllowInvalidCertificates" || name === "tlsInsecure" || name === "insecureSkipVerify" || name === "ignoreHTTPSErrors" || name === "acceptInsecureCerts") && isOn(prop.initializer)) {
          reportOption(prop, name, "false");
          return;
        }
        if ((name === "SSL_VERIFYPEER" || name === "SSL_VERIFYHOST" || name === "sslVerifyPeer") && isOff(prop.initializer)) {
          reportOption(prop, name, "1");
          return;
        }
        if (name === "NODE_TLS_REJECT_UNAUTHORIZED" && isOff(prop.initializer)) {
          ctx.report({ node: prop, message: "NODE_TLS_REJECT_UNAUTHORIZED=0 disables certificate verification for every TLS connection in the process." });
          return;
        }
        if (name === "checkServerIdentity" && acceptsAnything(prop.initializer)) {
          ctx.report({ node: prop, message: "checkServerIdentity that accepts every certificate: any valid certificate for any host is trusted (man-in-the-middle)." });
        }
      },
      ObjectLiteralExpression(obj) {
        // { rejectUnauthorized } where the local is `false` and never reassigned
        for (const p of obj.properties) {
          if (!ts.isShorthandPropertyAssignment(p) || !/^(rejectUnauthorized|strictSSL)$/.test(p.name.text)) continue;
          const held = constantInitializer(p.name);
          if (held && isOff(held)) ctx.report({ node: p, message: `\`${p.name.text}\` is \`${held.getText(sf)}\`: TLS certificate verification is disabled and the connection can be intercepted (man-in-the-middle).` });
        }
      },
      BinaryExpression(bin) {
        if (bin.operatorToken.kind !== ts.SyntaxKind.EqualsToken) return;
        const name = memberName(bin.left);
        if (name === "NODE_TLS_REJECT_UNAUTHORIZED" && isOff(bin.right)) {
          ctx.report({ node: bin, message: "NODE_TLS_REJECT_UNAUTHORIZED=0 disables certificate verification for every TLS connection in the process." });
        } else if ((name === "rejectUnauthorized" || name === "strictSSL") && isOff(bin.right) && !ts.isIdentifier(unwrap(bin.left))) {
          // `options.rejectUnauthorized = false`; a bare local `rejectUnauthorized = false` is only a value until it reaches options
          ctx.report({ node: bin, message: `Setting \`${name}\` to false disables TLS certificate verification.` });
        } else if (name === "checkServerIdentity" && acceptsAnything(bin.right)) {
          ctx.report({ node: bin, message: "checkServerIdentity that accepts every certificate disables hostname verification." });
        }
      },
      CallExpression(call) {
        const name = memberName(call.expression);
        // process.env.NODE_TLS_REJECT_UNAUTHORIZED via Object.assign / dotenv-like setters
        if (name === "setEnv" || name === "set") {
          if (stringValue(call.arguments[0]) === "NODE_TLS_REJECT_UNAUTHORIZED" && call.arguments[1] && isOff(call.arguments[1])) {
            ctx.report({ node: call, message: "NODE_TLS_REJECT_UNAUTHORIZED=0 disables certificate verification for every TLS connection in the process." });
          }
          return;
        }
        // node-libcurl: curl.setOpt(Curl.option.SSL_VERIFYPEER, false)
        if (name === "setOpt" && call.arguments.length === 2 && /SSL_VERIFY(PEER|HOST)/.test(call.arguments[0].getText()) && isOff(call.arguments[1])) {
          ctx.report({ node: call, message: "curl SSL_VERIFYPEER/SSL_VERIFYHOST disabled: certificates are not checked." });
        }
        // gRPC credentials.createInsecure() is no TLS at all (clear text), not a disabled check: security/insecure-transport reports it.
      },
    };
  },
});
