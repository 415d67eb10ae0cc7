import express from "express";
import path from "node:path";
import bodyParser from "body-parser";
import { PrismaClient } from "@prisma/client";
import { Product } from "./models/product";
import Ajv from "ajv";

const app = express();
const prisma = new PrismaClient();
const MAX_PAGE = 100;

// expect: security/resource-limits
app.use(express.json({ limit: "50mb" }));
// expect: security/resource-limits
app.use(bodyParser.urlencoded({ extended: true, limit: Infinity }));
// ok: security/resource-limits
app.use(express.json({ limit: "1mb" }));
// ok: security/resource-limits
app.use("/webhooks", express.raw({ type: "application/json", limit: "5mb" }));

// expect: security/resource-limits
app.use(express.bodyParser());
// ok: security/resource-limits
app.use(bodyParser.json());

app.get("/products", async (req, res) => {
  const products = await prisma.product.findMany({
    skip: Number(req.query.offset) || 0,
    // expect: security/resource-limits
    take: Number(req.query.limit) || 20,
  });
  res.json(products);
});

app.get("/v2/products", async (req, res) => {
  const limit = Math.min(parseInt(req.query.limit as string, 10) || 20, MAX_PAGE);
  // ok: security/resource-limits
  const products = await prisma.product.findMany({ take: limit });
  res.json(products);
});

app.get("/v3/products", async (req, res) => {
  const { pageSize } = req.query;
  // expect: security/resource-limits
  const rows = await Product.find({ active: true }).limit(parseInt(pageSize as string));
  res.json(rows);
});

app.get("/v4/products", async (req, res) => {
  let size = Number(req.query.size ?? 25);
  if (size > MAX_PAGE) size = MAX_PAGE;
  // ok: security/resource-limits
  const rows = await Product.find({ active: true }).limit(size);
  res.json(rows);
});

app.post("/generate", (req, res) => {
  const codes: string[] = [];
  // expect: security/resource-limits
  for (let i = 0; i < req.body.count; i++) codes.push(Math.random().toString(36).slice(2));
  // expect: security/resource-limits
  const buf = Buffer.alloc(Number(req.query.bytes));
  // expect: security/resource-limits
  const padding = "=".repeat(req.body.width);
  // expect: security/resource-limits
  for (let i = 0; i < req.body.items.length; i++) codes.push(req.body.items[i]);
  const tags = req.body.tags;
  if (Array.isArray(tags) && tags.length <= 50) {
    // ok: security/resource-limits
    for (let i = 0; i < tags.length; i++) codes.push(String(tags[i]));
  }
  const lines = req.body.lines;
  // ok: security/resource-limits
  for (let i = 0; i < lines.length; i++) codes.push(lines[i].sku.toUpperCase());
  // ok: security/resource-limits
  for (let i = 0; i < req.params.code.length; i++) codes.push(req.params.code[i]);
  const names = req.body.names;
  // ok: security/resource-limits
  for (let i = 0; i < names.length; i++) codes.push(path.join("/srv/files", names[i]));
  const labels = req.body.labels;
  // expect: security/resource-limits
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i];
    codes.push(`${label}`);
  }
  // ok: security/resource-limits
  const fixed = new Array(16).fill(0);
  res.json({ codes, size: buf.length, padding, fixed });
});

app.get("/matrix", (req, res) => {
  const n = parseInt(req.query.n as string, 10);
  // expect: security/resource-limits
  const grid = new Array(n).fill(null).map(() => new Array(n).fill(0));
  res.json(grid);
});

app.get("/page", (req, res) => {
  // ok: security/resource-limits
  res.json({ limit: Number(req.query.limit), data: [] });
});

const ajvOptions = { allErrors: true, strict: false };
// expect: security/resource-limits
export const requestValidator = new Ajv(ajvOptions);
// ok: security/resource-limits
export const strictValidator = new Ajv({ allErrors: process.env.NODE_ENV !== "production", coerceTypes: true });
// ok: security/resource-limits
export const defaultValidator = new Ajv({ allErrors: false });
