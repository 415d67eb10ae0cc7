import express from "express";
import pino from "pino";

const logger = pino();
const app = express();

app.post("/orders", async (req, res) => {
  // expect: observability/no-console-in-server
  console.log("creating order", req.body.sku);
  try {
    const order = { id: 1 };
    logger.info({ orderId: order.id }, "order created");
    res.status(201).json(order);
  } catch (err) {
    // expect: observability/no-console-in-server
    console.error(err);
    res.status(500).end();
  }
});

// ok: observability/no-console-in-server
logger.info("server starting");

function debugDump(value: unknown) {
  // ok: observability/no-console-in-server
  const fmt = console.table;
  return fmt && value;
}

app.listen(3000, () => {
  // expect: observability/no-console-in-server
  console.info("listening on 3000");
});

export { debugDump };

// vigil-fixture-file: src/commands/db/migrate.ts
import { logger } from "../../lib/logger";
import { runMigrations } from "../../db/migrations";
export async function migrate({ directory }: { directory: string }) {
  logger.info("Running migrations...");
  await runMigrations(directory);
  // ok: observability/no-console-in-server
  console.log(new Array(process.stdout.columns).join("-"));
  logger.info("Migrations completed");
  process.exit(0);
}

// vigil-fixture-file: src/modules/user/commands/delete-user/delete-user.service.ts
import { CommandHandler } from "@nestjs/cqrs";
import { Logger } from "@nestjs/common";
@CommandHandler(Object)
export class DeleteUserService {
  private readonly logger = new Logger(DeleteUserService.name);
  async execute(command: { userId: string }) {
    // expect: observability/no-console-in-server
    console.log("deleting user", command.userId);
    this.logger.log("user deleted");
  }
}
