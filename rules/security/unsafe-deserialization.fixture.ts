import express from "express";
import cookieParser from "cookie-parser";
import serialize from "node-serialize";
import serializeToJs from "serialize-to-js";
import yaml from "js-yaml";
import jsTypes from "js-yaml-js-types";
import type { APIGatewayProxyEvent } from "aws-lambda";

const app = express();
app.use(cookieParser());

app.get("/profile", (req, res) => {
  const raw = Buffer.from(req.cookies.profile, "base64").toString();
  // expect: security/unsafe-deserialization
  const profile = serialize.unserialize(raw);
  // ok: security/unsafe-deserialization
  const prefs = JSON.parse(raw);
  res.json({ profile, prefs });
});

app.post("/restore", (req, res) => {
  // expect: security/unsafe-deserialization
  const state = serializeToJs.deserialize(req.body.state);
  // ok: security/unsafe-deserialization
  const snapshot = serialize.serialize({ at: Date.now() });
  res.json({ state, snapshot });
});

app.post("/config", express.text(), (req, res) => {
  // expect: security/unsafe-deserialization
  const cfg = yaml.load(req.body, { schema: yaml.DEFAULT_FULL_SCHEMA });
  // ok: security/unsafe-deserialization
  const safe = yaml.load(req.body);
  // ok: security/unsafe-deserialization
  const safer = yaml.load(req.body, { schema: yaml.JSON_SCHEMA });
  res.json({ cfg, safe, safer });
});

export const handler = async (event: APIGatewayProxyEvent) => {
  // expect: security/unsafe-deserialization
  const doc = (yaml as unknown as { unsafeLoad(s: string): unknown }).unsafeLoad(event.body ?? "");
  return { statusCode: 200, body: JSON.stringify(doc) };
};

export function readSession(blob: string) {
  // expect: security/unsafe-deserialization
  return serialize.unserialize(blob);
}

app.post("/pipeline", express.text(), (req, res) => {
  // expect: security/unsafe-deserialization
  const withFns = yaml.load(req.body, { schema: yaml.DEFAULT_SCHEMA.extend(jsTypes.function) });
  // ok: security/unsafe-deserialization
  const withUndef = yaml.load(req.body, { schema: yaml.DEFAULT_SCHEMA.extend(jsTypes.undefined) });
  const legacy = { schema: (yaml as any).DEFAULT_FULL_SCHEMA };
  // expect: security/unsafe-deserialization
  const old = (yaml as any).safeLoad(req.body, legacy);
  // ok: security/unsafe-deserialization
  const oldSafe = (yaml as any).safeLoad(req.body);
  res.json({ withFns, withUndef, old, oldSafe });
});
