import type { Rule } from "../src/core/rule.js";
import sqlInjection from "./security/sql-injection.js";
import noConsoleInServer from "./observability/no-console-in-server.js";
import dbCallInLoop from "./architecture/db-call-in-loop.js";
// security:injection (helper) — new rules below this line
import commandInjection from "./security/command-injection.js";
import codeInjection from "./security/code-injection.js";
import pathTraversal from "./security/path-traversal.js";
import nosqlInjection from "./security/nosql-injection.js";
import xxe from "./security/xxe.js";
import unsafeDeserialization from "./security/unsafe-deserialization.js";
// security:web (helper) — new rules below this line
import swallowedSecurityError from "./security/swallowed-security-error.js";
import errorDisclosure from "./security/error-disclosure.js";
import sensitiveDataInLogs from "./security/sensitive-data-in-logs.js";
import resourceLimits from "./security/resource-limits.js";
import unrestrictedUpload from "./security/unrestricted-upload.js";
import missingRateLimit from "./security/missing-rate-limit.js";
import csrf from "./security/csrf.js";
import permissiveCors from "./security/permissive-cors.js";
import sessionFixation from "./security/session-fixation.js";
import insecureCookie from "./security/insecure-cookie.js";
import ssrf from "./security/ssrf.js";
import openRedirect from "./security/open-redirect.js";
import xss from "./security/xss.js";
import redos from "./security/redos.js";
import prototypePollution from "./security/prototype-pollution.js";
import massAssignment from "./security/mass-assignment.js";
import logInjection from "./security/log-injection.js";
// security:crypto (helper) — new rules below this line
import hardcodedSecret from "./security/hardcoded-secret.js";
import weakCrypto from "./security/weak-crypto.js";
import timingUnsafeComparison from "./security/timing-unsafe-comparison.js";
import insecureRandomness from "./security/insecure-randomness.js";
import jwtRule from "./security/jwt.js";
import tlsVerificationDisabled from "./security/tls-verification-disabled.js";
import insecureTransport from "./security/insecure-transport.js";
// architecture (helper) — new rules below this line
import layerViolation from "./architecture/layer-violation.js";
import importCycle from "./architecture/import-cycle.js";
import writesWithoutTransaction from "./architecture/writes-without-transaction.js";
import blockingCallInHandler from "./architecture/blocking-call-in-handler.js";
import floatingPromise from "./architecture/floating-promise.js";
import unboundedQuery from "./architecture/unbounded-query.js";
import missingAuthorization from "./architecture/missing-authorization.js";
import bypassedValidation from "./architecture/bypassed-validation.js";
import tightCoupling from "./architecture/tight-coupling.js";
import duplicatedLogic from "./architecture/duplicated-logic.js";
// observability (helper) — new rules below this line
import suppressionWithoutReason from "./observability/suppression-without-reason.js";
import swallowedError from "./observability/swallowed-error.js";
import lostErrorCause from "./observability/lost-error-cause.js";
import unstructuredLog from "./observability/unstructured-log.js";
import outboundCallWithoutTimeout from "./observability/outbound-call-without-timeout.js";
import missingHealthCheck from "./observability/missing-health-check.js";
import missingGracefulShutdown from "./observability/missing-graceful-shutdown.js";
import unhandledAsyncHandler from "./observability/unhandled-async-handler.js";
import uninstrumentedOutboundCall from "./observability/uninstrumented-outbound-call.js";

/** Every rule Vigil ships, one line each. */
export const allRules: readonly Rule[] = [
  sqlInjection,
  noConsoleInServer,
  dbCallInLoop,
  // security:injection (helper) — list entries below this line
  commandInjection,
  codeInjection,
  pathTraversal,
  nosqlInjection,
  xxe,
  unsafeDeserialization,
  // security:web (helper) — list entries below this line
  swallowedSecurityError,
  errorDisclosure,
  sensitiveDataInLogs,
  resourceLimits,
  unrestrictedUpload,
  missingRateLimit,
  csrf,
  permissiveCors,
  sessionFixation,
  insecureCookie,
  ssrf,
  openRedirect,
  xss,
  redos,
  prototypePollution,
  massAssignment,
  logInjection,
  // security:crypto (helper) — list entries below this line
  hardcodedSecret,
  weakCrypto,
  timingUnsafeComparison,
  insecureRandomness,
  jwtRule,
  tlsVerificationDisabled,
  insecureTransport,
  // architecture (helper) — list entries below this line
  layerViolation,
  importCycle,
  writesWithoutTransaction,
  blockingCallInHandler,
  floatingPromise,
  unboundedQuery,
  missingAuthorization,
  bypassedValidation,
  tightCoupling,
  duplicatedLogic,
  // observability (helper) — list entries below this line
  suppressionWithoutReason,
  swallowedError,
  lostErrorCause,
  unstructuredLog,
  outboundCallWithoutTimeout,
  missingHealthCheck,
  missingGracefulShutdown,
  unhandledAsyncHandler,
  uninstrumentedOutboundCall,
];

export function ruleById(id: string): Rule | undefined {
  return allRules.find((r) => r.meta.id === id);
}
