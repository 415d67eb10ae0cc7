// vigil-fixture-file: src/app.ts
import express, { Router } from "express";
import bcrypt from "bcrypt";
import { execFile } from "child_process";
import fs from "fs/promises";
import Fastify from "fastify";
import fastifyRateLimit from "@fastify/rate-limit";
import { User } from "./models/user";
import { db } from "./db";
import { apiLimiter } from "./middleware/limits";
import { sendResetEmail, verifyTotp, issueTokens, authenticateToken } from "./auth/service";

const app = express();
const router = Router();
app.use(express.json({ limit: "100kb" }));

// expect: security/missing-rate-limit
app.post("/api/auth/login", async (req, res) => {
  const user = await User.findOne({ where: { email: req.body.email } });
  if (!user || !(await bcrypt.compare(req.body.password, user.passwordHash))) return res.status(401).json({ error: "Invalid credentials" });
  res.json(await issueTokens(user));
});

// expect: security/missing-rate-limit
router.post("/forgot-password", async (req, res) => {
  await sendResetEmail(req.body.email);
  res.status(202).end();
});

// expect: security/missing-rate-limit
router.route("/2fa/verify").post(async (req, res) => {
  res.json({ ok: await verifyTotp(req.body.userId, req.body.code) });
});

// ok: security/missing-rate-limit
router.get("/auth/me", (req, res) => res.json(req.user));

// ok: security/missing-rate-limit
router.post("/auth/logout", (req, res) => res.clearCookie("sid").sendStatus(204));

// ok: security/missing-rate-limit
router.post("/orders", async (req, res) => res.status(201).json(req.body));

// A password check outside an /auth path is just as guessable.
// expect: security/missing-rate-limit
router.delete("/accounts/:id", async (req, res) => {
  const user = await User.findByPk(req.params.id);
  if (!(await bcrypt.compare(req.body.confirmPassword, user.passwordHash))) return res.sendStatus(403);
  await user.destroy();
  res.sendStatus(204);
});

// Spawning a process per request is reported only when a limiter exists but is installed too late.
// ok: security/missing-rate-limit
router.post("/thumbnails", (req, res) => {
  execFile("convert", ["upload.png", "-resize", "128x128", "thumb.png"], () => res.sendStatus(201));
});

// Checking a bearer token is not a password guess.
// ok: security/missing-rate-limit
router.get("/invoices", (req, res, next) => {
  authenticateToken(req);
  res.json([]);
});

// Plain reads are what every endpoint does; without any limiter in sight they are not reported.
// ok: security/missing-rate-limit
router.get("/products", async (req, res) => res.json(await db.query("SELECT id, name FROM products")));

// ok: security/missing-rate-limit
router.get("/terms", async (req, res) => res.type("text/plain").send(await fs.readFile("static/terms.txt", "utf8")));

app.use("/api", router);

// The admin app installs its limiter only after two of its routes: those two are never limited.
const admin = express();

// expect: security/missing-rate-limit
admin.get("/reports/orders", async (req, res) => {
  res.json(await db.query("SELECT * FROM orders WHERE created_at > now() - interval '30 days'"));
});

// expect: security/missing-rate-limit
admin.get("/backups/latest", async (req, res) => res.send(await fs.readFile("backups/latest.sql.gz")));

// ok: security/missing-rate-limit
admin.get("/healthz", (req, res) => res.send("ok"));

admin.use(apiLimiter);

// ok: security/missing-rate-limit
admin.get("/reports/users", async (req, res) => res.json(await db.query("SELECT id, email FROM users")));

// ok: security/missing-rate-limit
admin.post("/auth/login", async (req, res) => res.json({ ok: await bcrypt.compare(req.body.password, "$2b$12$hash") }));

// Fastify: the plugin applies to routes declared after it; per-route config counts too.
const server = Fastify();

// expect: security/missing-rate-limit
server.post("/api/sessions", async (req) => issueTokens(await User.findOne({ where: { email: (req.body as { email: string }).email } })));

server.register(fastifyRateLimit, { max: 100, timeWindow: "1 minute" });

// ok: security/missing-rate-limit
server.post("/api/password-reset", async (req) => sendResetEmail((req.body as { email: string }).email));

// vigil-fixture-file: src/auth/auth.controller.ts
import { Controller, Post, Get, Body } from "@nestjs/common";
import bcrypt from "bcrypt";
import { User } from "../models/user";

@Controller("auth")
export class AuthController {
  // expect: security/missing-rate-limit
  @Post("register")
  async register(@Body() dto: { email: string; password: string }) {
    return User.create({ email: dto.email, passwordHash: await bcrypt.hash(dto.password, 12) });
  }

  // ok: security/missing-rate-limit
  @Get("providers")
  providers() {
    return ["google", "github"];
  }
}
