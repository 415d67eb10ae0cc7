import { ts } from "ts-morph";
import { defineRule } from "../../src/core/rule.js";
import { isFunctionLike, lineOf, memberName } from "../../src/core/ast.js";
import type { FileFacts } from "../../src/core/file-facts.js";

const GENERATED_PATH = /(^|\/)(generated|__generated__|gen)\/|\.(gen|generated|pb)\.[cm]?[jt]sx?$/i;
const GENERATED_HEADER = /@generated|auto-?generated|do not edit|this file was generated/i;
/**
 * Code outside the production paths: challenge solutions and code fixes, examples, samples, fixtures, static assets,
 * docs, tests. A production function is never "a duplicate" of such a copy, and such copies are not reported either.
 */
const NON_PRODUCTION_PATH = /(^|\/)(codefixes|code-?fixes|examples?|samples?|fixtures?|static|docs?|documentation|demos?|snippets|tests?|__tests__|__mocks__|mocks?|e2e|cypress|stories|storybook)\//i;
/**
 * Migrations and seeds are written once and never edited after they ran (an `up` and its `down` mirror each other by
 * design), and dot-folders at any level (`.hygen/`, `.github/`, `.husky/`) hold tooling templates and scripts.
 */
const FROZEN_OR_TOOLING_PATH = /(^|\/)(migrations?|seeds?|seeders?)\/|(^|\/)\.[^/.][^/]*\//i;
/** Front-end code (components, JSX/TSX, front-end folders): reviewed by other tools. */
const FRONTEND_FILE = /\.(tsx|jsx|vue|svelte)$|\.component\.[cm]?[jt]s$|(^|\/)(components|frontend|client)\//i;
const MIN_STATEMENTS = 6;
const MIN_NODES = 60;
const MIN_NODES_FEW_STATEMENTS = 150;

/** One function body big enough to matter, as collected per file (plain data: it may cross threads). */
interface Occurrence {
  hash: string;
  name: string;
  line: number;
  start: number;
  end: number;
  statements: number;
}

interface Located extends Occurrence {
  path: string;
  reported: boolean;
}

/** The shape of one function body: `tokens[from..to)` joined is its key (see shapeOf). */
interface Shape {
  tokens: string[];
  from: number;
  to: number;
  nodes: number;
  statements: number;
}

/**
 * Shapes of nested function bodies, recorded while serializing the enclosing body. The rule visits an outer function
 * before the functions inside it, and a nested body's tokens are a contiguous slice of the outer ones: reusing them
 * serializes each node once instead of once per enclosing function.
 */
const nestedShapes = new WeakMap<ts.Node, Shape>();

/** String, numeric, bigint, regex and template literal tokens (ts.isStringLiteral … ts.isTemplateLiteralToken): all "#". */
const LITERAL_KINDS = new Set([
  ts.SyntaxKind.StringLiteral, ts.SyntaxKind.NumericLiteral, ts.SyntaxKind.NoSubstitutionTemplateLiteral, ts.SyntaxKind.BigIntLiteral,
  ts.SyntaxKind.RegularExpressionLiteral, ts.SyntaxKind.TemplateHead, ts.SyntaxKind.TemplateMiddle, ts.SyntaxKind.TemplateTail,
]);
const PROPERTY_ASSIGNMENT = String(ts.SyntaxKind.PropertyAssignment);
const kindTokens: string[] = [];
/** String(kind), without allocating a new string per node. */
function kindToken(kind: ts.SyntaxKind): string {
  return (kindTokens[kind] ??= String(kind));
}

function isFunctionBody(n: ts.Node): boolean {
  const p = n.parent;
  return !!p && ts.isBlock(n) && isFunctionLike(p) && p.body === n;
}

/**
 * The shape of a function body: node kinds in pre-order, local names and literals replaced by placeholders, property
 * and method names kept (so `prisma.user.findMany` and `prisma.order.findMany` differ, renamed locals do not).
 */
