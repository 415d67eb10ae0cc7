import { ts } from "ts-morph";
import { defineRule } from "../../src/core/rule.js";
import { taintOf, type Taint } from "../../src/core/taint.js";
import { isFunctionLike, memberName, receiverOf, unwrap } from "../../src/core/ast.js";
import { findDeclaration } from "../../src/core/scope.js";
import { constantStringOf, isOperatorInput, objectLiteralOf, optionValue, parameterInput } from "../../src/core/sinks-injection.js";
import { literalSkeleton } from "../../src/core/ast.js";
import { interpolations } from "../../src/core/strings.js";
import { isNumericLike } from "../../src/core/values.js";

/** vm functions whose first argument is source code. */
const VM_CODE = new Set(["runInNewContext", "runInThisContext", "runInContext", "compileFunction", "Script", "SourceTextModule"]);
const TIMERS = new Set(["setTimeout", "setInterval", "setImmediate"]);
const GLOBAL_OBJECTS = /^(window|global|globalThis|self)$/;

/** Template engines: [module, functions whose first argument is template source]. */
const TEMPLATE_ENGINES: [RegExp, Set<string>][] = [
  [/^ejs$/, new Set(["render", "compile"])],
  [/^pug$|^jade$/, new Set(["render", "compile", "compileClient", "compileClientWithDependenciesTracked"])],
  [/^handlebars$|^hbs$|^express-handlebars$/, new Set(["compile", "precompile"])],
  [/^nunjucks$/, new Set(["renderString", "compile", "Template"])],
  [/^lodash$|^lodash\.template$|^underscore$|^lodash-es$/, new Set(["template", "default"])],
  [/^dot$/, new Set(["template", "compile"])],
  [/^mustache$/, new Set(["render", "parse"])],
  [/^hogan\.js$/, new Set(["compile"])],
  [/^eta$/, new Set(["renderString", "renderStringAsync", "compile"])],
  [/^squirrelly$/, new Set(["render", "compile"])],
  [/^art-template$/, new Set(["render", "compile"])],
  [/^twig$/, new Set(["twig"])],
  [/^velocityjs$/, new Set(["render", "parse"])],
];

type Finding = { taint?: Taint; param?: string };

