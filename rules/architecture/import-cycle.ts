import { ts } from "ts-morph";
import { lineOf } from "../../src/core/ast.js";
import { defineRule } from "../../src/core/rule.js";
import { displayPath, isRelativeSpec, mermaidNode, moduleImports } from "../../src/core/module-graph.js";
import type { ProjectFacts } from "../../src/core/project-facts.js";

/** A relative runtime import of one file, as collected during the walk (plain data: it may cross threads). */
interface ImportFact {
  spec: string;
  line: number;
}

interface Edge {
  to: number;
  line: number;
  spec: string;
}

/** Runtime import graph of the analyzed files (type-only imports are erased and cannot form a load-order cycle). */
function importGraph(project: ProjectFacts, contributions: Map<string, unknown[]>): { paths: string[]; edges: Edge[][] } {
  const paths = [...project.files.keys()];
  const index = new Map(paths.map((p, i) => [p, i]));
  const edges = paths.map((p) => {
    const out: Edge[] = [];
    const seen = new Set<number>();
    for (const imp of (contributions.get(p) ?? []) as ImportFact[]) {
      const target = project.resolveImport(p, imp.spec);
      const to = target === undefined ? undefined : index.get(target);
      if (to === undefined || seen.has(to)) continue;
      seen.add(to);
      out.push({ to, line: imp.line, spec: imp.spec });
    }
    return out;
  });
  return { paths, edges };
}

/**
 * Which of `wanted` the file uses in value positions (type positions are erased by TypeScript), import clauses
 * and decorator thunks excluded.
 */
function valueIdentifiers(sf: ts.SourceFile, wanted: Set<string>): Set<string> {
  // Instead of walking the whole tree, look at each place the name is written (a text search) and judge that node.
  const out = new Set<string>();
  const text = sf.text;
  for (const name of wanted) {
    for (let at = text.indexOf(name); at !== -1; at = text.indexOf(name, at + 1)) {
      if (isIdentifierChar(text.charCodeAt(at - 1)) || isIdentifierChar(text.charCodeAt(at + name.length))) continue;
      const id = identifierAt(sf, at);
      if (id && id.text === name && isValueUse(id)) {
        out.add(name);
        break;
      }
    }
  }
  return out;
}

function isIdentifierChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 36 || c === 95 || c > 127;
}

/** The identifier node that starts at `pos`, if the text there is one (not inside a comment or a string). */
function identifierAt(sf: ts.SourceFile, pos: number): ts.Identifier | undefined {
  let node: ts.Node = sf;
  for (;;) {
    const child: ts.Node | undefined = ts.forEachChild(node, (c) => (c.pos <= pos && pos < c.end ? c : undefined));
    if (!child) return undefined;
    if (ts.isIdentifier(child)) return child.getStart(sf) === pos ? child : undefined;
    node = child;
  }
}

/**
 * Not inside an import clause, a type, an interface or type alias, or a function written in a decorator.
 *
 * A function written inside a decorator (`@ManyToOne(() => User, (u) => u.posts)`, `@Field(() => Pet)`,
 * `@Type(() => Address)`): the thunk ORMs and schema builders ask for precisely so that two classes can reference
 * each other. It runs after every module has loaded, and such a reference is declarative (the relation between two
 * entities is one fact of the data model, stated on both sides), not one module calling into another.
 */
function isValueUse(id: ts.Identifier): boolean {
  let thunk = false;
  for (let p: ts.Node = id.parent; p && !ts.isSourceFile(p); p = p.parent) {
    if (ts.isImportDeclaration(p) || ts.isTypeNode(p) || ts.isInterfaceDeclaration(p) || ts.isTypeAliasDeclaration(p)) return false;
    if (ts.isArrowFunction(p) || ts.isFunctionExpression(p)) thunk = true;
    else if (ts.isDecorator(p) && thunk) return false;
  }
  return true;
}

/** Tarjan's strongly connected components, iterative (no recursion limit on deep graphs). Returns component id per node. */
function tarjan(n: number, edges: Edge[][]): number[] {
  const index = new Array<number>(n).fill(-1);
  const low = new Array<number>(n).fill(0);
  const onStack = new Array<boolean>(n).fill(false);
  const comp = new Array<number>(n).fill(-1);
  const stack: number[] = [];
  let counter = 0;
  let comps = 0;
  for (let start = 0; start < n; start++) {
    if (index[start] !== -1) continue;
    const work: { v: number; i: number }[] = [{ v: start, i: 0 }];
    index[start] = low[start] = counter++;
    stack.push(start);
    onStack[start] = true;
    while (work.length) {
      const top = work[work.length - 1];
      const { v } = top;
      if (top.i < edges[v].length) {
        const w = edges[v][top.i++].to;
        if (index[w] === -1) {
          index[w] = low[w] = counter++;
          stack.push(w);
          onStack[w] = true;
          work.push({ v: w, i: 0 });
        } else if (onStack[w]) low[v] = Math.min(low[v], index[w]);
        continue;
      }
      work.pop();
      if (work.length) low[work[work.length - 1].v] = Math.min(low[work[work.length - 1].v], low[v]);
      if (low[v] === index[v]) {
        for (;;) {
          const w = stack.pop()!;
          onStack[w] = false;
          comp[w] = comps;
          if (w === v) break;
        }
        comps++;
      }
    }
  }
  return comp;
}

