import type { Rule } from "../src/core/rule.js";
import sqlInjection from "./security/sql-injection.js";
import noConsoleInServer from "./observability/no-console-in-server.js";
import dbCallInLoop from "./architecture/db-call-in-loop.js";
// security:injection (helper) — new rules below this line
// security:web (helper) — new rules below this line
// security:crypto (helper) — new rules below this line
// architecture (helper) — new rules below this line
// observability (helper) — new rules below this line

/** Every rule Vigil ships, one line each. */
export const allRules: readonly Rule[] = [
  sqlInjection,
  noConsoleInServer,
  dbCallInLoop,
  // security:injection (helper) — list entries below this line
  // security:web (helper) — list entries below this line
  // security:crypto (helper) — list entries below this line
  // architecture (helper) — list entries below this line
  // observability (helper) — list entries below this line
];

export function ruleById(id: string): Rule | undefined {
  return allRules.find((r) => r.meta.id === id);
}
