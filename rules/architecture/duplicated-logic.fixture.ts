import { db } from "./db";

type Line = { price: number; qty: number; discount?: number; taxable: boolean };

// ok: architecture/duplicated-logic
export function computeInvoiceTotal(lines: Line[], taxRate: number) {
  let subtotal = 0;
  let tax = 0;
  for (const line of lines) {
    const gross = line.price * line.qty;
    const net = gross - (line.discount ?? 0);
    subtotal += net;
    if (line.taxable) tax += net * taxRate;
  }
  const rounded = Math.round((subtotal + tax) * 100) / 100;
  if (rounded < 0) throw new Error("negative total");
  return { subtotal, tax, total: rounded };
}

// expect: architecture/duplicated-logic
export function computeQuoteTotal(items: Line[], vat: number) {
  let sum = 0;
  let vatAmount = 0;
  for (const item of items) {
    const g = item.price * item.qty;
    const n = g - (item.discount ?? 5);
    sum += n;
    if (item.taxable) vatAmount += n * vat;
  }
  const r = Math.round((sum + vatAmount) * 1000) / 1000;
  if (r < 0) throw new Error("quote total below zero");
  return { subtotal: sum, tax: vatAmount, total: r };
}

export class AddressService {
  // expect: architecture/duplicated-logic
  clean(input: { street: string; city: string; zip: string; country: string }) {
    const street = input.street.trim().replace(/\s+/g, " ");
    const city = input.city.trim().toLowerCase();
    const zip = input.zip.replace(/[^0-9A-Z]/gi, "").toUpperCase();
    const country = input.country.trim().toUpperCase();
    if (!street || !city) throw new Error("incomplete address");
    if (country.length !== 2) throw new Error("bad country");
    return { street, city, zip, country };
  }
}

// ok: architecture/duplicated-logic
export async function listUsers(page: number) {
  const take = 20;
  const skip = (page - 1) * take;
  const rows = await db.user.findMany({ take, skip, orderBy: { createdAt: "desc" } });
  const total = await db.user.count();
  const pages = Math.ceil(total / take);
  if (page > pages) return { rows: [], total, pages };
  return { rows, total, pages };
}

// ok: architecture/duplicated-logic
export async function listOrders(page: number) {
  const take = 20;
  const skip = (page - 1) * take;
  const rows = await db.order.findMany({ take, skip, orderBy: { placedAt: "desc" } });
  const total = await db.order.count();
  const pages = Math.ceil(total / take);
  if (page > pages) return { rows: [], total, pages };
  return { rows, total, pages };
}

// ok: architecture/duplicated-logic
export const add = (a: number, b: number) => {
  return a + b;
};
// ok: architecture/duplicated-logic
export const plus = (x: number, y: number) => {
  return x + y;
};

// vigil-fixture-context: src/addresses/normalize.ts
export function normalizeAddress(a: { street: string; city: string; zip: string; country: string }) {
  const street = a.street.trim().replace(/\s+/g, " ");
  const city = a.city.trim().toLowerCase();
  const zip = a.zip.replace(/[^0-9A-Z]/gi, "").toUpperCase();
  const country = a.country.trim().toUpperCase();
  if (!street || !city) throw new Error("address is incomplete");
  if (country.length !== 2) throw new Error("country must be ISO-2");
  return { street, city, zip, country };
}

// vigil-fixture-file: src/quotes/pricing.ts
type QuoteLine = { price: number; qty: number; discount?: number; taxable: boolean };
// expect: architecture/duplicated-logic
export const priceQuote = (rows: QuoteLine[], rate: number) => {
  let s = 0;
  let t = 0;
  for (const row of rows) {
    const a = row.price * row.qty;
    const b = a - (row.discount ?? 0);
    s += b;
    if (row.taxable) t += b * rate;
  }
  const total = Math.round((s + t) * 100) / 100;
  if (total < 0) throw new Error("negative");
  return { subtotal: s, tax: t, total };
};

// vigil-fixture-file: src/quotes/pricing.test.ts
// ok: architecture/duplicated-logic
export function expectedTotal(rows: { price: number; qty: number; discount?: number; taxable: boolean }[], rate: number) {
  let s = 0;
  let t = 0;
  for (const row of rows) {
    const a = row.price * row.qty;
    const b = a - (row.discount ?? 0);
    s += b;
    if (row.taxable) t += b * rate;
  }
  const total = Math.round((s + t) * 100) / 100;
  if (total < 0) throw new Error("negative");
  return { subtotal: s, tax: t, total };
}

// vigil-fixture-file: data/static/codefixes/cartTotalChallenge_1.ts
// ok: architecture/duplicated-logic
export function cartTotal(items: { unit: number; count: number; coupon?: number; vat: boolean }[], vatRate: number) {
  let net = 0;
  let vat = 0;
  for (const item of items) {
    const gross = item.unit * item.count;
    const reduced = gross - (item.coupon ?? 0);
    net += reduced;
    if (item.vat) vat += reduced * vatRate;
  }
  const sum = Math.round((net + vat) * 100) / 100;
  if (sum < 0) throw new Error("bad cart");
  return { net, vat, sum };
}

