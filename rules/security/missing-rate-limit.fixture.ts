import express, { Router } from "express";
import bcrypt from "bcrypt";
import { Controller, Post, Get, Body } from "@nestjs/common";
import { User } from "./models/user";
import { sendResetEmail, verifyTotp, issueTokens } from "./auth/service";

const app = express();
const router = Router();
app.use(express.json());

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

app.use("/api", router);

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
