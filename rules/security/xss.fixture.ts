import express from "express";
import http from "node:http";
import Koa from "koa";
import Router from "@koa/router";
import Fastify from "fastify";
import escapeHtml from "escape-html";
import he from "he";
import { Controller, Get, Query, Param, Header } from "@nestjs/common";
import { format } from "node:util";
import type { APIGatewayProxyEvent } from "aws-lambda";

const app = express();
const router = new Router();
const fastify = Fastify();

app.get("/hello", (req, res) => {
  // expect: security/xss
  res.send(`<h1>Hello ${req.query.name}</h1>`);
});

app.get("/items/:id", (req, res) => {
  const id = req.params.id;
  // expect: security/xss
  res.status(404).send(id);
  // ok: security/xss
  res.status(404).send("Item not found: " + id);
});

app.get("/banner", (req, res) => {
  let banner = "<div class='banner'>";
  // expect: security/xss
  banner = banner.concat(String(req.query.headline));
  banner = banner.concat("</div>");
  res.send(banner);
});

app.get("/status-line", (req, res) => {
  let line = "Status: ";
  // ok: security/xss
  line = line.concat(String(req.query.state));
  // ok: security/xss
  res.send(line);
});

app.post("/comment", (req, res) => {
  const { author, text } = req.body;
  let html = "<div class='comment'>";
  html += `<b>${author}</b>: ${text}`;
  html += "</div>";
  res.set("Content-Type", "text/html");
  // expect: security/xss
  res.send(html);
});

http.createServer((req, res) => {
  const name = new URL(req.url ?? "/", "http://localhost").searchParams.get("name");
  res.writeHead(200, { "Content-Type": "text/html" });
  // expect: security/xss
  res.write("<p>Welcome back, " + name + "</p>");
  res.end();
}).listen(8080);

router.get("/greet", async (ctx) => {
  // expect: security/xss
  ctx.body = `<html><body>Hi ${ctx.query.user}</body></html>`;
});

fastify.get("/page", async (request, reply) => {
  const { title } = request.query as { title: string };
  // expect: security/xss
  return reply.type("text/html").send(`<title>${title}</title>`);
});

@Controller("profile")
export class ProfileController {
  @Get(":user")
  show(@Param("user") user: string) {
    // expect: security/xss
    return `<section><h2>${user}</h2></section>`;
  }

  @Get("plain")
  @Header("Content-Type", "text/plain")
  plain(@Query("q") q: string) {
    // ok: security/xss
    return `<pre>${q}</pre>`;
  }
}

// ---- safe look-alikes ----

app.get("/api/echo", (req, res) => {
  // ok: security/xss
  res.json({ echo: req.query.msg });
  // ok: security/xss
  res.send(req.body);
});

app.get("/escaped", (req, res) => {
  // ok: security/xss
  res.send(`<h1>Hello ${escapeHtml(String(req.query.name))}</h1>`);
  // ok: security/xss
  res.write("<p>" + he.encode(req.query.bio as string) + "</p>");
  res.end();
});

app.get("/count", (req, res) => {
  const n = parseInt(String(req.query.n), 10);
  // ok: security/xss
  res.send(String(n * 2));
});

app.get("/plain", (req, res) => {
  res.type("text/plain");
  // ok: security/xss
  res.send("You searched for " + req.query.q);
  // ok: security/xss
  res.status(400).type("json").send(JSON.stringify({ error: `bad ${req.query.q}` }));
});

fastify.get("/text", async (request, reply) => {
  const { q } = request.query as { q: string };
  // ok: security/xss
  return reply.send(`No results for ${q}`);
});

router.get("/koa-text", async (ctx) => {
  // ok: security/xss
  ctx.body = "Hello " + ctx.query.user;
  // ok: security/xss
  ctx.body = { user: ctx.query.user };
});

// ---- Lambda handlers: HTML built from the event ----

declare function sendDigestEmail(to: string, html: string): Promise<void>;

export const unsubscribeHandler = async (event: APIGatewayProxyEvent) => {
  const email = event.queryStringParameters?.email ?? "";
  // expect: security/xss
  const page = "<html><body><p>" + email + " has been unsubscribed.</p></body></html>";
  // expect: security/xss
  await sendDigestEmail("ops@example.com", format("<li>Unsubscribed: %s</li>", email));
  // ok: security/xss
  console.info(`<p>unsubscribe ${email}</p>`);
  // ok: security/xss
  const note = format("Unsubscribed: %s", email);
  // ok: security/xss
  const safe = `<p>${escapeHtml(email)} has been unsubscribed.</p>`;
  return { statusCode: 200, body: page + note + safe };
};

import nunjucks from "nunjucks";
import Handlebars from "handlebars";
// expect: security/xss
nunjucks.configure("views", { autoescape: false, express: app });
// ok: security/xss
nunjucks.configure("views", { autoescape: true, express: app });
// expect: security/xss
export const renderCard = Handlebars.compile("<div>{{title}}</div>", { noEscape: true });
// ok: security/xss
export const renderSafeCard = Handlebars.compile("<div>{{title}}</div>");

