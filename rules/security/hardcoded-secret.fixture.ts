import express from "express";
import session from "express-session";
import jwt from "jsonwebtoken";
import crypto from "crypto";
import mysql from "mysql2/promise";
import { Sequelize } from "sequelize";
import { S3Client } from "@aws-sdk/client-s3";
import { Strategy as JwtStrategy, ExtractJwt } from "passport-jwt";
import passport from "passport";
import { SignJWT } from "jose";
import ldap from "ldapjs";
import cookieParser from "cookie-parser";
import superagent from "superagent";
import { Wallet } from "ethers";
import { mnemonicToAccount } from "viem/accounts";

const app = express();

// --- known credential formats ---
const s3 = new S3Client({
  region: "eu-west-1",
  credentials: {
    // expect: security/hardcoded-secret
    accessKeyId: "AKIAIOSFODNN7EXAMPLE",
    // expect: security/hardcoded-secret
    secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzQ8vL2mNx4Kp",
  },
});

// expect: security/hardcoded-secret
const GITHUB_TOKEN = "ghp_4f9Zq2LmT8wXv1BnR7yKc3JdH6sPa0UeGi5o";
// expect: security/hardcoded-secret
const stripe = require("stripe")("sk_live_51HbXq2KZr8TyVw3LmN0pQ4sUa9");

const SIGNING_KEY_PEM =
  // expect: security/hardcoded-secret
  "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAvx9yP1t3m0Xq...\n-----END RSA PRIVATE KEY-----";

// --- connection strings ---
// expect: security/hardcoded-secret
const mongoUri = "mongodb+srv://appuser:Xk29fLq81mZ@cluster0.ab1cd.mongodb.net/shop";
// expect: security/hardcoded-secret
const pgUrl = `postgres://billing:Tr0ub4dor3@${process.env.DB_HOST}:5432/billing`;

// --- names that denote secrets ---
const config = {
  db: {
    host: "db.internal",
    user: "app",
    // expect: security/hardcoded-secret
    password: "s3cr3t-Pa55w0rd!",
  },
  // expect: security/hardcoded-secret
  apiKey: "a8f5f167f44f4964e6c998dee827110c",
  // expect: security/hardcoded-secret
  jwtSecret: process.env.JWT_SECRET || "my-jwt-signing-secret-2024",
};

class MailService {
  // expect: security/hardcoded-secret
  private smtpPassword = "hunter2hunter2";
}

// expect: security/hardcoded-secret
const sequelize = new Sequelize("shop", "shop_admin", "Sh0pAdm1n#2023", { dialect: "mysql" });

const pool = mysql.createPool({
  host: process.env.DB_HOST,
  user: "reports",
  // expect: security/hardcoded-secret
  password: "r3p0rts_RO_pw",
});

const kiosk = { user: "kiosk", password: "" };
// a short numeric password is still a (weak) hard-coded credential
// expect: security/hardcoded-secret
kiosk.password = "4711";
// ok: security/hardcoded-secret
kiosk.password = "0000";

// --- secrets passed straight to signing APIs ---
app.use(
  session({
    // expect: security/hardcoded-secret
    secret: "keyboard cat",
    resave: false,
    saveUninitialized: false,
  }),
);

app.post("/login", async (req, res) => {
  // expect: security/hardcoded-secret
  const token = jwt.sign({ sub: req.body.username }, "shhhhh", { expiresIn: "1h" });
  res.json({ token });
});

const hmacKey = "abc";
export function signWebhook(body: string): string {
  // expect: security/hardcoded-secret
  return crypto.createHmac("sha256", hmacKey).update(body).digest("hex");
}

export function signTemplated(body: string): string {
  // A placeholder the deploy step substitutes, not a key.
  // ok: security/hardcoded-secret
  return crypto.createHmac("sha256", "${WEBHOOK_HMAC_KEY}").update(body).digest("hex");
}

passport.use(
  new JwtStrategy(
    // expect: security/hardcoded-secret
    {
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      secretOrKey: "passport-secret",
    },
    (payload: unknown, done: (e: unknown, u?: unknown) => void) => done(null, payload),
  ),
);

export async function issue(claims: Record<string, unknown>) {
  // expect: security/hardcoded-secret
  return new SignJWT(claims).setProtectedHeader({ alg: "HS256" }).sign(new TextEncoder().encode("jose-hs256-secret"));
}

