import { ts } from "ts-morph";
import { memberName, propertyNameText, stringValue, unwrap } from "./ast.js";

/**
 * What a local name stands for: `path` is the chain below the module, e.g.
 * `import { exec as run } from "child_process"` → run = { module: "child_process", path: ["exec"] },
 * `const pool = new Pool()` (Pool from "pg") → pool = { module: "pg", path: ["Pool"], instance: true }.
 */
export interface Binding {
  module: string;
  path: string[];
  instance?: boolean;
}

export interface ResolvedCall {
  module?: string;
  /** Names below the module, last one being the called function ("exec", or ["Pool", "query"]). */
  path: string[];
  /** The called function's own name. */
  name: string;
  instance?: boolean;
}

/** Strips "node:" so `node:child_process` and `child_process` compare equal. */
export function normalizeModule(spec: string): string {
  return spec.startsWith("node:") ? spec.slice(5) : spec;
}

function requiredModule(expr: ts.Expression): string | undefined {
  const e = unwrap(expr);
  if (ts.isCallExpression(e) && ts.isIdentifier(e.expression) && e.expression.text === "require" && e.arguments.length === 1) {
    const spec = stringValue(e.arguments[0]);
    return spec === undefined ? undefined : normalizeModule(spec);
  }
  if (ts.isAwaitExpression(e)) {
    const inner = unwrap(e.expression);
    if (ts.isCallExpression(inner) && inner.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const spec = stringValue(inner.arguments[0]);
      return spec === undefined ? undefined : normalizeModule(spec);
    }
  }
  return undefined;
}

const PROMISIFY = new Set(["promisify"]);

/**
 * What ImportTable's walk over a whole file looks for, in walk order: variable declarations with an initializer, and
 * the module names of require()/`await import()` calls. Filled by setParentsAndFindImports for files parsed by analyze.
 */
const walkedImportNodes = new WeakMap<ts.SourceFile, (ts.VariableDeclaration | string)[]>();

/** Calls shaped like `require(x)` / `import(x)` (one argument), in walk order: what moduleImports' walk looks for. */
const walkedLoadCalls = new WeakMap<ts.SourceFile, ts.CallExpression[]>();

/** Every parameter declaration of the file, in walk order (taint sources are parameters with a role). */
const walkedParameters = new WeakMap<ts.SourceFile, ts.ParameterDeclaration[]>();

/** The parameters found by setParentsAndFindImports, if that walk ran on this file. */
export function parametersOf(sf: ts.SourceFile): readonly ts.ParameterDeclaration[] | undefined {
  return walkedParameters.get(sf);
}

/** The one-argument require()/import() calls found by setParentsAndFindImports, if that walk ran on this file. */
export function loadCallsOf(sf: ts.SourceFile): readonly ts.CallExpression[] | undefined {
  return walkedLoadCalls.get(sf);
}

/**
 * Sets every node's `parent`, as the parser's `setParentNodes` option does, and in the same pass records what the
 * import table and moduleImports (module-graph.ts) need, and the file's parameters (for taint's source check): one walk over the tree instead of two (each full walk costs about a tenth of the parse).
 * For a tree parsed with `setParentNodes: false` (parents are then unset).
 */
export function setParentsAndFindImports(sf: ts.SourceFile): void {
  const found: (ts.VariableDeclaration | string)[] = [];
  const loads: ts.CallExpression[] = [];
  const params: ts.ParameterDeclaration[] = [];
  let parent: ts.Node = sf;
  const visit = (n: ts.Node): void => {
    (n as { parent: ts.Node }).parent = parent;
    // Every node of the file passes here: read `kind` once.
    const kind = n.kind;
    if (kind === ts.SyntaxKind.VariableDeclaration) {
      if ((n as ts.VariableDeclaration).initializer) found.push(n as ts.VariableDeclaration);
    } else if (kind === ts.SyntaxKind.CallExpression) {
      const call = n as ts.CallExpression;
      const mod = requiredModule(call);
      if (mod) found.push(mod);
      if (call.arguments.length === 1 && (call.expression.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(call.expression) && call.expression.text === "require"))) loads.push(call);
    } else if (kind === ts.SyntaxKind.Parameter) {
      params.push(n as ts.ParameterDeclaration);
    }
    const outer = parent;
    parent = n;
    ts.forEachChild(n, visit);
    parent = outer;
  };
  ts.forEachChild(sf, visit);
  walkedImportNodes.set(sf, found);
  walkedLoadCalls.set(sf, loads);
  walkedParameters.set(sf, params);
}

