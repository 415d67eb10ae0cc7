/**
 * Request validation against the committed subset of GitHub's OpenAPI description
 * (openapi-subset.json, produced by scripts/extract-openapi.mjs).
 */
import { readFileSync } from "node:fs";
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import addFormats from "ajv-formats";

export interface OperationMatch {
  operationId: string;
  /** Path template, e.g. `/repos/{owner}/{repo}/pulls/{pull_number}`. */
  template: string;
  /** Decoded path parameters. */
  pathParams: Record<string, string>;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

interface Parameter {
  name: string;
  in: "path" | "query" | "header" | "cookie";
  required?: boolean;
  schema?: JsonObject;
}

interface CompiledOperation {
  operationId: string;
  method: string;
  template: string;
  regex: RegExp;
  paramNames: string[];
  path: ParamsValidator;
  query: ParamsValidator;
  body: ValidateFunction | undefined;
  bodyRequired: boolean;
}

interface ParamsValidator {
  names: Set<string>;
  validate: ValidateFunction;
}

const SPEC_ID = "github-openapi-subset";
const HTTP_METHODS = ["get", "put", "post", "delete", "patch", "head", "options"];
/** OpenAPI-only keywords that mean nothing to JSON Schema validation. */
const DROPPED_KEYWORDS = new Set(["example", "examples", "discriminator", "xml", "externalDocs", "deprecated", "nullable"]);
/** Keywords whose value is a map of name → schema (the names must not be treated as keywords). */
const SCHEMA_MAPS = new Set(["properties", "patternProperties", "definitions", "$defs"]);

/**
 * Constraints GitHub documents and enforces but the OpenAPI description does not encode.
 * Each patch navigates with `at()`, which throws if a regenerated description changes shape.
 */
const DOCUMENTED_CONSTRAINTS: Record<string, (body: JsonObject) => void> = {
  // "side"/"start_side" are documented as LEFT or RIGHT (see pulls/create-review-comment).
  "pulls/create-review": (body) => {
    const item = at(body, "properties", "comments", "items", "properties");
    at(item, "side").enum = ["LEFT", "RIGHT"];
    at(item, "start_side").enum = ["LEFT", "RIGHT"];
  },
  // output.title is documented as "**Required**"; a completed check run needs a conclusion.
  "checks/create": (body) => {
    requireProperty(at(body, "properties", "output"), "title");
    body.anyOf = [
      { properties: { status: { enum: ["completed"] } }, required: ["status", "conclusion"] },
      { properties: { status: { not: { enum: ["completed"] } } } },
    ];
  },
  "checks/update": (body) => requireProperty(at(body, "properties", "output"), "title"),
};

function at(node: JsonObject, ...keys: string[]): JsonObject {
  let current: Json = node;
  for (const key of keys) {
    if (!isObject(current) || !isObject(current[key])) throw new Error(`openapi-subset: no schema at ${keys.join(".")}`);
    current = current[key];
  }
  return current as JsonObject;
}

function requireProperty(schema: JsonObject, name: string): void {
  const required = Array.isArray(schema.required) ? schema.required : [];
  if (!required.includes(name)) schema.required = [...required, name];
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Converts an OpenAPI 3.0 Schema Object into JSON Schema (draft-07) that ajv understands. */
export function toJsonSchema(node: Json): Json {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (!isObject(node)) return node;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(node)) {
    if (DROPPED_KEYWORDS.has(key) || key.startsWith("x-")) continue;
    if (key === "$ref" && typeof value === "string") out.$ref = value.startsWith("#/") ? `${SPEC_ID}${value}` : value;
    else if (SCHEMA_MAPS.has(key) && isObject(value)) {
      out[key] = Object.fromEntries(Object.entries(value).map(([name, schema]) => [name, toJsonSchema(schema)]));
    } else out[key] = toJsonSchema(value);
  }
  if (node.nullable === true) return nullable(out);
  return out;
}

function nullable(schema: JsonObject): JsonObject {
  if (Array.isArray(schema.enum) && !schema.enum.includes(null)) schema.enum = [...schema.enum, null];
  if (typeof schema.type === "string") return { ...schema, type: [schema.type, "null"] };
  if (Array.isArray(schema.type)) return schema.type.includes("null") ? schema : { ...schema, type: [...schema.type, "null"] };
  return { anyOf: [schema, { type: "null" }] };
}

class OpenApiValidator {
  private readonly operations: CompiledOperation[] = [];
  private readonly bodyAjv: Ajv;
  private readonly paramAjv: Ajv;
  private readonly spec: JsonObject;

  constructor(spec: JsonObject) {
    this.spec = spec;
    this.bodyAjv = this.newAjv(false);
    this.paramAjv = this.newAjv(true);
    for (const [template, item] of Object.entries(at(spec, "paths"))) {
      if (!isObject(item)) continue;
      const shared = Array.isArray(item.parameters) ? item.parameters : [];
      for (const method of HTTP_METHODS) {
        const op = item[method];
        if (isObject(op)) this.operations.push(this.compile(method.toUpperCase(), template, op, shared));
      }
    }
    // Literal segments beat parameters when two templates could match.
    this.operations.sort((a, b) => literalLength(b.template) - literalLength(a.template));
  }

  private newAjv(coerceTypes: boolean): Ajv {
    const ajv = new Ajv({ strict: false, allErrors: true, coerceTypes, logger: false });
    addFormats.default(ajv);
    ajv.addSchema({ $id: SPEC_ID, components: toJsonSchema(this.spec.components ?? {}) } as JsonObject);
    return ajv;
  }

