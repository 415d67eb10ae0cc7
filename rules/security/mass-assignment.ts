import { ts } from "ts-morph";
import { defineRule } from "../../src/core/rule.js";
import { isFunctionLike, memberName, propertyNameText, receiverOf, unwrap, walk } from "../../src/core/ast.js";
import { DB_MODULES, isDataAccessCall } from "../../src/core/data-access.js";
import { findDeclaration } from "../../src/core/scope.js";
import { directSource } from "../../src/core/sources.js";

/** Write methods whose arguments become a record's fields. */
const ASSIGNING = new Set([
  "save", "create", "createMany", "insert", "insertOne", "insertMany", "bulkCreate", "update", "updateOne", "updateMany", "upsert",
  "findOneAndUpdate", "findByIdAndUpdate", "findOrCreate", "replaceOne", "merge", "build", "preload", "set", "setAttributes", "assign", "patch", "patchAndFetchById", "updateAndFetchById", "insertAndFetch",
]);
/** Option properties that carry the record: Prisma `data`, Mongo `$set`, Sequelize `defaults`. */
const DATA_PROPS = new Set(["data", "create", "update", "$set", "$setOnInsert", "defaults", "values", "record", "set"]);
const WHOLE = /^[\w$]+(\.request)?\.(body|query)(\.[\w$]+)?$|^[\w$]+\.(queryStringParameters)$/;
const CLONERS = /^(assign|clone|cloneDeep|structuredClone|parse|toObject|deepClone|from)$/;
const NOT_MODELS = new Set(["Error", "Date", "Map", "Set", "URL", "URLSearchParams", "Promise", "RegExp", "Buffer", "Headers", "Response", "Request", "Blob", "FormData", "WeakMap", "Array", "Object", "Proxy"]);

/** Is `e` the client's whole payload object (req.body, ctx.request.body, JSON.parse(event.body), {...req.body}, an untyped @Body())? */
function wholeBody(expr: ts.Expression, depth = 0): string | undefined {
  if (depth > 6) return undefined;
  const e = unwrap(expr);
  if (ts.isAwaitExpression(e)) return wholeBody(e.expression, depth + 1);
  const src = directSource(e);
  if (src) {
    if (ts.isPropertyAccessExpression(e) && WHOLE.test(src)) return src;
    if (ts.isIdentifier(e)) return nestBody(e) ? src : undefined;
    return undefined;
  }
  if (ts.isObjectLiteralExpression(e)) {
    for (const p of e.properties) if (ts.isSpreadAssignment(p)) {
      const s = wholeBody(p.expression, depth + 1);
      if (s) return s;
    }
    return undefined;
  }
  if (ts.isCallExpression(e)) {
    const name = memberName(e.expression) ?? "";
    if (!CLONERS.test(name)) return undefined;
    if (name === "parse" && !/^JSON\.parse$/.test(e.expression.getText())) return undefined; // schema.parse(…) validates
    if (name === "parse") {
      let a = e.arguments[0] && unwrap(e.arguments[0]);
      while (a && ts.isBinaryExpression(a) && [ts.SyntaxKind.QuestionQuestionToken, ts.SyntaxKind.BarBarToken].includes(a.operatorToken.kind)) a = unwrap(a.left);
      const s = a && directSource(a);
      return s && /\.body$/.test(s) ? `JSON.parse(${s})` : undefined;
    }
    for (const a of e.arguments) {
      const s = wholeBody(a, depth + 1);
      if (s) return s;
    }
    return undefined;
  }
  if (ts.isIdentifier(e)) {
    const d = findDeclaration(e);
    if (!d) return undefined;
    if (ts.isVariableDeclaration(d) && ts.isIdentifier(d.name) && d.initializer) return wholeBody(d.initializer, depth + 1);
    if (ts.isParameter(d) && isFunctionLike(d.parent) && !d.type?.getText().match(/Dto|DTO|Input|Schema|Validated/)) {
      const idx = d.parent.parameters.indexOf(d);
      for (const site of callSites(d.parent)) {
        const a = site.arguments?.[idx];
        const s = a && wholeBody(a, depth + 1);
        if (s) return s;
      }
    }
  }
  return undefined;
}

