import crypto from "crypto";
import express from "express";

const app = express();

export function generateToken(length = 32): string {
  const chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  let result = "";
  for (let i = 0; i < length; i++) {
    // expect: security/insecure-randomness
    result += chars.charAt(Math.floor(Math.random() * chars.length));
  }
  return result;
}

export function generatePin(): string {
  const digits = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];
  // expect: security/insecure-randomness
  return [0, 1, 2, 3].map(() => digits[Math.floor(Math.random() * digits.length)]).join("");
}

export async function verifyRefund(refundId: string) {
  const statuses = ["completed", "in_progress", "failed"];
  // a mock status picked from fixed words is not secret material
  // ok: security/insecure-randomness
  const status = statuses[Math.floor(Math.random() * statuses.length)];
  return JSON.stringify({ refundId, status });
}

app.post("/auth/forgot-password", async (req, res) => {
  // expect: security/insecure-randomness
  const resetCode = Math.floor(100000 + Math.random() * 900000);
  // expect: security/insecure-randomness
  const sessionId = Math.random().toString(36).substring(2);
  res.cookie("sid", sessionId, { httpOnly: true });
  res.json({ sent: resetCode > 0 });
});

export function createUser(email: string) {
  return {
    email,
    // expect: security/insecure-randomness
    tempPassword: Math.random().toString(36).slice(-10),
  };
}

export const otp = () => {
  // expect: security/insecure-randomness
  return String(Math.floor(Math.random() * 1e6)).padStart(6, "0");
};

export function makeNonce(): string {
  // expect: security/insecure-randomness
  return crypto.pseudoRandomBytes(16).toString("hex");
}

// expect: security/insecure-randomness
export const legacyRandom = crypto.pseudoRandomBytes;

// --- safe look-alikes ---
export async function withRetry<T>(fn: () => Promise<T>, attempt = 0): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    // ok: security/insecure-randomness
    const jitter = Math.random() * 100;
    // ok: security/insecure-randomness
    const delayMs = 2 ** attempt * 100 + Math.floor(Math.random() * 50);
    await new Promise((r) => setTimeout(r, delayMs + jitter));
    return withRetry(fn, attempt + 1);
  }
}

export function shouldSample(rate = 0.1): boolean {
  // ok: security/insecure-randomness
  return Math.random() < rate;
}

export function pickColor(): string {
  const colors = ["#f00", "#0f0", "#00f"];
  // ok: security/insecure-randomness
  return colors[Math.floor(Math.random() * colors.length)];
}

export function secureToken(): string {
  // ok: security/insecure-randomness
  return crypto.randomBytes(32).toString("hex");
}

export function newSessionId(): string {
  // ok: security/insecure-randomness
  return crypto.randomUUID();
}

export function shuffle<T>(items: T[]): T[] {
  // ok: security/insecure-randomness
  return items.sort(() => Math.random() - 0.5);
}

export function uuidv4(): string {
  return "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx".replace(/[xy]/g, (c) => {
    // expect: security/insecure-randomness
    const r = (Math.random() * 16) | 0;
    return (c === "x" ? r : (r & 0x3) | 0x8).toString(16);
  });
}

class Job {
  // ok: security/insecure-randomness
  id = Math.random().toString(36).slice(2);
}
export { Job };

export function SessionHandler(db: { allocations: { insert(doc: object): void } }) {
  const allocate = (userId: string) => {
    // ok: security/insecure-randomness
    const equity = Math.floor(Math.random() * 40 + 1);
    db.allocations.insert({ userId, equity, cash: 100 - equity });
  };
  return { allocate };
}

export function issueInvite(store: Map<string, string>, email: string): string {
  // expect: security/insecure-randomness
  const suffix = Math.floor(Math.random() * 1e9).toString(36);
  const inviteToken = `inv_${suffix}`;
  store.set(inviteToken, email);
  return email;
}

function persist(webhookSecret: string): void {
  process.env.WEBHOOK_SIGNING_SECRET = webhookSecret;
}
// expect: security/insecure-randomness
persist(Math.random().toString(36).slice(2));

export function scheduleNextPoll(poll: () => void): void {
  // ok: security/insecure-randomness
  const spread = Math.random();
  const delayMs = 30_000 + spread * 5_000;
  setTimeout(poll, delayMs);
}

export function sessionToken(): string {
  // ok: security/insecure-randomness (only a fallback for runtimes without crypto.randomUUID)
  return typeof crypto.randomUUID === "function" ? crypto.randomUUID() : Math.random().toString(36).slice(2);
}

declare const workflowEngine: { subscribe(o: object): Promise<void>; unsubscribe(o: object): Promise<void> };

export async function streamWorkflow(req: Request, res: Response) {
  // ok: security/insecure-randomness
  const subscriberId = "__sub__" + Math.random().toString(36).substring(2, 9);
  req.on("close", () => void workflowEngine.unsubscribe({ workflowId: req.query.id, subscriberOrId: subscriberId }));
  await workflowEngine.subscribe({ workflowId: req.query.id, subscriberId, subscriber: (e: object) => res.write(JSON.stringify(e)) });
}

export function issueResetLink(userId: string) {
  // expect: security/insecure-randomness
  const resetTokenId = Math.random().toString(36).slice(2);
  return `/reset?user=${userId}&t=${resetTokenId}`;
}
