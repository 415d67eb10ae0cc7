import express, { Request, Response } from "express";
import Koa from "koa";
import Router from "@koa/router";
import Fastify from "fastify";
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from "aws-lambda";
import { Controller, Get, Query, Redirect } from "@nestjs/common";

const app = express();
const router = new Router();
const fastify = Fastify();
const TRUSTED_HOSTS = ["app.example.com", "admin.example.com"];
const APP_ORIGIN = "https://app.example.com";

app.get("/after-import", (req, res) => {
  const target = req.query.target as string;
  // a presence check (`!= ""`) is not an allow-list
  // expect: security/open-redirect
  res.redirect(target && target != "" ? target : "/contacts");
});

app.get("/after-export", (req, res) => {
  const target = req.query.target as string;
  // ok: security/open-redirect
  res.redirect(target !== "" && ["/contacts", "/groups"].includes(target) ? target : "/contacts");
});

app.get("/login/callback", (req: Request, res: Response) => {
  const returnTo = req.query.returnTo as string;
  // expect: security/open-redirect
  res.redirect(returnTo);
});

app.get("/logout", (req, res) => {
  // expect: security/open-redirect
  res.redirect(302, req.query.next || "/");
});

app.post("/go", (req, res) => {
  // expect: security/open-redirect
  res.writeHead(301, { Location: req.body.target });
  res.end();
});

app.get("/out", (req, res) => {
  // expect: security/open-redirect
  res.setHeader("Location", `${req.query.url}`);
  res.statusCode = 302;
  // expect: security/open-redirect
  res.location("//" + req.query.host).sendStatus(302);
});

router.get("/sso", async (ctx) => {
  const { redirect_uri } = ctx.query;
  // expect: security/open-redirect
  ctx.redirect(redirect_uri as string);
});

fastify.get("/continue", async (request, reply) => {
  const q = request.query as { to: string };
  // expect: security/open-redirect
  return reply.redirect(q.to);
});

export const handler = async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
  const next = event.queryStringParameters?.next ?? "/";
  return {
    statusCode: 302,
    // expect: security/open-redirect
    headers: { Location: next },
    body: "",
  };
};

app.get("/slash", (req, res) => {
  // expect: security/open-redirect
  res.redirect("/" + req.query.path);
});

// ---- safe look-alikes ----

app.get("/profile/:id", (req, res) => {
  // ok: security/open-redirect
  res.redirect("/profile/" + req.params.id);
});

app.get("/search", (req, res) => {
  // ok: security/open-redirect
  res.redirect(`https://www.example.com/search?q=${encodeURIComponent(String(req.query.q))}`);
});

app.get("/safe-next", (req, res) => {
  const next = String(req.query.next ?? "/");
  if (!next.startsWith("/") || next.startsWith("//") || next.includes("\\")) {
    return res.redirect("/");
  }
  // ok: security/open-redirect
  res.redirect(next);
});

app.get("/sso/return", (req, res) => {
  const target = new URL(String(req.query.target), APP_ORIGIN);
  if (!TRUSTED_HOSTS.includes(target.hostname)) return res.status(400).send("bad target");
  // ok: security/open-redirect
  res.redirect(target.toString());
});

app.get("/lang", (req, res) => {
  // ok: security/open-redirect
  res.redirect(`${APP_ORIGIN}/settings?lang=${req.query.lang}`);
  // ok: security/open-redirect
  res.setHeader("Cache-Control", req.query.cache as string);
});

app.get("/back", (req, res) => {
  // ok: security/open-redirect
  res.redirect(req.get("Referer") || "/");
});

router.get("/docs/:page", async (ctx) => {
  // ok: security/open-redirect
  ctx.redirect(`/documentation/${ctx.params.page}`);
});

app.get("/people/:handle", (req, res) => {
  let location = "/people/" + req.params.handle + "/";
  const tab = String(req.query.tab ?? "");
  if (tab) location += "?tab=" + encodeURIComponent(tab);
  // ok: security/open-redirect
  res.setHeader("Location", location);
  // ok: security/open-redirect
  res.redirect(["index.html?section=", req.query.section].join(""));
  // ok: security/open-redirect
  res.redirect("members/" + req.params.handle);
  res.statusCode = 302;
  res.end();
});

app.get("/continue-to", (req, res) => {
  let target = "";
  target += req.query.to;
  // expect: security/open-redirect
  res.redirect(target);
});

app.get("/jump", (req, res) => {
  // expect: security/open-redirect
  res.redirect([req.query.page, "?section=", req.query.section].join(""));
  // expect: security/open-redirect
  res.redirect("u" + req.params.name);
});

app.get("/home", (req, res) => {
  // ok: security/open-redirect
  res.redirect(`${req.protocol}://${req.get("host")}/home`);
});

@Controller("links")
export class LinksController {
  @Get("out")
  @Redirect("https://www.example.com", 302)
  out(@Query("to") to?: string) {
    // expect: security/open-redirect
    if (to) return { url: to };
  }

  @Get("docs")
  @Redirect("https://docs.example.com", 301)
  docs(@Query("version") version?: string) {
    // ok: security/open-redirect
    return { url: `https://docs.example.com/${version ?? "latest"}/` };
  }

  @Get("meta")
  meta(@Query("to") to: string) {
    // ok: security/open-redirect
    return { url: to, title: "preview" };
  }
}