/** Shortest path from `from` back to `to` inside one component (BFS), as node indexes. */
function pathWithin(from: number, to: number, edges: Edge[][], comp: number[]): number[] {
  const prev = new Map<number, number>([[from, -1]]);
  const queue = [from];
  for (let qi = 0; qi < queue.length; qi++) {
    const v = queue[qi];
    if (v === to) break;
    for (const e of edges[v]) {
      if (comp[e.to] !== comp[from] || prev.has(e.to)) continue;
      prev.set(e.to, v);
      queue.push(e.to);
    }
  }
  const out: number[] = [];
  for (let v: number | undefined = to; v !== undefined && v !== -1; v = prev.get(v)) out.push(v);
  return out.reverse();
}

const MAX_SHOWN = 8;

export default defineRule({
  meta: {
    id: "architecture/import-cycle",
    category: "architecture",
    severity: "warning",
    cwe: ["CWE-1047"],
    title: "Import closes a module cycle",
    description:
      "Modules that import each other load in an order that depends on who is imported first: one of them sees the other's exports as " +
      "`undefined` at start-up (\"X is not a function\", a class that is not a constructor), and the pair can only be changed together.",
    fix: "Move what both need into a third module, invert the dependency (pass a callback/interface), or import lazily inside the function that needs it.",
  },
  create(ctx) {
    return {
      "SourceFile:exit"() {
        const sf = ctx.file.sourceFile;
        const imports = moduleImports(sf).filter((imp) => !imp.typeOnly && isRelativeSpec(imp.spec));
        if (!imports.length) return;
        // An import whose names are only used as types is erased at compile time: it cannot close a load-order cycle.
        // One used only in decorator thunks is resolved lazily, after loading (see isDecoratorThunk).
        const values = /\.[cm]?jsx?$/.test(ctx.file.path) ? undefined : valueIdentifiers(sf, new Set(imports.flatMap((imp) => imp.names)));
        for (const imp of imports) {
          if (values && imp.names.length && !imp.names.some((n) => values.has(n))) continue;
          ctx.contribute({ spec: imp.spec, line: lineOf(imp.node, sf) } satisfies ImportFact);
        }
      },
    };
  },
  project({ facts: project, contributions }, report) {
    const { paths, edges } = importGraph(project, contributions);
    const comp = tarjan(paths.length, edges);
    const size = new Map<number, number>();
    for (const c of comp) size.set(c, (size.get(c) ?? 0) + 1);
    // One comment per cycle, on the import that closed it: an import on a changed line if there is one
    // (in a pull request, the one the PR added), else the first reported file's import, by path.
    const anchors = new Map<number, { v: number; edge: Edge; changed: boolean }>();
    paths.forEach((path, v) => {
      const file = project.files.get(path)!;
      if (!project.isReported(file) || file.isTest) return;
      for (const edge of edges[v]) {
        if (!(edge.to === v || (comp[edge.to] === comp[v] && (size.get(comp[v]) ?? 0) > 1))) continue;
        const changed = project.isChangedLine(path, edge.line);
        const current = anchors.get(comp[v]);
        if (!current || (changed && !current.changed)) anchors.set(comp[v], { v, edge, changed });
        if (changed) break;
      }
    });
    for (const { v, edge } of anchors.values()) {
      const path = paths[v];
      const back = edge.to === v ? [v] : pathWithin(edge.to, v, edges, comp);
      // Long cycles are shown by their first modules: the message must stay readable (and cheap).
      const full = [v, ...back];
      const cycle = full.length > MAX_SHOWN + 1 ? [...full.slice(0, MAX_SHOWN), v] : full;
      const names = cycle.map((i) => displayPath(paths[i]));
      if (cycle !== full) names.splice(MAX_SHOWN, 0, `… (${full.length - 1 - MAX_SHOWN} more)`);
      const lines = ["```mermaid", "graph LR"];
      const unique = cycle.slice(0, -1);
      unique.forEach((i, k) => lines.push(`  ${mermaidNode(`M${k}`, displayPath(paths[i]))}`));
      for (let k = 0; k < unique.length; k++) {
        const last = k === unique.length - 1;
        lines.push(last && cycle !== full ? `  M${k} -. "${full.length - 1 - MAX_SHOWN} more" .-> M0` : `  M${k} --> M${(k + 1) % unique.length}`);
      }
      lines.push("  linkStyle 0 stroke:#d00,stroke-width:2px", "```");
      report(path, {
        line: edge.line,
        message: `Import of \`${edge.spec}\` closes an import cycle: ${names.join(" → ")}.`,
        details: lines.join("\n"),
      });
    }
  },
});