// --- safe look-alikes ---
const safeConfig = {
  db: {
    // ok: security/hardcoded-secret
    password: process.env.DB_PASSWORD,
  },
  // ok: security/hardcoded-secret
  apiKey: "",
  // ok: security/hardcoded-secret
  clientSecret: "your-client-secret-here",
  // ok: security/hardcoded-secret
  token: "<token>",
  // ok: security/hardcoded-secret
  passwordField: "password",
  // ok: security/hardcoded-secret
  passwordResetPath: "/auth/password/reset",
  // ok: security/hardcoded-secret
  secretName: "prod/app/jwt",
  // ok: security/hardcoded-secret
  tokenType: "Bearer",
  // ok: security/hardcoded-secret
  csrfToken: "x-csrf-token-header",
};

const loginErrors = {
  // an error code, not a password
  // ok: security/hardcoded-secret
  password: "incorrectPassword",
  // ok: security/hardcoded-secret
  oldPassword: "missingOldPassword",
};

const PLACEHOLDER_SECRETS = {
  // ok: security/hardcoded-secret
  AUTH_REFRESH_SECRET: "secret_for_refresh",
};

const labels = {
  // ok: security/hardcoded-secret
  password: "Password",
  // ok: security/hardcoded-secret
  confirmPassword: "Enter your password again",
  // ok: security/hardcoded-secret
  newPassword: "new-password",
  // ok: security/hardcoded-secret
  passwordKey: "auth.password.label",
};

// ok: security/hardcoded-secret
const JWT_SECRET_ENV = "JWT_SECRET";
// ok: security/hardcoded-secret
const secret = process.env.SESSION_SECRET;
// ok: security/hardcoded-secret
const dbPassword = "changeme";
// ok: security/hardcoded-secret
const apiToken = "xxxxxxxxxxxxxxxx";
// ok: security/hardcoded-secret
const localDb = "postgres://postgres:postgres@localhost:5432/app";
// ok: security/hardcoded-secret
const templated = `mysql://${process.env.DB_USER}:${process.env.DB_PASS}@db:3306/app`;
// expect: security/hardcoded-secret
export const geoFeed = "https://geo.partner-api.io/v2/lookup?format=json&api_key=q8Vd2LmX71bRkT0e";
// ok: security/hardcoded-secret
export const geoFeedFor = (key: string) => `https://geo.partner-api.io/v2/lookup?format=json&api_key=${key}`;
// ok: security/hardcoded-secret
export const resetLink = "https://app.example.com/reset?token={token}";
// ok: security/hardcoded-secret
export const docsLink = "https://api.partner.io/docs?api_key=YOUR_API_KEY";
// ok: security/hardcoded-secret
const passport_strategy = "jwt";

app.get("/me", (req, res) => {
  // ok: security/hardcoded-secret
  const user = jwt.verify(req.headers.authorization ?? "", process.env.JWT_PUBLIC_KEY!, { algorithms: ["RS256"] });
  // ok: security/hardcoded-secret
  const etag = crypto.createHash("sha256").update(JSON.stringify(user)).digest("hex");
  res.set("ETag", etag).json(user);
});

export { s3, GITHUB_TOKEN, stripe, SIGNING_KEY_PEM, mongoUri, pgUrl, config, MailService, sequelize, pool, safeConfig, labels, JWT_SECRET_ENV, secret, dbPassword, apiToken, localDb, templated, passport_strategy };

export const messages = {
  // ok: security/hardcoded-secret
  password: "Password must be at least 8 characters",
  // ok: security/hardcoded-secret
  passwort: "Passwort",
};
export const seedAdmin = {
  email: "admin@acme.io",
  // ok: security/hardcoded-secret
  password: "$2b$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy",
  // ok: security/hardcoded-secret
  stripePublishableKey: "pk_live_51HbXq2KZr8TyVw3LmN0pQ4sUa9",
};

const sessionConfig = {
  name: "sid",
  // expect: security/hardcoded-secret
  secret: "x",
  resave: false,
};
app.use(session(sessionConfig));

const envSessionConfig = {
  name: "sid",
  // ok: security/hardcoded-secret
  secret: process.env.SESSION_SECRET!,
  resave: false,
};
app.use(session(envSessionConfig));

export class AuthSetup {
  // expect: security/hardcoded-secret
  private readonly signingSecret = "dev-signing-secret";
  private readonly strategyOptions = { jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(), secretOrKey: process.env.JWT_SECRET };

