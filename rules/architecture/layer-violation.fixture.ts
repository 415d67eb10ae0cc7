// vigil-fixture-file: src/controllers/users.controller.ts
import { Router } from "express";
// ok: architecture/layer-violation
import { Prisma } from "@prisma/client";
// ok: architecture/layer-violation
import { UserService } from "../services/user.service";
// ok: architecture/layer-violation
import type { UserRow } from "../repositories/user.repository";
// expect: architecture/layer-violation
import { userRepository } from "../repositories/user.repository";
// expect: architecture/layer-violation
import { Pool } from "pg";

const pool = new Pool();
const service = new UserService();
export const router = Router();

router.get("/users/:id", async (req, res) => {
  const user: UserRow | null = await service.findUser(req.params.id);
  res.json(user);
});

router.delete("/users/:id", async (req, res) => {
  try {
    await userRepository.delete(req.params.id);
    await pool.query("DELETE FROM sessions WHERE user_id = $1", [req.params.id]);
    res.sendStatus(204);
  } catch (err) {
    if (err instanceof Prisma.PrismaClientKnownRequestError) return res.sendStatus(404);
    throw err;
  }
});

// vigil-fixture-file: src/domain/order.ts
// ok: architecture/layer-violation
import type { Request } from "express";
// expect: architecture/layer-violation
import { Response } from "express";
// ok: architecture/layer-violation
import { Money } from "./money";

export class Order {
  constructor(readonly id: string, readonly total: Money) {}
  toResponse(res: Response) {
    res.json({ id: this.id });
  }
}
export type OrderRequest = Request;

// vigil-fixture-file: src/services/user.service.ts
// ok: architecture/layer-violation
import { userRepository } from "../repositories/user.repository";
// expect: architecture/layer-violation
import { router as usersRouter } from "../controllers/users.controller";

export class UserService {
  async findUser(id: string) {
    void usersRouter;
    return userRepository.findById(id);
  }
}

// vigil-fixture-file: src/routes/index.ts
import { Router } from "express";
// ok: architecture/layer-violation
import { db } from "../db";
// ok: architecture/layer-violation
import { OrderService } from "../services/order.service";
import { ordersRouter } from "./orders.routes";

export const api = Router();
api.use("/orders", ordersRouter(new OrderService(db)));

// vigil-fixture-file: src/lib/reports.ts
// ok: architecture/layer-violation
import { userRepository } from "../repositories/user.repository";
// ok: architecture/layer-violation
import knex from "knex";

export async function monthlyReport() {
  const k = knex({ client: "pg" });
  return { users: await userRepository.count(), raw: await k("orders").count() };
}

// vigil-fixture-file: src/app/routes/invoice/invoice.service.ts
// ok: architecture/layer-violation
import { toInvoiceView } from "./invoice.mapper";
// ok: architecture/layer-violation
import { signDownloadLink } from "../billing/billing.utils";
// ok: architecture/layer-violation
import { currentTenant } from "./tenant";
// expect: architecture/layer-violation
import { invoiceRoutes } from "./invoice.controller";

export async function invoiceView(id: string) {
  void invoiceRoutes;
  return { ...toInvoiceView({ id, tenant: currentTenant() }), link: signDownloadLink(id) };
}

// vigil-fixture-file: src/controllers/orders.controller.ts
import { Controller, Get, Query } from "@nestjs/common";
import { QueryBus } from "@nestjs/cqrs";
// ok: architecture/layer-violation
import { OrderRecord } from "../repositories/order.repository";
// ok: architecture/layer-violation
import { OrderService } from "../services/order.service";

@Controller("orders")
export class OrdersController {
  constructor(private readonly queryBus: QueryBus, private readonly orders: OrderService) {}

  @Get()
  async list(@Query("page") page: number): Promise<OrderRecord[]> {
    const rows: Array<OrderRecord> = await this.queryBus.execute({ page });
    return rows.map((r) => ({ ...r, total: Number(r.total) }));
  }
}

// vigil-fixture-context: src/repositories/order.repository.ts
export class OrderRecord {
  id!: string;
  total!: string;
}

// vigil-fixture-context: src/app/routes/invoice/tenant.ts
export function currentTenant(): string {
  return process.env.TENANT ?? "default";
}

// vigil-fixture-context: src/repositories/user.repository.ts
import { Pool } from "pg";
const pool = new Pool();
export type UserRow = { id: string };
export const userRepository = {
  findById: (id: string) => pool.query("SELECT * FROM users WHERE id = $1", [id]),
  delete: (id: string) => pool.query("DELETE FROM users WHERE id = $1", [id]),
  count: () => pool.query("SELECT count(*) FROM users"),
};