/** The import table of one file: every name bound to a module at top level or in function bodies. */
export class ImportTable {
  readonly bindings = new Map<string, Binding>();
  readonly modules = new Set<string>();

  constructor(sf: ts.SourceFile) {
    this.collect(sf);
  }

  private collect(sf: ts.SourceFile): void {
    for (const st of sf.statements) {
      if (ts.isImportDeclaration(st)) {
        const spec = stringValue(st.moduleSpecifier);
        if (spec === undefined) continue;
        const mod = normalizeModule(spec);
        this.modules.add(mod);
        const clause = st.importClause;
        if (!clause) continue;
        if (clause.name) this.bindings.set(clause.name.text, { module: mod, path: ["default"] });
        const nb = clause.namedBindings;
        if (nb && ts.isNamespaceImport(nb)) this.bindings.set(nb.name.text, { module: mod, path: [] });
        if (nb && ts.isNamedImports(nb)) {
          for (const el of nb.elements) this.bindings.set(el.name.text, { module: mod, path: [(el.propertyName ?? el.name).text] });
        }
      } else if (ts.isImportEqualsDeclaration(st) && ts.isExternalModuleReference(st.moduleReference)) {
        const spec = stringValue(st.moduleReference.expression);
        if (spec !== undefined) {
          this.modules.add(normalizeModule(spec));
          this.bindings.set(st.name.text, { module: normalizeModule(spec), path: [] });
        }
      }
    }
    // Variable declarations anywhere: requires inside functions are common in older Node code.
    const found = walkedImportNodes.get(sf);
    if (found) {
      // Already found by the parent-setting walk (setParentsAndFindImports): replay in the same (pre)order.
      for (const item of found) {
        if (typeof item === "string") this.modules.add(item);
        else this.bindDeclaration(item);
      }
      return;
    }
    const visit = (n: ts.Node): void => {
      // Every node of the file passes here: read `kind` once.
      const kind = n.kind;
      if (kind === ts.SyntaxKind.VariableDeclaration) {
        if ((n as ts.VariableDeclaration).initializer) this.bindDeclaration(n as ts.VariableDeclaration);
      } else if (kind === ts.SyntaxKind.CallExpression) {
        const mod = requiredModule(n as ts.CallExpression);
        if (mod) this.modules.add(mod);
      }
      ts.forEachChild(n, visit);
    };
    ts.forEachChild(sf, visit);
  }

  private bindDeclaration(decl: ts.VariableDeclaration): void {
    const value = this.bindingOf(decl.initializer!);
    if (!value) return;
    if (ts.isIdentifier(decl.name)) {
      if (!this.bindings.has(decl.name.text)) this.bindings.set(decl.name.text, value);
    } else if (ts.isObjectBindingPattern(decl.name)) {
      for (const el of decl.name.elements) {
        const key = el.propertyName ? propertyNameText(el.propertyName) : ts.isIdentifier(el.name) ? el.name.text : undefined;
        if (key && ts.isIdentifier(el.name)) this.bindings.set(el.name.text, { module: value.module, path: [...value.path, key] });
      }
    }
  }

