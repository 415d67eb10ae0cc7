import express from "express";
import { Pool } from "pg";
import mysql from "mysql2/promise";
import knexFactory from "knex";
import { Sequelize, QueryTypes } from "sequelize";
import { DataSource } from "typeorm";
import { PrismaClient } from "@prisma/client";

const app = express();
const pool = new Pool();
const knex = knexFactory({ client: "pg" });
const sequelize = new Sequelize("postgres://localhost/app");
const dataSource = new DataSource({ type: "postgres" });
const prisma = new PrismaClient();
const ORDER_COLUMNS = ["created_at", "name"];

app.get("/users/:id", async (req, res) => {
  // expect: security/sql-injection
  const { rows } = await pool.query("SELECT * FROM users WHERE id = " + req.params.id);
  // ok: security/sql-injection
  const safe = await pool.query("SELECT * FROM users WHERE id = $1", [req.params.id]);
  res.json({ rows, safe: safe.rows });
});

app.get("/search", async (req, res) => {
  const term = req.query.q as string;
  const sql = `SELECT id, name FROM products WHERE name LIKE '%${term}%'`;
  const conn = await mysql.createConnection({ host: "db" });
  // expect: security/sql-injection
  const [rows] = await conn.execute(sql);
  // ok: security/sql-injection
  const [rows2] = await conn.execute("SELECT id, name FROM products WHERE name LIKE ?", [`%${term}%`]);
  res.json({ rows, rows2 });
});

app.post("/orders", async (req, res) => {
  const { status } = req.body;
  let query = "UPDATE orders SET status = 'x'";
  query += " WHERE status = '" + status + "'";
  // expect: security/sql-injection
  await sequelize.query(query, { type: QueryTypes.UPDATE });
  // ok: security/sql-injection
  await sequelize.query("UPDATE orders SET status = :status", { replacements: { status }, type: QueryTypes.UPDATE });
  res.sendStatus(204);
});

app.get("/reports", async (req, res) => {
  const owner = req.query.owner;
  // expect: security/sql-injection
  const a = await knex("reports").whereRaw(`owner = '${owner}'`);
  // ok: security/sql-injection
  const b = await knex("reports").whereRaw("owner = ?", [owner]);
  // ok: security/sql-injection
  const c = await knex("reports").where("owner", owner);
  res.json({ a, b, c });
});

app.get("/typeorm", async (req, res) => {
  // expect: security/sql-injection
  const users = await dataSource.createQueryBuilder().select("u").from("users", "u").where(`u.email = '${req.query.email}'`).getMany();
  // ok: security/sql-injection
  const same = await dataSource.createQueryBuilder().select("u").from("users", "u").where("u.email = :email", { email: req.query.email }).getMany();
  // expect: security/sql-injection
  const raw = await dataSource.query(`DELETE FROM sessions WHERE token = '${req.headers["x-token"]}'`);
  res.json({ users, same, raw });
});

app.get("/prisma", async (req, res) => {
  const id = req.query.id as string;
  // expect: security/sql-injection
  const a = await prisma.$queryRawUnsafe(`SELECT * FROM "User" WHERE id = ${id}`);
  // ok: security/sql-injection
  const b = await prisma.$queryRaw`SELECT * FROM "User" WHERE id = ${id}`;
  res.json({ a, b });
});

app.get("/sorted", async (req, res) => {
  const column = ORDER_COLUMNS.includes(String(req.query.sort)) ? String(req.query.sort) : "created_at";
  const limit = parseInt(String(req.query.limit), 10) || 20;
  // ok: security/sql-injection
  const rows = await pool.query(`SELECT * FROM items ORDER BY ${column} LIMIT ${limit}`);
  res.json(rows.rows);
});

function findByEmail(email: string) {
  // expect: security/sql-injection
  return pool.query(`SELECT * FROM accounts WHERE email = '${email}'`);
}

app.post("/login", async (req, res) => {
  const result = await findByEmail(req.body.email);
  res.json(result.rows);
});

export async function countRows(table: string) {
  const TABLE = "audit_log";
  // ok: security/sql-injection
  return pool.query(`SELECT count(*) FROM ${TABLE}`);
}

export async function insertMany(values: string[]) {
  const placeholders = values.map((_, i) => `$${i + 1}`).join(", ");
  // ok: security/sql-injection
  return pool.query(`INSERT INTO tags (name) VALUES (${placeholders})`, values);
}

export async function byTenant(tenantName: string) {
  // expect: security/sql-injection
  return pool.query(`SELECT * FROM invoices WHERE tenant = '${tenantName}'`);
}

export async function graphql(client: { query: (q: string) => Promise<unknown> }, name: string) {
  // ok: security/sql-injection
  return client.query(`query { user(name: "${name}") { id } }`);
}

app.post("/reports/:table", async (req, res) => {
  const conn = await mysql.createConnection({ host: "db" });
  const statement = "SELECT * FROM reports_" + req.params.table + " WHERE owner = ?";
  // expect: security/sql-injection
  const [rows] = await conn.query({ sql: statement, values: [req.user.id], rowsAsArray: true });
  // ok: security/sql-injection
  const [own] = await conn.execute({ sql: "SELECT * FROM reports WHERE owner = ? AND kind = ?", values: [req.user.id, req.body.kind] });
  res.json({ rows, own });
});

export const listOrders = async (event: { body: string }) => {
  const documentClient = { query: (p: unknown) => ({ promise: async () => p }) };
  const criteria = JSON.parse(event.body);
  // ok: security/sql-injection
  return documentClient.query({ TableName: "orders", KeyConditionExpression: "customerId = :c", ExpressionAttributeValues: { ":c": criteria.customer } }).promise();
};

// pg-promise and mysql2's streaming form take SQL text too.
declare const db: { multi(sql: string, values?: unknown[]): Promise<unknown[][]>; map(sql: string, values: unknown[], cb: (row: unknown) => unknown): Promise<unknown[]> };
declare const conn: { queryStream(sql: string, values?: unknown[]): NodeJS.ReadableStream };
app.get("/report", async (req, res) => {
  // expect: security/sql-injection
  const [totals] = await db.multi(`SELECT count(*) FROM orders WHERE region = '${req.query.region}'; SELECT 1`);
  // ok: security/sql-injection
  const names = await db.map("SELECT name FROM products WHERE region = $1", [req.query.region], (r) => r);
  // expect: security/sql-injection
  conn.queryStream("SELECT * FROM events WHERE kind = '" + req.query.kind + "'").pipe(res);
  res.json({ totals, names });
});
