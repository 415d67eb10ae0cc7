import { ts } from "ts-morph";
import { defineRule } from "../../src/core/rule.js";
import { isFunctionLike, lineOf, memberName } from "../../src/core/ast.js";
import type { FileFacts } from "../../src/core/file-facts.js";

const GENERATED_PATH = /(^|\/)(generated|__generated__|gen)\/|\.(gen|generated|pb)\.[cm]?[jt]sx?$/i;
const GENERATED_HEADER = /@generated|auto-?generated|do not edit|this file was generated/i;
const MIN_STATEMENTS = 6;
const MIN_NODES = 60;
const MIN_NODES_FEW_STATEMENTS = 150;

interface Occurrence {
  file: FileFacts;
  fn: ts.FunctionLikeDeclaration;
  name: string;
  line: number;
  statements: number;
}

/**
 * The shape of a function body: node kinds in pre-order, local names and literals replaced by placeholders, property
 * and method names kept (so `prisma.user.findMany` and `prisma.order.findMany` differ, renamed locals do not).
 */
function shapeOf(body: ts.Node): { key: string; nodes: number; statements: number } {
  const out: string[] = [];
  let nodes = 0;
  let statements = 0;
  const visit = (n: ts.Node): void => {
    nodes++;
    if (n.kind >= ts.SyntaxKind.FirstStatement && n.kind <= ts.SyntaxKind.LastStatement && !ts.isBlock(n)) statements++;
    if (ts.isShorthandPropertyAssignment(n) && !n.objectAssignmentInitializer) {
      // `{ total }` is `{ total: total }`: renaming the local turns it into `{ total: sum }`, the same shape.
      out.push(String(ts.SyntaxKind.PropertyAssignment), "(", `.${n.name.text}`, "$", ")");
      nodes += 2;
      return;
    }
    if (ts.isIdentifier(n) || ts.isPrivateIdentifier(n)) {
      const p = n.parent;
      const isMember = (ts.isPropertyAccessExpression(p) && p.name === n) || ((ts.isPropertyAssignment(p) || ts.isShorthandPropertyAssignment(p)) && p.name === n);
      out.push(isMember ? `.${n.text}` : "$");
      return;
    }
    if (ts.isStringLiteral(n) || ts.isNumericLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n) || ts.isBigIntLiteral(n) || ts.isRegularExpressionLiteral(n) || ts.isTemplateLiteralToken(n)) {
      out.push("#");
      return;
    }
    out.push(String(n.kind), "(");
    ts.forEachChild(n, visit);
    out.push(")");
  };
  visit(body);
  return { key: out.join(" "), nodes, statements };
}

function functionName(fn: ts.FunctionLikeDeclaration): string {
  if (fn.name) return fn.name.getText();
  const p = fn.parent;
  if (p && ts.isVariableDeclaration(p)) return p.name.getText();
  if (p && (ts.isPropertyAssignment(p) || ts.isPropertyDeclaration(p))) return p.name.getText();
  if (p && ts.isCallExpression(p)) return `callback of ${memberName(p.expression) ?? "call"}()`;
  return "anonymous function";
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
  create() {
    return {};
  },
  project(project, report) {
    const byShape = new Map<string, Occurrence[]>();
    for (const file of project.files.values()) {
      if (file.isTest || isGenerated(file)) continue;
      const visit = (n: ts.Node): void => {
        if (isFunctionLike(n) && n.body && ts.isBlock(n.body)) {
          const s = shapeOf(n.body);
          if ((s.statements >= MIN_STATEMENTS && s.nodes >= MIN_NODES) || (s.statements >= 3 && s.nodes >= MIN_NODES_FEW_STATEMENTS)) {
            const list = byShape.get(s.key) ?? [];
            list.push({ file, fn: n, name: functionName(n), line: lineOf(n, file.sourceFile), statements: s.statements });
            byShape.set(s.key, list);
          }
        }
        ts.forEachChild(n, visit);
      };
      visit(file.sourceFile);
    }
    const reported = new Set<ts.Node>();
    const duplicates: { occ: Occurrence; original: Occurrence }[] = [];
    for (const list of byShape.values()) {
      if (list.length < 2) continue;
      // The original: code that is already there (a context file) wins, then the first one by path and line.
      const sorted = [...list].sort((a, b) => Number(a.file.reported) - Number(b.file.reported) || a.file.path.localeCompare(b.file.path) || a.line - b.line);
      const original = sorted[0];
      for (const occ of sorted.slice(1)) if (occ.file.reported) duplicates.push({ occ, original });
    }
    // Outer functions first, so a nested copy inside an already reported copy is not reported again.
    duplicates.sort((a, b) => a.occ.fn.getStart() - b.occ.fn.getStart() || b.occ.fn.getWidth() - a.occ.fn.getWidth());
    for (const { occ, original } of duplicates) {
      let nested = false;
      for (let p = occ.fn.parent; p; p = p.parent) if (reported.has(p)) nested = true;
      if (nested) continue;
      reported.add(occ.fn);
      const where = original.file === occ.file ? `line ${original.line}` : `${original.file.path}:${original.line}`;
      report(occ.file.path, {
        node: occ.fn.name ?? occ.fn,
        message: `\`${occ.name}\` duplicates \`${original.name}\` (${where}): ${occ.statements} statements with the same structure, only names and literals differ.`,
      });
    }
  },
});
