import { ts } from "ts-morph";
import { defineRule } from "../../src/core/rule.js";
import { taintOf, type Taint } from "../../src/core/taint.js";
import { enclosingFunction, isFunctionLike, memberName, receiverOf, unwrap, walk } from "../../src/core/ast.js";
import { findDeclaration } from "../../src/core/scope.js";
import { arrayLiteralOf, constantStringOf, isOperatorInput, objectLiteralOf, optionValue, parameterInput } from "../../src/core/sinks-injection.js";
import { literalPrefix, literalSkeleton } from "../../src/core/ast.js";
import { BROWSER_MODULES } from "../../src/core/headless.js";
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
  // eta v1/v2 `Eta.render(templateString, data)` compiles its first argument; v3's `new Eta().render(name)` takes a file name.
  [/^eta$/, new Set(["renderString", "renderStringAsync", "compile", "render", "renderAsync"])],
  [/^squirrelly$/, new Set(["render", "compile"])],
  [/^art-template$/, new Set(["render", "compile"])],
  [/^twig$/, new Set(["twig"])],
  [/^velocityjs$/, new Set(["render", "parse"])],
];

type Finding = { taint?: Taint; param?: string };

/** `import('${path}')` / `require("${path}")` as a template and nothing else. */
function isHiddenImport(arg: ts.Expression | undefined): boolean {
  const e = arg && unwrap(arg);
  if (!e || !ts.isTemplateExpression(e) || e.templateSpans.length !== 1) return false;
  return /^\s*(import|require)\(\s*['"]?$/.test(e.head.text) && /^['"]?\s*\)\s*;?\s*$/.test(e.templateSpans[0].literal.text);
}

export default defineRule({
  meta: {
    id: "security/code-injection",
    category: "security",
    severity: "error",
    cwe: ["CWE-94", "CWE-95", "CWE-1336"],
    title: "Code or template evaluated from untrusted input",
    description:
      "Data the caller controls is evaluated as JavaScript (eval, new Function, vm, string timers, vm2/sandbox), compiled as a server-side template, " +
      "picks the module that `require`/`import()` loads or the global function that is called, or a headless browser exposes its DevTools port (anyone reaching it runs script there). " +
      "An attacker runs arbitrary code in the server process: read secrets, spawn shells, pivot.",
    fix: "Never evaluate request data. Parse data with JSON.parse, look behaviour up in a map of allowed functions, and render fixed templates with user data passed as variables.",
  },
  create(ctx) {
    const weakOk = !ctx.file.isTest && !ctx.file.isScript;
    const imports = ctx.file.imports;
    const browserFile = imports.hasModule(...BROWSER_MODULES);

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

      // execFile("node", ["-e", code]) / spawn("python3", ["-c", code]): the interpreter evaluates the argument after the flag
      if (ts.isCallExpression(call) && ["execFile", "execFileSync", "spawn", "spawnSync"].includes(name) && imports.resolveCall(call)?.module === "child_process") {
        const code = interpreterCode(args[0], args[1]);
        if (code) report(call, check(code, false), `\`${constantStringOf(args[0])}\` evaluates script text built`);
        return;
      }
      // eval(x), window.eval(x), (0, eval)(x)
      if (name === "eval" && ts.isCallExpression(call)) {
        const global = ts.isIdentifier(callee) ? isGlobal(callee) : GLOBAL_OBJECTS.test(receiverOf(call)?.getText() ?? "");
        // eval(`import('${p}')`) hides a dynamic import from bundlers: a module load, judged like import(p) below.
        if (global) report(call, check(args[0], !isHiddenImport(args[0])), "`eval` of a string built");
        return;
      }
      // require(x) / import(x) of a module path the client picks: it loads and runs whatever file that names.
      // Only request data counts: plugin loaders with parameter paths are normal in libraries and CLIs.
      if (name === "require" && ts.isCallExpression(call) && ts.isIdentifier(callee) && isGlobal(callee) && args.length === 1) {
        const t = constantStringOf(args[0]) === undefined ? taintOf(args[0], "code") : undefined;
        if (t) report(call, { taint: t }, "Module loaded from a path built");
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
        if (mod === "eta" && r.instance && /^render(Async)?$/.test(r.name)) return;
        if (mod === "twig") {
          const data = args[0] && ts.isObjectLiteralExpression(unwrap(args[0])) ? (unwrap(args[0]) as ts.ObjectLiteralExpression).properties.find((p) => p.name?.getText() === "data") : undefined;
          if (data && ts.isPropertyAssignment(data)) report(call, check(data.initializer, false), "Server-side template compiled");
          return;
        }
        report(call, check(args[0], false), "Server-side template compiled");
        return;
      }
    };

    /** import(`./plugins/${req.query.name}`): as `require`, only request data counts. */
    const dynamicImport = (call: ts.CallExpression): void => {
      const t = call.arguments[0] && constantStringOf(call.arguments[0]) === undefined ? taintOf(call.arguments[0], "code") : undefined;
      if (t) report(call, { taint: t }, "Module imported from a path built");
    };

    /**
     * `global[name](arg)` / `const fn = globalThis[msg.fn]; fn(x)`: a global picked by outside data is called — eval,
     * Function, setTimeout or process-level helpers are all reachable that way.
     */
    const globalMethod = (access: ts.ElementAccessExpression): void => {
      if (ctx.file.isFrontend) return; // browser code: JSONP callbacks and the like, reviewed by front-end tools
      const obj = unwrap(access.expression);
      if (!ts.isIdentifier(obj) || !GLOBAL_OBJECTS.test(obj.text) || findDeclaration(obj)) return;
      const key = access.argumentExpression;
      if (constantStringOf(key) !== undefined || isNumericLike(key)) return;
      if (!isCalled(access)) return;
      const t = taintOf(key, "code");
      if (t) return report(access, { taint: t }, `Global function \`${obj.text}[…]\` picked by a name`);
      const p = parameterInput(key) ?? parsedMessageField(key);
      if (p) report(access, { param: p }, `Global function \`${obj.text}[…]\` picked by a name taken`);
    };

    /** puppeteer.launch({ args: ["--remote-debugging-address=0.0.0.0"] }): DevTools lets whoever connects run code in the browser. */
    const devtoolsFlags = (call: ts.CallExpression): void => {
      if (!weakOk) return;
      const r = imports.resolveCall(call);
      if (!r?.module || !BROWSER_MODULES.includes(r.module) || !/^(launch|launchPersistentContext|launchServer)$/.test(r.name)) return;
      const opts = call.arguments[r.name === "launchPersistentContext" ? 1 : 0];
      const list = arrayLiteralOf(optionValue(opts, "args"));
      for (const el of list?.elements ?? []) {
        const flag = literalPrefix(unwrap(el as ts.Expression)) ?? "";
        const m = /^--remote-debugging-(address|port|socket-name|targets)(?:=(.*))?/.exec(flag);
        if (!m) continue;
        const value = m[2] ?? "";
        // Loopback address / port 0 (what puppeteer itself picks) are not an exposure on their own.
        if (m[1] === "address" && /^(127\.|localhost$|::1$|\[::1\]$)/.test(value)) continue;
        if (m[1] === "port" && value === "0" && ts.isStringLiteralLike(unwrap(el as ts.Expression))) continue;
        ctx.report({
          node: el,
          severity: "warning",
          message: `Headless browser started with \`--remote-debugging-${m[1]}\`: whoever reaches the DevTools endpoint${m[1] === "address" ? " (here on a non-loopback address)" : ""} can run script in the browser and read local files through it. Drop the flag, or use \`--remote-debugging-pipe\`.`,
        });
        return;
      }
    };

    return {
      CallExpression(call) {
        if (call.expression.kind === ts.SyntaxKind.ImportKeyword) return dynamicImport(call);
        if (browserFile) devtoolsFlags(call);
        visit(call);
      },
      NewExpression: visit,
      ElementAccessExpression: globalMethod,
    };
  },
});

/** Interpreters and the flag after which their next argument is a program: `node -e`, `python -c`, `perl -e`, `ruby -e`, `php -r`. */
const INTERPRETER_EVAL: [RegExp, RegExp][] = [
  [/^(node|nodejs|deno|bun)$/, /^(-e|--eval|-p|--print)$/],
  [/^python[\d.]*$/, /^-c$/],
  [/^(perl|ruby)$/, /^-e$/],
  [/^php$/, /^-r$/],
];

/** The argument that `program args…` runs as code, when `program` is an interpreter and `args` a literal array with its eval flag. */
function interpreterCode(program: ts.Expression | undefined, args: ts.Expression | undefined): ts.Expression | undefined {
  const prog = program && constantStringOf(program)?.replace(/^.*[\\/]/, "").replace(/\.exe$/i, "");
  const arr = args && arrayLiteralOf(args);
  if (!prog || !arr) return undefined;
  const flag = INTERPRETER_EVAL.find(([p]) => p.test(prog))?.[1];
  if (!flag) return undefined;
  const elems = arr.elements;
  const i = elems.findIndex((e) => flag.test(constantStringOf(e) ?? ""));
  const code = i >= 0 ? elems[i + 1] : undefined;
  // `console.log(${JSON.stringify(x)})`: a JSON literal is a valid expression the value cannot break out of
  const u = code && unwrap(code);
  if (u && ts.isTemplateExpression(u) && u.templateSpans.every((sp) => /^JSON\.stringify\(/.test(unwrap(sp.expression).getText()))) return undefined;
  return code;
}

/** The accessed value is called: `obj[k](…)`, or `const fn = obj[k]` and `fn(…)` in the same function. */
function isCalled(access: ts.ElementAccessExpression): boolean {
  let e: ts.Node = access;
  while (e.parent && (ts.isParenthesizedExpression(e.parent) || ts.isAsExpression(e.parent) || ts.isNonNullExpression(e.parent))) e = e.parent;
  const p = e.parent;
  if (p && ts.isCallExpression(p) && p.expression === e) return true;
  if (!p || !ts.isVariableDeclaration(p) || p.initializer !== e || !ts.isIdentifier(p.name)) return false;
  const name = p.name.text;
  const scope = enclosingFunction(p)?.body ?? p.getSourceFile();
  let called = false;
  walk(scope, (n) => {
    if (ts.isCallExpression(n) && ts.isIdentifier(n.expression) && n.expression.text === name && findDeclaration(n.expression) === p) called = true;
    return !called;
  });
  return called;
}

/** `msg.name` where `const msg = JSON.parse(data)`: a field of a message parsed from outside text. */
function parsedMessageField(key: ts.Expression): string | undefined {
  const k = unwrap(key);
  if (!ts.isPropertyAccessExpression(k) && !ts.isElementAccessExpression(k)) return undefined;
  let root: ts.Expression = unwrap(k.expression);
  while (ts.isPropertyAccessExpression(root) || ts.isElementAccessExpression(root)) root = unwrap(root.expression);
  if (!ts.isIdentifier(root)) return undefined;
  const d = findDeclaration(root);
  const init = d && ts.isVariableDeclaration(d) && d.initializer ? unwrap(d.initializer) : undefined;
  const parsed = init && ts.isAwaitExpression(init) ? unwrap(init.expression) : init;
  if (!parsed || !ts.isCallExpression(parsed) || parsed.expression.getText() !== "JSON.parse" || !parsed.arguments[0]) return undefined;
  return constantStringOf(parsed.arguments[0]) === undefined ? k.getText() : undefined;
}

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
