import express from "express";
import { PrismaClient } from "@prisma/client";
import { Pool } from "pg";
import mongoose from "mongoose";
import { Controller, Get, Query } from "@nestjs/common";
import { Repository } from "typeorm";

const prisma = new PrismaClient();
const pool = new Pool();
const Order = mongoose.model("Order", new mongoose.Schema({ userId: String }));
const app = express();

app.get("/users", async (req, res) => {
  // expect: architecture/unbounded-query
  const users = await prisma.user.findMany({ orderBy: { createdAt: "desc" } });
  // ok: architecture/unbounded-query
  const page = await prisma.user.findMany({ take: 50, skip: Number(req.query.offset) || 0 });
  // ok: architecture/unbounded-query
  const mine = await prisma.post.findMany({ where: { authorId: req.query.author as string } });
  // ok: architecture/unbounded-query
  const countries = await prisma.country.findMany();
  res.json({ users, page, mine, countries });
});

app.get("/orders", async (req, res) => {
  // expect: architecture/unbounded-query
  const all = await Order.find({});
  // ok: architecture/unbounded-query
  const recent = await Order.find({}).sort({ createdAt: -1 }).limit(20);
  // ok: architecture/unbounded-query
  const byUser = await Order.find({ userId: req.query.userId });
  // expect: architecture/unbounded-query
  const { rows } = await pool.query("SELECT * FROM orders");
  // ok: architecture/unbounded-query
  const { rows: one } = await pool.query("SELECT * FROM orders WHERE id = $1", [req.query.id]);
  // ok: architecture/unbounded-query
  const { rows: latest } = await pool.query("SELECT * FROM orders ORDER BY created_at DESC LIMIT 20");
  res.json({ all, recent, byUser, rows, one, latest });
});

@Controller("products")
export class ProductsController {
  constructor(private readonly productRepository: Repository<Product>) {}

  @Get()
  async list(@Query("q") q?: string) {
    // expect: architecture/unbounded-query
    const products = await this.productRepository.find();
    // ok: architecture/unbounded-query
    const hits = await this.productRepository.find({ where: { name: q }, take: 25 });
    return { products, hits };
  }
}
class Product {}

export async function exportAllOrders() {
  // ok: architecture/unbounded-query
  const everything = await prisma.order.findMany();
  // ok: architecture/unbounded-query
  const { rows } = await pool.query("SELECT * FROM orders");
  return [everything, rows];
}

// a development-only data reset endpoint: seeding code, not a production read path
export async function seedDemoData(req: express.Request, res: express.Response) {
  // ok: architecture/unbounded-query
  const existing = await prisma.product.findMany();
  res.json({ seeded: existing.length === 0 });
}
