import crypto from "crypto";
import bcrypt from "bcrypt";
import CryptoJS from "crypto-js";
import md5 from "md5";
import express from "express";
import https from "https";
import tls from "tls";
import argon2 from "argon2";

const app = express();

export function hashPassword(password: string): string {
  // expect: security/weak-crypto
  return crypto.createHash("md5").update(password).digest("hex");
}

export function signPayload(body: string): string {
  // expect: security/weak-crypto
  const signature = crypto.createHash("sha1").update(body + process.env.SIGNING_SALT).digest("base64");
  return signature;
}

export function legacyDigest(data: Buffer): string {
  // expect: security/weak-crypto
  return crypto.createHash("sha1").update(data).digest("hex");
}

export function encryptCard(pan: string, key: string): string {
  // expect: security/weak-crypto
  const cipher = crypto.createCipher("aes-256-cbc", key);
  return cipher.update(pan, "utf8", "hex") + cipher.final("hex");
}

export function encryptLegacy(data: string, key: Buffer): string {
  // expect: security/weak-crypto
  const c = crypto.createCipheriv("des-ede3-cbc", key, crypto.randomBytes(8));
  return c.update(data, "utf8", "hex") + c.final("hex");
}

export function encryptWhitened(data: string, key: Buffer): string {
  // expect: security/weak-crypto
  const c = crypto.createCipheriv("desx-cbc", key, crypto.randomBytes(8));
  return c.update(data, "utf8", "hex") + c.final("hex");
}

export function encryptBlock(data: Buffer, key: Buffer): Buffer {
  // expect: security/weak-crypto
  const c = crypto.createCipheriv("aes-128-ecb", key, null);
  return Buffer.concat([c.update(data), c.final()]);
}

const ZERO_IV = Buffer.alloc(16, 0);
export function encryptToken(token: string, key: Buffer): string {
  // expect: security/weak-crypto
  const c = crypto.createCipheriv("aes-256-cbc", key, ZERO_IV);
  return c.update(token, "utf8", "hex") + c.final("hex");
}

export function makeKeys() {
  // expect: security/weak-crypto
  return crypto.generateKeyPairSync("rsa", { modulusLength: 1024, publicKeyEncoding: { type: "spki", format: "pem" } });
}

export async function storeUser(password: string) {
  // expect: security/weak-crypto
  const hash = await bcrypt.hash(password, 8);
  // expect: security/weak-crypto
  const derived = crypto.pbkdf2Sync(password, crypto.randomBytes(16), 1000, 32, "sha256");
  return { hash, derived };
}

export function legacyCrypto(secretText: string, passphrase: string) {
  // expect: security/weak-crypto
  const encrypted = CryptoJS.DES.encrypt(secretText, passphrase).toString();
  // expect: security/weak-crypto
  const tokenHash = CryptoJS.MD5(secretText).toString();
  return { encrypted, tokenHash };
}

app.post("/api/login", (req, res) => {
  // expect: security/weak-crypto
  const passwordHash = md5(req.body.password);
  res.json({ ok: passwordHash.length > 0 });
});

// --- safe look-alikes ---
app.get("/files/:id", (req, res) => {
  const body = JSON.stringify({ id: req.params.id });
  // ok: security/weak-crypto
  const etag = crypto.createHash("md5").update(body).digest("hex");
  res.set("ETag", etag).send(body);
});

export function cacheKeyFor(query: string): string {
  // ok: security/weak-crypto
  return "q:" + crypto.createHash("sha1").update(query).digest("hex");
}

export function fileChecksum(buf: Buffer): string {
  // ok: security/weak-crypto
  const checksum = crypto.createHash("md5").update(buf).digest("base64");
  return checksum;
}

export function shortId(input: string): string {
  // A few hex characters of a digest: a short identifier, not a security value.
  // ok: security/weak-crypto
  return crypto.createHash("sha1").update(input).digest("hex").slice(0, 8);
}

const ID_LENGTH = 10;
export function bucketFor(input: string): string {
  // ok: security/weak-crypto
  const full = crypto.createHash("md5").update(input).digest("hex");
  return full.substring(0, ID_LENGTH);
}

export function opaqueRef(input: string): string {
  // expect: security/weak-crypto
  const ref = crypto.createHash("sha1").update(input).digest("hex");
  console.debug(ref.slice(0, 8));
  return ref;
}

export async function webDigest(data: Uint8Array): Promise<ArrayBuffer> {
  // expect: security/weak-crypto
  return globalThis.crypto.subtle.digest("SHA-1", data);
}

export async function webShortId(data: Uint8Array): Promise<ArrayBuffer> {
  // ok: security/weak-crypto
  return (await crypto.subtle.digest("SHA-1", data)).slice(0, 4);
}

export function gravatarUrl(email: string): string {
  // ok: security/weak-crypto
  return `https://www.gravatar.com/avatar/${md5(email.trim().toLowerCase())}`;
}

export function strongHash(password: string, salt: Buffer) {
  // ok: security/weak-crypto
  const digest = crypto.createHash("sha256").update(password).digest("hex");
  // ok: security/weak-crypto
  const derived = crypto.pbkdf2Sync(password, salt, 600000, 32, "sha256");
  // ok: security/weak-crypto
  const scrypted = crypto.scryptSync(password, salt, 64, { N: 16384 });
  return { digest, derived, scrypted };
}

export function encryptGcm(plain: string, key: Buffer) {
  const iv = crypto.randomBytes(12);
  // ok: security/weak-crypto
  const c = crypto.createCipheriv("aes-256-gcm", key, iv);
  return Buffer.concat([c.update(plain, "utf8"), c.final(), c.getAuthTag()]);
}