  private compile(method: string, template: string, op: JsonObject, shared: Json[]): CompiledOperation {
    const operationId = String(op.operationId);
    const params = new Map<string, Parameter>();
    for (const raw of [...shared, ...(Array.isArray(op.parameters) ? op.parameters : [])]) {
      const param = this.resolve(raw) as unknown as Parameter;
      params.set(`${param.in}:${param.name}`, param);
    }
    const paramNames: string[] = [];
    const pattern = template.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/\\\{(\w+)\\\}/g, (_m, name: string) => {
      paramNames.push(name);
      const multi = params.get(`path:${name}`) as (Parameter & { "x-multi-segment"?: boolean }) | undefined;
      return multi?.["x-multi-segment"] ? "(.+)" : "([^/]+)";
    });
    let body: ValidateFunction | undefined;
    let bodyRequired = false;
    if (op.requestBody !== undefined) {
      const requestBody = this.resolve(op.requestBody);
      bodyRequired = requestBody.required === true;
      const schema = toJsonSchema(at(requestBody, "content", "application/json", "schema")) as JsonObject;
      DOCUMENTED_CONSTRAINTS[operationId]?.(schema);
      body = this.bodyAjv.compile(schema);
    }
    return {
      operationId,
      method,
      template,
      regex: new RegExp(`^${pattern}$`),
      paramNames,
      path: this.paramsValidator([...params.values()].filter((p) => p.in === "path")),
      query: this.paramsValidator([...params.values()].filter((p) => p.in === "query")),
      body,
      bodyRequired,
    };
  }

  private paramsValidator(params: Parameter[]): ParamsValidator {
    const schema = {
      type: "object",
      properties: Object.fromEntries(params.map((p) => [p.name, toJsonSchema(p.schema ?? {})])),
      required: params.filter((p) => p.required).map((p) => p.name),
    };
    return { names: new Set(params.map((p) => p.name)), validate: this.paramAjv.compile(schema) };
  }

  private resolve(node: Json): JsonObject {
    let current = node;
    for (let depth = 0; isObject(current) && typeof current.$ref === "string"; depth++) {
      if (depth > 20) throw new Error("openapi-subset: $ref cycle");
      current = at(this.spec, ...current.$ref.replace(/^#\//, "").split("/"));
    }
    if (!isObject(current)) throw new Error("openapi-subset: expected an object");
    return current;
  }

  operationIds(): string[] {
    return this.operations.map((o) => o.operationId);
  }

  match(method: string, pathname: string): OperationMatch | undefined {
    const upper = method.toUpperCase();
    for (const op of this.operations) {
      if (op.method !== upper) continue;
      const m = op.regex.exec(pathname);
      if (!m) continue;
      const pathParams: Record<string, string> = {};
      op.paramNames.forEach((name, i) => (pathParams[name] = safeDecode(m[i + 1] ?? "")));
      return { operationId: op.operationId, template: op.template, pathParams };
    }
    return undefined;
  }

  validate(method: string, url: string, body: unknown): string[] {
    const parsed = new URL(url, "http://localhost");
    const match = this.match(method, parsed.pathname);
    if (!match) return [`unknown route: ${method.toUpperCase()} ${parsed.pathname}`];
    const op = this.operations.find((o) => o.operationId === match.operationId)!;
    const problems: string[] = [];
    problems.push(...checkParams(op.path, { ...match.pathParams }, "path parameter"));
    const query: Record<string, string> = {};
    for (const [name, value] of parsed.searchParams) if (op.query.names.has(name)) query[name] = value;
    problems.push(...checkParams(op.query, query, "query parameter"));
    if (body === undefined || body === null) {
      if (op.bodyRequired) problems.push("request body is required");
    } else if (op.body) {
      if (!op.body(body)) problems.push(...(op.body.errors ?? []).map((e) => describe("body", e)));
    } else if (!["GET", "HEAD", "DELETE"].includes(op.method)) {
      problems.push("operation takes no request body");
    }
    return problems.map((p) => `${op.operationId}: ${p}`);
  }
}

function checkParams(params: ParamsValidator, values: Record<string, string>, what: string): string[] {
  if (params.validate(values)) return [];
  return (params.validate.errors ?? []).map((error) => {
    const name = error.keyword === "required" ? String(error.params.missingProperty) : error.instancePath.replace(/^\//, "");
    if (error.keyword === "required") return `missing required ${what} "${name}"`;
    return `${what} "${name}" ${error.message ?? "is invalid"}${allowed(error)}`;
  });
}

function describe(prefix: string, error: ErrorObject): string {
  return `${prefix}${error.instancePath} ${error.message ?? "is invalid"}${allowed(error)}`;
}

function allowed(error: ErrorObject): string {
  if (error.keyword !== "enum") return "";
  const values = (error.params as { allowedValues?: unknown[] }).allowedValues ?? [];
  return ` (${values.map((v) => JSON.stringify(v)).join(", ")})`;
}

function literalLength(template: string): number {
  return template.replace(/\{\w+\}/g, "").length;
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

let instance: OpenApiValidator | undefined;
function validator(): OpenApiValidator {
  instance ??= new OpenApiValidator(
    JSON.parse(readFileSync(new URL("./openapi-subset.json", import.meta.url), "utf8")) as JsonObject,
  );
  return instance;
}

/** Finds the operation a request addresses, with its decoded path parameters. */
export function matchOperation(method: string, pathname: string): OperationMatch | undefined {
  return validator().match(method, pathname);
}

/**
 * Validates a request (method, path with query string or absolute URL, parsed JSON body)
 * against the description. Returns human-readable violations, each prefixed with the
 * operationId; empty when the request conforms.
 */
export function validateRequest(method: string, url: string, body: unknown): string[] {
  return validator().validate(method, url, body);
}

/** The operationIds the description subset covers. */
export function knownOperations(): string[] {
  return validator().operationIds();
}
