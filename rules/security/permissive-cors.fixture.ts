import express from "express";
import cors from "cors";
import Koa from "koa";
import koaCors from "@koa/cors";
import Fastify from "fastify";
import { NestFactory } from "@nestjs/core";
import { AppModule } from "./app.module";

const app = express();
const ALLOWED_ORIGINS = ["https://app.example.com", "https://admin.example.com"];

// expect: security/permissive-cors
app.use(cors({ origin: true, credentials: true }));

app.use(
  // expect: security/permissive-cors
  cors({
    origin: (origin, callback) => callback(null, true),
    credentials: true,
  }),
);

// expect: security/permissive-cors
app.use("/api", cors({ credentials: true }));

// ok: security/permissive-cors
app.use(cors());

// ok: security/permissive-cors
app.use(cors({ origin: ALLOWED_ORIGINS, credentials: true }));

app.use(
  // ok: security/permissive-cors
  cors({
    origin(origin, cb) {
      if (!origin || ALLOWED_ORIGINS.includes(origin)) return cb(null, true);
      cb(new Error("Not allowed by CORS"));
    },
    credentials: true,
  }),
);

app.use((req, res, next) => {
  // expect: security/permissive-cors
  res.setHeader("Access-Control-Allow-Origin", req.headers.origin || "*");
  res.setHeader("Access-Control-Allow-Credentials", "true");
  res.setHeader("Access-Control-Allow-Methods", "GET,POST,PUT,DELETE");
  next();
});

app.use("/v1", (req, res, next) => {
  const origin = req.header("Origin");
  // expect: security/permissive-cors
  res.header("Access-Control-Allow-Origin", origin);
  next();
});

app.use("/tenant", (req, res, next) => {
  // A header the attacking page cannot choose for its victim (the browser writes Host; custom ones need a preflight).
  // ok: security/permissive-cors
  res.setHeader("Access-Control-Allow-Origin", req.headers["x-tenant-origin"]);
  const host = req.get("host");
  // ok: security/permissive-cors
  res.header("Access-Control-Allow-Origin", host);
  next();
});

app.use("/back", (req, res, next) => {
  // expect: security/permissive-cors
  res.setHeader("Access-Control-Allow-Origin", req.get("referer"));
  // expect: security/permissive-cors
  res.setHeader("Access-Control-Allow-Origin", req.query.origin as string);
  next();
});

app.use("/v2", (req, res, next) => {
  const origin = req.headers.origin as string;
  if (ALLOWED_ORIGINS.includes(origin)) {
    // ok: security/permissive-cors
    res.setHeader("Access-Control-Allow-Origin", origin);
    res.setHeader("Access-Control-Allow-Credentials", "true");
  }
  next();
});

app.get("/embed", (req, res) => {
  const anyOrigin = "*";
  // expect: security/permissive-cors
  res.set("Access-Control-Allow-Origin", anyOrigin);
  res.send("ok");
});

const partnerCors = {
  // expect: security/permissive-cors
  origin: "*",
  methods: ["GET"],
};
app.use("/partner", cors(partnerCors));

app.use("/embed-api", (req, res, next) => {
  const requested = req.query.origin as string;
  // expect: security/permissive-cors
  cors({ origin: requested })(req, res, next);
});

const envCors = {
  // ok: security/permissive-cors
  origin: process.env.CORS_ORIGIN,
  credentials: true,
};
app.use("/env", cors(envCors));

app.get("/public/status", (req, res) => {
  // ok: security/permissive-cors
  res.set("Access-Control-Allow-Origin", "https://status.example.com");
  res.json({ up: true });
});

const koa = new Koa();
// expect: security/permissive-cors
koa.use(koaCors({ credentials: true }));
// ok: security/permissive-cors
koa.use(koaCors({ origin: "https://app.example.com", credentials: true }));

const fastify = Fastify();
// expect: security/permissive-cors
fastify.register(require("@fastify/cors"), { origin: "*", credentials: true });

async function bootstrap() {
  const nest = await NestFactory.create(AppModule);
  // expect: security/permissive-cors
  nest.enableCors({ origin: true, credentials: true });
  // ok: security/permissive-cors
  nest.enableCors({ origin: ["https://app.example.com"], credentials: true });
  await nest.listen(3000);
}
bootstrap();

async function bootstrapPublicApi() {
  // expect: security/permissive-cors
  const pub = await NestFactory.create(AppModule, { cors: true });
  // expect: security/permissive-cors
  pub.enableCors();
  // ok: security/permissive-cors
  const priv = await NestFactory.create(AppModule, { cors: { origin: ["https://admin.example.com"] } });
  await pub.listen(3001);
  await priv.listen(3002);
}
bootstrapPublicApi();

const partnerOrigins = [
  // expect: security/permissive-cors
  /^https:\/\/portal.partner-example.com$/,
  // ok: security/permissive-cors
  /^https:\/\/([a-z0-9-]+\.)*partner-example\.com$/,
  // ok: security/permissive-cors
  /^http:\/\/localhost:\d+$/,
];
app.use(cors({ origin: partnerOrigins }));
// ok: security/permissive-cors
const releaseTag = /^v\d+.\d+.\d+$/;

/** Applies the configured CORS policy: `"*"` for a public API, or a credentialed allow-list. */
export function applyCors(headers: Headers, allowed: "*" | string[], requestOrigin: string | null): Headers {
  if (allowed === "*") {
    // ok: security/permissive-cors
    headers.set("Access-Control-Allow-Origin", "*");
  } else if (requestOrigin && allowed.includes(requestOrigin)) {
    headers.set("Access-Control-Allow-Credentials", "true");
    headers.set("Access-Control-Allow-Origin", requestOrigin);
  }
  return headers;
}