export default defineRule({
  meta: {
    id: "security/code-injection",
    category: "security",
    severity: "error",
    cwe: ["CWE-94", "CWE-95", "CWE-1336"],
    title: "Code or template evaluated from untrusted input",
    description:
      "Data the caller controls is evaluated as JavaScript (eval, new Function, vm, string timers, vm2/sandbox) or compiled as a server-side template. " +
      "An attacker runs arbitrary code in the server process: read secrets, spawn shells, pivot.",
    fix: "Never evaluate request data. Parse data with JSON.parse, look behaviour up in a map of allowed functions, and render fixed templates with user data passed as variables.",
  },
  create(ctx) {
    const weakOk = !ctx.file.isTest && !ctx.file.isScript;
    const imports = ctx.file.imports;

    const report = (node: ts.Node, f: Finding | undefined, what: string, weak = true): void => {
      if (!f) return;
      if (f.taint && !isOperatorInput(ctx.file, f.taint.source)) ctx.report({ node, message: `${what} from \`${f.taint.source}\`: an attacker can run arbitrary code on the server.` });
      else if (f.param && weak && weakOk) ctx.report({ node, severity: "warning", message: `${what} from \`${f.param}\`: whoever calls this decides what code runs.` });
    };
    const check = (expr: ts.Expression | undefined, weak = true): Finding | undefined => {
      if (!expr) return undefined;
      const t = taintOf(expr, "code");
      if (t) return { taint: t };
      if (!weak || constantStringOf(expr) !== undefined) return undefined;
      const p = parameterInput(expr) ?? builtCode(expr);
      return p ? { param: p } : undefined;
    };

    const sandboxReport = (node: ts.Node, what: string, t: Taint): void => {
      ctx.report({ node, severity: "warning", message: `${what} carries \`${t.source}\`: Node's vm is not a security boundary, code in the context can reach the host through objects passed in. Keep request data out of the sandbox or use an isolate (isolated-vm).` });
    };

    const isGlobal = (id: ts.Identifier): boolean => !findDeclaration(id) && !imports.bindings.has(id.text);

    const visit = (call: ts.CallExpression | ts.NewExpression): void => {
      const callee = unwrap(call.expression);
      const args = call.arguments ?? [];
      const name = memberName(callee);
      if (!name) return;

      // eval(x), window.eval(x), (0, eval)(x)
      if (name === "eval" && ts.isCallExpression(call)) {
        const global = ts.isIdentifier(callee) ? isGlobal(callee) : GLOBAL_OBJECTS.test(receiverOf(call)?.getText() ?? "");
        if (global) report(call, check(args[0]), "`eval` of a string built");
        return;
      }
      // new Function("a", body) / Function(body)
      if (name === "Function" && ts.isIdentifier(callee) && isGlobal(callee)) {
        if (!args.length) return;
        const body = check(args[args.length - 1]);
        const any = body?.taint ? body : args.map((a) => check(a, false)).find(Boolean) ?? body;
        report(call, any, "`Function` constructor with code built");
        return;
      }
      // setTimeout("code" + x, 100)
      if (TIMERS.has(name) && ts.isCallExpression(call) && (ts.isIdentifier(callee) ? isGlobal(callee) : GLOBAL_OBJECTS.test(receiverOf(call)?.getText() ?? ""))) {
        const first = args[0] && unwrap(args[0]);
        if (!first || isFunctionLike(first) || ts.isArrowFunction(first) || ts.isFunctionExpression(first)) return;
        const stringy = ts.isTemplateExpression(first) || (ts.isBinaryExpression(first) && first.operatorToken.kind === ts.SyntaxKind.PlusToken);
        const t = taintOf(first, "code");
        if (t) report(call, { taint: t }, `\`${name}\` with a code string built`);
        else if (stringy) report(call, check(first), `\`${name}\` with a code string built`);
        return;
      }

      if (name === "VMScript" && ts.isNewExpression(call) && imports.hasModule("vm2") && !imports.bindings.has("VMScript")) {
        report(call, check(args[0]), "`vm2` VMScript of code built");
        return;
      }
      const r = imports.resolveCall(call);
      if (!r?.module) return;
      const mod = r.module;
      if (mod === "vm" && VM_CODE.has(r.name)) {
        const code = check(args[0]);
        if (code) return report(call, code, `\`vm.${r.name}\` of code built`);
        // The sandbox / parsing context carries request data: vm is no security boundary, objects passed in leak
        // their constructors (`this.constructor.constructor("return process")()`).
        const context = r.name === "compileFunction" ? [optionValue(args[2], "parsingContext"), optionValue(args[2], "contextExtensions")] : r.name === "runInContext" || r.name === "runInNewContext" ? [args[1]] : [];
        for (const c0 of context) {
          const c = c0 && contextObject(c0);
          const t = c && taintOf(c, "code");
          if (t && !isOperatorInput(ctx.file, t.source)) return sandboxReport(call, `\`vm.${r.name}\` context`, t);
        }
        return;
      }
      if (mod === "vm" && r.name === "createContext" && args[0] && ts.isObjectLiteralExpression(unwrap(args[0]))) {
        const t = taintOf(args[0], "code");
        if (t && !isOperatorInput(ctx.file, t.source)) sandboxReport(call, "`vm.createContext` object", t);
        return;
      }
      if (mod === "vm2" && (r.name === "VM" || r.name === "NodeVM") && ts.isNewExpression(call)) {
        // vm2 copies primitives in; a whole parsed request object carries host prototypes into the sandbox.
        const sandbox = objectLiteralOf(optionValue(args[0], "sandbox"));
        for (const p of sandbox?.properties ?? []) {
          const v = ts.isPropertyAssignment(p) ? p.initializer : ts.isShorthandPropertyAssignment(p) ? p.name : undefined;
          const t = v && taintOf(v, "code");
          if (t && /^[\w$]+\.(body|query|params|headers|cookies|payload)$/.test(t.source)) return sandboxReport(call, `\`vm2\` ${r.name} sandbox`, t);
        }
        return;
      }
      if (mod === "vm2" || mod === "sandbox" || mod === "isolated-vm") {
        // new VM().run(code), nodeVM.run(code), new VMScript(code), new Sandbox().run(code)
        if ((r.name === "run" && r.instance) || r.name === "VMScript" || r.name === "Script" || (mod === "isolated-vm" && /^(compileScript|compileScriptSync|eval|evalSync|evalClosure|evalClosureSync)$/.test(r.name) && r.instance)) {
          const first = args[0] && unwrap(args[0]);
          const compiled = first && r.name === "run" ? compiledScriptSource(first) : undefined;
          if (compiled) {
            // nodeVM.run(script) of a VMScript compiled from request data: flagged where built and where run.
            const t = taintOf(compiled, "code");
            if (t) report(call, { taint: t }, `\`${mod}\` run of a VMScript built`);
            return;
          }
          if (first && ts.isIdentifier(first) && /script/i.test(first.text) && r.name === "run") return; // a compiled script we cannot see
          report(call, check(args[0]), `\`${mod}\` ${r.name} of code built`);
        }
        return;
      }
      if (mod === "safe-eval" || mod === "static-eval" || mod === "notevil" || mod === "eval") {
        report(call, check(args[0]), `\`${mod}\` of code built`);
        return;
      }
      for (const [re, fns] of TEMPLATE_ENGINES) {
        if (!re.test(mod)) continue;
        const whole = /^lodash\.template$/.test(mod); // require("lodash.template") is the function itself
        if (!whole && !fns.has(r.name)) continue;
        if (mod === "twig") {
          const data = args[0] && ts.isObjectLiteralExpression(unwrap(args[0])) ? (unwrap(args[0]) as ts.ObjectLiteralExpression).properties.find((p) => p.name?.getText() === "data") : undefined;
          if (data && ts.isPropertyAssignment(data)) report(call, check(data.initializer, false), "Server-side template compiled");
          return;
        }
        report(call, check(args[0], false), "Server-side template compiled");
        return;
      }
    };

    return {
      CallExpression: visit,
      NewExpression: visit,
    };
  },
});

