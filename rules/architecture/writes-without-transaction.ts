import { ts } from "ts-morph";
import { defineRule } from "../../src/core/rule.js";
import { memberName, nodeText, unwrap, walk, walkSameFunction } from "../../src/core/ast.js";
import type { ImportTable } from "../../src/core/imports.js";
import { isStartupCode, isStartupPath } from "../../src/core/startup.js";
import {
  callRoot, chainTop, isDbWrite, isTransactionStart, managedTransactionCallback, passesTransaction, TX_PARAM_NAME, TX_PARAM_TYPE,
} from "../../src/core/transactions.js";

const HTTP_MODULES = ["axios", "got", "node-fetch", "undici", "superagent", "needle", "ky", "request", "request-promise", "stripe", "twilio", "@sendgrid/mail", "nodemailer"];
const QUEUE_MODULES = ["bullmq", "bull", "bee-queue", "amqplib", "kafkajs", "@google-cloud/pubsub", "nats", "@aws-sdk/client-sqs", "@aws-sdk/client-sns", "@aws-sdk/client-eventbridge", "@aws-sdk/client-kinesis"];
const QUEUE_METHODS = new Set(["publish", "sendMessage", "sendMessageBatch", "sendToQueue", "publishMessage", "produce", "sendBatch", "putEvents", "putRecord"]);

/** Is the write's value used (awaited, returned, handed to Promise.all)? A bare `repo.create(dto)` only builds an entity. */
function isAwaitedOrReturned(call: ts.CallExpression): boolean {
  let e: ts.Node = chainTop(call);
  for (;;) {
    const p = e.parent;
    if (!p) return false;
    if (ts.isAwaitExpression(p) || ts.isReturnStatement(p) || ts.isYieldExpression(p)) return true;
    if (ts.isArrowFunction(p) && p.body === e) return true;
    if (ts.isArrayLiteralExpression(p) || ts.isParenthesizedExpression(p)) {
      e = p;
      continue;
    }
    if (ts.isCallExpression(p) && /^(all|allSettled)$/.test(memberName(p.expression) ?? "")) return true;
    return false;
  }
}

/** Branch points between a node and its function: [branching node, which branch]. */
function branchPath(node: ts.Node, fn: ts.Node): Map<ts.Node, string> {
  const out = new Map<ts.Node, string>();
  let child: ts.Node = node;
  for (let p = node.parent; p && p !== fn; child = p, p = p.parent) {
    if (ts.isIfStatement(p)) out.set(p, child === p.thenStatement ? "then" : child === p.elseStatement ? "else" : "cond");
    else if (ts.isConditionalExpression(p)) out.set(p, child === p.whenTrue ? "t" : child === p.whenFalse ? "f" : "c");
    else if ((ts.isCaseClause(p) || ts.isDefaultClause(p)) && p.parent?.parent) out.set(p.parent.parent, String(p.parent.clauses.indexOf(p)));
    else if (ts.isBinaryExpression(p) && (p.operatorToken.kind === ts.SyntaxKind.BarBarToken || p.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken)) out.set(p, child === p.left ? "l" : "r");
  }
  return out;
}

function endsWithExit(st: ts.Statement | undefined): boolean {
  if (!st) return false;
  if (ts.isReturnStatement(st) || ts.isThrowStatement(st)) return true;
  if (ts.isBlock(st)) return endsWithExit(st.statements[st.statements.length - 1]);
  return false;
}

/** Can both writes run in one call of the function? Not when they sit in different branches, or the first branch returns. */
function canBothRun(a: ts.Node, b: ts.Node, fn: ts.Node): boolean {
  const pa = branchPath(a, fn);
  const pb = branchPath(b, fn);
  for (const [node, key] of pa) {
    const other = pb.get(node);
    if (other !== undefined && other !== key) return false;
    if (other === undefined && ts.isIfStatement(node) && key === "then" && endsWithExit(node.thenStatement)) return false;
    if (other === undefined && ts.isIfStatement(node) && key === "else" && endsWithExit(node.elseStatement)) return false;
  }
  return true;
}

function inCatch(node: ts.Node, fn: ts.Node): boolean {
  for (let p = node.parent; p && p !== fn; p = p.parent) if (ts.isCatchClause(p)) return true;
  return false;
}

