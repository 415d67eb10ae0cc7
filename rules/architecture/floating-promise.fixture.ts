import express from "express";
import axios from "axios";
import { PrismaClient } from "@prisma/client";
import { Pool } from "pg";
import { Controller, Post, Body } from "@nestjs/common";
import pino from "pino";

const prisma = new PrismaClient();
const pool = new Pool();
const logger = pino();
const app = express();

async function sendWelcomeEmail(to: string): Promise<void> {
  await axios.post("https://mail.internal/send", { to });
}
function formatName(n: string) {
  return n.trim();
}

app.post("/signup", async (req, res) => {
  const user = await prisma.user.create({ data: { email: req.body.email, name: formatName(req.body.name) } });
  // expect: architecture/floating-promise
  sendWelcomeEmail(user.email);
  // expect: architecture/floating-promise
  prisma.auditLog.create({ data: { action: "signup", userId: user.id } });
  // ok: architecture/floating-promise
  formatName(user.email);
  // ok: architecture/floating-promise
  void sendWelcomeEmail(user.email).catch((err) => logger.error({ err }, "welcome email failed"));
  // ok: architecture/floating-promise
  sendWelcomeEmail(user.email).catch((err) => logger.error({ err }, "welcome email failed"));
  // ok: architecture/floating-promise
  await sendWelcomeEmail(user.email);
  res.status(201).json(user);
});

app.post("/webhooks/:id/ping", (req, res) => {
  // expect: architecture/floating-promise
  axios.post(`https://hooks.example.com/${encodeURIComponent(req.params.id)}`, { ping: true });
  // expect: architecture/floating-promise
  fetch("https://metrics.internal/ping", { method: "POST" });
  // ok: architecture/floating-promise
  pool.query("UPDATE hooks SET pinged_at = now() WHERE id = $1", [req.params.id], (err) => {
    if (err) logger.error({ err }, "ping update failed");
  });
  res.sendStatus(202);
});

@Controller("orders")
export class OrdersController {
  private async notify(id: string) {
    await axios.post("https://notify.internal", { id });
  }
  private track(id: string) {
    logger.info({ id }, "tracked");
  }

  @Post()
  async create(@Body() dto: { id: string }) {
    // expect: architecture/floating-promise
    this.notify(dto.id);
    // ok: architecture/floating-promise
    this.track(dto.id);
    // ok: architecture/floating-promise
    return this.notify(dto.id);
  }
}

export async function nightlyCleanup() {
  // ok: architecture/floating-promise
  prisma.session.deleteMany({ where: { expiresAt: { lt: new Date() } } });
}
