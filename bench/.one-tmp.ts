import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { analyze } from "../src/core/analyze.js";
import { allRules } from "../rules/index.js";
const only = process.env.RULE;
for (const f of process.argv.slice(2)) {
  const text = readFileSync(f, "utf8");
  const res = analyze([{ path: "src/" + basename(f).replace(/\.jsx$/, ".js").replace(/\.tsx$/, ".ts"), content: text }], allRules);
  for (const x of res.findings) if (!only || x.ruleId.includes(only)) console.log(basename(f), x.line, x.ruleId, x.severity, x.message.slice(0, 110));
  for (const e of res.ruleErrors) console.log("ERR", e);
}
