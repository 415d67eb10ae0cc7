import { ts } from "ts-morph";
import { defineRule } from "../../src/core/rule.js";
import { memberName, objectProperty, stringValue, unwrap } from "../../src/core/ast.js";
import { rootIdentifier } from "../../src/core/sources.js";
import { HEALTH_HINT, HEALTH_PATH, isServerListen, serverCreationOf, type ServerFramework } from "../../src/core/servers.js";

interface Server {
  node: ts.Node;
  name?: string;
  framework: ServerFramework;
  listened: boolean;
  health: boolean;
  /** Mounts routes from a local module this analysis cannot see: its health route may be there. */
  uncertain: boolean;
}

/** The module names serverCreationOf recognizes, as written in an import or require (a necessary condition). */
const SERVER_MODULE_NAMED = /["'`](node:)?(express|fastify|koa|@nestjs\/core|@hapi\/hapi|https?|http2)["'`]/;
const MOUNT_METHODS = new Set(["use", "register", "route", "mount", "decorate"]);
const OTHER_FILE_HEALTH = /["'`]\/?(api\/)?(v\d+\/)?(health|healthz|healthcheck|_health|ready|readyz|readiness|live|livez|liveness|ping|heartbeat)["'`/]/i;

/** The variable a creation is stored in: `const app = express()`, `const app = await NestFactory.create(M)`. */
function boundName(node: ts.Node): string | undefined {
  let p = node.parent;
  while (p && (ts.isAwaitExpression(p) || ts.isParenthesizedExpression(p) || ts.isAsExpression(p))) p = p.parent;
  return p && ts.isVariableDeclaration(p) && ts.isIdentifier(p.name) ? p.name.text : undefined;
}

function isHealthArg(a: ts.Expression): boolean {
  const e = unwrap(a);
  const s = stringValue(e);
  if (s !== undefined) return HEALTH_PATH.test(s);
  if (ts.isObjectLiteralExpression(e)) {
    const url = stringValue(objectProperty(e, "url") ?? objectProperty(e, "path"));
    return url !== undefined && HEALTH_PATH.test(url);
  }
  if (ts.isIdentifier(e) || ts.isPropertyAccessExpression(e) || ts.isCallExpression(e)) return /health|terminus|readiness|liveness/i.test(e.getText());
  return false;
}

export default defineRule({
  meta: {
    id: "observability/missing-health-check",
    category: "observability",
    severity: "notice",
    cwe: ["CWE-754"],
    title: "HTTP server without a health/readiness endpoint",
    description:
      "Without a health or readiness route, the load balancer or Kubernetes can only check that the port is open: a process whose " +
      "database pool is exhausted or whose event loop is stuck keeps receiving traffic, and a pod still starting up gets requests before it can serve them.",
    fix: "Expose a cheap `GET /healthz` (liveness) and a `GET /readyz` that checks critical dependencies (e.g. @nestjs/terminus, @godaddy/terminus, lightship), and point the probes at them.",
  },
  create(ctx) {
    const file = ctx.file;
    // Every report is on a server this file creates, which takes importing a server module by name: the cheap test first.
    if (!SERVER_MODULE_NAMED.test(file.text) || !file.isServerCode) return {};
    const imports = file.imports;
    const servers: Server[] = [];
    const byName = new Map<string, Server>();
    /** http.createServer(app) → the http server's name maps to the app it serves. */
    const wrappers = new Map<string, Server>();
    let unattributed = file.matches(HEALTH_HINT);

    const onCreate = (node: ts.CallExpression | ts.NewExpression): void => {
      const framework = serverCreationOf(node, imports);
      if (!framework) return;
      const name = boundName(node);
      if (framework === "http") {
        const arg = node.arguments?.[0] && unwrap(node.arguments[0]);
        const served = arg && ts.isIdentifier(arg) ? byName.get(arg.text) : undefined;
        if (served) {
          if (name) wrappers.set(name, served);
          if (ts.isPropertyAccessExpression(node.parent) && node.parent.name.text === "listen") served.listened = true;
          return;
        }
        // a raw handler: its own code decides which paths answer
        if (arg && (ts.isArrowFunction(arg) || ts.isFunctionExpression(arg)) && OTHER_FILE_HEALTH.test(arg.getText())) return;
        if (arg && ts.isIdentifier(arg)) return; // a handler defined elsewhere
      }
      let uncertain = false;
      if (framework === "nest") {
        const mod = node.arguments?.[0] && unwrap(node.arguments[0]);
        const spec = mod && ts.isIdentifier(mod) ? imports.bindings.get(mod.text)?.module : undefined;
        uncertain = !spec || !spec.startsWith(".") || !ctx.project.resolveImport(file.path, spec);
      }
      const s: Server = { node, name, framework, listened: ts.isPropertyAccessExpression(node.parent) && node.parent.name.text === "listen", health: false, uncertain };
      servers.push(s);
      if (name) byName.set(name, s);
    };

    const serverOf = (recv: ts.Expression | undefined): Server | undefined => {
      const root = recv && rootIdentifier(recv);
      return root ? byName.get(root.text) ?? wrappers.get(root.text) : undefined;
    };

    return {
      NewExpression: onCreate,
      CallExpression(call) {
        onCreate(call);
        const callee = unwrap(call.expression);
        const recv = ts.isPropertyAccessExpression(callee) ? callee.expression : undefined;
        if (isServerListen(call, imports)) {
          const s = serverOf(recv);
          if (s) s.listened = true;
          return;
        }
        const method = memberName(callee);
        if (call.arguments.some(isHealthArg)) {
          const s = serverOf(recv);
          if (s) s.health = true;
          else unattributed = true;
          return;
        }
        if (method && MOUNT_METHODS.has(method)) {
          const s = serverOf(recv);
          if (!s) return;
          for (const a of call.arguments) {
            const root = rootIdentifier(a);
            const spec = root && imports.bindings.get(root.text)?.module;
            if (spec && spec.startsWith(".") && !ctx.project.resolveImport(file.path, spec)) s.uncertain = true;
          }
        }
      },
      StringLiteral(lit) {
        if (!lit.text.startsWith("/") || !HEALTH_PATH.test(lit.text)) return;
        // `ctx.path === "/healthz"` inside web.use(…), a probe path in a route table: belongs to the server whose call holds it
        for (let p: ts.Node | undefined = lit.parent; p; p = p.parent) {
          if (ts.isCallExpression(p) && ts.isPropertyAccessExpression(unwrap(p.expression))) {
            const s = serverOf((unwrap(p.expression) as ts.PropertyAccessExpression).expression);
            if (s) {
              s.health = true;
              return;
            }
          }
        }
        unattributed = true;
      },
      Decorator(d) {
        const e = d.expression;
        if (ts.isCallExpression(e) && e.arguments.some((a) => stringValue(a) !== undefined && HEALTH_PATH.test(stringValue(a)!))) unattributed = true;
      },
      "SourceFile:exit"() {
        if (unattributed) return;
        if (!servers.some((s) => s.listened && !s.health && !s.uncertain)) return;
        const elsewhere = new Set([...ctx.project.filesMatching(HEALTH_HINT), ...ctx.project.filesMatching(OTHER_FILE_HEALTH)]);
        elsewhere.delete(file.path);
        if (elsewhere.size) return;
        for (const s of servers) {
          if (!s.listened || s.health || s.uncertain) continue;
          ctx.report({
            node: s.node,
            message: `This ${s.framework === "http" ? "HTTP server" : s.framework + " app"} is started without a health or readiness route: probes can only see that the port is open, so a replica with a dead database pool or a stuck event loop keeps getting traffic. Add \`GET /healthz\` and a readiness check.`,
          });
        }
      },
    };
  },
});