/** NestJS `@Body() body` without a DTO class (untyped, `any`, a plain record): the raw payload. */
function nestBody(id: ts.Identifier): boolean {
  const d = findDeclaration(id);
  if (!d || !ts.isParameter(d)) return false;
  const dec = ts.getDecorators(d)?.find((x) => /^Body\(\s*\)$/.test(x.expression.getText()));
  if (!dec) return false;
  const type = d.type?.getText() ?? "any";
  return /^(any|object|unknown|Record<.*>|\{.*\})$/s.test(type);
}

function callSites(fn: ts.FunctionLikeDeclaration): ts.CallExpression[] {
  let name: string | undefined;
  if (fn.name && ts.isIdentifier(fn.name)) name = fn.name.text;
  else if (ts.isVariableDeclaration(fn.parent) && ts.isIdentifier(fn.parent.name)) name = fn.parent.name.text;
  else if (ts.isMethodDeclaration(fn) && fn.name) name = propertyNameText(fn.name);
  if (!name) return [];
  const out: ts.CallExpression[] = [];
  walk(fn.getSourceFile(), (n) => {
    if (ts.isCallExpression(n) && memberName(n.expression) === name) out.push(n);
  });
  return out;
}

/** `const user = await User.findByPk(id)` / `repo.findOneBy(…)`: an entity loaded from the database. */
function isLoadedEntity(recv: ts.Expression | undefined, imports: Parameters<typeof isDataAccessCall>[1]): boolean {
  const r = recv && unwrap(recv);
  if (!r || !ts.isIdentifier(r)) return false;
  const d = findDeclaration(r);
  if (!d || !ts.isVariableDeclaration(d) || !d.initializer) return false;
  let init = unwrap(d.initializer);
  if (ts.isAwaitExpression(init)) init = unwrap(init.expression);
  return ts.isCallExpression(init) && isDataAccessCall(init, imports, "read") || ts.isNewExpression(init) && ts.isIdentifier(init.expression) && /^[A-Z]/.test(init.expression.text) && !NOT_MODELS.has(init.expression.text);
}

/** `User.build(…)`, `this.userRepository.preload(…)`, `this.userModel.create(…)`: a model or repository receiver. */
function modelReceiver(recv: ts.Expression | undefined, imports: Parameters<typeof isDataAccessCall>[1]): boolean {
  if (!recv) return false;
  const r = unwrap(recv);
  const name = ts.isIdentifier(r) ? r.text : ts.isPropertyAccessExpression(r) && r.expression.kind === ts.SyntaxKind.ThisKeyword ? r.name.text : undefined;
  if (!name) return false;
  if (/(Repository|Repo|Model)$/i.test(name) && !/view|ai|ml/i.test(name)) return true;
  return /^[A-Z][A-Za-z0-9]+$/.test(name) && !NOT_MODELS.has(name) && !/(Service|Controller|Client|Api|Cache|Helper|Util|Factory)$/.test(name) &&
    (imports.hasModule(...DB_MODULES) || /models?|entit/i.test(imports.bindings.get(name)?.module ?? ""));
}

/** The record payload in one argument: the argument itself or its data/$set/create/update option. */
function payloadTaint(arg: ts.Expression): string | undefined {
  const s = wholeBody(arg);
  if (s) return s;
  const a = unwrap(arg);
  if (ts.isObjectLiteralExpression(a)) {
    for (const p of a.properties) {
      if (ts.isPropertyAssignment(p) && DATA_PROPS.has(propertyNameText(p.name) ?? "")) {
        const inner = payloadTaint(p.initializer);
        if (inner) return inner;
      } else if (ts.isShorthandPropertyAssignment(p) && DATA_PROPS.has(p.name.text)) {
        const inner = wholeBody(p.name);
        if (inner) return inner;
      }
    }
  }
  return undefined;
}

/** `defaults` / `config` / `this.options`: an object that exists before the call (not an inline `{}`), described for the message. */
function existingObject(t: ts.Expression): string | undefined {
  if (ts.isPropertyAccessExpression(t) && t.expression.kind === ts.SyntaxKind.ThisKeyword) return "a property of this instance (shared across requests)";
  if (!ts.isIdentifier(t)) return undefined;
  const d = findDeclaration(t);
  if (!d || !ts.isVariableDeclaration(d) || !d.initializer) return undefined;
  const init = unwrap(d.initializer);
  let fn: ts.Node | undefined = d.parent;
  while (fn && !isFunctionLike(fn)) fn = fn.parent;
  if (!fn) return ts.isObjectLiteralExpression(init) || ts.isCallExpression(init) || ts.isNewExpression(init) || ts.isIdentifier(init) || ts.isPropertyAccessExpression(init) ? "a module-level object shared by every request" : undefined;
  // a local defaults object with fields of its own
  return ts.isObjectLiteralExpression(init) && init.properties.length > 0 ? "an object with defaults the client is not meant to change" : undefined;
}

