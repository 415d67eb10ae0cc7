import type { Finding, RuleMeta } from "../core/types.js";

/** security-severity (0–10) that GitHub code scanning uses to rank security alerts. */
const SECURITY_SEVERITY: Record<Finding["severity"], string> = { error: "8.0", warning: "5.5", notice: "3.0" };
const LEVEL: Record<Finding["severity"], "error" | "warning" | "note"> = { error: "error", warning: "warning", notice: "note" };

function cweTag(cwe: string): string {
  return `external/cwe/${cwe.toLowerCase()}`;
}

/** SARIF 2.1.0 log of one scan: rules with CWE tags, results with partial fingerprints and fixes. */
export function toSarif(findings: Finding[], rules: RuleMeta[], version: string, uriBase = "%SRCROOT%"): object {
  const index = new Map(rules.map((r, i) => [r.id, i]));
  return {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: "Vigil",
            semanticVersion: version,
            informationUri: "https://github.com/vigil-review/vigil",
            rules: rules.map((r) => ({
              id: r.id,
              name: r.id.split("/")[1].replace(/(^|-)(\w)/g, (_, __, c: string) => c.toUpperCase()),
              shortDescription: { text: r.title },
              fullDescription: { text: r.description },
              help: { text: `${r.description}${r.fix ? `\n\nFix: ${r.fix}` : ""}`, markdown: `${r.description}${r.fix ? `\n\n**Fix:** ${r.fix}` : ""}` },
              defaultConfiguration: { level: LEVEL[r.severity] },
              properties: {
                tags: [r.category, ...r.cwe.map(cweTag)],
                precision: "high",
                ...(r.category === "security" ? { "security-severity": SECURITY_SEVERITY[r.severity] } : {}),
              },
            })),
          },
        },
        originalUriBaseIds: { [uriBase]: { uri: "file:///" } },
        results: findings.map((f) => ({
          ruleId: f.ruleId,
          ruleIndex: index.get(f.ruleId),
          level: LEVEL[f.severity],
          message: { text: f.message },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: f.path, uriBaseId: uriBase },
                region: { startLine: f.line, ...(f.endLine ? { endLine: f.endLine } : {}), ...(f.column ? { startColumn: f.column } : {}) },
              },
            },
          ],
          partialFingerprints: { "vigil/v1": f.fingerprint },
          properties: { cwe: f.cwe, category: f.category },
          ...(f.fix
            ? {
                fixes: [
                  {
                    description: { text: f.fix.description },
                    artifactChanges: [
                      {
                        artifactLocation: { uri: f.path, uriBaseId: uriBase },
                        replacements: [{ deletedRegion: { startLine: f.fix.line, endLine: f.fix.endLine }, insertedContent: { text: f.fix.text + "\n" } }],
                      },
                    ],
                  },
                ],
              }
            : {}),
        })),
      },
    ],
  };
}