function describe(call: ts.CallExpression): string {
  const t = nodeText(call.expression).replace(/\s+/g, "");
  return t.length > 40 ? `…${t.slice(-38)}` : t;
}

/** Is the call an HTTP request or a queue publish (a side effect the DB transaction cannot roll back)? */
function externalCall(call: ts.CallExpression | ts.NewExpression, imports: ImportTable): string | undefined {
  if (!ts.isCallExpression(call)) return undefined;
  const callee = unwrap(call.expression);
  if (ts.isIdentifier(callee) && callee.text === "fetch" && !imports.bindings.has("fetch")) return "HTTP request `fetch`";
  const r = imports.resolveCall(call);
  if (r?.module && HTTP_MODULES.some((m) => r.module === m || r.module!.startsWith(m + "/"))) return `HTTP call \`${describe(call)}\``;
  if (r?.module && QUEUE_MODULES.includes(r.module) && (QUEUE_METHODS.has(r.name) || ["add", "send", "addBulk"].includes(r.name))) return `queue publish \`${describe(call)}\``;
  const name = memberName(callee);
  if (name && QUEUE_METHODS.has(name) && ts.isPropertyAccessExpression(callee) && /queue|sqs|sns|kafka|producer|channel|pubsub|topic|bus|broker|publisher|eventbridge/i.test(nodeText(callee.expression))) {
    return `queue publish \`${describe(call)}\``;
  }
  if (name === "send" && ts.isPropertyAccessExpression(callee) && call.arguments[0] && ts.isNewExpression(unwrap(call.arguments[0])) && /(Send|Publish|Put)\w*Command$/.test(nodeText((unwrap(call.arguments[0]) as ts.NewExpression).expression))) {
    return `queue publish \`${describe(call)}\``;
  }
  if (name && ["post", "put", "patch", "get", "delete", "request"].includes(name) && ts.isPropertyAccessExpression(callee) && /^(this\.)?(http|httpClient|httpService|apiClient|axios\w*)$/i.test(nodeText(callee.expression))) {
    return `HTTP call \`${describe(call)}\``;
  }
  return undefined;
}

/** Names a transaction callback's own client goes by: its first parameter, plus locals derived from it (`const repo = manager.getRepository(X)`). */
function txNames(fn: ts.FunctionLikeDeclaration): string[] {
  const p = fn.parameters[0];
  if (!p || !ts.isIdentifier(p.name)) return [];
  const names = [p.name.text];
  walk(fn, (n) => {
    if (ts.isVariableDeclaration(n) && ts.isIdentifier(n.name) && n.initializer && !ts.isAwaitExpression(unwrap(n.initializer)) && new RegExp(`\\b${names[0].replace(/\$/g, "\\$")}\\b`).test(nodeText(n.initializer))) names.push(n.name.text);
  });
  return names;
}

