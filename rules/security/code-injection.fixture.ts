import express from "express";
import vm from "node:vm";
import { VM, NodeVM, VMScript } from "vm2";
import ejs from "ejs";
import pug from "pug";
import Handlebars from "handlebars";
import nunjucks from "nunjucks";
import _ from "lodash";
import Koa from "koa";
import { execFileSync, spawn } from "node:child_process";

const app = express();
const koa = new Koa();
const FORMULAS: Record<string, (a: number, b: number) => number> = { add: (a, b) => a + b, mul: (a, b) => a * b };
const DEFAULT_TEMPLATE = "<h1>Hello <%= name %></h1>";

app.post("/calc", (req, res) => {
  const expr = req.body.expression;
  // expect: security/code-injection
  const result = eval(expr);
  // ok: security/code-injection
  const parsed = JSON.parse(req.body.payload);
  // ok: security/code-injection
  const fn = FORMULAS[String(req.body.op)];
  res.json({ result, parsed, value: fn ? fn(1, 2) : null });
});

app.get("/filter", (req, res) => {
  const field = req.query.field as string;
  // expect: security/code-injection
  const predicate = new Function("row", `return row.${field} > 10;`);
  // ok: security/code-injection
  const sorter = new Function("a", "b", "return a.createdAt - b.createdAt;");
  res.json({ p: predicate.length, s: sorter.length });
});

app.post("/sandbox", (req, res) => {
  const code = `(function () { return ${req.body.snippet}; })()`;
  // expect: security/code-injection
  const out = vm.runInNewContext(code, { console }, { timeout: 100 });
  // ok: security/code-injection
  const ok = vm.runInNewContext("total * rate", { total: Number(req.body.total), rate: 0.2 });
  // expect: security/code-injection
  const script = new vm.Script("module.exports = " + req.body.module);
  res.json({ out, ok, script: !!script });
});

app.post("/vm2", async (req, res) => {
  const vm2 = new VM({ timeout: 1000, sandbox: {} });
  // expect: security/code-injection
  const a = vm2.run(req.body.code);
  // expect: security/code-injection
  const b = new NodeVM({ console: "off" }).run(`module.exports = ${req.query.expr}`);
  // ok: security/code-injection
  const c = new VM({ sandbox: { input: req.body.input } }).run("input.length");
  res.json({ a, b, c });
});

app.get("/later", (req, res) => {
  // expect: security/code-injection
  setTimeout("notify('" + req.query.user + "')", 1000);
  // ok: security/code-injection
  setTimeout(() => console.log("notify", req.query.user), 1000);
  res.end();
});

app.post("/preview", (req, res) => {
  // expect: security/code-injection
  const html = ejs.render(req.body.template, { user: req.user });
  // ok: security/code-injection
  const safeHtml = ejs.render(DEFAULT_TEMPLATE, { name: req.body.name });
  res.send(html + safeHtml);
});

app.post("/email", (req, res) => {
  const { subject, body } = req.body;
  // expect: security/code-injection
  const compiled = pug.compile(`p Hello #{name}\np ${body}`);
  // expect: security/code-injection
  const hb = Handlebars.compile(subject);
  // ok: security/code-injection
  const fixed = Handlebars.compile("Hello {{name}}")({ name: subject });
  res.send(compiled({ name: "x" }) + hb({}) + fixed);
});

koa.use(async (ctx) => {
  // expect: security/code-injection
  ctx.body = nunjucks.renderString(ctx.query.tpl as string, { user: "guest" });
  // ok: security/code-injection
  ctx.body = nunjucks.render("index.njk", { q: ctx.query.q });
  // expect: security/code-injection
  const t = _.template(ctx.request.body.greeting);
  // ok: security/code-injection
  const g = _.template("Hello <%- name %>")({ name: ctx.query.name });
  ctx.body += t({}) + g;
});

export function evaluateRule(ruleSource: string, facts: object) {
  // expect: security/code-injection
  return eval(ruleSource)(facts);
}

export function runTask(task: () => void, delayMs: number) {
  // ok: security/code-injection
  setTimeout(task, delayMs);
}

// ok: security/code-injection
eval("1 + 1");

const DEFAULT_LIMITS = { maxItems: 10 };