/** `const context = vm.createContext({ … })`: the object that was contextified. */
function contextObject(expr: ts.Expression): ts.Expression {
  const e = unwrap(expr);
  if (!ts.isIdentifier(e)) return e;
  const d = findDeclaration(e);
  const init = d && ts.isVariableDeclaration(d) && d.initializer ? unwrap(d.initializer) : undefined;
  return init && ts.isCallExpression(init) && memberName(init.expression) === "createContext" && init.arguments[0] ? init.arguments[0] : e;
}

/** `const script = new VMScript(code)` / `new vm.Script(code)`: the code a compiled script holds. */
function compiledScriptSource(expr: ts.Expression): ts.Expression | undefined {
  if (!ts.isIdentifier(expr)) return undefined;
  const d = findDeclaration(expr);
  if (!d || !ts.isVariableDeclaration(d) || !d.initializer) return undefined;
  const init = unwrap(d.initializer);
  return ts.isNewExpression(init) && /^(VMScript|Script)$/.test(memberName(init.expression) ?? "") ? init.arguments?.[0] : undefined;
}

/**
 * Code text spliced together at run time (`"return " + expr`, `${x}(a, b)`, `code.concat(x)`), directly or through one
 * variable: its non-constant part names the value. JSON wrapped in parentheses (`"(" + json + ")"`) is not counted.
 */
function builtCode(expr: ts.Expression, depth = 0): string | undefined {
  const e = unwrap(expr);
  if (depth > 2) return undefined;
  if (ts.isIdentifier(e)) {
    const d = findDeclaration(e);
    if (d && ts.isVariableDeclaration(d) && d.initializer) return builtCode(d.initializer, depth + 1);
    return undefined;
  }
  if (ts.isCallExpression(e) && memberName(e.expression) === "concat" && ts.isPropertyAccessExpression(e.expression)) {
    return [e.expression.expression, ...e.arguments].map((a) => dynamicPart(a)).find(Boolean);
  }
  const skeleton = literalSkeleton(e, "?");
  if (skeleton === undefined || !(ts.isTemplateExpression(e) || ts.isBinaryExpression(e))) return undefined;
  if (/^\s*\(?\s*\?\s*\)?\s*$/.test(skeleton)) return undefined; // "(" + json + ")": data, not code
  for (const part of interpolations(e)) {
    const d = dynamicPart(part);
    if (d) return d;
  }
  return undefined;
}

function dynamicPart(part: ts.Expression): string | undefined {
  const p = unwrap(part);
  if (constantStringOf(p) !== undefined || ts.isNumericLiteral(p)) return undefined;
  const text = p.getText();
  if (/^[A-Z][A-Z0-9_]*(\.[A-Za-z0-9_]+)*$/.test(text)) return undefined;
  if (isNumericLike(p)) return undefined;
  if (ts.isCallExpression(p) && /^(JSON\.stringify|String|Number)$/.test(p.expression.getText())) return undefined;
  return text.length > 40 ? text.slice(0, 40) + "…" : text;
}
