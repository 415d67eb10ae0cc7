import express from "express";
import jwt from "jsonwebtoken";
import bcrypt from "bcrypt";
import crypto from "node:crypto";
import Stripe from "stripe";
import { Injectable, CanActivate, ExecutionContext, UnauthorizedException } from "@nestjs/common";
import { JwtService } from "@nestjs/jwt";

const app = express();
const stripe = new Stripe(process.env.STRIPE_KEY!);
const SECRET = process.env.JWT_SECRET!;

export function authenticate(req: express.Request, res: express.Response, next: express.NextFunction) {
  const token = req.headers.authorization?.replace("Bearer ", "") ?? "";
  try {
    (req as any).user = jwt.verify(token, SECRET);
    // expect: security/swallowed-security-error
  } catch (err) {
    console.warn("invalid token", err);
  }
  next();
}

export function optionalAuth(req: express.Request, res: express.Response, next: express.NextFunction) {
  const token = req.cookies.token;
  // expect: security/swallowed-security-error
  jwt.verify(token, SECRET, (err: unknown, decoded: unknown) => {
    if (err) console.error("jwt error", err);
    (req as any).user = decoded;
    next();
  });
}

app.post("/webhooks/stripe", express.raw({ type: "application/json" }), (req, res) => {
  let event: Stripe.Event | undefined;
  try {
    event = stripe.webhooks.constructEvent(req.body, req.headers["stripe-signature"] as string, process.env.STRIPE_WHSEC!);
    // expect: security/swallowed-security-error
  } catch (e) {}
  res.json({ received: true, type: event?.type });
});

export function requireAuth(req: express.Request, res: express.Response, next: express.NextFunction) {
  try {
    (req as any).user = jwt.verify(req.headers.authorization?.split(" ")[1] ?? "", SECRET);
    next();
    // ok: security/swallowed-security-error
  } catch (err) {
    return res.status(401).json({ error: "Invalid or expired token" });
  }
}

export function verifySignature(payload: string, signature: string): boolean {
  const expected = crypto.createHmac("sha256", process.env.WEBHOOK_SECRET!).update(payload).digest("hex");
  try {
    return crypto.timingSafeEqual(Buffer.from(signature), Buffer.from(expected));
    // ok: security/swallowed-security-error
  } catch {
    return false;
  }
}

export async function checkPassword(plain: string, hash: string) {
  let ok = false;
  try {
    ok = await bcrypt.compare(plain, hash);
    // ok: security/swallowed-security-error
  } catch (err) {
    console.error(err);
  }
  if (!ok) throw new Error("Invalid credentials");
  return true;
}

export function decodeLoose(req: express.Request, res: express.Response, next: express.NextFunction) {
  // ok: security/swallowed-security-error
  jwt.verify(req.cookies.token, SECRET, (err: unknown, decoded: unknown) => {
    if (err) return res.sendStatus(401);
    (req as any).user = decoded;
    next();
  });
}

@Injectable()
export class JwtGuard implements CanActivate {
  constructor(private readonly jwt: JwtService) {}
  async canActivate(context: ExecutionContext) {
    const req = context.switchToHttp().getRequest();
    try {
      req.user = await this.jwt.verifyAsync(req.headers.authorization?.slice(7));
      // ok: security/swallowed-security-error
    } catch {
      throw new UnauthorizedException();
    }
    return true;
  }
}

export function parseConfig(raw: string) {
  try {
    return JSON.parse(raw);
    // ok: security/swallowed-security-error
  } catch {}
  return {};
}

export class Passwords {
  static matches(hash: string, plain: string): Promise<boolean> {
    return new Promise((resolve) => {
      // ok: security/swallowed-security-error
      bcrypt.compare(plain, hash, (err: Error | undefined, same: boolean) => {
        resolve(same === true);
      });
    });
  }

  static matchesLoose(hash: string, plain: string): Promise<boolean> {
    return new Promise((resolve) => {
      // expect: security/swallowed-security-error
      bcrypt.compare(plain, hash, (err: Error | undefined) => {
        resolve(true);
      });
    });
  }
}