function shapeOf(body: ts.Node, importedName: (local: string) => string | undefined): Shape {
  const known = nestedShapes.get(body);
  if (known) {
    nestedShapes.delete(body); // each function is collected once
    return known;
  }
  const out: string[] = [];
  let nodes = 0;
  let statements = 0;
  const visit = (n: ts.Node): void => {
    // Hot: every node of every function body. `kind` is read once and compared (same tests as the ts.isX helpers).
    const kind = n.kind;
    const nested = kind === ts.SyntaxKind.Block && n !== body && isFunctionBody(n) ? { from: out.length, nodes, statements } : undefined;
    nodes++;
    if (kind >= ts.SyntaxKind.FirstStatement && kind <= ts.SyntaxKind.LastStatement && kind !== ts.SyntaxKind.Block) statements++;
    if (kind === ts.SyntaxKind.ShorthandPropertyAssignment && !(n as ts.ShorthandPropertyAssignment).objectAssignmentInitializer) {
      // `{ total }` is `{ total: total }`: renaming the local turns it into `{ total: sum }`, the same shape.
      out.push(PROPERTY_ASSIGNMENT, "(", `.${(n as ts.ShorthandPropertyAssignment).name.text}`, "$", ")");
      nodes += 2;
      return;
    }
    if (kind === ts.SyntaxKind.Identifier || kind === ts.SyntaxKind.PrivateIdentifier) {
      const p = n.parent;
      const callee = isCalleeName(n) ? importedName((n as ts.Identifier).text) : undefined;
      if (callee) {
        out.push(callee);
        return;
      }
      const isMember = (ts.isPropertyAccessExpression(p) && p.name === n) || ((ts.isPropertyAssignment(p) || ts.isShorthandPropertyAssignment(p)) && p.name === n);
      out.push(isMember ? `.${(n as ts.Identifier).text}` : "$");
      return;
    }
    if (LITERAL_KINDS.has(kind)) {
      out.push("#");
      return;
    }
    out.push(kindToken(kind), "(");
    ts.forEachChild(n, visit);
    out.push(")");
    if (nested) nestedShapes.set(n, { tokens: out, from: nested.from, to: out.length, nodes: nodes - nested.nodes, statements: statements - nested.statements });
  };
  visit(body);
  return { tokens: out, from: 0, to: out.length, nodes, statements };
}

/**
 * A hash of a shape's tokens (two 53-bit cyrb53-style lanes, not cryptographic: nobody gains by forging a collision
 * here), computed without joining the tokens into one long string and without a crypto hash object per function.
 */
function shapeHash(s: Shape): string {
  let h1 = 0xdeadbeef ^ s.to - s.from, h2 = 0x41c6ce57 ^ s.to - s.from;
  let h3 = 0x9e3779b1, h4 = 0x85ebca6b;
  for (let i = s.from; i < s.to; i++) {
    const t = s.tokens[i];
    for (let j = 0; j < t.length; j++) {
      const c = t.charCodeAt(j);
      h1 = Math.imul(h1 ^ c, 2654435761);
      h2 = Math.imul(h2 ^ c, 1597334677);
      h3 = Math.imul(h3 ^ c, 2246822507);
      h4 = Math.imul(h4 ^ c, 3266489909);
    }
    // token separator: ["ab"] and ["a", "b"] must differ
    h1 = Math.imul(h1 ^ 32, 2654435761);
    h2 = Math.imul(h2 ^ 32, 1597334677);
    h3 = Math.imul(h3 ^ 32, 2246822507);
    h4 = Math.imul(h4 ^ 32, 3266489909);
  }
  const lane = (a: number, b: number): string => {
    a = Math.imul(a ^ (a >>> 16), 2246822507) ^ Math.imul(b ^ (b >>> 13), 3266489909);
    b = Math.imul(b ^ (b >>> 16), 2246822507) ^ Math.imul(a ^ (a >>> 13), 3266489909);
    return (4294967296 * (2097151 & b) + (a >>> 0)).toString(36);
  };
  return `${lane(h1, h2)}.${lane(h3, h4)}`;
}

/**
 * `runWorkflowA(req.scope)` / `new ExportJob()`: the operation a function performs. Two handlers that share their
 * glue but call different imported operations do different work (like `db.user` and `db.order` below), so the
 * imported callee keeps its identity in the shape while locals are still renamed freely.
 */
function isCalleeName(n: ts.Node): boolean {
  const p = n.parent;
  return !!p && (ts.isCallExpression(p) || ts.isNewExpression(p)) && p.expression === n;
}

