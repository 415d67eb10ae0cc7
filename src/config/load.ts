import { parse as parseYaml } from "yaml";
import { z } from "zod";
import picomatch from "picomatch";
import { configSchema, DEFAULT_EXCLUDES, type VigilConfig } from "./schema.js";
import type { AnalyzeOptions, RuleSetting } from "../core/settings.js";
import type { LayerConfig } from "../core/layers.js";

export const CONFIG_PATH = ".github/vigil.yml";

export interface LoadedConfig {
  config: VigilConfig;
  /** Set when the file existed but was invalid: shown in the check summary; defaults are used instead. */
  error?: string;
  source: "file" | "default";
}

export function defaultConfig(): VigilConfig {
  return configSchema.parse({});
}

/** Readable zod issues: `rules.security/sql-injection: Invalid option: expected one of …`. */
export function formatIssues(error: z.ZodError): string {
  return error.issues.map((i) => `\`${i.path.length ? i.path.join(".") : "(root)"}\`: ${i.message}`).join("\n");
}

/** Parses the YAML text of .github/vigil.yml (undefined = no file). Never throws. */
export function parseConfig(text: string | undefined): LoadedConfig {
  if (text === undefined) return { config: defaultConfig(), source: "default" };
  let raw: unknown;
  try {
    raw = parseYaml(text) ?? {};
  } catch (err) {
    return { config: defaultConfig(), source: "default", error: `${CONFIG_PATH} is not valid YAML: ${(err as Error).message}` };
  }
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) return { config: defaultConfig(), source: "default", error: `${CONFIG_PATH} is invalid, defaults were used:\n${formatIssues(parsed.error)}` };
  return { config: parsed.data, source: "file" };
}

/** Turns the user-facing config into the engine's options. */
export function toAnalyzeOptions(config: VigilConfig): AnalyzeOptions {
  const rules: Record<string, RuleSetting> = {};
  for (const [key, value] of Object.entries(config.rules)) {
    if (value === "off") rules[key] = { enabled: false };
    else if (value === "on") rules[key] = { enabled: true };
    else if (typeof value === "string") rules[key] = { enabled: true, severity: value };
    else rules[key] = value;
  }
  let layers: LayerConfig | undefined;
  if (config.layers?.length) {
    layers = {
      layers: config.layers.map((l) => ({ name: l.name, paths: l.paths })),
      allow: Object.fromEntries(config.layers.filter((l) => l.allow).map((l) => [l.name, l.allow!])),
    };
  }
  return { rules, layers };
}

/** Should a changed file be reviewed under this config's include/exclude globs? */
export function pathFilter(config: VigilConfig): (path: string) => boolean {
  const include = picomatch(config.paths.include, { dot: true });
  const exclude = picomatch([...DEFAULT_EXCLUDES, ...config.paths.exclude], { dot: true });
  return (path) => include(path) && !exclude(path);
}
