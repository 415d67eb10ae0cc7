import { ts } from "ts-morph";
import { defineRule } from "../../src/core/rule.js";
import { nodeText, unwrap, walk } from "../../src/core/ast.js";
import { routeRegistrations, type RouteRegistration } from "../../src/core/arch-handlers.js";

/** Validation middleware: celebrate, express-validator chains, validate(schema), zValidator, Fastify `schema` options. */
const VALIDATOR_MW = /validat|celebrate|checkSchema|checkExact|\b(body|query|param|check|oneOf)\(\s*["'`[]|zValidator|\bschema\b|Schema\b|\bjoi\b|\byup\b|\bzod\b|\bajv\b|Dto\b/i;
/** Validation inside the handler: schema.parse(req.body), Joi validate, class-validator, express-validator results. */
const INLINE_VALIDATE = /\.(parse|safeParse|parseAsync|safeParseAsync|validate|validateAsync|validateSync|cast|assert)\s*\(|plainToInstance|plainToClass|validationResult\s*\(|matchedData\s*\(|validateOrReject|\bvalidate\w*\s*\(|\bassert\w*\s*\(|\btypeof\s+\w+\.(body|query)\b|\b(status|sendStatus)\(\s*(400|422)\s*\)/;
/** Schema validation of the request in a sibling handler (the evidence that this file validates with schemas). */
const SCHEMA_VALIDATE = /\b(?!JSON\b|qs\b|querystring\b|url\b|URL\b|Date\b|path\b|yaml\b|YAML\b)[\w$]+\.(parse|safeParse|parseAsync|safeParseAsync|validate|validateAsync|validateSync|cast)\s*\(\s*[\w$]+\.(body|query)\b|plainToInstance|plainToClass|validationResult\s*\(|matchedData\s*\(|validateOrReject/;
const COERCE = new Set(["Number", "parseInt", "parseFloat", "Boolean", "String", "BigInt", "Date"]);

function requestParamName(fn: ts.FunctionLikeDeclaration): string | undefined {
  const p = fn.parameters[0];
  return p && ts.isIdentifier(p.name) ? p.name.text : undefined;
}

function schemaValidated(r: RouteRegistration): boolean {
  if (r.middlewares.some((m) => VALIDATOR_MW.test(nodeText(m)))) return true;
  if (ts.isCallExpression(r.handlerArg) && VALIDATOR_MW.test(nodeText(r.handlerArg.expression))) return true;
  return !!r.handler?.body && SCHEMA_VALIDATE.test(nodeText(r.handler.body));
}

/** Any validation at all, schema or hand-written (typeof checks, 400 answers), in the route itself. */
function isValidated(r: RouteRegistration): boolean {
  return schemaValidated(r) || (!!r.handler?.body && INLINE_VALIDATE.test(nodeText(r.handler.body)));
}

/** The first direct use of `req.body` / `req.query` in the handler (not passed through a coercion such as Number()). */
function firstDirectUse(fn: ts.FunctionLikeDeclaration, fields: Set<string>): ts.PropertyAccessExpression | undefined {
  const req = requestParamName(fn);
  if (!req || !fn.body) return undefined;
  let found: ts.PropertyAccessExpression | undefined;
  walk(fn.body, (n) => {
    if (found) return false;
    if (ts.isPropertyAccessExpression(n) && ts.isIdentifier(n.expression) && n.expression.text === req && fields.has(n.name.text)) {
      let top: ts.Node = n;
      while (top.parent && (ts.isPropertyAccessExpression(top.parent) || ts.isElementAccessExpression(top.parent)) && top.parent.expression === top) top = top.parent;
      const p = top.parent;
      if (p && ts.isCallExpression(p) && ts.isIdentifier(p.expression) && COERCE.has(p.expression.text)) return;
      if (p && ts.isTypeOfExpression(p)) return;
      found = n;
    }
  });
  return found;
}

export default defineRule({
  meta: {
    id: "architecture/bypassed-validation",
    category: "architecture",
    severity: "warning",
    cwe: ["CWE-20"],
    title: "Handler skips the validation its siblings use",
    description:
      "Other routes in this file validate their input with a schema (zod, joi, yup, celebrate, express-validator, class-validator), but this handler " +
      "reads `req.body`/`req.query` fields directly. Unexpected types, extra fields (mass assignment) and missing values reach the service and the database.",
    fix: "Validate this route's input with the same schema mechanism as its siblings (middleware or `schema.parse(req.body)`) and use the parsed value.",
  },
  create(ctx) {
    if (!ctx.file.isServerCode) return {};
    return {
      "SourceFile:exit"() {
        const routes = routeRegistrations(ctx.file.sourceFile).filter((r) => r.handler);
        const validated = routes.filter(schemaValidated);
        if (!validated.length) return;
        const queryValidated = validated.some((r) => /query/i.test(r.middlewares.map((m) => nodeText(m)).join(" ")) || /\(\s*\w+\.query\s*\)/.test(nodeText(r.handler!.body ?? r.handler!)));
        for (const r of routes) {
          if (isValidated(r)) continue;
          const fields = new Set(["body"]);
          if (queryValidated) fields.add("query");
          const use = firstDirectUse(r.handler!, fields);
          if (!use) continue;
          // A body-less GET reading `req.body` is odd but not this rule's concern.
          if (use.name.text === "body" && (r.method === "get" || r.method === "head")) continue;
          const sib = validated[0];
          const top = unwrap(use);
          ctx.report({
            node: top,
            message: `\`${r.method.toUpperCase()} ${r.path}\` uses \`${nodeText(use)}\` without validation, while sibling routes (e.g. \`${sib.method.toUpperCase()} ${sib.path}\`) validate their input with a schema.`,
          });
        }
      },
    };
  },
});
