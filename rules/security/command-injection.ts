import { ts } from "ts-morph";
import { defineRule } from "../../src/core/rule.js";
import { taintOf, type Taint } from "../../src/core/taint.js";
import { literalPrefix, memberName, unwrap } from "../../src/core/ast.js";
import { assignmentsTo, findDeclaration } from "../../src/core/scope.js";
import type { ResolvedCall } from "../../src/core/imports.js";
import { arrayLiteralOf, constantStringOf, isMaybeTruthy, isOperatorInput, objectLiteralOf, optionValue, parameterInput } from "../../src/core/sinks-injection.js";

const CP_MODULES = ["child_process", "child-process-promise", "child-process-async", "promisify-child-process"];
/** Functions that hand their first argument to /bin/sh -c. */
const SHELL_STRING = new Set(["exec", "execSync"]);
/** Functions taking (program, args[], options): a shell only with `shell: true`. */
const PROGRAM_ARGS = new Set(["spawn", "spawnSync", "execFile", "execFileSync"]);
const EXECA_COMMAND = new Set(["execaCommand", "execaCommandSync", "command", "commandSync"]);
const EXECA_FILE = new Set(["execa", "execaSync", "execaNode", "default", "sync", "node"]);
const SHELLS = /^(?:.*[\\/])?(sh|bash|zsh|dash|ksh|csh|tcsh|fish|ash|cmd|cmd\.exe|powershell|powershell\.exe|pwsh)$/i;

type Finding = { taint?: Taint; param?: string };

function check(expr: ts.Expression | undefined): Finding | undefined {
  if (!expr) return undefined;
  const t = taintOf(expr, "command");
  if (t) return { taint: t };
  const p = parameterInput(expr);
  return p ? { param: p } : undefined;
}

function checkAll(exprs: readonly (ts.Expression | undefined)[]): Finding | undefined {
  let weak: Finding | undefined;
  for (const e of exprs) {
    const f = check(e);
    if (f?.taint) return f;
    weak ??= f;
  }
  return weak;
}

/**
 * Elements of an args array (inline literal or a variable holding one); the array itself when unknown. A variable
 * is kept too: `args[1] = cmd` / `args.push(cmd)` after `const args = []` fill it later.
 */
function argElements(expr: ts.Expression | undefined): ts.Expression[] {
  if (!expr) return [];
  const lit = arrayLiteralOf(expr);
  if (!lit) return [unwrap(expr)];
  return ts.isIdentifier(unwrap(expr)) ? [...lit.elements, unwrap(expr)] : [...lit.elements];
}

/**
 * The strings a program name can be when every value it may hold is a literal: `isWin ? "cmd.exe" : "/bin/sh"`,
 * `let sh; if (win) sh = "cmd.exe"; else sh = "/bin/sh"`. Undefined when some value is computed.
 */
function possiblePrograms(expr: ts.Expression, depth = 0): string[] | undefined {
  if (depth > 4) return undefined;
  const e = unwrap(expr);
  const s = constantStringOf(e);
  if (s !== undefined) return [s];
  if (ts.isConditionalExpression(e)) {
    const a = possiblePrograms(e.whenTrue, depth + 1);
    const b = a && possiblePrograms(e.whenFalse, depth + 1);
    return a && b ? [...a, ...b] : undefined;
  }
  if (ts.isIdentifier(e)) {
    const d = findDeclaration(e);
    if (!d || !ts.isVariableDeclaration(d)) return undefined;
    const values = [...(d.initializer ? [d.initializer] : []), ...assignmentsTo(d)];
    if (!values.length) return undefined;
    const out: string[] = [];
    for (const v of values) {
      const p = possiblePrograms(v, depth + 1);
      if (!p) return undefined;
      out.push(...p);
    }
    return out;
  }
  return undefined;
}

