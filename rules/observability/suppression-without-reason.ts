import { defineRule } from "../../src/core/rule.js";
import { parseSuppressions } from "../../src/core/suppressions.js";

export default defineRule({
  meta: {
    id: "observability/suppression-without-reason",
    category: "observability",
    severity: "notice",
    cwe: ["CWE-1076"],
    title: "Suppression without a reason",
    description:
      "A `vigil-ignore` comment silences a finding but does not say why. The next reader cannot tell a checked false positive " +
      "from a problem someone wanted out of the way.",
    fix: "Add the reason after ` -- `: `// vigil-ignore-next-line security/sql-injection -- table name comes from the allow-list above`.",
  },
  create(ctx) {
    // Both directive patterns contain this literally: most files have none, and need not be split into lines.
    if (!ctx.file.text.includes("vigil-ignore-")) return {};
    return {
      "SourceFile:exit"() {
        for (const s of parseSuppressions(ctx.file.lines)) {
          if (s.reason) continue;
          ctx.report({
            node: ctx.file.sourceFile,
            line: s.line,
            message: `\`vigil-ignore-${s.scope}\`${s.ids.length ? ` for ${s.ids.join(", ")}` : ""} without a reason: add \` -- why\` so reviewers can trust it.`,
          });
        }
      },
    };
  },
});
