import express from "express";
import fs from "node:fs";
import { readFile, unlink } from "node:fs/promises";
import path from "node:path";
import fse from "fs-extra";
import Fastify from "fastify";
import type { APIGatewayProxyEvent } from "aws-lambda";

const app = express();
const fastify = Fastify();
const UPLOAD_DIR = path.join(__dirname, "uploads");
const PUBLIC_DIR = path.resolve("public");
const REPORTS = new Set(["daily.csv", "weekly.csv"]);

app.get("/files/:name", (req, res) => {
  // expect: security/path-traversal
  const stream = fs.createReadStream(path.join(UPLOAD_DIR, req.params.name));
  // ok: security/path-traversal
  const safe = fs.createReadStream(path.join(UPLOAD_DIR, path.basename(req.params.name)));
  stream.pipe(res);
  safe.close();
});

app.get("/download", (req, res) => {
  const file = req.query.file as string;
  // expect: security/path-traversal
  res.download(UPLOAD_DIR + "/" + file);
});

app.get("/static", (req, res) => {
  // expect: security/path-traversal
  res.sendFile(path.resolve("public", req.query.page as string));
});

app.get("/static2", (req, res) => {
  // ok: security/path-traversal
  res.sendFile(req.query.page as string, { root: PUBLIC_DIR });
});

app.get("/logo", (req, res) => {
  // ok: security/path-traversal
  res.sendFile(path.join(__dirname, "static", "logo.png"));
});

app.delete("/uploads/:id", async (req, res) => {
  const target = path.join(UPLOAD_DIR, req.params.id);
  // expect: security/path-traversal
  await unlink(target);
  res.sendStatus(204);
});

app.get("/docs/:doc", async (req, res) => {
  const resolved = path.resolve(PUBLIC_DIR, req.params.doc);
  if (!resolved.startsWith(PUBLIC_DIR + path.sep)) return res.status(400).end();
  // ok: security/path-traversal
  const text = await readFile(resolved, "utf8");
  res.type("text/plain").send(text);
});

app.get("/reports", (req, res) => {
  const report = String(req.query.report);
  if (!REPORTS.has(report)) return res.sendStatus(404);
  // ok: security/path-traversal
  res.send(fs.readFileSync(path.join(__dirname, "reports", report)));
});

app.post("/notes", async (req, res) => {
  const { title, content } = req.body;
  // expect: security/path-traversal
  await fse.outputFile(`notes/${title}.md`, content);
  // ok: security/path-traversal
  await fse.outputFile(`notes/${Date.now()}.md`, content);
  res.sendStatus(201);
});

app.get("/plugins/:plugin", (req, res) => {
  // expect: security/path-traversal
  const plugin = require(`./plugins/${req.params.plugin}`);
  res.json(plugin.describe());
});

app.post("/extract", (req, res) => {
  const entry = req.body.entry;
  // expect: security/path-traversal
  const dest = path.join("/srv/extract", entry);
  extractTo(dest);
  res.end();
});

function extractTo(dir: string) {
  return dir.length;
}

fastify.get("/avatar", async (request, reply) => {
  const { user } = request.query as { user: string };
  // expect: security/path-traversal
  const data = fs.readFileSync(`./avatars/${user}.png`);
  return reply.type("image/png").send(data);
});

export const handler = async (event: APIGatewayProxyEvent) => {
  const key = event.pathParameters?.key ?? "";
  // expect: security/path-traversal
  const body = await fs.promises.readFile(path.join("/tmp/cache", key), "utf8");
  // ok: security/path-traversal
  const meta = await fs.promises.readFile(path.join("/tmp/cache", "meta.json"), "utf8");
  return { statusCode: 200, body: body + meta };
};