// vigil-fixture-file: src/cart/totals.ts
// ok: architecture/duplicated-logic
export function basketTotal(lines: { unit: number; count: number; coupon?: number; vat: boolean }[], vatRate: number) {
  let net = 0;
  let vat = 0;
  for (const line of lines) {
    const gross = line.unit * line.count;
    const reduced = gross - (line.coupon ?? 0);
    net += reduced;
    if (line.vat) vat += reduced * vatRate;
  }
  const sum = Math.round((net + vat) * 100) / 100;
  if (sum < 0) throw new Error("bad basket");
  return { net, vat, sum };
}

// vigil-fixture-file: web/src/app/basket/basket.component.ts
// ok: architecture/duplicated-logic
export function viewTotal(lines: { unit: number; count: number; coupon?: number; vat: boolean }[], vatRate: number) {
  let net = 0;
  let vat = 0;
  for (const line of lines) {
    const gross = line.unit * line.count;
    const reduced = gross - (line.coupon ?? 0);
    net += reduced;
    if (line.vat) vat += reduced * vatRate;
  }
  const sum = Math.round((net + vat) * 100) / 100;
  if (sum < 0) throw new Error("bad view");
  return { net, vat, sum };
}

// vigil-fixture-file: src/api/returns/receive-items/route.ts
import { receiveReturnItemsWorkflow } from "@acme/workflows";
import type { Request, Response } from "express";
// ok: architecture/duplicated-logic
export const POST = async (req: Request, res: Response) => {
  const { id } = req.params;
  if (!id) return res.status(400).json({ message: "missing id" });
  req.log.info({ id }, "return action");
  const query = req.app.locals.query;
  const { result } = await receiveReturnItemsWorkflow(req.app.locals.container).run({
    input: { ...req.body, return_id: id },
  });
  const [orderReturn] = await query({ entryPoint: "return", variables: { id }, fields: ["id", "status", "items.*"] });
  res.json({ order_preview: result, return: orderReturn });
};

// vigil-fixture-file: src/api/returns/dismiss-items/route.ts
import { dismissReturnItemsWorkflow } from "@acme/workflows";
import type { Request, Response } from "express";
// ok: architecture/duplicated-logic
export const POST = async (req: Request, res: Response) => {
  const { id } = req.params;
  if (!id) return res.status(400).json({ message: "missing id" });
  req.log.info({ id }, "return action");
  const query = req.app.locals.query;
  const { result } = await dismissReturnItemsWorkflow(req.app.locals.container).run({
    input: { ...req.body, return_id: id },
  });
  const [orderReturn] = await query({ entryPoint: "return", variables: { id }, fields: ["id", "status", "items.*"] });
  res.json({ order_preview: result, return: orderReturn });
};

// vigil-fixture-file: src/api/returns/withdraw/route.ts
import { dismissReturnItemsWorkflow as withdrawFlow } from "@acme/workflows";
import type { Request, Response } from "express";
// expect: architecture/duplicated-logic
export const POST = async (req: Request, res: Response) => {
  const { id } = req.params;
  if (!id) return res.status(400).json({ message: "missing id" });
  req.log.info({ id }, "return action");
  const q = req.app.locals.query;
  const { result } = await withdrawFlow(req.app.locals.container).run({
    input: { ...req.body, return_id: id },
  });
  const [r] = await q({ entryPoint: "return", variables: { id }, fields: ["id", "status", "refund"] });
  res.json({ order_preview: result, return: r });
};

// vigil-fixture-file: src/database/migrations/1715028537217-CreateTags.ts
import type { MigrationInterface, QueryRunner } from "typeorm";
export class CreateTags1715028537217 implements MigrationInterface {
  // ok: architecture/duplicated-logic
  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "tag" ("id" SERIAL NOT NULL, "name" character varying NOT NULL, CONSTRAINT "PK_tag" PRIMARY KEY ("id"))`);
    await queryRunner.query(`CREATE TABLE "post_tag" ("postId" integer NOT NULL, "tagId" integer NOT NULL)`);
    await queryRunner.query(`CREATE INDEX "IDX_post_tag_post" ON "post_tag" ("postId")`);
    await queryRunner.query(`CREATE INDEX "IDX_post_tag_tag" ON "post_tag" ("tagId")`);
    await queryRunner.query(`ALTER TABLE "post_tag" ADD CONSTRAINT "FK_post" FOREIGN KEY ("postId") REFERENCES "post"("id")`);
    await queryRunner.query(`ALTER TABLE "post_tag" ADD CONSTRAINT "FK_tag" FOREIGN KEY ("tagId") REFERENCES "tag"("id")`);
  }

  // ok: architecture/duplicated-logic
  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "post_tag" DROP CONSTRAINT "FK_tag"`);
    await queryRunner.query(`ALTER TABLE "post_tag" DROP CONSTRAINT "FK_post"`);
    await queryRunner.query(`DROP INDEX "IDX_post_tag_tag"`);
    await queryRunner.query(`DROP INDEX "IDX_post_tag_post"`);
    await queryRunner.query(`DROP TABLE "post_tag"`);
    await queryRunner.query(`DROP TABLE "tag"`);
  }
}
