import { ts } from "ts-morph";
import { defineRule } from "../../src/core/rule.js";
import { taintOf } from "../../src/core/taint.js";
import { unwrap } from "../../src/core/ast.js";
import { constantStringOf, isTruthyConstant, optionValue, parameterInput } from "../../src/core/sinks-injection.js";

/** [module, functions that revive functions/code from their input]. */
const DESERIALIZERS: [string, Set<string>][] = [
  ["node-serialize", new Set(["unserialize"])],
  ["serialize-to-js", new Set(["deserialize"])],
  ["funcster", new Set(["deepDeserialize", "deserialize"])],
  ["cryo", new Set(["parse"])],
  ["jsonpickle", new Set(["decode"])],
];
const YAML_MODULES = ["js-yaml", "yamljs-unsafe"];
/** js-yaml 3 schemas that construct JavaScript functions (!!js/function). */
const UNSAFE_SCHEMA = /\b(DEFAULT_FULL_SCHEMA|FULL_SCHEMA)\b/;
/** js-yaml 4 schemas extended with js-yaml-js-types' `function` type (or `all`, which includes it). */
const JS_TYPES_FUNCTION = /js-yaml-js-types['"]\s*\)\s*\.\s*(all|function)\b/;

export default defineRule({
  meta: {
    id: "security/unsafe-deserialization",
    category: "security",
    severity: "error",
    cwe: ["CWE-502"],
    title: "Untrusted data deserialized with a code-reviving deserializer",
    description:
      "node-serialize, serialize-to-js, funcster, cryo and js-yaml's full schema rebuild functions from their input. A payload with an " +
      "immediately-invoked function (`_$$ND_FUNC$$_function(){…}()`, `!!js/function`) runs code on the server as soon as it is parsed.",
    fix: "Use JSON.parse for data from clients, js-yaml's default safe `load` (v4) / `safeLoad` (v3), and never ship functions in serialized data.",
  },
  create(ctx) {
    const weakOk = !ctx.file.isTest && !ctx.file.isScript;
    const imports = ctx.file.imports;

    const judge = (call: ts.CallExpression, input: ts.Expression | undefined, what: string, unsafeAlone: boolean): void => {
      if (!input || constantStringOf(input) !== undefined) return;
      const t = taintOf(input, "any");
      if (t) {
        ctx.report({ node: call, message: `${what} of \`${t.source}\`: a crafted payload runs code on the server while it is parsed. Use JSON.parse / a safe schema.` });
        return;
      }
      const p = parameterInput(input);
      if ((p || unsafeAlone) && weakOk) {
        ctx.report({ node: call, severity: "warning", message: `${what}${p ? ` of \`${p}\`` : ""}: it can revive functions from the data; if the input is ever attacker-controlled, parsing runs code. Use JSON.parse / a safe schema.` });
      }
    };

    return {
      CallExpression(call) {
        const r = imports.resolveCall(call);
        if (!r?.module) return;
        for (const [mod, fns] of DESERIALIZERS) {
          if (r.module === mod && fns.has(r.name)) return judge(call, call.arguments[0], `\`${mod}\` ${r.name}`, false);
        }
        if (YAML_MODULES.includes(r.module)) {
          if (r.name === "unsafeLoad" || r.name === "unsafeLoadAll") return judge(call, call.arguments[0], `js-yaml \`${r.name}\``, true);
          // load / loadAll, and v3's safeLoad / safeLoadAll (safe only with their default schema)
          if (/^(safeL|l)oad(All)?$/.test(r.name)) {
            const opts = /All$/.test(r.name) && call.arguments.length >= 3 ? call.arguments[2] : call.arguments[1];
            const schema = optionValue(opts, "schema");
            if (schema && revivesFunctions(schema, imports)) return judge(call, call.arguments[0], `js-yaml \`${r.name}\` with a schema that constructs functions`, true);
          }
          return;
        }
        // serialize-javascript with { unsafe: true } does not escape HTML/JS in strings: user data breaks out of a <script>.
        if (r.module === "serialize-javascript" && (r.path.length <= 1 || r.path[0] === "default")) {
          if (!isTruthyConstant(optionValue(call.arguments[1], "unsafe"))) return;
          const t = call.arguments[0] && taintOf(call.arguments[0], "html");
          if (t) ctx.report({ node: call, severity: "warning", message: `\`serialize-javascript\` with \`unsafe: true\` on \`${t.source}\`: the output is not escaped, so it can close a <script> tag and inject code.` });
        }
      },
    };
  },
});

/** A js-yaml schema with the `!!js/function` type: v3's full schema, or a schema extended with js-yaml-js-types' function/all. */
function revivesFunctions(schema: ts.Expression, imports: { bindings: Map<string, { module?: string; path: string[] }> }): boolean {
  const text = unwrap(schema).getText();
  if (UNSAFE_SCHEMA.test(text) || JS_TYPES_FUNCTION.test(text)) return true;
  // import types from "js-yaml-js-types"; DEFAULT_SCHEMA.extend(types.function) / extend(jsFunction)
  for (const [local, b] of imports.bindings) {
    if (b.module !== "js-yaml-js-types") continue;
    const member = b.path.filter((p) => p !== "default").at(-1);
    if (member ? /^(all|function)$/.test(member) && new RegExp(`\\b${local}\\b`).test(text) : new RegExp(`\\b${local}\\s*\\.\\s*(all|function)\\b`).test(text)) return true;
  }
  return false;
}
