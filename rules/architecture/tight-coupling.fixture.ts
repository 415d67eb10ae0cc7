// vigil-fixture-file: services/orders/src/services/order.service.ts
import { Pool } from "pg";
import { PrismaClient } from "@prisma/client";
import { S3Client } from "@aws-sdk/client-s3";
// expect: architecture/tight-coupling
import { priceFor } from "../../../billing/src/internal/pricing";
// expect: architecture/tight-coupling
import { taxRate } from "../../../billing/src/tax";
// expect: architecture/tight-coupling
import { normalize } from "@acme/catalog/src/normalize";
// ok: architecture/tight-coupling
import { billingClient } from "@acme/billing";
// ok: architecture/tight-coupling
import { formatMoney } from "../lib/money";
// ok: architecture/tight-coupling
import { cacheKey } from "./internal/keys";

export class OrderService {
  // ok: architecture/tight-coupling
  private readonly s3 = new S3Client({ region: "eu-west-1" });
  constructor(private readonly prisma: PrismaClient) {}

  async total(id: string) {
    // expect: architecture/tight-coupling
    const pool = new Pool({ connectionString: process.env.DATABASE_URL });
    const { rows } = await pool.query("SELECT sku FROM order_items WHERE order_id = $1", [id]);
    return formatMoney(rows.reduce((s: number, r: { sku: string }) => s + priceFor(normalize(r.sku)) * (1 + taxRate), 0)) + cacheKey(id) + billingClient.name;
  }

  async audit() {
    // expect: architecture/tight-coupling
    const client = new PrismaClient();
    return client.auditLog.count();
  }
}

// vigil-fixture-file: services/orders/src/services/internal/keys.ts
// ok: architecture/tight-coupling
import { prefix } from "./prefix";
export const cacheKey = (id: string) => `${prefix}:${id}`;

// vigil-fixture-file: services/orders/src/db/client.ts
import { Pool } from "pg";
// ok: architecture/tight-coupling
export const pool = new Pool();

// vigil-fixture-context: services/orders/src/repositories/user.repository.ts
import type { Pool } from "pg";
export class UserRepository {
  constructor(private readonly pool: Pool) {}
}
