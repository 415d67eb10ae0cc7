import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { configJsonSchema } from "../src/config/json-schema.js";

const target = join(import.meta.dirname, "..", "docs", "vigil.schema.json");
writeFileSync(target, JSON.stringify(configJsonSchema(), null, 2) + "\n");
console.log(`wrote ${target}`);
