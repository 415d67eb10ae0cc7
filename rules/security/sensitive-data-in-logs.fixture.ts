import express from "express";
import pino from "pino";
import bcrypt from "bcrypt";
import { User } from "./models/user";
import { charge } from "./billing";

const app = express();
const logger = pino({ level: "info" });
app.use(express.json());

app.use((req, res, next) => {
  // expect: security/sensitive-data-in-logs
  logger.debug({ method: req.method, url: req.url, headers: req.headers }, "incoming request");
  // ok: security/sensitive-data-in-logs
  logger.info({ method: req.method, url: req.originalUrl, ua: req.get("user-agent") }, "incoming request");
  next();
});

app.post("/api/login", async (req, res) => {
  // expect: security/sensitive-data-in-logs
  console.log("Login attempt", req.body);
  const { email, password } = req.body;
  // expect: security/sensitive-data-in-logs
  logger.info(`login attempt for ${email} with password ${password}`);
  // ok: security/sensitive-data-in-logs
  logger.info({ email, hasPassword: Boolean(password), passwordLength: password?.length }, "login attempt");
  const user = await User.findOne({ where: { email } });
  if (!user || !(await bcrypt.compare(password, user.passwordHash))) {
    // ok: security/sensitive-data-in-logs
    logger.warn({ email }, "invalid password");
    return res.status(401).json({ error: "Invalid credentials" });
  }
  const token = user.issueToken();
  // expect: security/sensitive-data-in-logs
  logger.debug({ userId: user.id, token }, "issued token");
  // ok: security/sensitive-data-in-logs
  logger.info({ userId: user.id, tokenExpiry: user.tokenExpiry }, "issued token");
  res.json({ token });
});

app.post("/password/forgot", async (req, res) => {
  // ok: security/sensitive-data-in-logs
  console.info("password reset requested for", req.body.email);
  res.status(202).end();
});

app.post("/checkout", async (req, res) => {
  const { cardNumber, cvv, amount } = req.body;
  // expect: security/sensitive-data-in-logs
  console.log("charging card", cardNumber, "cvv", cvv, "amount", amount);
  // ok: security/sensitive-data-in-logs
  console.log("charging card ending", String(cardNumber).slice(-4), "amount", amount);
  await charge(cardNumber, cvv, amount);
  res.sendStatus(204);
});

app.get("/orders", (req, res) => {
  // expect: security/sensitive-data-in-logs
  logger.info("auth header: " + req.headers.authorization);
  // ok: security/sensitive-data-in-logs
  logger.info({ orders: req.body, query: req.query }, "listing orders");
  // ok: security/sensitive-data-in-logs
  logger.info({ nextPageToken: req.query.pageToken }, "paging");
  res.json([]);
});
