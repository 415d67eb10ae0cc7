import { ts } from "ts-morph";
import { defineRule } from "../../src/core/rule.js";
import { taintOf } from "../../src/core/taint.js";
import { memberName, propertyNameText, receiverName, receiverOf, unwrap } from "../../src/core/ast.js";
import { DYNAMO_RECEIVER } from "../../src/core/sql.js";
import { findDeclaration, scopeOf } from "../../src/core/scope.js";
import { objectCapable } from "../../src/core/object-input.js";
import { objectLiteralOf } from "../../src/core/sinks-injection.js";

/** Mongo/Mongoose methods whose first argument is a query filter. */
const FILTER_METHODS = new Set([
  "find", "findOne", "findOneAndUpdate", "findOneAndDelete", "findOneAndRemove", "findOneAndReplace", "updateOne", "updateMany",
  "update", "deleteOne", "deleteMany", "remove", "countDocuments", "count", "exists", "replaceOne", "where", "findAndModify",
]);
const MONGO_MODULES = ["mongoose", "mongodb", "mongojs", "monk", "@nestjs/mongoose", "mongoist", "@typegoose/typegoose", "nedb", "@seald-io/nedb"];
const SQL_ORMS = ["sequelize", "typeorm", "@prisma/client", "knex", "objection", "@mikro-orm/core", "drizzle-orm", "bookshelf", "pg", "mysql", "mysql2"];
const MONGO_RECEIVER = /(^|\.)(collection\([^)]*\)|[A-Z]\w*|\w*(Model|model|Collection|collection|Coll|coll)|db\.\w+|users|accounts|posts|orders|products)$/;

