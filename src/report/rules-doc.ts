import type { RuleMeta } from "../core/types.js";

/** docs/rules.md, generated from the rules' meta so the docs cannot drift from the code. */
export function rulesMarkdown(rules: RuleMeta[]): string {
  const out = [
    "# Vigil rules",
    "",
    "Generated from the rules' `meta` by `npm run docs:rules`; a test fails when this file is out of date.",
    "",
    "| Rule | Severity | CWE | What it finds |",
    "|---|---|---|---|",
    ...rules.map((r) => `| [\`${r.id}\`](#${anchor(r.id)}) | ${r.severity} | ${r.cwe.join(", ")} | ${r.title} |`),
    "",
  ];
  for (const cat of ["security", "architecture", "observability"]) {
    const rs = rules.filter((r) => r.category === cat);
    if (!rs.length) continue;
    out.push(`## ${cat[0].toUpperCase()}${cat.slice(1)}`, "");
    for (const r of rs) {
      out.push(`### ${r.id}`, "", `**${r.title}** · default severity: ${r.severity} · ${r.cwe.join(", ")}`, "", r.description, "");
      if (r.fix) out.push(`**How to fix:** ${r.fix}`, "");
    }
  }
  return out.join("\n");
}

function anchor(id: string): string {
  return id.toLowerCase().replace(/[^a-z0-9 -]/g, "").replace(/ /g, "-");
}
