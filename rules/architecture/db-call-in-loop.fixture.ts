import express from "express";
import { PrismaClient } from "@prisma/client";
import { Pool } from "pg";

const prisma = new PrismaClient();
const pool = new Pool();
const app = express();

app.get("/orders", async (req, res) => {
  const orders = await prisma.order.findMany({ take: 50 });
  for (const order of orders) {
    // expect: architecture/db-call-in-loop
    const customer = await prisma.customer.findUnique({ where: { id: order.customerId } });
    Object.assign(order, { customer });
  }
  // ok: architecture/db-call-in-loop
  const customers = await prisma.customer.findMany({ where: { id: { in: orders.map((o) => o.customerId) } } });
  res.json({ orders, customers });
});

app.post("/tags", async (req, res) => {
  const tags: string[] = req.body.tags;
  // expect: architecture/db-call-in-loop
  await Promise.all(tags.map((t) => pool.query("INSERT INTO tags (name) VALUES ($1)", [t])));
  const names = tags.map((t) => t.trim());
  // ok: architecture/db-call-in-loop
  await pool.query("INSERT INTO tags (name) SELECT unnest($1::text[])", [names]);
  res.sendStatus(204);
});

app.post("/orders/bulk-cancel", async (req, res) => {
  const pending: Promise<unknown>[] = [];
  for (const id of req.body.orderIds) {
    // expect: architecture/db-call-in-loop
    pending.push(pool.query("UPDATE orders SET status = 'cancelled' WHERE id = $1", [id]));
  }
  await Promise.all(pending);
  // ok: architecture/db-call-in-loop
  await pool.query("UPDATE orders SET status = 'cancelled' WHERE id = ANY($1)", [req.body.orderIds]);
  const logs: string[] = [];
  for (const id of req.body.orderIds) {
    // ok: architecture/db-call-in-loop
    logs.push(String(id));
  }
  res.json(logs);
});

export async function recalc(ids: number[]) {
  let i = 0;
  while (i < ids.length) {
    // expect: architecture/db-call-in-loop
    await pool.query("UPDATE accounts SET balance = 0 WHERE id = $1", [ids[i]]);
    i++;
  }
  // ok: architecture/db-call-in-loop
  for (const row of (await pool.query("SELECT id FROM accounts")).rows) {
    const found = ids.find((x) => x === row.id);
    void found;
  }
}

export async function seedAccounts(names: string[]) {
  for (const name of names) {
    // ok: architecture/db-call-in-loop
    await pool.query("INSERT INTO accounts (name) VALUES ($1)", [name]);
  }
}

const DEFAULT_ROLES = ["admin", "editor", "viewer"];
pool.connect().then(async () => {
  for (const role of DEFAULT_ROLES) {
    // ok: architecture/db-call-in-loop
    await pool.query("INSERT INTO roles (name) VALUES ($1) ON CONFLICT DO NOTHING", [role]);
  }
});