import Mustache from "mustache";
// expect: security/xss
Mustache.escape = (text: string) => text;
export function plainTextMustache(view: object) {
  // ok: security/xss
  Mustache.escape = (text: string) => escapeHtml(text).replace(/\n/g, "<br>");
  return Mustache.render("{{body}}", view);
}

app.get("/banner", (req, res) => {
  const message = String(req.query.message ?? "");
  res.render("banner", {
    // expect: security/xss
    banner: new Handlebars.SafeString(`<strong>${message}</strong>`),
    // ok: security/xss
    escaped: new Handlebars.SafeString(`<strong>${Handlebars.escapeExpression(message)}</strong>`),
    // ok: security/xss
    divider: new Handlebars.SafeString("<hr>"),
  });
});

Handlebars.registerHelper("link", (text: string, url: string) => {
  const href = Handlebars.escapeExpression(url);
  // ok: security/xss
  return new Handlebars.SafeString(`<a href="${href}">${Handlebars.escapeExpression(text)}</a>`);
});

// ---- HTML sanitizers configured to let script through ----

import DOMPurify from "isomorphic-dompurify";
import sanitizeHtml from "sanitize-html";
import { FilterXSS } from "xss";

app.post("/posts", (req, res) => {
  // expect: security/xss
  const body = DOMPurify.sanitize(req.body.html, { ADD_TAGS: ["script"], ADD_ATTR: ["onload"] });
  // ok: security/xss
  const embed = DOMPurify.sanitize(req.body.html, { ADD_TAGS: ["iframe"], ADD_ATTR: ["allowfullscreen", "frameborder"] });
  // ok: security/xss
  const plain = DOMPurify.sanitize(req.body.html, { ALLOWED_TAGS: ["b", "i", "a"], ALLOWED_ATTR: ["href", "title"], ALLOWED_URI_REGEXP: /^https?:/i });
  // expect: security/xss
  const linked = DOMPurify.sanitize(req.body.html, { ALLOWED_URI_REGEXP: /https?:\/\/cdn\.example\.com/ });
  // ok: security/xss
  const diagram = DOMPurify.sanitize(req.body.html, { ADD_TAGS: ["foreignObject", "script"], FORBID_TAGS: ["script"] });
  res.json({ body, embed, plain, linked, diagram });
});

const PURIFY_OPTIONS = {
  ADD_URI_SAFE_ATTR: ["href"],
  SANITIZE_DOM: false,
};
// expect: security/xss
DOMPurify.setConfig(PURIFY_OPTIONS);

export function renderComment(dirty: string): string {
  // expect: security/xss
  return sanitizeHtml(dirty, {
    allowedTags: sanitizeHtml.defaults.allowedTags.concat(["img", "style"]),
    allowedAttributes: { img: ["src", "alt"] },
  });
}

export function renderBio(dirty: string): string {
  // expect: security/xss
  return sanitizeHtml(dirty, { allowedTags: ["b", "i", "a"], allowedAttributes: { "*": ["on*", "class"] } });
}

export function renderVideoPost(dirty: string): string {
  // ok: security/xss
  return sanitizeHtml(dirty, {
    allowedTags: [...sanitizeHtml.defaults.allowedTags, "iframe", "img"],
    allowedAttributes: { ...sanitizeHtml.defaults.allowedAttributes, iframe: ["src", "allowfullscreen"], img: ["src", "alt"] },
    allowedIframeHostnames: ["www.youtube.com", "player.vimeo.com"],
  });
}

export function stripAllTags(dirty: string): string {
  // ok: security/xss
  return sanitizeHtml(dirty, { allowedTags: [], allowedAttributes: false });
}

// expect: security/xss
export const markdownFilter = new FilterXSS({ whiteList: { a: ["href", "onclick"], b: [], script: [] } });
// ok: security/xss
export const summaryFilter = new FilterXSS({ whiteList: { a: ["href", "title"], b: [], i: [] }, stripIgnoreTag: true });

// ---- escaping switched off through an options variable ----

import swig from "swig";
const swigOptions = { autoescape: false, cache: "memory" as const };
// expect: security/xss
swig.setDefaults(swigOptions);

let cardOptions = { noEscape: true };
if (process.env.SAFE_CARDS) cardOptions = { noEscape: false };
// ok: security/xss
export const renderCardFromOptions = Handlebars.compile("<div>{{title}}</div>", cardOptions);

function keepAsIs(text: string): string {
  return text;
}
// expect: security/xss
Mustache.escape = keepAsIs;

import markdownIt from "markdown-it";
const richMarkdown = markdownIt({ html: true, linkify: true });
const safeMarkdown = markdownIt({ linkify: true });

app.post("/preview", (req, res) => {
  // expect: security/xss
  const preview = richMarkdown.render(String(req.body.markdown));
  // ok: security/xss
  const cleaned = DOMPurify.sanitize(richMarkdown.render(String(req.body.markdown)));
  // ok: security/xss
  const escaped = safeMarkdown.render(String(req.body.markdown));
  res.json({ preview, cleaned, escaped });
});
