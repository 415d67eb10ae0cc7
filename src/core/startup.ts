import { ts } from "ts-morph";
import { isFunctionLike, memberName, unwrap } from "./ast.js";
import { enclosingHandler } from "./arch-handlers.js";

/**
 * Start-up, seeding and migration code: it runs once, before (or instead of) serving requests, so per-request
 * concerns (N+1 queries, unbounded reads, transactions, log structure) do not apply to it.
 */

/** Files and folders of one-off data and start-up code: seeds, data creators, fixtures, migrations, DB resets, bootstrap. */
const STARTUP_PATH = /(^|\/)(seeds?|seeders?|seeding|datacreator|data-?creator|db-?reset|reset-?db|migrations?|migrate|startup|bootstrap|fixtures?)(\/|[.\-_]|$)|(^|\/)[^/]*(seed|seeder|datacreator|migration)[^/]*\.[cm]?[jt]sx?$/i;
/** Functions that seed, migrate or start the application. */
const STARTUP_FN = /seed|datacreator|createData|populate|^migrat|migration|^bootstrap|^(start|init|initialize|setup)(App|Application|Server|Db|Database)?$|^startServer|^resetDb|^reset(Database|Db)|^dbReset|^main$/i;

export function isStartupPath(path: string): boolean {
  return STARTUP_PATH.test(path);
}

function functionName(fn: ts.FunctionLikeDeclaration): string | undefined {
  if (fn.name && (ts.isIdentifier(fn.name) || ts.isStringLiteral(fn.name))) return fn.name.text;
  const p = fn.parent;
  if (p && ts.isVariableDeclaration(p) && ts.isIdentifier(p.name)) return p.name.text;
  if (p && ts.isPropertyAssignment(p)) return p.name.getText();
  if (p && ts.isBinaryExpression(p) && p.operatorToken.kind === ts.SyntaxKind.EqualsToken) return memberName(p.left) ?? p.left.getText();
  return undefined;
}

/** A callback passed to `server.listen(…, cb)` / `server.on("listening", cb)`. */
function isListenCallback(fn: ts.Node): boolean {
  const call = fn.parent;
  if (!call || !ts.isCallExpression(call) || !call.arguments.some((a) => unwrap(a) === fn)) return false;
  const name = memberName(call.expression);
  if (name === "listen") return true;
  return (name === "on" || name === "once") && /^["'`]listening["'`]$/.test(call.arguments[0]?.getText() ?? "");
}

/** Does this node run as start-up / seed / migration code (by its file's path or an enclosing function)? */
export function isStartupCode(node: ts.Node, path: string): boolean {
  if (isStartupPath(path)) return true;
  for (let p: ts.Node | undefined = node.parent; p; p = p.parent) {
    if (!isFunctionLike(p)) continue;
    if (isListenCallback(p)) return true;
    const name = functionName(p);
    if (name && STARTUP_FN.test(name)) return true;
  }
  return false;
}

/**
 * Code that runs once at module load: top-level statements, IIFEs and callbacks of top-level calls that are not
 * request handlers (`db.sync().then(async () => …)`, `app.listen(port, () => …)`, `(async () => …)()`).
 */
export function runsAtModuleLoad(node: ts.Node): boolean {
  let outer: ts.FunctionLikeDeclaration | undefined;
  for (let p: ts.Node | undefined = node.parent; p; p = p.parent) if (isFunctionLike(p)) outer = p;
  if (!outer) return true;
  if (enclosingHandler(node)) return false;
  let p: ts.Node | undefined = outer.parent;
  while (p && ts.isParenthesizedExpression(p)) p = p.parent;
  if (!p || !ts.isCallExpression(p)) return false;
  // IIFE or callback argument; is the call itself a top-level statement (possibly a chain `a().then(cb).catch(…)`)?
  let top: ts.Node = p;
  while (top.parent && (ts.isCallExpression(top.parent) || ts.isPropertyAccessExpression(top.parent) || ts.isAwaitExpression(top.parent) || ts.isParenthesizedExpression(top.parent) || ts.isVoidExpression(top.parent))) top = top.parent;
  return !!top.parent && ts.isExpressionStatement(top.parent) && ts.isSourceFile(top.parent.parent);
}
