import { ts } from "ts-morph";
import { defineRule } from "../../src/core/rule.js";
import { taintOf } from "../../src/core/taint.js";
import { accessChain, memberName, propertyNameText, receiverName, receiverOf, unwrap } from "../../src/core/ast.js";
import { DYNAMO_RECEIVER } from "../../src/core/sql.js";
import { assignmentsTo, findDeclaration } from "../../src/core/scope.js";
import { directSource, parameterRole, rootIdentifier } from "../../src/core/sources.js";
import { isGuarded } from "../../src/core/guards.js";
import { objectLiteralOf } from "../../src/core/sinks-injection.js";

/** Mongo/Mongoose methods whose first argument is a query filter. */
const FILTER_METHODS = new Set([
  "find", "findOne", "findOneAndUpdate", "findOneAndDelete", "findOneAndRemove", "findOneAndReplace", "updateOne", "updateMany",
  "update", "deleteOne", "deleteMany", "remove", "countDocuments", "count", "exists", "replaceOne", "where", "findAndModify",
]);
const MONGO_MODULES = ["mongoose", "mongodb", "mongojs", "monk", "@nestjs/mongoose", "mongoist", "@typegoose/typegoose", "nedb", "@seald-io/nedb"];
const SQL_ORMS = ["sequelize", "typeorm", "@prisma/client", "knex", "objection", "@mikro-orm/core", "drizzle-orm", "bookshelf", "pg", "mysql", "mysql2"];
/** Request fields that can carry objects (`?user[$ne]=x`, JSON bodies); params/headers are always strings. */
const OBJECT_FIELDS = /^(body|query|payload|request\.body|request\.query|req\.body|req\.query)$/;
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
  for (const p of obj.properties) {
    let key: string | undefined;
    let value: ts.Expression | undefined;
    if (ts.isPropertyAssignment(p)) {
      key = propertyNameText(p.name);
      value = p.initializer;
    } else if (ts.isShorthandPropertyAssignment(p)) {
      key = p.name.text;
      value = p.name;
    } else if (ts.isSpreadAssignment(p)) {
      const s = objectCapable(p.expression);
      if (s) return `Query filter spreads \`${s}\`: the client can add operators like \`{"$ne": null}\`. Pick the fields and cast them.`;
      continue;
    }
    if (!value) continue;
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
 * The request source when `expr` is a raw request value that may be an object (a JSON body or qs-parsed query field,
 * the body/query itself, JSON.parse of request text), passed through only by variables, destructuring and property access.
 */
export function objectCapable(expr: ts.Expression, depth = 0, useSite: ts.Node = expr): string | undefined {
  if (depth > 8) return undefined;
  const e = unwrap(expr);
  const direct = directSource(e);
  if (direct) return objectField(e, direct) ? direct : undefined;
  if (ts.isPropertyAccessExpression(e) || ts.isElementAccessExpression(e)) {
    if (ts.isPropertyAccessExpression(e) && ["length", "size"].includes(e.name.text)) return undefined;
    return objectCapable(e.expression, depth + 1, useSite);
  }
  if (ts.isBinaryExpression(e)) {
    const op = e.operatorToken.kind;
    if (op === ts.SyntaxKind.BarBarToken || op === ts.SyntaxKind.QuestionQuestionToken) return objectCapable(e.left, depth + 1, useSite) ?? objectCapable(e.right, depth + 1, useSite);
    return undefined;
  }
  if (ts.isAwaitExpression(e)) return objectCapable(e.expression, depth + 1, useSite);
  if (ts.isCallExpression(e)) {
    // JSON.parse(event.body), JSON.parse(req.query.filter)
    if (e.expression.getText() === "JSON.parse" && e.arguments[0]) {
      const t = taintOf(e.arguments[0], "nosql");
      return t ? `JSON.parse(${t.source})` : undefined;
    }
    return undefined;
  }
  if (ts.isIdentifier(e)) {
    const d = findDeclaration(e);
    if (!d) return undefined;
    if (isGuarded(e.text, useSite, d)) return undefined;
    if (ts.isVariableDeclaration(d)) {
      if (d.type && !/any|unknown|object|Record/.test(d.type.getText())) return undefined;
      const vals = [...(d.initializer ? [d.initializer] : []), ...assignmentsTo(d)];
      // Any reassignment to a cast value makes it safe only when every value is safe.
      for (const v of vals) {
        const s = objectCapable(v, depth + 1, useSite);
        if (s) return s;
      }
      return undefined;
    }
    if (ts.isBindingElement(d)) {
      const path: string[] = [];
      let node: ts.Node = d;
      while (ts.isBindingElement(node)) {
        if (node.dotDotDotToken) path.unshift("…");
        else path.unshift((node.propertyName ? propertyNameText(node.propertyName) : ts.isIdentifier(node.name) ? node.name.text : undefined) ?? "[]");
        node = node.parent.parent;
      }
      if (ts.isParameter(node)) {
        const role = parameterRole(node);
        if (role === "request" && (path[0] === "body" || path[0] === "query")) return `req.${path.join(".")}`;
        if (role === "value" && valueParamIsObjectCapable(node)) return path.join(".");
        return undefined;
      }
      if (ts.isVariableDeclaration(node) && node.initializer) {
        const init = unwrap(node.initializer);
        // const { body } = req
        if (ts.isIdentifier(init)) {
          const pd = findDeclaration(init);
          if (pd && ts.isParameter(pd) && parameterRole(pd) === "request") return path[0] === "body" || path[0] === "query" ? `${init.text}.${path.join(".")}` : undefined;
        }
        if (node.type && !/any|unknown|object|Record/.test(node.type.getText())) return undefined;
        return objectCapable(init, depth + 1, useSite);
      }
      return undefined;
    }
    if (ts.isParameter(d) && parameterRole(d) === "value" && valueParamIsObjectCapable(d)) return e.text;
  }
  return undefined;
}

/** NestJS @Body()/@Query() values typed loosely (not a validated DTO class). */
function valueParamIsObjectCapable(p: ts.ParameterDeclaration): boolean {
  const decorators = ts.canHaveDecorators(p) ? ts.getDecorators(p) ?? [] : [];
  if (!decorators.some((d) => /^(Body|Query)\b/.test(d.expression.getText()))) return false;
  const t = p.type?.getText();
  return !t || /^(any|unknown|object|string|Record<.*>)$/.test(t);
}

function objectField(e: ts.Expression, source: string): boolean {
  const chain = accessChain(e);
  const root = rootIdentifier(e);
  if (!chain || !root) return false;
  const d = findDeclaration(root);
  const role = d && ts.isParameter(d) ? parameterRole(d) : undefined;
  if (role === "value") return !!d && ts.isParameter(d) && valueParamIsObjectCapable(d);
  if (role === "event") return false; // Lambda: body is a string, parameters are strings
  const field = role === "koa" ? chain.slice(1, chain[1] === "request" || chain[1] === "req" ? 3 : 2).join(".") : chain[1];
  void source;
  return OBJECT_FIELDS.test(field ?? "");
}
