import express, { type Request, type Response, type NextFunction } from "express";
import jwt from "jsonwebtoken";
import { decodeJwt, jwtVerify } from "jose";
import { expressjwt } from "express-jwt";
import jwksRsa from "jwks-rsa";

import { SignJWT } from "jose";
import { User } from "./models/user";
import { pool } from "./db";

const app = express();
const JWT_SECRET = process.env.JWT_SECRET!;
const PUBLIC_KEY = process.env.JWT_PUBLIC_KEY!;

export function requireAuth(req: Request, res: Response, next: NextFunction) {
  const token = (req.headers.authorization ?? "").replace(/^Bearer /, "");
  try {
    // expect: security/jwt
    const claims = jwt.verify(token, PUBLIC_KEY);
    (req as any).user = claims;
    next();
  } catch {
    res.sendStatus(401);
  }
}

export function requireAdmin(req: Request, res: Response, next: NextFunction) {
  const token = req.cookies.session;
  // expect: security/jwt
  const payload = jwt.decode(token) as { sub: string; role: string };
  if (payload.role !== "admin") return res.sendStatus(403);
  next();
}

app.get("/legacy", (req, res) => {
  // expect: security/jwt
  const user = jwt.verify(req.query.t as string, JWT_SECRET, { algorithms: ["HS256", "none"] });
  res.json(user);
});

const LEGACY_ALGORITHMS = ["RS256", "none"];
app.get("/legacy/v2", (req, res) => {
  const algorithms = LEGACY_ALGORITHMS;
  // expect: security/jwt
  const user = jwt.verify(req.query.t as string, JWT_SECRET, { algorithms });
  res.json(user);
});

app.get("/legacy/v3", (req, res) => {
  // expect: security/jwt
  const user = jwt.verify(req.query.t as string, null, { maxAge: "1h" });
  res.json(user);
});

const UNSIGNED = "none";
export function previewToken(claims: { preview: boolean }): string {
  // expect: security/jwt
  return jwt.sign(claims, "", { algorithm: UNSIGNED, expiresIn: "5m" });
}

app.get("/sessions/resume", (req, res) => {
  // expect: security/jwt
  const data = jwt.verify(req.cookies.rt, JWT_SECRET, { algorithms: ["HS256"], ignoreExpiration: true });
  res.json(data);
});

app.post("/login", (req, res) => {
  // expect: security/jwt
  const token = jwt.sign({ sub: req.body.userId, role: "user" }, JWT_SECRET);
  res.json({ token });
});

export async function currentUser(req: Request) {
  // expect: security/jwt
  const { sub, email } = decodeJwt(req.headers.authorization!.slice(7));
  return { id: sub, email };
}

// --- safe look-alikes ---
export function verifyStrict(token: string) {
  // ok: security/jwt
  return jwt.verify(token, PUBLIC_KEY, { algorithms: ["RS256"], audience: "api" });
}

export function issue(userId: string) {
  // ok: security/jwt
  return jwt.sign({ sub: userId }, JWT_SECRET, { expiresIn: "15m", algorithm: "HS256" });
}

export function issueWithExp(userId: string) {
  // ok: security/jwt
  return jwt.sign({ sub: userId, exp: Math.floor(Date.now() / 1000) + 900 }, JWT_SECRET, { algorithm: "HS256" });
}

export function msUntilExpiry(token: string): number {
  // ok: security/jwt
  const { exp } = jwt.decode(token) as { exp: number };
  return exp * 1000 - Date.now();
}

export function verifyWithKid(token: string, keys: Record<string, string>) {
  // ok: security/jwt
  const decoded = jwt.decode(token, { complete: true });
  const key = keys[decoded!.header.kid!];
  return jwt.verify(token, key, { algorithms: ["RS256"] });
}

export async function joseVerify(token: string, key: CryptoKey) {
  // ok: security/jwt
  const { payload } = await jwtVerify(token, key, { issuer: "https://auth.acme.io" });
  // ok: security/jwt
  const peek = decodeJwt(token);
  return { payload, peek };
}

export function verifyPartnerToken(token: string) {
  // expect: security/jwt
  return jwt.verify(token, PUBLIC_KEY);
}

export function verifySessionToken(token: string) {
  // ok: security/jwt
  return jwt.verify(token, JWT_SECRET);
}

// expect: security/jwt
app.use("/partner", expressjwt({ secret: jwksRsa.expressJwtSecret({ jwksUri: "https://login.example.com/.well-known/jwks.json" }) } as any));
// ok: security/jwt
app.use("/internal", expressjwt({ secret: JWT_SECRET } as any));

export async function loginWithRecord(email: string) {
  const user = await User.findOne({ where: { email } });
  // expect: security/jwt
  return jwt.sign(user!.toJSON(), JWT_SECRET, { expiresIn: "1h" });
}

export async function loginWithRow(email: string) {
  const { rows } = await pool.query("SELECT * FROM users WHERE email = $1", [email]);
  // expect: security/jwt
  return jwt.sign({ ...rows[0] }, JWT_SECRET, { expiresIn: "1h" });
}

export function issueOtpToken(userId: string, otp: string) {
  // expect: security/jwt
  return new SignJWT({ sub: userId, otp }).setProtectedHeader({ alg: "HS256" }).setExpirationTime("5m").sign(new TextEncoder().encode(JWT_SECRET));
}

export async function loginPicked(email: string) {
  const user = await User.findOne({ where: { email }, attributes: ["id", "role"] });
  // ok: security/jwt
  return jwt.sign(user!.toJSON(), JWT_SECRET, { expiresIn: "1h" });
}

export async function loginClaims(email: string) {
  const user = await User.findOne({ where: { email } });
  // ok: security/jwt
  return jwt.sign({ sub: user!.id, role: user!.role }, JWT_SECRET, { expiresIn: "1h" });
}

export async function loginStripped(email: string) {
  const user = (await User.findOne({ where: { email } }))!.toJSON();
  delete user.passwordHash;
  // ok: security/jwt
  return jwt.sign(user, JWT_SECRET, { expiresIn: "1h" });
}

declare const localStorage: { getItem(key: string): string | null };

/** Shared with the admin UI bundle: shows who is signed in; the API verifies the token on every request. */
export function lastLoginIp(): string | undefined {
  const stored = localStorage.getItem("token");
  if (!stored) return undefined;
  // ok: security/jwt
  const payload = decodeJwt(stored) as { data?: { lastLoginIp?: string } };
  return payload.data?.lastLoginIp;
}
