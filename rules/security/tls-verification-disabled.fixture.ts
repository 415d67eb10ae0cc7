import https from "https";
import tls from "tls";
import axios from "axios";
import { Pool } from "pg";
import * as grpc from "@grpc/grpc-js";

export const partnerApi = axios.create({
  baseURL: "https://partner.acme-payments.com",
  httpsAgent: new https.Agent({
    // expect: security/tls-verification-disabled
    rejectUnauthorized: false,
  }),
});

// expect: security/tls-verification-disabled
process.env.NODE_TLS_REJECT_UNAUTHORIZED = "0";

export const pool = new Pool({
  connectionString: process.env.DATABASE_URL,
  // expect: security/tls-verification-disabled
  ssl: { rejectUnauthorized: false },
});

export function connectLedger() {
  return tls.connect({
    host: "ledger.acme.io",
    port: 8443,
    // expect: security/tls-verification-disabled
    checkServerIdentity: () => undefined,
  });
}

export function legacyRequest(request: any) {
  // expect: security/tls-verification-disabled
  return request.get({ url: "https://old.acme.io/api", strictSSL: false });
}

export function inventoryClient(Client: any) {
  // ok: security/tls-verification-disabled (no TLS at all: security/insecure-transport reports it)
  return new Client("inventory.prod.acme.io:443", grpc.credentials.createInsecure());
}

const verifyPeer = false;
export const reportsAgent = new https.Agent({
  // expect: security/tls-verification-disabled
  rejectUnauthorized: verifyPeer,
});

export const metricsAgent = new https.Agent({
  // expect: security/tls-verification-disabled
  rejectUnauthorized: !true,
});

// --- safe look-alikes ---
let verifyUpstream = false;
if (process.env.UPSTREAM_CA) verifyUpstream = true;
export const upstreamAgent = new https.Agent({
  // ok: security/tls-verification-disabled
  rejectUnauthorized: verifyUpstream,
});

export const billingAgent = new https.Agent({
  // ok: security/tls-verification-disabled
  rejectUnauthorized: !false,
});

export const strictAgent = new https.Agent({
  // ok: security/tls-verification-disabled
  rejectUnauthorized: true,
  ca: process.env.PARTNER_CA,
});

export const devAgent = new https.Agent({
  // ok: security/tls-verification-disabled
  rejectUnauthorized: process.env.NODE_ENV === "production",
});

// ok: security/tls-verification-disabled
process.env.NODE_TLS_REJECT_UNAUTHORIZED = "1";

export function localClient(Client: any) {
  // ok: security/tls-verification-disabled
  return new Client("localhost:50051", grpc.credentials.createInsecure());
}

export function pinned() {
  return tls.connect({
    host: "ledger.acme.io",
    port: 8443,
    // ok: security/tls-verification-disabled
    checkServerIdentity: (host: string, cert: tls.PeerCertificate) => tls.checkServerIdentity(host, cert),
  });
}

const rejectUnauthorized = false;
export function legacyPartner() {
  return https.request({
    host: "partner.acme.io",
    // expect: security/tls-verification-disabled
    rejectUnauthorized,
  });
}

export function configuredPartner(settings: { verify: boolean }) {
  let strictSSL = true;
  // ok: security/tls-verification-disabled (a local, not yet an option; reassigned below)
  strictSSL = false;
  if (settings.verify) strictSSL = true;
  return request.get({ url: "https://partner.acme.io", strictSSL });
}
