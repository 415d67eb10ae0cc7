import { ts } from "ts-morph";
import { accessChain, memberName, unwrap } from "./ast.js";
import type { ImportTable } from "./imports.js";

export const DB_MODULES = [
  "pg", "pg-promise", "postgres", "mysql", "mysql2", "mysql2/promise", "knex", "sequelize", "sequelize-typescript", "typeorm", "@prisma/client",
  "mongoose", "mongodb", "better-sqlite3", "sqlite3", "sqlite", "drizzle-orm", "kysely", "objection", "@mikro-orm/core", "oracledb", "mssql", "tedious",
];

const READ_METHODS = [
  "find", "findOne", "findMany", "findUnique", "findFirst", "findAll", "findById", "findByPk", "findOneBy", "findBy", "findAndCountAll",
  "findOrFail", "findOneOrFail", "findUniqueOrThrow", "findFirstOrThrow", "count", "countDocuments", "aggregate", "query", "execute", "exec",
  "first", "pluck", "select", "getOne", "getMany", "getRawOne", "getRawMany", "distinct", "exists", "get", "all", "one", "oneOrNone", "many", "manyOrNone",
];
const WRITE_METHODS = [
  "save", "create", "createMany", "insert", "insertOne", "insertMany", "bulkCreate", "update", "updateOne", "updateMany", "upsert",
  "delete", "deleteOne", "deleteMany", "destroy", "remove", "increment", "decrement", "findOneAndUpdate", "findByIdAndUpdate",
  "findOneAndDelete", "findByIdAndDelete", "findOrCreate", "replaceOne", "bulkWrite", "run", "softDelete", "restore", "merge",
];
export const DATA_READ = new Set(READ_METHODS);
export const DATA_WRITE = new Set(WRITE_METHODS);

const DB_NAME = /^(db|database|pool|client|conn|connection|knex|sequelize|prisma|repo|repository|manager|em|entityManager|queryRunner|dataSource|trx|tx|model|collection|sql|pg|mysql|mongo|mongoose|\w+(Repository|Repo|Model|Collection|Db|DB|Pool|Dao|DAO|Table|Store|Connection|Client|Database))$/;
const NOT_DB = /http|api|redis|cache|s3|sqs|sns|kafka|queue|axios|fetch|graphql|apollo|stripe|slack|mail|storage|bucket|search|elastic|logger|config|map|set|router|app|emitter|socket|ws/i;
const GLOBALS = new Set(["Object", "Array", "Promise", "Math", "JSON", "Date", "Number", "String", "Reflect", "Buffer", "Map", "Set", "Intl", "URL", "Symbol", "BigInt", "Error", "RegExp", "Atomics", "WeakMap", "Proxy"]);

/** Root name of the receiver chain ("prisma" for this.prisma.user.findMany, "knex" for knex("t").where().first()). */
function receiverRoot(call: ts.CallExpression): string | undefined {
  const chain = accessChain(call.expression);
  if (!chain || chain.length < 2) return undefined;
  const parts = chain.slice(0, -1).map((p) => p.replace(/\(\)$/, ""));
  const start = parts[0] === "this" ? 1 : 0;
  // this.userRepository.findOne → "userRepository"; this.prisma.user.findMany → "prisma"
  return parts[start];
}

/** Is this call a database read/write (pg, knex, Sequelize, TypeORM, Prisma, Mongoose…)? Heuristic, without types. */
export function isDataAccessCall(call: ts.CallExpression, imports: ImportTable, kind: "read" | "write" | "any" = "any"): boolean {
  const method = memberName(call.expression);
  if (!method) return false;
  const methods = kind === "read" ? DATA_READ : kind === "write" ? DATA_WRITE : undefined;
  if (methods ? !methods.has(method) : !DATA_READ.has(method) && !DATA_WRITE.has(method)) return false;
  const first = call.arguments[0] && unwrap(call.arguments[0]);
  if (first && (ts.isArrowFunction(first) || ts.isFunctionExpression(first))) return false; // arr.find(x => …)
  const root = receiverRoot(call);
  if (!root || GLOBALS.has(root)) return false;
  const bound = imports.bindings.get(root);
  // A package import decides; a local module (../db.js) says nothing, so the name heuristics below apply.
  if (bound && !bound.module.startsWith(".")) return DB_MODULES.some((m) => bound.module === m || bound.module.startsWith(m + "/"));
  // Prisma delegates: prisma.user.findMany — the method list is specific enough there.
  if (DB_NAME.test(root) && !NOT_DB.test(root)) return true;
  // Mongoose/Sequelize models: User.findOne(), Order.create()
  if (/^[A-Z][A-Za-z0-9]+$/.test(root) && root.length > 2 && !/(Service|Controller|Client|Api|Cache|Helper|Util|Factory)$/.test(root) && method !== "get" && method !== "all" && method !== "run") {
    return imports.hasModule(...DB_MODULES) || /models?\//.test(imports.bindings.get(root)?.module ?? "");
  }
  return false;
}
