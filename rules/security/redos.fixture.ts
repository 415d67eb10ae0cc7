import express from "express";
import type { Request } from "express";
import Fuse from "fuse.js";
import escapeStringRegexp from "escape-string-regexp";
import _ from "lodash";
import { Controller, Get, Query } from "@nestjs/common";

const app = express();

// reported where request data is matched against it (below)
const EMAIL = /^([a-zA-Z0-9])(([\-.]|[_]+)?([a-zA-Z0-9]+))*(@){1}[a-z0-9]+[.]{1}(([a-z]{2,3})|([a-z]{2,3}[.]{1}[a-z]{2,3}))$/;
const TAGS = new RegExp("^(\\w+\\s?)*$");
// expect: security/redos
const INDENTED = /^(\s*\w+)+:/;
// ok: security/redos
const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
// ok: security/redos
const CSV_LIST = /^\s*\w+(?:\s*,\s*\w+)*\s*$/;
// ok: security/redos
const SEMVER = /^(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$/;

app.post("/signup", (req, res) => {
  // expect: security/redos
  if (!EMAIL.test(req.body.email)) return res.status(400).send("bad email");
  // expect: security/redos
  if (/^(\d+)+$/.test(req.body.phone)) return res.status(400).send("bad phone");
  // expect: security/redos
  const quoted = /"((?:.|\s)*)"/.exec(req.body.bio);
  // expect: security/redos
  const tagsOk = TAGS.test(req.body.tags);
  res.json({ ok: tagsOk, quoted });
});

app.get("/search", (req, res) => {
  // expect: security/redos
  const re = new RegExp(req.query.pattern as string, "i");
  const term = String(req.query.q);
  // expect: security/redos
  const hits = ["alpha", "beta"].filter((s) => s.match(term));
  // ok: security/redos
  const safe = new RegExp(escapeStringRegexp(term), "i");
  // ok: security/redos
  const safe2 = new RegExp("^" + _.escapeRegExp(term));
  // ok: security/redos
  const safe3 = new RegExp(term.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  res.json({ hits, r: re.source, s: [safe.source, safe2.source, safe3.source] });
});

class ProductSearch {
  constructor(private readonly searchService: { search(q: unknown): unknown[] }) {}
  find(req: Request) {
    const fuse = new Fuse(["alpha", "beta"]);
    // ok: security/redos
    const viaFuse = fuse.search(req.query.q);
    // ok: security/redos
    return [viaFuse, this.searchService.search(req.query.q)];
  }
}

app.get("/titles", (req, res) => {
  const title = String(req.body.title);
  // expect: security/redos
  const found = title.toLowerCase().search(req.query.q as string);
  res.json({ found });
});

@Controller("users")
export class UserController {
  @Get()
  find(@Query("name") name: string) {
    // expect: security/redos
    const re = new RegExp(`^${name}`);
    // ok: security/redos
    const words = name.split(/\s+/).filter((w) => /^[A-Za-z]+$/.test(w));
    return { re: re.source, words };
  }
}

export function parseHeader(h: string) {
  // ok: security/redos
  return /^(?:[^"\\]|\\.)*$/.test(h) && /(a|b|c)+/.test(h);
}

export function parseYamlKeys(text: string) {
  return text.split("\n").filter((l) => INDENTED.test(l));
}

export function startsWithPrefix(prefix: string, names: string[]) {
  // ok: security/redos
  const re = new RegExp(`^${escapeStringRegexp(prefix)}`);
  const escaped = _.escapeRegExp(prefix);
  // ok: security/redos
  const re2 = new RegExp("^" + escaped + "-\\d+$");
  return names.filter((n) => re.test(n) || re2.test(n));
}

export function wordsEndingWith(suffix: string, text: string) {
  // ok: security/redos
  const re = new RegExp("\\b\\w+" + suffix + "\\b", "g");
  return text.match(re) ?? [];
}

export function compileFilter(pattern: string, flags: string) {
  // ok: security/redos
  return new RegExp(pattern, flags);
}
