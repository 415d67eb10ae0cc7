import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { allRules } from "../rules/index.js";
import { rulesMarkdown } from "../src/report/rules-doc.js";

const target = join(import.meta.dirname, "..", "docs", "rules.md");
writeFileSync(target, rulesMarkdown(allRules.map((r) => r.meta)));
console.log(`wrote ${target} (${allRules.length} rules)`);