  /** What an initializer expression refers to, in module terms. */
  bindingOf(expr: ts.Expression): Binding | undefined {
    const e = unwrap(expr);
    const mod = requiredModule(e);
    if (mod) {
      if (!this.modules.has(mod)) {
        this.modules.add(mod);
        this.parentModules = undefined;
      }
      return { module: mod, path: [] };
    }
    if (ts.isAwaitExpression(e)) return this.bindingOf(e.expression);
    if (ts.isIdentifier(e)) return this.bindings.get(e.text);
    if (ts.isPropertyAccessExpression(e) || ts.isElementAccessExpression(e)) {
      const base = this.bindingOf(e.expression);
      const name = memberName(e);
      return base && name ? { module: base.module, path: [...base.path, name], instance: base.instance } : undefined;
    }
    if (ts.isCallExpression(e)) {
      // promisify(exec) / util.promisify(cp.exec) keep pointing at the wrapped function.
      const callee = memberName(e.expression);
      if (callee && PROMISIFY.has(callee) && e.arguments.length === 1) return this.bindingOf(e.arguments[0]);
      const base = this.bindingOf(e.expression);
      // Factories: require("knex")({...}), mysql.createPool(), express() → an instance of the module's thing.
      if (base) return { module: base.module, path: base.path, instance: true };
      return undefined;
    }
    if (ts.isNewExpression(e)) {
      const base = this.bindingOf(e.expression);
      return base ? { module: base.module, path: base.path, instance: true } : undefined;
    }
    return undefined;
  }

  private readonly resolved = new WeakMap<ts.Node, ResolvedCall | null>();

  /** Resolves what a call invokes, however the module was imported. */
  resolveCall(call: ts.CallExpression | ts.NewExpression): ResolvedCall | undefined {
    // Many rules resolve the same call; the bindings are complete once the table is built, so the answer is fixed.
    // (Callers only read the result.)
    const cached = this.resolved.get(call);
    if (cached !== undefined) return cached ?? undefined;
    const r = this.resolveUncached(call);
    this.resolved.set(call, r ?? null);
    return r;
  }

  private resolveUncached(call: ts.CallExpression | ts.NewExpression): ResolvedCall | undefined {
    const callee = unwrap(call.expression);
    const name = memberName(callee);
    if (!name) return undefined;
    if (ts.isIdentifier(callee)) {
      const b = this.bindings.get(callee.text);
      return b ? { module: b.module, path: b.path.length ? b.path : [name], name: b.path.at(-1) ?? name, instance: b.instance } : { path: [name], name };
    }
    if (ts.isPropertyAccessExpression(callee) || ts.isElementAccessExpression(callee)) {
      const base = this.bindingOf(callee.expression);
      if (base) return { module: base.module, path: [...base.path, name], name, instance: base.instance };
      return { path: [name], name };
    }
    return undefined;
  }

  /** True when the call resolves to `module` and its function name is one of `names` (any depth: cp.exec, require('cp').exec). */
  isCallTo(call: ts.CallExpression | ts.NewExpression, modules: string | readonly string[], names?: readonly string[]): boolean {
    const r = this.resolveCall(call);
    if (!r?.module) return false;
    const mods = typeof modules === "string" ? [modules] : modules;
    if (!mods.includes(r.module)) return false;
    return !names || names.includes(r.name);
  }

  /** Does the file import any of `mods`, or a subpath of one (`lodash/merge` counts as `lodash`)? */
  hasModule(...mods: string[]): boolean {
    const parents = (this.parentModules ??= parentsOf(this.modules));
    return mods.some((m) => this.modules.has(m) || parents.has(m));
  }

  /** Every `a` and `a/b` above an imported `a/b/c`: built once per file, asked by many rules. */
  private parentModules?: Set<string>;
}

function parentsOf(modules: Set<string>): Set<string> {
  const out = new Set<string>();
  for (const m of modules) for (let i = m.indexOf("/"); i > 0; i = m.indexOf("/", i + 1)) out.add(m.slice(0, i));
  return out;
}
