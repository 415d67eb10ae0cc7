import express from "express";
import axios from "axios";
import { PrismaClient } from "@prisma/client";
import { Pool, PoolClient } from "pg";
import knexFactory from "knex";
import { Injectable } from "@nestjs/common";
import { DataSource, Repository } from "typeorm";
import { SQSClient, SendMessageCommand } from "@aws-sdk/client-sqs";

const prisma = new PrismaClient();
const pool = new Pool();
const knex = knexFactory({ client: "pg" });
const sqs = new SQSClient({});
const app = express();

app.post("/orders", async (req, res) => {
  const order = await prisma.order.create({ data: { userId: req.body.userId } });
  // expect: architecture/writes-without-transaction
  await prisma.orderItem.createMany({ data: req.body.items.map((i: { sku: string }) => ({ orderId: order.id, sku: i.sku })) });
  res.status(201).json(order);
});

export async function transfer(from: string, to: string, amount: number) {
  await pool.query("UPDATE accounts SET balance = balance - $1 WHERE id = $2", [amount, from]);
  // expect: architecture/writes-without-transaction
  await pool.query("UPDATE accounts SET balance = balance + $1 WHERE id = $2", [amount, to]);
}

export async function transferSafely(from: string, to: string, amount: number) {
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    await client.query("UPDATE accounts SET balance = balance - $1 WHERE id = $2", [amount, from]);
    // ok: architecture/writes-without-transaction
    await client.query("UPDATE accounts SET balance = balance + $1 WHERE id = $2", [amount, to]);
    await client.query("COMMIT");
  } catch (err) {
    await client.query("ROLLBACK");
    throw err;
  } finally {
    client.release();
  }
}

export async function debit(client: PoolClient, id: string, amount: number) {
  await client.query("UPDATE accounts SET balance = balance - $1 WHERE id = $2", [amount, id]);
  // ok: architecture/writes-without-transaction
  await client.query("INSERT INTO ledger (account_id, amount) VALUES ($1, $2)", [id, -amount]);
}

app.post("/orders/v2", async (req, res) => {
  const order = await prisma.$transaction(async (tx) => {
    const o = await tx.order.create({ data: { userId: req.body.userId } });
    // ok: architecture/writes-without-transaction
    await tx.orderItem.createMany({ data: [{ orderId: o.id, sku: "a" }] });
    // expect: architecture/writes-without-transaction
    await prisma.auditLog.create({ data: { action: "order.created", orderId: o.id } });
    // expect: architecture/writes-without-transaction
    await axios.post("https://payments.internal/charge", { orderId: o.id });
    return o;
  });
  // ok: architecture/writes-without-transaction
  await axios.post("https://payments.internal/charge", { orderId: order.id });
  res.json(order);
});

app.put("/users/:id", async (req, res) => {
  const existing = await prisma.user.findUnique({ where: { id: req.params.id } });
  if (existing) {
    await prisma.user.update({ where: { id: req.params.id }, data: req.body });
    return res.sendStatus(204);
  }
  // ok: architecture/writes-without-transaction
  await prisma.user.create({ data: { id: req.params.id, ...req.body } });
  res.sendStatus(201);
});

export async function archive(id: string) {
  await knex.transaction(async (trx) => {
    await trx("orders").where({ id }).update({ archived: true });
    // expect: architecture/writes-without-transaction
    await knex("order_events").insert({ orderId: id, type: "archived" });
    // ok: architecture/writes-without-transaction
    await trx("order_items").where({ orderId: id }).delete();
    // expect: architecture/writes-without-transaction
    await sqs.send(new SendMessageCommand({ QueueUrl: "q", MessageBody: id }));
  });
}

export async function renameBoth(a: string, b: string) {
  // ok: architecture/writes-without-transaction
  await prisma.$transaction([prisma.user.update({ where: { id: a }, data: { name: "x" } }), prisma.user.update({ where: { id: b }, data: { name: "y" } })]);
}

@Injectable()
export class UsersService {
  constructor(private readonly users: Repository<User>, private readonly dataSource: DataSource, private readonly profileRepository: Repository<Profile>) {}

  async register(dto: { email: string }) {
    // ok: architecture/writes-without-transaction
    const user = this.users.create(dto);
    // ok: architecture/writes-without-transaction
    return this.users.save(user);
  }

  async registerWithProfile(dto: { email: string }) {
    await this.dataSource.transaction(async (manager) => {
      const user = await manager.save(User, dto);
      // ok: architecture/writes-without-transaction
      await manager.save(Profile, { userId: user.id });
      // expect: architecture/writes-without-transaction
      await this.profileRepository.save({ userId: user.id, bio: "" });
    });
  }

  async remove(id: string) {
    try {
      await this.users.delete(id);
    } catch (err) {
      // ok: architecture/writes-without-transaction
      await this.profileRepository.save({ userId: id, failed: true });
      throw err;
    }
  }
}
class User {}
class Profile {}

export async function seedDemoCatalog() {
  const category = await prisma.category.create({ data: { name: "demo" } });
  // ok: architecture/writes-without-transaction
  await prisma.product.create({ data: { name: "sample", categoryId: category.id } });
}
