import express from "express";
import _ from "lodash";
import merge from "lodash.merge";
import $ from "jquery";
import deepmerge from "deepmerge";
import { setProperty } from "dot-prop";
import objectPath from "object-path";

const app = express();
app.use(express.json());
const settings: Record<string, any> = { theme: { color: "blue" } };
const ALLOWED_SECTIONS = ["theme", "notifications"];

function deepMerge(target: any, source: any) {
  for (const key in source) {
    if (typeof source[key] === "object" && source[key] !== null) {
      if (!target[key]) target[key] = {};
      deepMerge(target[key], source[key]);
    } else {
      // expect: security/prototype-pollution
      target[key] = source[key];
    }
  }
  return target;
}

function setByPath(obj: any, path: string, value: unknown) {
  const parts = path.split(".");
  let cur = obj;
  for (let i = 0; i < parts.length - 1; i++) {
    // expect: security/prototype-pollution
    cur = cur[parts[i]] = cur[parts[i]] || {};
  }
  cur[parts[parts.length - 1]] = value;
}

app.post("/settings", (req, res) => {
  // expect: security/prototype-pollution
  _.merge(settings, req.body);
  // expect: security/prototype-pollution
  deepMerge(settings, req.body.overrides);
  res.json(settings);
});

app.put("/settings/path", (req, res) => {
  setByPath(settings, req.body.path, req.body.value);
  // expect: security/prototype-pollution
  _.set(settings, req.body.path, req.body.value);
  // expect: security/prototype-pollution
  setProperty(settings, String(req.query.key), req.body.value);
  // expect: security/prototype-pollution
  objectPath.set(settings, req.body.path, req.body.value);
  res.sendStatus(204);
});

app.patch("/prefs/:section/:key", (req, res) => {
  const { section, key } = req.params;
  // expect: security/prototype-pollution
  settings[section][key] = req.body.value;
  // expect: security/prototype-pollution
  const merged = merge({}, settings, JSON.parse(req.body.raw));
  // expect: security/prototype-pollution
  const ext = $.extend(true, {}, settings, req.body);
  // expect: security/prototype-pollution
  const dm = deepmerge(settings, req.body);
  res.json({ merged, ext, dm });
});

app.post("/session/:id", (req, res) => {
  const userId = req.params.id;
  // ok: security/prototype-pollution
  (req as any).session.user[userId] = req.body.details;
  res.sendStatus(204);
});

app.post("/boards/:board/cards", (req, res) => {
  let cards = (req as any).session.boards[req.params.board];
  if (!cards) cards = (req as any).session.boards[req.params.board] = {};
  // expect: security/prototype-pollution
  cards[req.body.cardId] = req.body.card;
  const pinned = (req as any).session.boards["pinned"];
  // ok: security/prototype-pollution
  pinned[req.body.cardId] = req.body.card;
  res.sendStatus(201);
});

export function assignPath(target: Record<string, any>, dotted: string, value: unknown) {
  const keys = dotted.split(".");
  const last = keys.pop()!;
  let node = target;
  keys.forEach((k) => {
    // expect: security/prototype-pollution
    node = node[k] ?? (node[k] = {});
  });
  node[last] = value;
}

export function readPath(source: Record<string, any>, dotted: string) {
  let node = source;
  for (const k of dotted.split(".")) {
    // ok: security/prototype-pollution
    node = node[k];
    if (node === undefined) return undefined;
  }
  return node;
}

export function assignPathSafe(target: Record<string, any>, dotted: string, value: unknown) {
  const keys = dotted.split(".");
  const last = keys.pop()!;
  let node = target;
  for (const k of keys) {
    if (k === "__proto__" || k === "constructor" || k === "prototype") throw new Error("bad key");
    // ok: security/prototype-pollution
    node = node[k] ?? (node[k] = {});
  }
  node[last] = value;
}

export function walkRows(grid: any[][], value: unknown) {
  let row: any = grid;
  const depth = "a.b".split(".").length;
  for (let i = 0; i < depth; i++) {
    // ok: security/prototype-pollution
    row = row[i];
  }
  row[0] = value;
}

// ---- safe look-alikes ----

function safeMerge(target: any, source: any) {
  for (const key of Object.keys(source)) {
    if (key === "__proto__" || key === "constructor" || key === "prototype") continue;
    if (typeof source[key] === "object") {
      target[key] = safeMerge(target[key] ?? {}, source[key]);
    } else {
      // ok: security/prototype-pollution
      target[key] = source[key];
    }
  }
  return target;
}

app.post("/settings/safe", (req, res) => {
  // ok: security/prototype-pollution
  safeMerge(settings, req.body);
  // ok: security/prototype-pollution
  _.merge(settings, { theme: { color: String(req.body.color) } });
  // ok: security/prototype-pollution
  _.set(settings, "theme.color", req.body.color);
  res.json(settings);
});

app.patch("/prefs/safe/:section/:key", (req, res) => {
  const { section, key } = req.params;
  if (!ALLOWED_SECTIONS.includes(section)) return res.status(400).end();
  if (!Object.hasOwn(settings[section], key)) return res.status(400).end();
  // ok: security/prototype-pollution
  settings[section][key] = req.body.value;
  res.sendStatus(204);
});

app.post("/counts", (req, res) => {
  const counts: Record<string, number> = {};
  for (const tag of req.body.tags) {
    // ok: security/prototype-pollution
    counts[tag] = (counts[tag] ?? 0) + 1;
  }
  const out = Object.create(null);
  // ok: security/prototype-pollution
  out[req.body.name] = req.body.value;
  const byId = new Map<string, unknown>();
  // ok: security/prototype-pollution
  byId.set(req.body.id, req.body);
  res.json({ counts, out, size: byId.size });
});

function clone(obj: any): any {
  const copy: any = {};
  for (const k in obj) {
    // ok: security/prototype-pollution
    copy[k] = typeof obj[k] === "object" ? clone(obj[k]) : obj[k];
  }
  return copy;
}
export { clone };

// A prototype-less object elsewhere in the handler does not protect the plain one.
app.put("/prefs/:section/:key", (req, res) => {
  const prefs: Record<string, Record<string, unknown>> = {};
  const lookup = Object.create(null);
  // expect: security/prototype-pollution
  prefs[req.params.section][req.params.key] = req.body.value;
  // ok: security/prototype-pollution
  lookup[req.params.section][req.params.key] = req.body.value;
  res.json({ prefs, lookup });
});

// A walk guarded by a pollution check at every level.
declare function isSafeFromPollution(target: object, key: string): boolean;
export function setByPath(target: Record<string, any>, path: string, value: unknown) {
  const parts = path.split(".");
  let current = target;
  for (let i = 0; i < parts.length; i++) {
    const k = parts[i];
    if (!isSafeFromPollution(current, k)) continue;
    if (i === parts.length - 1) current[k] = value;
    // ok: security/prototype-pollution
    else current = current[k] ??= {};
  }
}
