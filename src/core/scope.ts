import { ts } from "ts-morph";
import { isFunctionLike } from "./ast.js";

/** A declaration a name can resolve to. */
export type Declaration =
  | ts.VariableDeclaration
  | ts.ParameterDeclaration
  | ts.BindingElement
  | ts.FunctionDeclaration
  | ts.ClassDeclaration
  | ts.ImportSpecifier
  | ts.ImportClause
  | ts.NamespaceImport;

function bindsName(name: ts.BindingName, text: string): ts.Identifier | undefined {
  if (ts.isIdentifier(name)) return name.text === text ? name : undefined;
  for (const el of name.elements) {
    if (ts.isOmittedExpression(el)) continue;
    const found = bindsName(el.name, text);
    if (found) return found;
  }
  return undefined;
}

function declarationOfBinding(id: ts.Identifier): Declaration {
  const p = id.parent;
  if (ts.isBindingElement(p) || ts.isVariableDeclaration(p) || ts.isParameter(p)) return p;
  return p as Declaration;
}

function fromVariableList(list: ts.VariableDeclarationList, text: string): Declaration | undefined {
  for (const d of list.declarations) {
    const id = bindsName(d.name, text);
    if (id) return declarationOfBinding(id);
  }
  return undefined;
}

/** The scope node that holds a declaration (the function or block the name lives in). */
export function scopeOf(decl: Declaration): ts.Node {
  for (let p: ts.Node | undefined = decl.parent; p; p = p.parent) {
    if (isFunctionLike(p) || ts.isBlock(p) || ts.isSourceFile(p) || ts.isModuleBlock(p) || ts.isForStatement(p) || ts.isForOfStatement(p) || ts.isForInStatement(p) || ts.isCatchClause(p)) {
      // `var` is function-scoped; treat blocks as transparent for it.
      if (ts.isBlock(p) && ts.isVariableDeclaration(decl) && !(decl.parent.flags & (ts.NodeFlags.Let | ts.NodeFlags.Const))) continue;
      return p;
    }
  }
  return decl.getSourceFile();
}

const declarationCache = new WeakMap<ts.Identifier, Declaration | null>();

/** Lexical lookup of the declaration an identifier refers to (no type checker: fast and good enough for one file). */
export function findDeclaration(id: ts.Identifier): Declaration | undefined {
  // Many rules ask about the same identifiers (req, db, …): remember the answer per node.
  const cached = declarationCache.get(id);
  if (cached !== undefined) return cached ?? undefined;
  const found = lookupDeclaration(id);
  declarationCache.set(id, found ?? null);
  return found;
}

/** Every name `statements` declare (variables, functions, classes, imports), mapped to its declaration; the first one in source order wins. */
function statementDeclarations(statements: readonly ts.Statement[]): Map<string, Declaration> {
  const out = new Map<string, Declaration>();
  const add = (name: string, d: Declaration): void => {
    if (!out.has(name)) out.set(name, d);
  };
  const addBinding = (name: ts.BindingName): void => {
    // Same order as bindsName: depth first through patterns, skipping holes.
    if (ts.isIdentifier(name)) add(name.text, declarationOfBinding(name));
    else for (const el of name.elements) if (!ts.isOmittedExpression(el)) addBinding(el.name);
  };
  for (const st of statements) {
    if (ts.isVariableStatement(st)) {
      for (const d of st.declarationList.declarations) addBinding(d.name);
    } else if (ts.isFunctionDeclaration(st) && st.name) add(st.name.text, st);
    else if (ts.isClassDeclaration(st) && st.name) add(st.name.text, st);
    else if (ts.isImportDeclaration(st) && st.importClause) {
      const c = st.importClause;
      if (c.name) add(c.name.text, c);
      const nb = c.namedBindings;
      if (nb && ts.isNamespaceImport(nb)) add(nb.name.text, nb);
      if (nb && ts.isNamedImports(nb)) for (const el of nb.elements) add(el.name.text, el);
    }
  }
  return out;
}

const statementDeclarationCache = new WeakMap<ts.Node, Map<string, Declaration>>();

/**
 * The declaration of `text` among the statements of a block, module block, source file or case clause, answered from a
 * name table built once per container: lookups of the many identifiers of a large file no longer rescan its statements.
 */
function declaredIn(container: ts.Block | ts.ModuleBlock | ts.SourceFile | ts.CaseClause | ts.DefaultClause, text: string): Declaration | undefined {
  let table = statementDeclarationCache.get(container);
  if (!table) statementDeclarationCache.set(container, (table = statementDeclarations(container.statements)));
  return table.get(text);
}

function lookupDeclaration(id: ts.Identifier): Declaration | undefined {
  const text = id.text;
  for (let p: ts.Node | undefined = id.parent; p; p = p.parent) {
    if (ts.isBlock(p) || ts.isModuleBlock(p) || ts.isSourceFile(p)) {
      const d = declaredIn(p, text);
      if (d) return d;
    } else if (ts.isCaseClause(p) || ts.isDefaultClause(p)) {
      const d = declaredIn(p, text);
      if (d) return d;
    } else if (isFunctionLike(p)) {
      for (const param of p.parameters) {
        const b = bindsName(param.name, text);
        if (b) return declarationOfBinding(b);
      }
      if ((ts.isFunctionExpression(p) || ts.isFunctionDeclaration(p)) && p.name?.text === text) return ts.isFunctionDeclaration(p) ? p : undefined;
    } else if ((ts.isForStatement(p) || ts.isForOfStatement(p) || ts.isForInStatement(p)) && p.initializer && ts.isVariableDeclarationList(p.initializer)) {
      const d = fromVariableList(p.initializer, text);
      if (d) return d;
    } else if (ts.isCatchClause(p) && p.variableDeclaration) {
      const b = bindsName(p.variableDeclaration.name, text);
      if (b) return p.variableDeclaration;
    }
  }
  return undefined;
}

const assignmentCache = new WeakMap<Declaration, ts.Expression[]>();

/** Every expression assigned to a variable after its declaration (`x = …`, `x += …`) inside its scope. */
export function assignmentsTo(decl: Declaration): ts.Expression[] {
  const cached = assignmentCache.get(decl);
  if (cached) return cached;
  const out: ts.Expression[] = [];
  const name = ts.isVariableDeclaration(decl) || ts.isParameter(decl) || ts.isBindingElement(decl) ? decl.name : undefined;
  if (name && ts.isIdentifier(name)) {
    const text = name.text;
    const visit = (n: ts.Node): void => {
      if (ts.isBinaryExpression(n) && ts.isIdentifier(n.left) && n.left.text === text) {
        const k = n.operatorToken.kind;
        if (k === ts.SyntaxKind.EqualsToken || k === ts.SyntaxKind.PlusEqualsToken) {
          if (findDeclaration(n.left) === decl) out.push(n.right);
        }
      }
      ts.forEachChild(n, visit);
    };
    visit(scopeOf(decl));
  }
  assignmentCache.set(decl, out);
  return out;
}

/** The function a declaration names: `function f(){}` or `const f = () => {}`. */
export function functionOfDeclaration(decl: Declaration | undefined): ts.FunctionLikeDeclaration | undefined {
  if (!decl) return undefined;
  if (ts.isFunctionDeclaration(decl)) return decl;
  if (ts.isVariableDeclaration(decl) && decl.initializer) {
    let init: ts.Expression = decl.initializer;
    while (ts.isParenthesizedExpression(init) || ts.isAsExpression(init)) init = init.expression;
    if (ts.isArrowFunction(init) || ts.isFunctionExpression(init)) return init;
  }
  return undefined;
}
