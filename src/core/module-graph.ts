import { ts } from "ts-morph";
import { stringValue } from "./ast.js";
import { loadCallsOf, normalizeModule } from "./imports.js";
import { normalizePath } from "./project-facts.js";

/** One import of a file: `import … from "x"`, `export … from "x"`, `require("x")`, `import("x")`, `import x = require("x")`. */
export interface ModuleImport {
  spec: string;
  /** The node to report on (the import statement or the require call). */
  node: ts.Node;
  /** `import type` / `export type`, or every named import is `type`: erased at run time. */
  typeOnly: boolean;
  /** Names bound locally by this import (default, named, namespace). */
  names: string[];
}

const cache = new WeakMap<ts.SourceFile, ModuleImport[]>();

/** Every static module import of a file, in source order. */
export function moduleImports(sf: ts.SourceFile): ModuleImport[] {
  const cached = cache.get(sf);
  if (cached) return cached;
  const out: ModuleImport[] = [];
  for (const st of sf.statements) {
    if (ts.isImportDeclaration(st)) {
      const spec = stringValue(st.moduleSpecifier);
      if (spec === undefined) continue;
      const clause = st.importClause;
      const names: string[] = [];
      let typeOnly = !!clause?.isTypeOnly;
      if (clause) {
        if (clause.name) names.push(clause.name.text);
        const nb = clause.namedBindings;
        if (nb && ts.isNamespaceImport(nb)) names.push(nb.name.text);
        if (nb && ts.isNamedImports(nb)) {
          for (const el of nb.elements) names.push(el.name.text);
          if (!clause.name && nb.elements.length > 0 && nb.elements.every((el) => el.isTypeOnly)) typeOnly = true;
        }
      }
      out.push({ spec: normalizeModule(spec), node: st, typeOnly, names });
    } else if (ts.isExportDeclaration(st) && st.moduleSpecifier) {
      const spec = stringValue(st.moduleSpecifier);
      if (spec !== undefined) out.push({ spec: normalizeModule(spec), node: st, typeOnly: st.isTypeOnly, names: [] });
    } else if (ts.isImportEqualsDeclaration(st) && ts.isExternalModuleReference(st.moduleReference)) {
      const spec = stringValue(st.moduleReference.expression);
      if (spec !== undefined) out.push({ spec: normalizeModule(spec), node: st, typeOnly: st.isTypeOnly, names: [st.name.text] });
    }
  }
  const addLoad = (n: ts.Node): void => {
    if (ts.isCallExpression(n) && n.arguments.length === 1) {
      const isRequire = ts.isIdentifier(n.expression) && n.expression.text === "require";
      const isDynamic = n.expression.kind === ts.SyntaxKind.ImportKeyword;
      const spec = (isRequire || isDynamic) ? stringValue(n.arguments[0]) : undefined;
      if (spec !== undefined) {
        const names: string[] = [];
        let p: ts.Node = n.parent;
        while (p && (ts.isAwaitExpression(p) || ts.isParenthesizedExpression(p))) p = p.parent;
        if (p && ts.isVariableDeclaration(p)) {
          if (ts.isIdentifier(p.name)) names.push(p.name.text);
          else if (ts.isObjectBindingPattern(p.name)) for (const el of p.name.elements) if (ts.isIdentifier(el.name)) names.push(el.name.text);
        }
        const stmt = ts.isVariableDeclaration(p) ? p.parent?.parent ?? n : n;
        out.push({ spec: normalizeModule(spec), node: ts.isVariableStatement(stmt) ? stmt : n, typeOnly: false, names });
      }
    }
  };
  // The require()/import() calls were found when the tree's parents were set (same order as this walk would find them).
  const loads = loadCallsOf(sf);
  if (loads) for (const call of loads) addLoad(call);
  else {
    const visit = (n: ts.Node): void => {
      addLoad(n);
      ts.forEachChild(n, visit);
    };
    visit(sf);
  }
  out.sort((a, b) => a.node.pos - b.node.pos);
  cache.set(sf, out);
  return out;
}

/** The repository path a relative specifier points at (without extension guessing), e.g. src/a/b.ts + ../c → src/c. */
export function joinSpec(fromPath: string, spec: string): string {
  const dir = fromPath.includes("/") ? fromPath.slice(0, fromPath.lastIndexOf("/")) : "";
  return normalizePath(dir ? `${dir}/${spec}` : spec).replace(/\.(js|mjs|cjs|jsx)$/, "");
}

/** Short display name of a module path for diagrams: drops `src/` and the extension. */
export function displayPath(p: string): string {
  return p.replace(/^(.*\/)?src\//, "").replace(/\.[cm]?[jt]sx?$/, "");
}

/** A mermaid node id/label pair that survives any path characters. */
export function mermaidNode(id: string, label: string): string {
  return `${id}["${label.replace(/"/g, "'")}"]`;
}

export function isRelativeSpec(spec: string): boolean {
  return spec.startsWith("./") || spec.startsWith("../") || spec === "." || spec === "..";
}
