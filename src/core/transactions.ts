import { ts } from "ts-morph";
import { accessChain, isFunctionLike, literalPrefix, memberName, unwrap } from "./ast.js";
import { DB_MODULES, isDataAccessCall } from "./data-access.js";
import type { ImportTable } from "./imports.js";

/** Callback-style ("managed") transactions: prisma.$transaction(fn), knex.transaction(fn), sequelize.transaction(fn), session.withTransaction(fn), sql.begin(fn). */
const MANAGED_TX = new Set(["$transaction", "transaction", "withTransaction", "begin", "transact", "runInTransaction"]);
const TX_RECEIVER = /prisma|knex|db|database|sequelize|datasource|connection|conn|manager|^em$|entitymanager|orm|client|pool|session|mongoose|^sql$|trx|tx|repo|repository/i;
const SQL_WRITE = /^\s*(INSERT|UPDATE|DELETE|MERGE|REPLACE|UPSERT)\b/i;
const SQL_BEGIN = /^\s*(BEGIN|START\s+TRANSACTION)\b/i;
const SQL_METHODS = new Set(["query", "execute", "none", "any", "one", "oneOrNone", "many", "manyOrNone", "result", "run", "exec", "$executeRawUnsafe", "$queryRawUnsafe", "raw"]);
/** Parameter names/types that carry a transaction handed in by the caller. */
export const TX_PARAM_NAME = /^(tx|trx|transaction|t|manager|em|entityManager|transactionalEntityManager|queryRunner|session|client|conn|connection)$/;
export const TX_PARAM_TYPE = /Transaction|EntityManager|QueryRunner|ClientSession|PoolClient|TransactionClient/;

/** Root name of a call's receiver chain: `prisma` for prisma.user.create(), `userRepository` for this.userRepository.save(). */
export function callRoot(call: ts.CallExpression): string | undefined {
  const chain = accessChain(call.expression);
  if (!chain || chain.length < 2) return undefined;
  const parts = chain.slice(0, -1).map((p) => p.replace(/\(\)$/, ""));
  return parts[0] === "this" ? parts[1] : parts[0];
}

/** The function argument of a managed-transaction call, if this call is one. */
export function managedTransactionCallback(call: ts.CallExpression, imports: ImportTable): ts.FunctionLikeDeclaration | undefined {
  const name = memberName(call.expression);
  if (!name || !MANAGED_TX.has(name)) return undefined;
  const fn = call.arguments.map((a) => unwrap(a)).find((a): a is ts.ArrowFunction | ts.FunctionExpression => ts.isArrowFunction(a) || ts.isFunctionExpression(a));
  if (!fn) return undefined;
  if (name === "$transaction" || name === "withTransaction") return fn;
  const root = callRoot(call);
  if (!root) return undefined;
  const bound = imports.bindings.get(root);
  if (bound && DB_MODULES.some((m) => bound.module === m || bound.module.startsWith(m + "/"))) return fn;
  return TX_RECEIVER.test(root) ? fn : undefined;
}

/** A statement-level transaction start: queryRunner.startTransaction(), session.startTransaction(), knex.transaction(), query("BEGIN"). */
export function isTransactionStart(call: ts.CallExpression, imports: ImportTable): boolean {
  const name = memberName(call.expression);
  if (!name) return false;
  if (name === "startTransaction" || name === "beginTransaction" || name === "startSession" || name === "transactionAsync") return true;
  if ((name === "transaction" || name === "$begin") && !call.arguments.some((a) => isFunctionLike(unwrap(a)))) {
    const root = callRoot(call);
    return !!root && (TX_RECEIVER.test(root) || !!imports.bindings.get(root));
  }
  if (SQL_METHODS.has(name) && call.arguments[0]) {
    const prefix = literalPrefix(call.arguments[0]);
    if (prefix !== undefined && SQL_BEGIN.test(prefix)) return true;
  }
  return false;
}

/** Is this call a database write (ORM write method, or INSERT/UPDATE/DELETE through a query method)? */
export function isDbWrite(call: ts.CallExpression, imports: ImportTable): boolean {
  if (isDataAccessCall(call, imports, "write")) return true;
  const name = memberName(call.expression);
  if (!name || !SQL_METHODS.has(name) || !call.arguments[0]) return false;
  const prefix = literalPrefix(call.arguments[0]);
  if (prefix === undefined || !SQL_WRITE.test(prefix)) return false;
  return isDataAccessCall(call, imports, "any") || /^\$/.test(name);
}

/** The outermost call of a builder chain the call belongs to: knex("t").insert(x).returning("*") for insert(). */
export function chainTop(call: ts.CallExpression): ts.Expression {
  let top: ts.Expression = call;
  for (;;) {
    const p = top.parent;
    if (p && ts.isPropertyAccessExpression(p) && p.expression === top && p.parent && ts.isCallExpression(p.parent) && p.parent.expression === p) top = p.parent;
    else if (p && (ts.isParenthesizedExpression(p) || ts.isNonNullExpression(p) || ts.isAsExpression(p))) top = p;
    else return top;
  }
}

/** Does an object-literal argument of the call (or its chain) carry a transaction/session option? */
export function passesTransaction(call: ts.CallExpression, names: readonly string[] = []): boolean {
  const text = chainTop(call).getText();
  if (/\b(transaction|session|transacting|useTransaction|trx)\b\s*[:(,}]/.test(text)) return true;
  return names.some((n) => new RegExp(`(^|[^\\w$.])${n.replace(/\$/g, "\\$")}\\b`).test(text.slice(text.indexOf("(") + 1)));
}
