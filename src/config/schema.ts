import { z } from "zod";

const severity = z.enum(["error", "warning", "notice"]);

/** One rule's (or one category's) setting: "off", a severity, or an object. */
const ruleSetting = z.union([
  z.literal("off"),
  z.literal("on"),
  severity,
  z
    .object({
      enabled: z.boolean().optional().describe("false turns the rule off"),
      severity: severity.optional().describe("override the rule's severity"),
      options: z.record(z.string(), z.unknown()).optional().describe("rule-specific options"),
    })
    .strict(),
]);

const layer = z.object({
  name: z.string().min(1),
  paths: z.array(z.string().min(1)).min(1).describe("globs of the files in this layer"),
  allow: z.array(z.string()).optional().describe("names of the layers this one may import; omitted = may import any"),
});

export const DEFAULT_EXCLUDES = [
  "**/node_modules/**", "**/dist/**", "**/build/**", "**/out/**", "**/coverage/**", "**/vendor/**", "**/third_party/**",
  "**/*.min.js", "**/*.bundle.js", "**/*.generated.*", "**/__generated__/**", "**/generated/**",
  "**/package-lock.json", "**/yarn.lock", "**/pnpm-lock.yaml", "**/*.d.ts",
];

/** `.github/vigil.yml`, read from the pull request's base branch. */
export const configSchema = z
  .object({
    rules: z.record(z.string(), ruleSetting).default({}).describe("by rule id (security/sql-injection) or category (security)"),
    paths: z
      .object({
        include: z.array(z.string()).default(["**/*"]).describe("globs of files to review"),
        exclude: z.array(z.string()).default([]).describe("globs to skip, added to the built-in excludes"),
      })
      .strict()
      .default({ include: ["**/*"], exclude: [] }),
    failOn: z.enum(["error", "warning", "notice", "never"]).default("error").describe("lowest severity that fails the check run"),
    rerunLabel: z.string().min(1).default("vigil:rerun").describe("adding this label to a PR reviews it again"),
    comments: z.enum(["inline", "summary-only", "off"]).default("inline").describe("where findings go besides the check run"),
    maxInlineComments: z.number().int().min(0).max(100).default(25).describe("more findings go to the check run only"),
    skipDrafts: z.boolean().default(true).describe("review draft PRs only when they are marked ready"),
    reviewEvent: z.enum(["COMMENT", "REQUEST_CHANGES"]).default("COMMENT").describe("REQUEST_CHANGES: request changes when a finding reaches failOn"),
    layers: z.array(layer).optional().describe("architecture layers for architecture/layer-violation"),
  })
  .strict();

export type VigilConfig = z.output<typeof configSchema>;
export type VigilConfigInput = z.input<typeof configSchema>;