export async function hashStrong(password: string) {
  // ok: security/weak-crypto
  const hash = await bcrypt.hash(password, 12);
  // ok: security/weak-crypto
  const keys = crypto.generateKeyPairSync("rsa", { modulusLength: 4096 });
  return { hash, keys };
}

export function openToken(blob: { iv: Buffer; body: Buffer; tag: Buffer }, key: Buffer): string {
  // expect: security/weak-crypto
  const d = crypto.createDecipheriv("aes-256-gcm", key, blob.iv);
  d.setAuthTag(blob.tag);
  return d.update(blob.body).toString("utf8");
}

export function openSealed(sealed: { nonce: Buffer; data: Buffer; mac: Buffer }, key: Buffer): Buffer {
  // ok: security/weak-crypto
  const d = crypto.createDecipheriv("aes-128-gcm", key, sealed.nonce);
  d.setAuthTag(sealed.mac);
  return Buffer.concat([d.update(sealed.data), d.final()]);
}

export function openPacked(packed: Buffer, key: Buffer): Buffer {
  const tag = packed.subarray(12, 28);
  // ok: security/weak-crypto
  const d = crypto.createDecipheriv("aes-256-gcm", key, packed.subarray(0, 12));
  d.setAuthTag(tag);
  return Buffer.concat([d.update(packed.subarray(28)), d.final()]);
}

export function openWithLength(sealed: { nonce: Buffer; data: Buffer; mac: Buffer }, key: Buffer): Buffer {
  // ok: security/weak-crypto
  const d = crypto.createDecipheriv("aes-256-gcm", key, sealed.nonce, { authTagLength: 16 });
  d.setAuthTag(sealed.mac);
  return Buffer.concat([d.update(sealed.data), d.final()]);
}

export function decryptStream(input: NodeJS.ReadableStream, key: Buffer, iv: Buffer, tag: Buffer) {
  // ok: security/weak-crypto
  const d = crypto.createDecipheriv("aes-256-gcm", key, iv, { authTagLength: 16 });
  d.setAuthTag(tag);
  return input.pipe(d);
}

export function decryptLegacyCbc(data: Buffer, key: Buffer, iv: Buffer): Buffer {
  // ok: security/weak-crypto
  const d = crypto.createDecipheriv("aes-256-cbc", key, iv);
  return d.update(data);
}

interface Account { setPassword(hash: string): void; password?: string }

export function migrateLegacyPassword(account: Account, plain: string) {
  const digest = crypto.createHash("md5").update(plain).digest("hex");
  // expect: security/weak-crypto
  account.setPassword(digest);
}

export function importUser(account: Account, plain: string) {
  // expect: security/weak-crypto
  account.setPassword(md5(plain));
}

export function migrateWithSha256(account: Account, plain: string) {
  const digest = crypto.createHash("sha256").update(plain).digest("hex");
  // ok: security/weak-crypto
  account.setPassword(digest);
}

const LEGACY_ARGON = { type: argon2.argon2i, memoryCost: 2 ** 16 };
const ARGON = { type: argon2.argon2id, memoryCost: 2 ** 16, timeCost: 3 };

export async function hashWithLegacyArgon(pw: string) {
  return argon2
    // expect: security/weak-crypto
    .hash(pw, LEGACY_ARGON)
    .then((h: string) => h);
}

export async function hashWithCheapArgon(pw: string) {
  // expect: security/weak-crypto
  return argon2.hash(pw, { memoryCost: 1024, timeCost: 1 });
}

export async function hashWithArgon(pw: string) {
  // ok: security/weak-crypto
  const a = await argon2.hash(pw, ARGON);
  // ok: security/weak-crypto
  const b = await argon2.hash(pw);
  return [a, b];
}

export function bufferUpload(onDone: (file: { data: Buffer; md5: string }) => void) {
  const chunks: Buffer[] = [];
  // ok: security/weak-crypto
  const hash = crypto.createHash("md5");
  return {
    onData(chunk: Buffer) {
      chunks.push(chunk);
      hash.update(chunk);
    },
    onEnd() {
      onDone({ data: Buffer.concat(chunks), md5: hash.digest("hex") });
    },
  };
}

export function componentImportName(exportName: string, componentPath: string) {
  // ok: security/weak-crypto
  const importIdentifier = exportName + "_" + crypto.createHash("md5").update(componentPath).digest("hex");
  return importIdentifier;
}

export function hashAll(secrets: string[]) {
  return secrets.map((secret) => {
    // expect: security/weak-crypto
    const h = crypto.createHash("md5");
    h.update(secret);
    return h.digest("hex");
  });
}

// --- TLS protocol versions ---
const legacyPartnerOptions = {
  hostname: "partner.example.com",
  // expect: security/weak-crypto
  minVersion: "TLSv1.1",
};
export const partnerRequest = https.request(legacyPartnerOptions);

export const pinnedSocket = tls.connect(443, "partner.example.com", {
  // expect: security/weak-crypto
  maxVersion: "TLSv1",
});

export const dtlsOptions = https.request({
  // expect: security/weak-crypto
  secureProtocol: "DTLSv1_client_method",
});

const releaseInfo = {
  // A label about a protocol, not TLS options.
  // ok: security/weak-crypto
  minVersion: "TLSv1",
};
export const describeRelease = (): string => JSON.stringify(releaseInfo);

const modernOptions = {
  // ok: security/weak-crypto
  minVersion: "TLSv1.2",
};
export const modernRequest = https.request(modernOptions);
