import express from "express";
import axios from "axios";
import got from "got";
import fetch from "node-fetch";
import https from "node:https";
import http from "http";
import puppeteer from "puppeteer";
import { request as undiciRequest } from "undici";
import WebSocket from "ws";
import { JSDOM } from "jsdom";

const app = express();
app.use(express.json());
const api = axios.create({ baseURL: "https://api.partner.example.com" });
const ALLOWED_HOSTS = new Set(["images.example.com", "cdn.example.com"]);
const BILLING_URL = process.env.BILLING_URL ?? "https://billing.internal";

app.get("/proxy", async (req, res) => {
  const target = req.query.url as string;
  // expect: security/ssrf
  const upstream = await axios.get(target);
  res.send(upstream.data);
});

app.post("/webhooks/test", async (req, res) => {
  const { callbackUrl } = req.body;
  // expect: security/ssrf
  await fetch(callbackUrl, { method: "POST", body: JSON.stringify({ ping: true }) });
  res.sendStatus(204);
});

app.get("/avatar", async (req, res) => {
  // expect: security/ssrf
  const img = await got(`${req.query.src}`).buffer();
  res.type("png").send(img);
});

app.get("/status/:host", (req, res) => {
  // expect: security/ssrf
  https.get(`https://${req.params.host}/healthz`, (r) => r.pipe(res));
});

app.get("/metrics", (req, res) => {
  const options = { hostname: req.query.node as string, port: 9100, path: "/metrics" };
  // expect: security/ssrf
  const r = http.request(options, (up) => up.pipe(res));
  r.end();
});

app.post("/import", async (req, res) => {
  // expect: security/ssrf
  const { data } = await axios({ method: "get", url: req.body.feedUrl });
  // expect: security/ssrf
  const other = await api.get(req.body.path);
  res.json({ data, other: other.data });
});

app.post("/render", async (req, res) => {
  const browser = await puppeteer.launch();
  const page = await browser.newPage();
  // expect: security/ssrf
  await page.goto(req.body.pageUrl, { waitUntil: "networkidle0" });
  const pdf = await page.pdf();
  await browser.close();
  res.type("pdf").send(pdf);
});

app.get("/relay", async (req, res) => {
  const options: Record<string, unknown> = { method: "GET" };
  options.url = req.query.target;
  // expect: security/ssrf
  const relayed = await axios(options);
  // expect: security/ssrf
  http.get("/health", { host: req.query.host as string }, () => undefined);
  // expect: security/ssrf
  const upstream = new WebSocket(req.query.feed as string);
  // ok: security/ssrf
  const fixedFeed = new WebSocket(`wss://feeds.example.com/${encodeURIComponent(String(req.query.feed))}`);
  // expect: security/ssrf
  const dom = await JSDOM.fromURL(req.query.page as string);
  // expect: security/ssrf
  const encoded = await axios.get(encodeURI(req.query.url as string));
  res.json({ relayed: relayed.status, upstream: upstream.url, fixedFeed: fixedFeed.url, title: dom.window.document.title, encoded: encoded.status });
});

app.get("/undici", async (req, res) => {
  const u = "http://" + req.query.service + ":8080/info";
  // expect: security/ssrf
  const { body } = await undiciRequest(u);
  res.json(await body.json());
});

app.get("/preview", async (req, res) => {
  // expect: security/ssrf
  const r = await fetch(new URL(req.query.endpoint as string));
  res.json(r);
});

// ---- safe look-alikes ----

app.get("/users/:id/repos", async (req, res) => {
  // ok: security/ssrf
  const r = await axios.get(`https://api.github.com/users/${req.params.id}/repos`);
  res.json(r.data);
});

app.get("/search", async (req, res) => {
  // ok: security/ssrf
  const r = await fetch("https://search.example.com/api?q=" + encodeURIComponent(String(req.query.q)));
  res.json(await r.json());
});

app.get("/invoices/:id", async (req, res) => {
  // ok: security/ssrf
  const r = await got(`${BILLING_URL}/invoices/${req.params.id}`).json();
  res.json(r);
});

app.get("/thumb", async (req, res) => {
  const src = new URL(String(req.query.src));
  if (!ALLOWED_HOSTS.has(src.hostname)) return res.status(400).send("host not allowed");
  // ok: security/ssrf
  const img = await axios.get(src.toString(), { responseType: "arraybuffer" });
  res.type("png").send(img.data);
});

app.get("/partner/:sku", async (req, res) => {
  // ok: security/ssrf
  const r = await api.get("/products/" + req.params.sku);
  // ok: security/ssrf
  const s = await axios.post("https://hooks.example.com/notify", { sku: req.params.sku, by: req.body.user });
  res.json({ a: r.data, b: s.status });
});

app.get("/weather", async (req, res) => {
  // ok: security/ssrf
  const r = await fetch(new URL(`/v1/forecast/${req.query.city}`, "https://weather.example.com"));
  // ok: security/ssrf
  https.get({ hostname: "internal.example.com", path: `/lookup/${req.query.city}` }, (x) => x.resume());
  res.json(await r.json());
});

// ---- headless browsers, renderers, raw sockets ----
import * as net from "node:net";
import wkhtmltopdf from "wkhtmltopdf";
import CDP from "chrome-remote-interface";
import type { Page } from "puppeteer";

