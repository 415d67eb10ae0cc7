import express from "express";
import session from "express-session";
import passport from "passport";
import bcrypt from "bcrypt";
import jwt from "jsonwebtoken";
import { Controller, Post, Body, Session, Get } from "@nestjs/common";
import { User } from "./models/user";

const app = express();
app.use(session({ secret: process.env.SESSION_SECRET!, resave: false, saveUninitialized: false, cookie: { secure: true, httpOnly: true, sameSite: "lax" } }));

app.post("/login", async (req, res) => {
  const user = await User.findOne({ where: { email: req.body.email } });
  if (!user || !(await bcrypt.compare(req.body.password, user.passwordHash))) return res.status(401).send("Invalid credentials");
  // expect: security/session-fixation
  req.session.userId = user.id;
  res.redirect("/dashboard");
});

app.post("/auth/signin", (req, res, next) => {
  passport.authenticate("local", (err: Error | null, user: { id: string; role: string }) => {
    if (err || !user) return res.status(401).end();
    // expect: security/session-fixation
    req.session.user = { id: user.id, role: user.role };
    res.json({ ok: true });
  })(req, res, next);
});

async function handleLogin(req: express.Request, res: express.Response) {
  const user = await User.findOne({ where: { username: req.body.username } });
  if (user && (await user.checkPassword(req.body.password))) {
    // expect: security/session-fixation
    Object.assign(req.session, { authenticated: true, username: user.username });
    return res.redirect("/");
  }
  res.status(401).render("login", { error: "Invalid username or password" });
}
app.post("/session", handleLogin);

app.post("/v2/login", async (req, res, next) => {
  const user = await User.findOne({ where: { email: req.body.email } });
  if (!user || !(await bcrypt.compare(req.body.password, user.passwordHash))) return res.sendStatus(401);
  req.session.regenerate((err) => {
    if (err) return next(err);
    // ok: security/session-fixation
    req.session.userId = user.id;
    req.session.save(() => res.redirect("/"));
  });
});

app.post("/api/token", async (req, res) => {
  const user = await User.findOne({ where: { email: req.body.email } });
  if (!user || !(await bcrypt.compare(req.body.password, user.passwordHash))) return res.sendStatus(401);
  // ok: security/session-fixation
  const token = jwt.sign({ sub: user.id }, process.env.JWT_SECRET!, { expiresIn: "15m" });
  res.json({ token });
});

app.post("/cart/items", (req, res) => {
  // ok: security/session-fixation
  req.session.cart = [...(req.session.cart ?? []), req.body.sku];
  res.sendStatus(201);
});

app.put("/profile", async (req, res) => {
  const user = await User.update(req.session.userId, { displayName: req.body.displayName });
  // ok: security/session-fixation
  req.session.user = user;
  res.json(user);
});

@Controller("auth")
export class AuthController {
  @Post("login")
  async login(@Body() body: { email: string; password: string }, @Session() session: Record<string, unknown>) {
    const user = await User.findOne({ where: { email: body.email } });
    if (!user || !(await bcrypt.compare(body.password, user.passwordHash))) throw new Error("unauthorized");
    // expect: security/session-fixation
    session.userId = user.id;
    return { ok: true };
  }

  @Get("me")
  me(@Session() session: Record<string, unknown>) {
    // ok: security/session-fixation
    session.lastSeen = Date.now();
    return session.userId;
  }
}