/** `{ filters: req.query }`: a property holding the whole payload. */
function nestedWholeBody(e: ts.Expression): string | undefined {
  const u = unwrap(e);
  if (!ts.isObjectLiteralExpression(u)) return undefined;
  for (const p of u.properties) {
    const s = ts.isPropertyAssignment(p) ? wholeBody(p.initializer) : ts.isShorthandPropertyAssignment(p) ? wholeBody(p.name) : undefined;
    if (s) return s;
  }
  return undefined;
}

export default defineRule({
  meta: {
    id: "security/mass-assignment",
    category: "security",
    severity: "error",
    cwe: ["CWE-915"],
    title: "Request body written to a model as-is (mass assignment)",
    description:
      "The whole request payload is passed to an ORM create/update (or copied onto an entity). The client can set any column the model has: " +
      "`role: \"admin\"`, `isVerified`, `balance`, another user's `ownerId`.",
    fix: "Pick the fields the endpoint may change (`{ name: body.name, email: body.email }`, `_.pick(body, [...])`) or validate with a schema/DTO that strips unknown keys (zod `.strict()`/`.parse`, class-validator `whitelist: true`).",
  },
  create(ctx) {
    const imports = ctx.file.imports;
    const report = (node: ts.Node, src: string): void =>
      ctx.report({ node, message: `\`${src}\` is written to the model as-is: the client can set fields like \`role\` or \`isAdmin\`. Pick allowed fields or validate with a schema.` });
    return {
      CallExpression(call) {
        const name = memberName(call.expression);
        if (!name) return;
        if (name === "assign" && unwrap(call.expression).getText() === "Object.assign") {
          const [target, ...sources] = call.arguments;
          if (!target || ts.isObjectLiteralExpression(unwrap(target))) return;
          const t = unwrap(target);
          const entityLike = isLoadedEntity(t, imports) || ts.isIdentifier(t) && /^(user|account|profile|entity|record|doc|document|model|item|order|product|post|customer|member|existing|instance)/i.test(t.text) || ts.isPropertyAccessExpression(t) && /^(user|account|profile)$/i.test(t.name.text);
          if (entityLike) {
            for (const s of sources) {
              const src = wholeBody(s);
              if (src) return report(call, src);
            }
            return;
          }
          // Object.assign(defaults, req.query) / Object.assign(config, req.body): an existing object takes every client key
          const existing = existingObject(t);
          if (!existing) return;
          for (const s of sources) {
            const src = wholeBody(s) ?? nestedWholeBody(s);
            if (src) {
              return ctx.report({
                node: call,
                message: `\`Object.assign(${t.getText()}, …)\` copies every key of \`${src}\` onto ${existing}: the client can override any field (\`isAdmin\`, \`role\`, \`debug\`) or add new ones. Copy only the fields you expect.`,
              });
            }
          }
          return;
        }
        if (!ASSIGNING.has(name)) return;
        const recv = receiverOf(call);
        const isWrite = isDataAccessCall(call, imports, "write") || modelReceiver(recv, imports);
        if (!isWrite && !(["update", "set", "setAttributes", "save", "merge"].includes(name) && isLoadedEntity(recv, imports))) return;
        if (name === "set" && call.arguments.length > 1) return; // doc.set("field", value)
        for (const a of call.arguments) {
          const src = payloadTaint(a);
          if (src) return report(call, src);
        }
      },
      NewExpression(n) {
        // Mongoose / TypeORM entities: new User(req.body)
        const callee = unwrap(n.expression);
        if (!ts.isIdentifier(callee) || !/^[A-Z][A-Za-z0-9]+$/.test(callee.text) || NOT_MODELS.has(callee.text) || /Error$|Exception$/.test(callee.text)) return;
        const bound = imports.bindings.get(callee.text);
        const modelish = imports.hasModule(...DB_MODULES) || /models?|entit/i.test(bound?.module ?? "");
        if (!modelish || !n.arguments?.length) return;
        const src = wholeBody(n.arguments[0]);
        if (src) report(n, src);
      },
    };
  },
});