app.post("/rules/evaluate", (req, res) => {
  const facts = { cart: req.body.cart, country: req.body.country };
  // expect: security/code-injection
  const verdict = vm.runInNewContext("applyDiscounts(cart, country)", facts, { timeout: 50 });
  const shared = vm.createContext({ limits: DEFAULT_LIMITS });
  // ok: security/code-injection
  const limit = vm.runInContext("limits.maxItems", shared);
  // expect: security/code-injection
  const scoped = vm.createContext({ profile: req.body.profile });
  // expect: security/code-injection
  const scorer = vm.compileFunction("return score(profile)", [], { parsingContext: scoped });
  res.json({ verdict, limit, scorer: typeof scorer });
});

app.post("/sandbox/run", (req, res) => {
  const runner = new NodeVM({ console: "off" });
  // expect: security/code-injection
  const compiled = new VMScript(`module.exports = (${req.body.snippet})`);
  // expect: security/code-injection
  const out = runner.run(compiled);
  // expect: security/code-injection
  const withBody = new NodeVM({ sandbox: { payload: req.body } });
  res.json({ out, ok: !!withBody });
});

app.get("/legacy/widget", (req, res) => {
  // sloppy-mode global, assigned without a declaration
  widgetSource = "render(" + JSON.stringify({ id: 1 }) + ", '" + req.query.theme + "')";
  // expect: security/code-injection
  const html = new VM({ timeout: 100 }).run(widgetSource);
  res.send(html);
});

// ---- eta: v1/v2 render(templateString) compiles, v3 instance render(name) reads a view file ----
import * as EtaV2 from "eta";
import { Eta } from "eta";

const views = new Eta({ views: path.join(__dirname, "views") });

app.get("/eta/preview", (req, res) => {
  // expect: security/code-injection
  res.send(EtaV2.render(String(req.query.template), { user: req.query.user }));
  // ok: security/code-injection
  res.send(EtaV2.render("<p><%= it.user %></p>", { user: req.query.user }));
  // ok: security/code-injection
  res.send(views.render("./profile", { user: req.query.user }));
});

// ---- module loading, global dispatch, exposed DevTools ----
import puppeteer from "puppeteer";
import path from "node:path";

const HANDLERS: Record<string, (p: unknown) => unknown> = { ping: () => "pong" };

app.get("/plugins/:name", async (req, res) => {
  // expect: security/code-injection
  const plugin = require("./plugins/" + req.params.name);
  // expect: security/code-injection
  const locale = await import(`./locales/${req.query.lang}.js`);
  // ok: security/code-injection
  const fixed = require(path.join(__dirname, "plugins", "default.js"));
  res.json({ plugin: !!plugin, locale: !!locale, fixed: !!fixed });
});

export function loadPlugin(modulePath: string) {
  // ok: security/code-injection
  return require(modulePath);
}

app.post("/rpc", (req, res) => {
  // expect: security/code-injection
  const out = (globalThis as any)[req.body.method](req.body.arg);
  // ok: security/code-injection
  const handler = HANDLERS[String(req.body.method)];
  res.json({ out, handled: handler ? handler(req.body.arg) : null });
});

export function onWorkerMessage(data: string) {
  const message = JSON.parse(data);
  // expect: security/code-injection
  const action = (global as any)[message.name];
  action(message.payload);
  // ok: security/code-injection
  const known = (global as any)["structuredClone"](message.payload);
  return known;
}

export async function startRenderer() {
  // expect: security/code-injection
  const exposed = await puppeteer.launch({ args: ["--no-sandbox", "--remote-debugging-address=0.0.0.0", "--remote-debugging-port=9222"] });
  // ok: security/code-injection
  const local = await puppeteer.launch({ args: ["--no-sandbox", "--disable-dev-shm-usage"] });
  return [exposed, local];
}

/** Loads a plugin module by path; the eval keeps the bundler from resolving the import at build time. */
export async function loadPlugin<T>(modulePath: string): Promise<T> {
  // ok: security/code-injection
  return await eval(`import('${modulePath}')`);
}

app.get("/plugins/load", async (req, res) => {
  // expect: security/code-injection
  const mod = await eval(`import('${req.query.name}')`);
  res.json(Object.keys(mod));
});

app.post("/run-snippet", (req, res) => {
  const expr = String(req.body.expr);
  // expect: security/code-injection
  const out = execFileSync("node", ["-e", `console.log(${expr})`]);
  // expect: security/code-injection
  spawn("python3", ["-c", req.body.script]);
  // ok: security/code-injection
  const pinned = execFileSync("node", ["scripts/calc.js", expr]);
  // ok: security/code-injection
  execFileSync("node", ["-e", `console.log(${JSON.stringify(expr)})`]);
  res.send({ out: String(out), pinned: String(pinned) });
});