  register() {
    // expect: security/hardcoded-secret
    passport.use("admin", new JwtStrategy({ jwtFromRequest: ExtractJwt.fromUrlQueryParameter("t"), secretOrKey: this.signingSecret }, (p: unknown, done: (e: unknown, u?: unknown) => void) => done(null, p)));
    // ok: security/hardcoded-secret
    passport.use("api", new JwtStrategy(this.strategyOptions, (p: unknown, done: (e: unknown, u?: unknown) => void) => done(null, p)));
  }
}

export function legacyStrategy() {
  const opts: Record<string, unknown> = { jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken() };
  opts.secretOrKey = "legacy-shared-secret";
  // expect: security/hardcoded-secret
  return new JwtStrategy(opts as any, (p: unknown, done: (e: unknown, u?: unknown) => void) => done(null, p));
}

export class BannerSettings {
  // ok: security/hardcoded-secret
  private welcomeBannerStatusCookieKey = "welcomebanner_status";
  // ok: security/hardcoded-secret
  private testingPassword = "IamUsedForTesting";
  // expect: security/hardcoded-secret
  private cookieSigningKey = "9f8e7d6c5b4a39281706f5e4d3c2b1a0";
}

export const tokenTypes = {
  // ok: security/hardcoded-secret
  RESET_PASSWORD: "resetPassword",
  // ok: security/hardcoded-secret
  ACCESS_TOKEN: "access_token",
};

declare const aws: (key: string, value: string) => void;
declare const page: { fill: (selector: string, value: string) => Promise<void> };
// expect: security/hardcoded-secret
aws("secret", "q8Zr2vNp41xT");
// ok: security/hardcoded-secret
void page.fill("#password", "ncc-1701");


// --- credentials handed to clients and signers ---
const directory = ldap.createClient({ url: process.env.LDAP_URL! });
// expect: security/hardcoded-secret
directory.bind("cn=admin,dc=acme,dc=org", "Ld4p-b1nd!2024", () => {});
// ok: security/hardcoded-secret
directory.bind("cn=admin,dc=acme,dc=org", process.env.LDAP_PASSWORD!, () => {});

export function readSignedPref(raw: string) {
  // expect: security/hardcoded-secret
  return cookieParser.signedCookie(raw, "pr3f-c00kie-s1gner");
}

export async function fetchInvoices() {
  // expect: security/hardcoded-secret
  const res = await superagent.get("https://billing.acme.io/invoices").auth("billing-bot", "Xq7!mR2pL9vK");
  // ok: security/hardcoded-secret
  await superagent.get("https://billing.acme.io/invoices").auth(process.env.BILLING_TOKEN!, { type: "bearer" });
  return res.body;
}

// expect: security/hardcoded-secret
export const treasury = Wallet.fromPhrase("orbit canyon velvet hammer lunar pepper sketch frozen gadget timber vivid oyster");
// ok: security/hardcoded-secret
export const hotWallet = Wallet.fromPhrase(process.env.WALLET_MNEMONIC!);
// expect: security/hardcoded-secret
export const relayer = mnemonicToAccount("maple rocket dinner clever absorb museum zebra onion fancy sugar thrive guitar");
// expect: security/hardcoded-secret
const mnemonic = "orbit canyon velvet hammer lunar pepper sketch frozen gadget timber vivid oyster";
void mnemonic;

const useStaging = process.env.STAGE === "staging";
// expect: security/hardcoded-secret
const partnerApiKey = useStaging ? "stg_4kP9xQ2mV7nL" : "prd_8wT3zR6yB1cJ";
void partnerApiKey;

// expect: security/hardcoded-secret
export function connectWarehouse({ host = "wh.acme.io", password = "W4rehouse!Pass" } = {}) {
  return { host, password };
}
// ok: security/hardcoded-secret
export function connectCache({ host = "cache", password = process.env.CACHE_PASSWORD } = {}) {
  return { host, password };
}

// vigil-fixture-file: src/database/factories/user.factory.ts
import { faker } from "@faker-js/faker";

export function buildUser(overrides: Record<string, unknown> = {}) {
  const user: Record<string, unknown> = { email: faker.internet.email(), username: faker.internet.userName() };
  // ok: security/hardcoded-secret
  user.password = "1234";
  return { ...user, ...overrides };
}

export const demoAdmin = {
  email: "admin@example.com",
  // ok: security/hardcoded-secret
  password: "Admin_123",
  // expect: security/hardcoded-secret
  apiToken: "tok_9fK2mQ8xLp4Rz7Vb1Nc",
};
