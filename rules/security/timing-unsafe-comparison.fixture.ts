import crypto from "node:crypto";
import express from "express";
import bcrypt from "bcrypt";

const app = express();
app.use(express.json());

const ADMIN_PASSWORD = process.env.ADMIN_PASSWORD ?? "";
const config = { jwtSecret: process.env.JWT_SECRET ?? "changeme" };

// GitHub-style webhook: the signature check is the only thing between the internet and the handler
app.post("/webhooks/github", (req, res) => {
  const signature = req.get("x-hub-signature-256") ?? "";
  const expected = "sha256=" + crypto.createHmac("sha256", process.env.WEBHOOK_SECRET!).update(JSON.stringify(req.body)).digest("hex");
  // expect: security/timing-unsafe-comparison
  if (signature !== expected) return res.sendStatus(401);
  res.sendStatus(204);
});

app.use("/internal", (req, res, next) => {
  // expect: security/timing-unsafe-comparison
  if (req.headers["x-api-key"] !== process.env.INTERNAL_API_KEY) return res.sendStatus(403);
  next();
});

app.post("/admin/login", (req, res) => {
  const { password } = req.body;
  // expect: security/timing-unsafe-comparison
  if (password === ADMIN_PASSWORD) return res.json({ ok: true });
  // expect: security/timing-unsafe-comparison
  if (password == "s3cr3t-admin") return res.json({ ok: true });
  res.sendStatus(401);
});

export async function isValidResetToken(userId: string, token: string, db: { resetTokenFor(id: string): Promise<string> }) {
  const storedToken = await db.resetTokenFor(userId);
  // expect: security/timing-unsafe-comparison
  return token === storedToken;
}

export function verifyPassword(stored: string, password: string): boolean {
  const [salt, hash] = stored.split(":");
  const derived = crypto.pbkdf2Sync(password, salt, 310000, 32, "sha256");
  // expect: security/timing-unsafe-comparison
  return hash === derived.toString("hex");
}

// ---- safe look-alikes ----

app.post("/signup", async (req, res) => {
  const { username, password, passwordConfirm } = req.body;
  // ok: security/timing-unsafe-comparison
  if (password !== passwordConfirm) return res.status(400).json({ error: "passwords differ" });
  // ok: security/timing-unsafe-comparison
  if (password === username) return res.status(400).json({ error: "password equals user name" });
  // ok: security/timing-unsafe-comparison
  if (req.body.password !== req.body.password2) return res.status(400).end();
  // ok: security/timing-unsafe-comparison
  if (password === "" || password.length === 0) return res.status(400).end();
  // ok: security/timing-unsafe-comparison
  if (typeof password !== "string" || password === undefined) return res.status(400).end();
  const hash = await bcrypt.hash(password, 12);
  res.status(201).json({ hash: hash.length });
});

// ok: security/timing-unsafe-comparison
if (config.jwtSecret === "changeme") console.warn("JWT_SECRET is not set");

export function verifyWithTimingSafeEqual(signature: string, expected: string): boolean {
  const a = Buffer.from(signature);
  const b = Buffer.from(expected);
  // ok: security/timing-unsafe-comparison
  return a.length === b.length && crypto.timingSafeEqual(a, b);
}

type Tok = { type: string; value: string };
export function parseList(tokens: Tok[]): string[] {
  const out: string[] = [];
  for (const token of tokens) {
    // ok: security/timing-unsafe-comparison
    if (token.type === "comma") continue;
    out.push(token.value);
  }
  return out;
}

export function unchanged(file: { hash: string }, cached: { hash: string }): boolean {
  // ok: security/timing-unsafe-comparison
  return file.hash === cached.hash;
}

export function nextPage(pageToken: string | undefined, lastToken: string): boolean {
  // ok: security/timing-unsafe-comparison
  return pageToken === lastToken;
}

export class Credentials {
  constructor(readonly username: string, readonly password: string, readonly source: string) {}
  equals(other: Credentials): boolean {
    // ok: security/timing-unsafe-comparison
    return this.username === other.username && this.password === other.password && this.source === other.source;
  }
}

export function validateSignup(password: string, verify: string): string | undefined {
  // ok: security/timing-unsafe-comparison
  if (password !== verify) return "Password must match";
  return undefined;
}

export function checkLogin(body: { password: string }, user: { password: string }): boolean {
  // expect: security/timing-unsafe-comparison
  return body.password === user.password;
}

export function confirmEmail(verificationToken: string, user: { verificationToken: string }): boolean {
  // expect: security/timing-unsafe-comparison
  return verificationToken === user.verificationToken;
}

type FieldValidation = (value: string | undefined, args: { siblingData: { password?: string } }) => string | true;

export const confirmPassword: FieldValidation = (value, { siblingData }) => {
  // ok: security/timing-unsafe-comparison
  if (value && value !== siblingData.password) return "Passwords do not match";
  return true;
};

declare function sha256(s: string): string;

export function usesFactoryDefault(user: { passwordHash: string; password: string }): boolean {
  // ok: security/timing-unsafe-comparison
  return user.password === sha256("changeme-on-first-login");
}