function functionName(fn: ts.FunctionLikeDeclaration): string {
  if (fn.name) return fn.name.getText();
  const p = fn.parent;
  if (p && ts.isVariableDeclaration(p)) return p.name.getText();
  if (p && (ts.isPropertyAssignment(p) || ts.isPropertyDeclaration(p))) return p.name.getText();
  if (p && ts.isCallExpression(p)) return `callback of ${memberName(p.expression) ?? "call"}()`;
  return "anonymous function";
}

function isOutsideProduction(file: FileFacts): boolean {
  return file.isTest || NON_PRODUCTION_PATH.test(file.path) || FROZEN_OR_TOOLING_PATH.test(file.path) || FRONTEND_FILE.test(file.path) || file.isFrontend;
}

function isGenerated(file: FileFacts): boolean {
  return GENERATED_PATH.test(file.path) || GENERATED_HEADER.test(file.text.slice(0, 600));
}

export default defineRule({
  meta: {
    id: "architecture/duplicated-logic",
    category: "architecture",
    severity: "notice",
    cwe: ["CWE-1041"],
    title: "Function duplicates logic that already exists",
    description:
      "This function has the same structure as another one in the code base (only names and literals differ). Copies drift: the next bug fix or " +
      "security check lands in one of them, and the other keeps the old behaviour.",
    fix: "Call the existing function, or extract the shared part into one helper both use (parameterize what differs).",
  },
  create(ctx) {
    if (isOutsideProduction(ctx.file) || isGenerated(ctx.file)) return {};
    const callees = new Map<string, string | undefined>();
    const importedName = (local: string): string | undefined => {
      if (callees.has(local)) return callees.get(local);
      const b = ctx.file.imports.bindings.get(local);
      const name = b && `@${b.module}:${b.path.join(".")}`;
      callees.set(local, name);
      return name;
    };
    const collect = (fn: ts.FunctionLikeDeclaration): void => {
      if (!fn.body || !ts.isBlock(fn.body)) return;
      const s = shapeOf(fn.body, importedName);
      if ((s.statements >= MIN_STATEMENTS && s.nodes >= MIN_NODES) || (s.statements >= 3 && s.nodes >= MIN_NODES_FEW_STATEMENTS)) {
        const occ: Occurrence = {
          hash: shapeHash(s), name: functionName(fn), line: lineOf(fn.name ?? fn, ctx.file.sourceFile),
          start: fn.getStart(ctx.file.sourceFile), end: fn.getEnd(), statements: s.statements,
        };
        ctx.contribute(occ);
      }
    };
    return {
      FunctionDeclaration: collect,
      FunctionExpression: collect,
      ArrowFunction: collect,
      MethodDeclaration: collect,
    };
  },
  project({ facts, contributions }, report) {
    const byShape = new Map<string, Located[]>();
    for (const [path, list] of contributions) {
      const file = facts.files.get(path);
      if (!file || isOutsideProduction(file)) continue;
      for (const occ of list as Occurrence[]) {
        const l = byShape.get(occ.hash) ?? [];
        l.push({ ...occ, path, reported: facts.isReported(file) });
        byShape.set(occ.hash, l);
      }
    }
    const duplicates: { occ: Located; original: Located }[] = [];
    for (const list of byShape.values()) {
      if (list.length < 2) continue;
      // The original: code that is already there (a context file) wins, then the first one by path and line.
      const sorted = [...list].sort((a, b) => Number(a.reported) - Number(b.reported) || a.path.localeCompare(b.path) || a.line - b.line);
      const original = sorted[0];
      for (const occ of sorted.slice(1)) if (occ.reported) duplicates.push({ occ, original });
    }
    // Outer functions first, so a nested copy inside an already reported copy is not reported again.
    duplicates.sort((a, b) => a.occ.path.localeCompare(b.occ.path) || a.occ.start - b.occ.start || b.occ.end - a.occ.end);
    const reported: Located[] = [];
    for (const { occ, original } of duplicates) {
      if (reported.some((r) => r.path === occ.path && r.start <= occ.start && occ.end <= r.end)) continue;
      reported.push(occ);
      const where = original.path === occ.path ? `line ${original.line}` : `${original.path}:${original.line}`;
      report(occ.path, {
        line: occ.line,
        message: `\`${occ.name}\` duplicates \`${original.name}\` (${where}): ${occ.statements} statements with the same structure, only names and literals differ.`,
      });
    }
  },
});
