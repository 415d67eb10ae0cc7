import axios from "axios";
import got from "got";
import WebSocket from "ws";
import express from "express";
import * as grpc from "@grpc/grpc-js";
import mqtt from "mqtt";

const app = express();

export async function chargeCard(cardToken: string, amount: number) {
  // expect: security/insecure-transport
  return axios.post("http://api.payments-partner.com/v1/charges", { cardToken, amount });
}

const PARTNER_API = "http://partner.acme-logistics.com/api";
export async function shipments() {
  // expect: security/insecure-transport
  const res = await fetch(PARTNER_API + "/shipments", { headers: { Authorization: `Bearer ${process.env.PARTNER_TOKEN}` } });
  return res.json();
}

export const config = {
  // expect: security/insecure-transport
  webhookUrl: "http://hooks.acme-crm.io/incoming/orders",
  // expect: security/insecure-transport
  authServerUrl: `http://sso.acme.io/realms/${process.env.REALM}`,
};

// expect: security/insecure-transport
export const feed = new WebSocket("ws://stream.marketdata.io/quotes");

app.get("/weather", async (req, res) => {
  // expect: security/insecure-transport
  const data = await got(`http://api.weather-co.com/v2/forecast?city=${encodeURIComponent(String(req.query.city))}`).json();
  res.json(data);
});

// --- safe look-alikes ---
export async function health() {
  // ok: security/insecure-transport
  await axios.get("http://localhost:8080/health");
  // ok: security/insecure-transport
  await axios.get("http://status.acme-cdn.net");
  // expect: security/insecure-transport
  await axios.post("http://collector.acme-metrics.net", { events: [] });
  // ok: security/insecure-transport
  await fetch("http://inventory-service:3000/stock");
  // ok: security/insecure-transport
  await got("http://10.0.3.12:9200/_cluster/health");
  // ok: security/insecure-transport
  await axios.get("https://api.payments-partner.com/v1/status");
}

export const xml = {
  // ok: security/insecure-transport
  xmlns: "http://www.w3.org/2000/svg",
  // ok: security/insecure-transport
  schemaUrl: "http://json-schema.org/draft-07/schema#",
  // ok: security/insecure-transport
  homepage: "http://acme.io",
};

export function upgrade(url: string) {
  // ok: security/insecure-transport
  return url.startsWith("http://") ? url.replace("http://", "https://") : url;
}

// ok: security/insecure-transport
const METADATA_URL = "http://169.254.169.254/latest/meta-data/";
// ok: security/insecure-transport
const ISSUER_URL = process.env.ISSUER_URL ?? "http://keycloak.internal/realms/app";
export { METADATA_URL, ISSUER_URL };

export function connectPriceFeed(feedHost: string) {
  // expect: security/insecure-transport
  const scheme = "ws://";
  return new WebSocket(scheme + feedHost + "/prices");
}

export function connectEvents(host: string, tls: boolean) {
  // ok: security/insecure-transport
  const scheme = tls ? "wss://" : "ws://";
  // ok: security/insecure-transport
  if (host.startsWith("ws://")) return new WebSocket(host);
  return new WebSocket(scheme + host);
}

export function billingClient(BillingService: any) {
  // expect: security/insecure-transport
  return new BillingService("billing.acme-payments.com:443", grpc.credentials.createInsecure());
}

export function ledgerClient(LedgerService: any, address: string) {
  // expect: security/insecure-transport
  const creds = grpc.credentials.createInsecure();
  return new LedgerService(address, creds);
}

export function sidecarClient(CacheService: any) {
  // ok: security/insecure-transport
  return new CacheService("localhost:50051", grpc.credentials.createInsecure());
}

export function meshClient(UserService: any) {
  // ok: security/insecure-transport
  return new UserService("users.default.svc.cluster.local:50051", grpc.credentials.createInsecure());
}

export function startGrpc(server: any) {
  // ok: security/insecure-transport (a server behind a mesh or load balancer that terminates TLS)
  server.bindAsync("0.0.0.0:50051", grpc.ServerCredentials.createInsecure(), () => server.start());
}

export function secureClient(UserService: any) {
  // ok: security/insecure-transport
  return new UserService("users.acme.io:443", grpc.credentials.createSsl());
}

// expect: security/insecure-transport
export const telemetry = mqtt.connect("mqtt://broker.acme-iot.io:1883", { username: "gw", password: process.env.MQTT_PASSWORD });
// ok: security/insecure-transport
export const telemetryTls = mqtt.connect("mqtts://broker.acme-iot.io:8883");
// ok: security/insecure-transport (the broker container next to the app)
export const localBroker = mqtt.connect("mqtt://mosquitto:1883");
