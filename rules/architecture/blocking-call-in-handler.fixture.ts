import express from "express";
import fs from "node:fs";
import { readFile } from "node:fs/promises";
import { execSync, execFile } from "child_process";
import * as crypto from "crypto";
import zlib from "zlib";
import bcrypt from "bcrypt";
import type { APIGatewayProxyEvent } from "aws-lambda";

// ok: architecture/blocking-call-in-handler
const template = fs.readFileSync(new URL("./email.html", import.meta.url), "utf8");
// ok: architecture/blocking-call-in-handler
const gitSha = execSync("git rev-parse HEAD").toString().trim();
const app = express();

app.get("/reports/:id", async (req, res) => {
  // expect: architecture/blocking-call-in-handler
  const raw = fs.readFileSync(`/var/reports/${Number(req.params.id)}.json`, "utf8");
  // ok: architecture/blocking-call-in-handler
  const meta = await readFile("/var/reports/index.json", "utf8");
  // expect: architecture/blocking-call-in-handler
  const body = zlib.gzipSync(raw);
  res.set("x-meta", meta.slice(0, 10)).send(body);
});

app.post("/login", async (req, res) => {
  // expect: architecture/blocking-call-in-handler
  const ok = bcrypt.compareSync(req.body.password, "$2b$10$abcdefghijklmnopqrstuv");
  // ok: architecture/blocking-call-in-handler
  const ok2 = await bcrypt.compare(req.body.password, "$2b$10$abcdefghijklmnopqrstuv");
  res.json({ ok: ok && ok2, template: template.length, gitSha });
});

export async function hashPassword(password: string, salt: Buffer) {
  // ok: architecture/blocking-call-in-handler
  return crypto.pbkdf2Sync(password, salt, 100_000, 64, "sha512");
}

export const handler = async (event: APIGatewayProxyEvent) => {
  // expect: architecture/blocking-call-in-handler
  const key = crypto.scryptSync(event.body ?? "", "salt", 64);
  // expect: architecture/blocking-call-in-handler
  execSync("convert in.png out.jpg");
  execFile("convert", ["in.png", "out.jpg"], () => undefined);
  return { statusCode: 200, body: key.toString("hex") };
};

export function loadConfig() {
  // ok: architecture/blocking-call-in-handler
  return JSON.parse(fs.readFileSync("config.json", "utf8"));
}
