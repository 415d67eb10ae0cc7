import { ts } from "ts-morph";
import { defineRule } from "../../src/core/rule.js";
import { functionArguments, isFunctionLike, memberName, stringValue, unwrap, walk } from "../../src/core/ast.js";
import { rootIdentifier } from "../../src/core/sources.js";
import { isServerListen, serverCreationOf, SHUTDOWN_HINT } from "../../src/core/servers.js";
import { findDeclaration, functionOfDeclaration } from "../../src/core/scope.js";

const SIGNALS = /^(SIGTERM|SIGINT|SIGHUP|SIGQUIT|SIGUSR2)$/;
/** Helpers and libraries handed the server to close it on a signal. */
const SHUTDOWN_CALL = /shutdown|graceful|terminat|stoppable|closeWithGrace|lightship|onSignal|beforeExit/i;

function identifiersIn(node: ts.Node, into: Set<string>): void {
  if (ts.isIdentifier(node)) into.add(node.text);
  walk(node, (n) => {
    if (ts.isIdentifier(n)) into.add(n.text);
  });
}

export default defineRule({
  meta: {
    id: "observability/missing-graceful-shutdown",
    category: "observability",
    severity: "notice",
    cwe: ["CWE-754", "CWE-404"],
    title: "Server started without SIGTERM handling",
    description:
      "On every deploy, scale-down or node drain the orchestrator sends SIGTERM. Without a handler Node exits at once: in-flight requests are cut " +
      "(clients see 502/connection resets), open transactions roll back mid-way and queue messages are redelivered or lost.",
    fix:
      "On SIGTERM/SIGINT stop accepting connections and let in-flight requests finish: `process.on(\"SIGTERM\", () => server.close(() => pool.end()))`, " +
      "Nest `app.enableShutdownHooks()`, fastify `close-with-grace`, or @godaddy/terminus / http-terminator / lightship.",
  },
  create(ctx) {
    const file = ctx.file;
    if (!file.isServerCode) return {};
    const imports = file.imports;
    const listens: { call: ts.CallExpression; names: Set<string> }[] = [];
    /** http.createServer(app) → server ↔ app: closing either is closing the listener. */
    const aliases = new Map<string, string>();
    const handled = new Set<string>();
    let opaque = false;
    let understood = false;

    const handlerNames = (fn: ts.Expression | undefined): void => {
      if (!fn) return;
      let f: ts.Node | undefined = unwrap(fn);
      if (ts.isIdentifier(f)) f = functionOfDeclaration(findDeclaration(f)) ?? undefined;
      if (!f || !isFunctionLike(f)) {
        opaque = true;
        return;
      }
      const before = handled.size;
      identifiersIn(f, handled);
      // The handler calls a local shutdown function: look one level into it.
      walk(f, (n) => {
        if (!ts.isCallExpression(n)) return;
        if (ts.isIdentifier(n.expression)) {
          const inner = functionOfDeclaration(findDeclaration(n.expression));
          if (inner) identifiersIn(inner, handled);
          // an imported helper (`await shutdown()`) may close the server: cannot tell
          else if (!/^(setTimeout|clearTimeout|clearInterval|setImmediate|Promise|Number|String|Boolean)$/.test(n.expression.text)) opaque = true;
        } else {
          const root = rootIdentifier(n.expression);
          const bound = root && imports.bindings.get(root.text);
          if (bound && bound.module.startsWith(".")) opaque = true;
        }
      });
      if (handled.size === before) opaque = true;
    };

    return {
      CallExpression(call) {
        const creation = serverCreationOf(call, imports);
        if (creation === "http") {
          const arg = call.arguments[0] && unwrap(call.arguments[0]);
          const decl = call.parent;
          if (arg && ts.isIdentifier(arg) && ts.isVariableDeclaration(decl) && ts.isIdentifier(decl.name)) aliases.set(decl.name.text, arg.text);
        }
        if (isServerListen(call, imports) || (memberName(call.expression) === "listen" && ts.isPropertyAccessExpression(unwrap(call.expression)) && (() => {
          const inner = unwrap((unwrap(call.expression) as ts.PropertyAccessExpression).expression);
          return (ts.isCallExpression(inner) || ts.isNewExpression(inner)) && !!serverCreationOf(inner, imports);
        })())) {
          const names = new Set<string>();
          const callee = unwrap(call.expression) as ts.PropertyAccessExpression;
          const root = rootIdentifier(callee.expression);
          if (root) names.add(root.text);
          const inner = unwrap(callee.expression);
          if (ts.isCallExpression(inner)) for (const a of inner.arguments) if (ts.isIdentifier(unwrap(a))) names.add((unwrap(a) as ts.Identifier).text);
          let p: ts.Node = call.parent;
          while (ts.isAwaitExpression(p) || ts.isParenthesizedExpression(p)) p = p.parent;
          if (ts.isVariableDeclaration(p) && ts.isIdentifier(p.name)) names.add(p.name.text);
          listens.push({ call, names });
          return;
        }
        const method = memberName(call.expression);
        // process.on("SIGTERM", handler)
        if ((method === "on" || method === "once" || method === "addListener") && rootIdentifier(call.expression)?.text === "process") {
          const sig = stringValue(call.arguments[0]);
          if (sig && SIGNALS.test(sig)) {
            understood = true;
            handlerNames(call.arguments[1]);
          }
          return;
        }
        if (method === "enableShutdownHooks") {
          understood = true;
          const root = rootIdentifier(call.expression);
          if (root) handled.add(root.text);
          return;
        }
        const callee = unwrap(call.expression);
        const name = ts.isIdentifier(callee) ? callee.text : method;
        // setup calls (`registerShutdown(server)`, `createTerminus(server, …)`), not the shutdown itself (`terminator.terminate()`)
        if (name && SHUTDOWN_CALL.test(name) && (ts.isIdentifier(callee) || /^(create|register|setup|enable|install|with|handle|add)/.test(name))) {
          understood = true;
          if (!call.arguments.length) opaque = true;
          for (const a of call.arguments) identifiersIn(a, handled);
          for (const f of functionArguments(call)) identifiersIn(f, handled);
        }
      },
      "SourceFile:exit"() {
        if (!listens.length || opaque) return;
        // Shutdown wiring the rule does not understand (a helper module, a library it does not know): stay quiet.
        if (!understood && SHUTDOWN_HINT.test(file.text)) return;
        if ([...ctx.project.filesMatching(/SIGTERM|enableShutdownHooks/)].some((p) => p !== file.path)) return;
        for (const { call, names } of listens) {
          const all = new Set(names);
          for (const n of names) if (aliases.has(n)) all.add(aliases.get(n)!);
          for (const [k, v] of aliases) if (names.has(v)) all.add(k);
          if ([...all].some((n) => handled.has(n))) continue;
          ctx.report({
            node: call,
            message: "The server is started but nothing closes it on SIGTERM: every deploy or scale-down kills in-flight requests and leaves DB transactions and queue messages half-done. Stop accepting connections and drain on SIGTERM/SIGINT.",
          });
        }
      },
    };
  },
});