export default defineRule({
  meta: {
    id: "security/command-injection",
    category: "security",
    severity: "error",
    cwe: ["CWE-78", "CWE-77"],
    title: "OS command built from untrusted input",
    description:
      "A shell command line (or the program to run) contains data the caller controls. Shell metacharacters (`;`, `&&`, `$()`, backticks) " +
      "let an attacker run arbitrary commands on the server with the service's privileges.",
    fix: "Run a fixed program with an argument array and no shell (`execFile('convert', [input, output])`, `spawn(cmd, args)` without `shell: true`); validate values against an allow-list; never pass request data to `exec`.",
  },
  create(ctx) {
    // In tests and fixtures only request-tainted commands are reported, not parameter-built ones.
    const weakOk = !ctx.file.isTest && !ctx.file.isScript;
    const imports = ctx.file.imports;

    const report = (node: ts.Node, f: Finding, what: string): void => {
      if (f.taint && !isOperatorInput(ctx.file, f.taint.source)) {
        ctx.report({ node, message: `${what} built from \`${f.taint.source}\`: an attacker can inject shell commands. Use execFile/spawn with an argument array and no shell.` });
      } else if (f.param && weakOk) {
        ctx.report({ node, severity: "warning", message: `${what} built from \`${f.param}\`: whoever calls this controls the command line. Use execFile/spawn with an argument array and no shell.` });
      }
    };

    /** spawn(program, args, { shell }) style calls. */
    const checkProgramArgs = (call: ts.CallExpression, what: string): void => {
      const [program, second, third] = call.arguments;
      if (!program) return;
      const hasArgs = second && !objectLiteralOf(second) && !isOptionsLike(second);
      const options = hasArgs ? third : second;
      const shell = optionValue(options, "shell");
      const args = hasArgs ? argElements(second) : [];
      if (shell && isMaybeTruthy(shell)) {
        const f = checkAll([program, ...args]);
        if (f) return report(call, f, `${what} with \`shell: true\` and a command line`);
        return;
      }
      const programs = possiblePrograms(program);
      const prog = programs?.find((p) => SHELLS.test(p)) ?? programs?.[0];
      if (prog === undefined) {
        const f = check(program);
        if (f) report(call, f, `${what} of a program name`);
        return;
      }
      if (SHELLS.test(prog)) {
        // spawn("sh", ["-c", cmd]) is exec(cmd)
        const f = checkAll(args);
        if (f) report(call, f, `${what} of \`${prog}\` with a script`);
        return;
      }
      if (hasArgs) argumentInjection(call, prog, args, what);
    };

    /**
     * spawn("git", ["clone", url]): no shell, but a value starting with `-` is read as an option
     * (`--upload-pack=…`, `-oProxyCommand=…`, `--output=…`) and these programs run commands or write files through options.
     */
    const argumentInjection = (call: ts.Node, prog: string, args: ts.Expression[], what: string): void => {
      const base = prog.replace(/^.*[\\/]/, "").replace(/\.exe$/i, "");
      if (!OPTION_RUNNERS.test(base)) return;
      const literals = args.map((a) => constantStringOf(a));
      const sub = literals.find((l) => l !== undefined && !l.startsWith("-"));
      for (let i = 0; i < args.length; i++) {
        if (literals[i] !== undefined) continue;
        if (literals.slice(0, i).includes("--")) return; // end of options: later values are operands
        const a = unwrap(args[i]);
        if (ts.isSpreadElement(a)) continue;
        const prefix = literalPrefix(a);
        if (prefix && !prefix.startsWith("-")) continue; // "https://…${x}": cannot start with a dash
        const t = taintOf(a, "command");
        const param = t ? undefined : base === "git" && sub && /^(clone|fetch|ls-remote|pull|submodule|archive)$/.test(sub) ? parameterInput(a) : undefined;
        if (t && isOperatorInput(ctx.file, t.source)) continue;
        if (!t && !(param && weakOk)) continue;
        ctx.report({
          node: call,
          severity: "warning",
          message: `${what} of \`${base}\` with an argument from \`${t?.source ?? param}\`: a value starting with \`-\` is taken as an option (e.g. \`--upload-pack\`, \`-oProxyCommand\`) and runs commands. Put \`"--"\` before user values or check they do not start with \`-\`.`,
        });
        return;
      }
    };

    /** `util.promisify(cp.exec)(cmd)`: the wrapped function called on the spot. */
    const promisifiedCall = (call: ts.CallExpression): ResolvedCall | undefined => {
      const callee = unwrap(call.expression);
      if (!ts.isCallExpression(callee) || memberName(callee.expression) !== "promisify" || callee.arguments.length !== 1) return undefined;
      const b = imports.bindingOf(callee.arguments[0]);
      const name = b?.path.at(-1);
      return b && name ? { module: b.module, path: b.path, name, instance: b.instance } : undefined;
    };

    return {
      CallExpression(call) {
        if (isDenoRun(call)) {
          // Deno.run({ cmd: [program, ...args] }) / new Deno.Command(program, { args })
          const cmd = optionValue(call.arguments[0], "cmd");
          const list = arrayLiteralOf(cmd);
          if (!list || !list.elements.length) return;
          const prop = cmd && cmd.parent && ts.isPropertyAssignment(cmd.parent) ? cmd.parent : call;
          const [program, ...rest] = list.elements;
          const prog = constantStringOf(program);
          if (prog === undefined) {
            const f = check(program);
            if (f) report(prop, f, "`Deno.run` of a program name");
          } else if (SHELLS.test(prog)) {
            const f = checkAll(rest);
            if (f) report(prop, f, `\`Deno.run\` of \`${prog}\` with a script`);
          } else argumentInjection(prop, prog, rest, "`Deno.run`");
          return;
        }
        const r = imports.resolveCall(call) ?? promisifiedCall(call);
        if (!r) return;
        const mod = r.module;
        const name = r.name;
        if (mod && CP_MODULES.includes(mod)) {
          if (SHELL_STRING.has(name)) {
            const f = check(call.arguments[0]);
            if (f) report(call, f, `Shell command passed to \`${name}\``);
          } else if (PROGRAM_ARGS.has(name)) {
            checkProgramArgs(call, `\`${name}\``);
          } else if (name === "fork") {
            const t = call.arguments[0] && taintOf(call.arguments[0], "command");
            if (t) report(call, { taint: t }, "Module path passed to `fork`");
          }
          return;
        }
        if (mod === "cross-spawn" && (r.path.length === 1 ? ["default", "spawn", "sync"].includes(name) || r.path[0] === "default" : PROGRAM_ARGS.has(name) || name === "sync")) {
          checkProgramArgs(call, "`cross-spawn`");
          return;
        }
        if (mod === "execa") {
          if (EXECA_COMMAND.has(name)) {
            const f = check(call.arguments[0]);
            if (f) report(call, f, `Command line passed to \`${name}\``);
          } else if (EXECA_FILE.has(name) || r.path[0] === "execa") {
            checkProgramArgs(call, `\`${name}\``);
          }
          return;
        }
        if ((mod === "shelljs" || mod === "shelljs/global") && name === "exec") {
          const f = check(call.arguments[0]);
          if (f) report(call, f, "Shell command passed to `shell.exec`");
          return;
        }
        if (mod === "node-cmd" && ["run", "get", "runSync"].includes(name)) {
          const f = check(call.arguments[0]);
          if (f) report(call, f, `Shell command passed to \`cmd.${name}\``);
          return;
        }
        if (mod === "exec-sh" || (mod === "shell-exec" && r.path[0] === "default")) {
          const f = check(call.arguments[0]);
          if (f) report(call, f, "Shell command");
        }
      },
      TaggedTemplateExpression(tt) {
        // execa's $`…` escapes interpolations as arguments; only a spliced program name is dangerous.
        const tag = unwrap(tt.tag);
        const base = ts.isCallExpression(tag) ? tag.expression : tag;
        const tagName = memberName(base);
        if (tagName !== "$" && tagName !== "$sync") return;
        const b = ts.isIdentifier(base) ? imports.bindings.get(base.text) : undefined;
        if (b?.module !== "execa" && b?.module !== "zx") return;
        if (!ts.isTemplateExpression(tt.template)) return;
        if (b.module === "execa" && tt.template.head.text.trim() !== "") return;
        // zx quotes interpolations too; a leading interpolation still picks the program.
        if (b.module === "zx" && tt.template.head.text.trim() !== "") return;
        const t = taintOf(tt.template.templateSpans[0].expression, "command");
        if (t) report(tt, { taint: t }, "Program name in a `$` command");
      },
    };
  },
});

/** Programs whose options run commands, fetch or write arbitrary files. */
const OPTION_RUNNERS = /^(git|ssh|scp|sftp|rsync|curl|wget|tar|zip|unzip|hg|svn|find|sendmail)$/;

function isDenoRun(call: ts.CallExpression): boolean {
  const c = unwrap(call.expression);
  return ts.isPropertyAccessExpression(c) && c.name.text === "run" && ts.isIdentifier(c.expression) && c.expression.text === "Deno" && !findDeclaration(c.expression);
}

function isOptionsLike(expr: ts.Expression): boolean {
  const e = unwrap(expr);
  return ts.isIdentifier(e) && /^(opts|options|config|spawnOptions|execOptions)$/i.test(e.text);
}