app.post("/invoice-preview", async (req, res) => {
  const browser = await puppeteer.launch();
  const page = await browser.newPage();
  // expect: security/ssrf
  await page.setContent(`<main class="invoice">${req.body.notesHtml}</main>`);
  // expect: security/ssrf
  await page.evaluate("window.renderChart(" + req.body.chartConfig + ")");
  // expect: security/ssrf
  await page.evaluate((logo) => fetch(logo).then((r) => r.blob()), req.body.logoUrl);
  // ok: security/ssrf
  await page.evaluate((title) => { document.title = title.trim(); }, req.body.title);
  // ok: security/ssrf
  await page.setContent("<main class=\"invoice\"><h1>Invoice</h1></main>");
  res.type("pdf").send(await page.pdf());
});

async function snapshot(page: Page, req: express.Request) {
  // expect: security/ssrf
  await page.evaluateOnNewDocument(`window.__FLAGS__ = ${req.query.flags}`);
  // ok: security/ssrf
  await page.goto(`https://status.example.com/board/${req.query.board}`);
}

app.get("/export.pdf", (req, res) => {
  // expect: security/ssrf
  wkhtmltopdf(req.query.page as string, { pageSize: "A4" }).pipe(res);
  // ok: security/ssrf
  wkhtmltopdf("https://reports.example.com/monthly", { pageSize: "A4" }).pipe(res);
});

app.post("/cdp/open", async (req, res) => {
  const client = await CDP();
  const { Page, Runtime } = client;
  // expect: security/ssrf
  await Page.navigate({ url: req.body.address });
  // expect: security/ssrf
  const out = await Runtime.evaluate({ expression: "document.querySelector(" + req.body.selector + ").innerText" });
  // ok: security/ssrf
  await Runtime.evaluate({ expression: "document.title" });
  res.json(out);
});

app.post("/probe", (req, res) => {
  const sock = new net.Socket();
  // expect: security/ssrf
  sock.connect(6379, req.body.redisHost, () => sock.end("PING\r\n"));
  // ok: security/ssrf
  net.connect(6379, "cache.internal", () => res.sendStatus(204));
});

// ---- headless sinks fed by values the code does not fix (warnings) ----
import phantom from "phantom";
import wkhtmltoimage from "wkhtmltoimage";

const REPORT_ORIGIN = process.env.REPORT_ORIGIN ?? "http://localhost:3000";
const ALLOWED_PREVIEW_HOSTS = new Set(["docs.example.com"]);

export async function screenshotPage(page: Page, targetUrl: string) {
  // expect: security/ssrf
  await page.goto(targetUrl, { waitUntil: "load" });
  return page.screenshot();
}

export async function renderHtmlToPdf(page: Page, html: string, logoUrl: string) {
  // expect: security/ssrf
  await page.setContent(html);
  // expect: security/ssrf
  await page.evaluate((src) => fetch(src).then((r) => r.blob()), logoUrl);
  // expect: security/ssrf
  await page.evaluate(`document.body.dataset.theme = "${logoUrl}"`);
  return page.pdf();
}

export async function invoicePdf(page: Page, invoiceId: string, data: object, selector: string) {
  // ok: security/ssrf
  await page.goto(`${REPORT_ORIGIN}/invoices/${invoiceId}`);
  // ok: security/ssrf
  await page.goto(`http://localhost:3000/invoices/${invoiceId}/print`);
  // ok: security/ssrf
  await page.evaluate(`window.__INVOICE__ = ${JSON.stringify(data)}`);
  // ok: security/ssrf
  const total = await page.evaluate((sel) => document.querySelector(sel)?.textContent, selector);
  // ok: security/ssrf
  await page.setContent(await renderInvoiceTemplate(data));
  return total;
}

export async function previewDoc(page: Page, docUrl: string) {
  if (!ALLOWED_PREVIEW_HOSTS.has(new URL(docUrl).hostname)) throw new Error("host not allowed");
  // ok: security/ssrf
  await page.goto(docUrl);
}

export async function phantomSnapshot(address: string) {
  const instance = await phantom.create();
  const page = await instance.createPage();
  // expect: security/ssrf
  const status = await page.open(address);
  // ok: security/ssrf
  await page.open("https://status.example.com/");
  await instance.exit();
  return status;
}

export async function cdpScript(snippet: string) {
  const client = await CDP();
  const { Runtime } = client;
  // expect: security/ssrf
  await Runtime.evaluate({ expression: "document.querySelector('" + snippet + "').click()" });
  // ok: security/ssrf
  await Runtime.compileScript({ expression: "document.title", sourceURL: "", persistScript: false, executionContextId: 1 });
}

export function exportImage(pageUrl: string) {
  // expect: security/ssrf
  return wkhtmltoimage.generate(pageUrl, { output: "out.jpg" });
}

export function exportReport(reportId: string) {
  // ok: security/ssrf
  return wkhtmltopdf(`${REPORT_ORIGIN}/reports/${reportId}`, { pageSize: "A4" });
}

declare function renderInvoiceTemplate(data: object): Promise<string>;

// vigil-fixture-file: src/pdf/sandboxed-render.ts
import type { Page as SandboxedPage } from "puppeteer";

// Every request of the page is intercepted and blocked: rendering caller HTML cannot reach the network.
export async function renderOffline(page: SandboxedPage, html: string) {
  await page.setRequestInterception(true);
  page.on("request", (r) => r.abort());
  // ok: security/ssrf
  await page.setContent(html, { waitUntil: "load" });
  return page.pdf();
}
