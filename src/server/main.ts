import { readFileSync } from "node:fs";
import { z } from "zod";
import { createVigil } from "./vigil.js";
import { formatIssues } from "../config/load.js";

/** Process environment, validated up front so a misconfigured deployment fails with a clear message. */
const envSchema = z.object({
  APP_ID: z.coerce.number().int().positive(),
  PRIVATE_KEY: z.string().optional(),
  PRIVATE_KEY_PATH: z.string().optional(),
  WEBHOOK_SECRET: z.string().min(8, "use a long random secret"),
  PORT: z.coerce.number().int().default(3000),
  HOST: z.string().default("0.0.0.0"),
  GITHUB_API_URL: z.string().url().optional(),
  GITHUB_SERVER_URL: z.string().url().optional(),
  LOG_LEVEL: z.enum(["trace", "debug", "info", "warn", "error", "fatal", "silent"]).default("info"),
  VIGIL_RERUN_LABEL: z.string().default("vigil:rerun"),
  VIGIL_SKIP_DRAFTS: z.enum(["true", "false"]).default("true"),
  VIGIL_CONCURRENCY: z.coerce.number().int().min(1).max(16).default(2),
});

const parsed = envSchema.safeParse(process.env);
if (!parsed.success) {
  process.stderr.write(`vigil: invalid environment:\n${formatIssues(parsed.error)}\nSee .env.example.\n`);
  process.exit(2);
}
const env = parsed.data;
const privateKey = env.PRIVATE_KEY?.replace(/\\n/g, "\n") ?? (env.PRIVATE_KEY_PATH ? readFileSync(env.PRIVATE_KEY_PATH, "utf8") : undefined);
if (!privateKey) {
  process.stderr.write("vigil: set PRIVATE_KEY or PRIVATE_KEY_PATH (the GitHub App's private key)\n");
  process.exit(2);
}

const vigil = await createVigil({
  appId: env.APP_ID, privateKey, secret: env.WEBHOOK_SECRET, baseUrl: env.GITHUB_API_URL, serverUrl: env.GITHUB_SERVER_URL,
  logLevel: env.LOG_LEVEL, concurrency: env.VIGIL_CONCURRENCY,
  rerunLabel: env.VIGIL_RERUN_LABEL, skipDrafts: env.VIGIL_SKIP_DRAFTS === "true",
});
const port = await vigil.listen(env.PORT, env.HOST);
vigil.log.info({ port }, "Vigil is listening");

// Graceful shutdown: stop taking webhooks, let running reviews conclude their check runs, then exit.
let stopping = false;
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    vigil.log.info({ signal }, "shutting down");
    const force = setTimeout(() => process.exit(1), 25_000);
    force.unref();
    vigil.stop().then(() => process.exit(0), () => process.exit(1));
  });
}