export default defineRule({
  meta: {
    id: "architecture/writes-without-transaction",
    category: "architecture",
    severity: "warning",
    cwe: ["CWE-662"],
    title: "Related database writes without a transaction",
    description:
      "Several writes that belong together run as separate statements: when the second one fails (constraint, deadlock, timeout, deploy), the first " +
      "stays committed and the data is half-updated (an order without its items, money debited but not credited). Inside a transaction, using the " +
      "outer client or calling other services breaks the same guarantee.",
    fix: "Wrap the writes in one transaction (`prisma.$transaction(async (tx) => …)`, `knex.transaction`, `sequelize.transaction`, `dataSource.transaction`), use the transaction's client for every write inside it, and move HTTP calls/queue publishes after the commit (or use an outbox table).",
  },
  create(ctx) {
    if (!ctx.file.isServerCode || isStartupPath(ctx.file.path)) return {};
    const imports = ctx.file.imports;
    const txCallbacks = new Set<ts.Node>();
    const insideTx = (node: ts.Node): boolean => {
      for (let p = node.parent; p; p = p.parent) if (txCallbacks.has(p)) return true;
      return false;
    };

    const checkFunction = (fn: ts.FunctionLikeDeclaration): void => {
      if (!fn.body || !ts.isBlock(fn.body)) return;
      if (txCallbacks.has(fn) || insideTx(fn)) return;
      // seeding, migrations, start-up: run once on a fresh database, re-run on failure
      if (isStartupCode(fn.body, ctx.file.path)) return;
      if (fn.parameters.some((p) => (ts.isIdentifier(p.name) && TX_PARAM_NAME.test(p.name.text)) || TX_PARAM_TYPE.test(p.type?.getText() ?? ""))) return;
      const writes: ts.CallExpression[] = [];
      let started = false;
      walkSameFunction(fn.body, (n) => {
        if (!ts.isCallExpression(n)) return;
        if (managedTransactionCallback(n, imports)) return false; // prisma.$transaction([…]) and its callback are transactional
        if (isTransactionStart(n, imports)) started = true;
        if (n.expression.getText().includes("$transaction")) return false;
        if (isDbWrite(n, imports) && isAwaitedOrReturned(n) && !inCatch(n, fn) && !passesTransaction(n)) writes.push(n);
      });
      if (started || writes.length < 2) return;
      for (let j = 1; j < writes.length; j++) {
        const i = writes.findIndex((w, k) => k < j && canBothRun(w, writes[j], fn) && canBothRun(writes[j], w, fn));
        if (i < 0) continue;
        ctx.report({
          node: writes[j],
          message: `\`${describe(writes[i])}\` and \`${describe(writes[j])}\` write in one operation without a transaction: if this write fails, the earlier one stays committed.`,
        });
        return;
      }
    };

    const checkCallback = (txCall: ts.CallExpression, fn: ts.FunctionLikeDeclaration): void => {
      const names = txNames(fn);
      const outer = callRoot(txCall);
      const isWithTransaction = memberName(txCall.expression) === "withTransaction";
      const cls = /\buseCLS\b/.test(ctx.file.text);
      walk(fn, (n) => {
        if (!ts.isCallExpression(n)) return;
        if (n !== txCall && managedTransactionCallback(n, imports)) return false;
        const ext = externalCall(n, imports);
        if (ext) {
          ctx.report({
            node: n,
            message: `${ext} inside an open database transaction: the transaction holds its locks and connection for the whole round trip, and the remote side effect is not rolled back if the transaction aborts.`,
          });
          return;
        }
        if (!isDbWrite(n, imports)) return;
        const root = callRoot(n);
        if (!root) return;
        if (isWithTransaction) {
          if (!passesTransaction(n)) ctx.report({ node: n, message: `\`${describe(n)}\` inside \`withTransaction\` does not pass the \`session\`: it runs outside the transaction.` });
          return;
        }
        if (!names.length || cls || names.includes(root) || passesTransaction(n, names.slice(0, 1))) return;
        const sameClient = root === outer;
        const isModelCall = /^[A-Z]/.test(root) && memberName(txCall.expression) === "transaction";
        const isOuterRepo = /Repository$|Repo$|^repo$/.test(root) || /^this\./.test(nodeText(n.expression));
        if (!sameClient && !isModelCall && !isOuterRepo) return;
        const inner = names[0];
        const suggestion = sameClient ? ` (use \`${nodeText(n.expression).replace(new RegExp(`^(this\\.)?${outer}\\b`), inner)}\`)` : ` (pass \`${inner}\` or use its repository)`;
        ctx.report({
          node: n,
          message: `\`${describe(n)}\` inside a transaction callback uses the outer client instead of \`${inner}\`: this write is not part of the transaction${suggestion}.`,
        });
      });
    };

    const functions: ts.FunctionLikeDeclaration[] = [];
    const collect = (fn: ts.FunctionLikeDeclaration): void => {
      functions.push(fn);
    };
    return {
      CallExpression(call) {
        const fn = managedTransactionCallback(call, imports);
        if (fn) {
          txCallbacks.add(fn);
          checkCallback(call, fn);
        }
      },
      FunctionDeclaration: collect,
      FunctionExpression: collect,
      ArrowFunction: collect,
      MethodDeclaration: collect,
      "SourceFile:exit"() {
        // After the walk every transaction callback is known, so helpers nested in them are skipped.
        for (const fn of functions) checkFunction(fn);
      },
    };
  },
});
