import { ts } from "ts-morph";
import { calleeName, receiverName, unwrap } from "./ast.js";

const SQL_START = /^\s*\(?\s*(select|insert|update|delete|with|create|drop|alter|replace|merge|call|exec|execute|truncate|grant|revoke|show|describe|pragma|upsert|begin|set)\b/i;
const SQL_SHAPE = /\b(select\b[\s\S]*\bfrom|insert\s+into|update\b[\s\S]*\bset|delete\s+from|where\b[\s\S]*(=|like|\bin\b)|order\s+by|group\s+by)\b/i;

/** Does this (partial) text look like SQL? */
export function looksLikeSql(text: string | undefined): boolean {
  if (!text) return false;
  return SQL_START.test(text) || SQL_SHAPE.test(text);
}

/** Calls that always take SQL text: knex raw helpers, sequelize.literal, Prisma's unsafe raw, postgres.js unsafe. */
const ALWAYS_SQL = new Set([
  "raw", "whereRaw", "orWhereRaw", "andWhereRaw", "havingRaw", "orHavingRaw", "orderByRaw", "groupByRaw", "joinRaw", "fromRaw",
  "literal", "$queryRawUnsafe", "$executeRawUnsafe", "unsafe", "queryRawUnsafe", "executeRawUnsafe",
]);
/** Query methods: SQL when the receiver is clearly a database handle, or when the text looks like SQL. */
const QUERY_METHODS = new Set([
  "query", "execute", "exec", "run", "all", "get", "each", "prepare", "executeSql", "executeQuery", "queryRaw",
  "none", "one", "oneOrNone", "many", "manyOrNone", "any", "result", "multi", "multiResult", "map", "queryOne", "queryAll", "select",
  // mysql2 / oracledb / mssql streaming and batch forms
  "queryStream", "executeMany", "batch",
]);
/** TypeORM / knex query-builder methods that take a condition string. */
const CONDITION_METHODS = new Set(["where", "andWhere", "orWhere", "having", "andHaving", "orHaving", "orderBy", "addOrderBy", "innerJoin", "leftJoin", "innerJoinAndSelect", "leftJoinAndSelect"]);
const DB_RECEIVER = /^(db|database|pool|client|conn|connection|knex|sequelize|pg|pgp|mysql|sql|sqlite|manager|entityManager|em|queryRunner|dataSource|prisma|tx|trx|transaction|t|repository|repo|\w*(Db|DB|Pool|Client|Connection|Conn|Repository|Repo|Manager|Database))$/;

/** DynamoDB document clients: `documentClient.query(params)` is a NoSQL request. */
export const DYNAMO_RECEIVER = /^(documentClient|docClient|dynamo\w*|ddb\w*|\w*(DocClient|DocumentClient|Dynamo|DynamoDB|DynamoDb|Ddb))$/i;

export interface SqlSink {
  /** The argument holding SQL text. */
  sql: ts.Expression;
  method: string;
  /** "query": must look like SQL to count; "sql": always SQL; "condition": a WHERE-like fragment. */
  kind: "query" | "sql" | "condition";
}

/** If this call runs SQL text or takes an SQL fragment, which argument holds it. */
export function sqlSinkOf(call: ts.CallExpression): SqlSink | undefined {
  const method = calleeName(call);
  if (!method || !call.arguments.length) return undefined;
  const first = unwrap(call.arguments[0]);
  // DynamoDB's DocumentClient.query/scan take request parameter objects, not SQL (see nosql-injection).
  if (DYNAMO_RECEIVER.test(receiverName(call) ?? "")) return undefined;
  if (ts.isObjectLiteralExpression(first)) {
    // pg: client.query({ text, values }); mysql/mysql2: conn.query({ sql, values }) / conn.execute({ sql })
    if (method !== "query" && method !== "execute") return undefined;
    const text = first.properties.find((p) => (ts.isPropertyAssignment(p) || ts.isShorthandPropertyAssignment(p)) && (p.name.getText() === "text" || p.name.getText() === "sql"));
    if (!text) return undefined;
    return { kind: "query", sql: ts.isPropertyAssignment(text) ? text.initializer : (text as ts.ShorthandPropertyAssignment).name, method };
  }
  if (ts.isArrowFunction(first) || ts.isFunctionExpression(first) || ts.isArrayLiteralExpression(first)) return undefined;
  if (ALWAYS_SQL.has(method)) {
    // literal()/raw()/unsafe() are common method names elsewhere: trust them only on a database handle.
    const recv = receiverName(call);
    const generic = method === "literal" || method === "raw" || method === "unsafe";
    return { kind: generic && !(recv && (DB_RECEIVER.test(recv) || /^(Sequelize|sequelize|knex|Knex|sql|db)$/.test(recv))) ? "query" : "sql", sql: call.arguments[0], method };
  }
  if (QUERY_METHODS.has(method)) {
    const recv = receiverName(call);
    return { kind: recv && DB_RECEIVER.test(recv) && ["query", "execute", "queryRaw", "executeSql", "executeQuery"].includes(method) ? "sql" : "query", sql: call.arguments[0], method };
  }
  if (CONDITION_METHODS.has(method) && call.arguments.length <= 2) return { kind: "condition", sql: call.arguments[0], method };
  return undefined;
}

/** A WHERE-like fragment: comparison, LIKE, IN, or a column/direction pair. */
export function looksLikeCondition(text: string | undefined): boolean {
  return !!text && /[=<>]|\b(like|in|is|between|asc|desc)\b/i.test(text);
}