export default defineRule({
  meta: {
    id: "security/nosql-injection",
    category: "security",
    severity: "error",
    cwe: ["CWE-943"],
    title: "NoSQL query built from untrusted input",
    description:
      "A MongoDB filter takes values straight from the request. A JSON body or query string can carry objects, so `{ \"$ne\": null }` or " +
      "`{ \"$gt\": \"\" }` turns an equality check into a match-anything (login bypass, data dump); `$where` strings run JavaScript on the database.",
    fix: "Cast values to the expected type (`String(req.body.user)`, `new ObjectId(id)`), compare with `{ $eq: value }`, validate the body with a schema, or sanitize with mongo-sanitize / express-mongo-sanitize.",
  },
  create(ctx) {
    const imports = ctx.file.imports;
    const text = ctx.file.text;
    // express-mongo-sanitize / mongo-sanitize applied app-wide strips `$` keys from every request.
    if (/\.use\(\s*(mongoSanitize|expressMongoSanitize|sanitize)\s*\(/.test(text) || /\.use\(\s*require\(['"]express-mongo-sanitize['"]\)\(/.test(text)) return {};
    const mongoFile = imports.hasModule(...MONGO_MODULES);
    const sqlFile = imports.hasModule(...SQL_ORMS);

    const isMongoCall = (call: ts.CallExpression): boolean => {
      const recv = receiverOf(call);
      if (!recv) return false;
      const r = imports.resolveCall(call);
      if (r?.module && MONGO_MODULES.includes(r.module)) return true;
      if (r?.module && !MONGO_MODULES.includes(r.module)) return false;
      const rt = recv.getText().replace(/\s+/g, "");
      if (/^(prisma|knex|sequelize|db\.query|this\.prisma)\b/.test(rt) || /Repository|repo\b|Repo$/.test(rt)) return false;
      if (sqlFile && !mongoFile) return /collection\(/i.test(rt);
      return mongoFile ? true : MONGO_RECEIVER.test(rt.replace(/^this\./, ""));
    };

    const report = (node: ts.Node, message: string): void => ctx.report({ node, message });

    /** DynamoDB query/scan parameters taken whole from the request: the client picks table, index, filter and projection. */
    const dynamoParams = (node: ts.CallExpression | ts.NewExpression, what: string): void => {
      const params = node.arguments?.[0];
      if (!params) return;
      const lit = objectLiteralOf(params);
      // A literal built in code: only a spread of request data hands the client the whole request shape.
      const whole = lit ? lit.properties.filter(ts.isSpreadAssignment).map((p) => p.expression) : [params];
      const t = whole.map((w) => taintOf(w, "nosql")).find(Boolean);
      if (t) report(node, `DynamoDB ${what} parameters taken from \`${t.source}\`: the client chooses the table, key condition, filter and projection. Build the parameters in code and pass only checked values.`);
    };

    return {
      NewExpression(expr) {
        const name = memberName(expr.expression);
        if (name !== "QueryCommand" && name !== "ScanCommand") return;
        const r = imports.resolveCall(expr);
        if (!r?.module || !/^@aws-sdk\/(client-dynamodb|lib-dynamodb)$/.test(r.module)) return;
        dynamoParams(expr, name === "QueryCommand" ? "query" : "scan");
      },
      CallExpression(call) {
        const method = memberName(call.expression);
        if (!method) return;
        if ((method === "query" || method === "scan") && DYNAMO_RECEIVER.test(receiverName(call) ?? "")) {
          dynamoParams(call, method);
          return;
        }
        if (method === "aggregate") {
          if (!isMongoCall(call) || !call.arguments[0]) return;
          const pipeline = unwrap(call.arguments[0]);
          const whole = objectCapable(pipeline);
          if (whole) return report(call, `Aggregation pipeline taken from \`${whole}\`: the client chooses the stages ($lookup, $function, $where). Build the pipeline in code.`);
          if (ts.isArrayLiteralExpression(pipeline)) {
            for (const stage of pipeline.elements) {
              const m = objectLiteralOf(stage as ts.Expression);
              const match = m && prop(m, "$match");
              if (match) {
                const f = filterProblem(match);
                if (f) return report(call, f);
              }
            }
          }
          return;
        }
        if (method === "$where" && isMongoCall(call)) {
          const t = call.arguments[0] && taintOf(call.arguments[0], "code");
          if (t) report(call, `\`$where\` JavaScript built from \`${t.source}\`: it runs on the database server. Use query operators instead.`);
          return;
        }
        if (!FILTER_METHODS.has(method)) return;
        const filter = call.arguments[0];
        if (!filter || !isMongoCall(call)) return;
        if (method === "where") {
          // Query.where("field").equals(x) / .where({ … }) / .where("this.a == '" + x + "'")
          const f = unwrap(filter);
          if (ts.isStringLiteral(f) || ts.isNoSubstitutionTemplateLiteral(f)) return;
          if (ts.isTemplateExpression(f) || ts.isBinaryExpression(f)) {
            const t = taintOf(f, "code");
            if (t) report(call, `\`where\` JavaScript built from \`${t.source}\`: it runs as \`$where\` on the database. Use query operators instead.`);
            return;
          }
        }
        const problem = filterProblem(filter);
        if (problem) report(call, problem);
      },
    };
  },
});

function prop(obj: ts.ObjectLiteralExpression, name: string): ts.Expression | undefined {
  for (const p of obj.properties) {
    if (ts.isPropertyAssignment(p) && propertyNameText(p.name) === name) return p.initializer;
    if (ts.isShorthandPropertyAssignment(p) && p.name.text === name) return p.name;
  }
  return undefined;
}

/** What is wrong with a filter argument, as a message, or undefined when it looks safe. */
function filterProblem(filter: ts.Expression, depth = 0): string | undefined {
  if (depth > 3) return undefined;
  const whole = objectCapable(filter);
  if (whole) return `Query filter is \`${whole}\` itself: the client can send operators like \`{"$ne": null}\` or \`$where\`. Pick the fields and cast them.`;
  const obj = objectLiteralOf(filter);
  if (!obj) return undefined;
  // SQL ORMs (Sequelize, TypeORM) take { where: … }; their operators are not JSON-reachable.
  if (prop(obj, "where") && !prop(obj, "$where")) return undefined;
  const entries: { key: string | undefined; value: ts.Expression }[] = [];
  for (const p of obj.properties) {
    if (ts.isPropertyAssignment(p)) entries.push({ key: propertyNameText(p.name), value: p.initializer });
    else if (ts.isShorthandPropertyAssignment(p)) entries.push({ key: p.name.text, value: p.name });
    else if (ts.isSpreadAssignment(p)) {
      const s = objectCapable(p.expression);
      if (s) return `Query filter spreads \`${s}\`: the client can add operators like \`{"$ne": null}\`. Pick the fields and cast them.`;
    }
  }
  entries.push(...fieldWrites(filter, obj));
  for (const { key, value } of entries) {
    const v = unwrap(value);
    if (key === "$where") {
      const t = taintOf(v, "code");
      if (t) return `\`$where\` JavaScript built from \`${t.source}\`: it runs on the database server. Use query operators instead.`;
      continue;
    }
    if (key === "$regex") {
      const t = taintOf(v, "regex");
      if (t) return `\`$regex\` built from \`${t.source}\` without escaping: the client controls the pattern (match-anything, ReDoS). Escape it or use an exact match.`;
      continue;
    }
    if (key === "$and" || key === "$or" || key === "$nor") {
      const arr = ts.isArrayLiteralExpression(v) ? v : undefined;
      if (!arr) {
        const s = objectCapable(v);
        if (s) return `Query \`${key}\` taken from \`${s}\`: the client can inject operators.`;
        continue;
      }
      for (const el of arr.elements) {
        const f = filterProblem(el as ts.Expression, depth + 1);
        if (f) return f;
      }
      continue;
    }
    if (key && key.startsWith("$")) continue; // $eq/$in/$gt with a value compare literally
    if (ts.isObjectLiteralExpression(v)) {
      // { name: { $regex: x } } / { age: { $gt: x } }
      const f = filterProblem(v, depth + 1);
      if (f && /\$regex|\$where/.test(f)) return f;
      continue;
    }
    if (ts.isNewExpression(v) && memberName(v.expression) === "RegExp") {
      const t = v.arguments?.[0] && taintOf(v.arguments[0], "regex");
      if (t) return `Regular expression built from \`${t.source}\` without escaping: the client controls the pattern (match-anything, ReDoS). Escape it or use an exact match.`;
      continue;
    }
    const s = objectCapable(v);
    if (s) return `Query value \`${key ?? "?"}\` comes straight from \`${s}\`: a JSON body or query string can send \`{"$ne": null}\` instead of a string. Cast it (\`String(x)\`) or use \`{ $eq: x }\`.`;
  }
  return undefined;
}

/**
 * Fields set on a filter variable after its literal: `const query = {}; query.email = req.body.email;`,
 * `query["$where"] = \`…\``. Filters built field by field are as common as inline literals.
 */
function fieldWrites(filter: ts.Expression, literal: ts.ObjectLiteralExpression): { key: string | undefined; value: ts.Expression }[] {
  const f = unwrap(filter);
  if (!ts.isIdentifier(f)) return [];
  const decl = findDeclaration(f);
  if (!decl || !ts.isVariableDeclaration(decl) || !decl.initializer || unwrap(decl.initializer) !== literal) return [];
  const out: { key: string | undefined; value: ts.Expression }[] = [];
  const visit = (n: ts.Node): void => {
    if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
      const target = unwrap(n.left);
      if ((ts.isPropertyAccessExpression(target) || ts.isElementAccessExpression(target)) && ts.isIdentifier(unwrap(target.expression))) {
        const holder = unwrap(target.expression) as ts.Identifier;
        if (holder.text === f.text && findDeclaration(holder) === decl) out.push({ key: memberName(target), value: n.right });
      }
    }
    ts.forEachChild(n, visit);
  };
  visit(scopeOf(decl));
  return out;
}
