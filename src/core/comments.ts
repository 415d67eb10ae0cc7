import { ts } from "ts-morph";

/** The comments inside a node's own text (not its leading trivia): `catch { // ignore: optional }` → ["// ignore: optional"]. */
export function commentsIn(node: ts.Node, sf: ts.SourceFile = node.getSourceFile()): string[] {
  const text = sf.text.slice(node.getStart(sf), node.getEnd());
  if (!text.includes("//") && !text.includes("/*")) return [];
  const out: string[] = [];
  const scanner = ts.createScanner(ts.ScriptTarget.Latest, false, sf.languageVariant, text);
  // brace depth inside each open template substitution, so the `}` ending `${…}` is re-read as the template's tail
  const templates: number[] = [];
  for (let t = scanner.scan(); t !== ts.SyntaxKind.EndOfFileToken; t = scanner.scan()) {
    if (t === ts.SyntaxKind.SingleLineCommentTrivia || t === ts.SyntaxKind.MultiLineCommentTrivia) out.push(scanner.getTokenText());
    else if (t === ts.SyntaxKind.TemplateHead) templates.push(0);
    else if (t === ts.SyntaxKind.OpenBraceToken && templates.length) templates[templates.length - 1]++;
    else if (t === ts.SyntaxKind.CloseBraceToken && templates.length) {
      if (templates[templates.length - 1] === 0) {
        if (scanner.reScanTemplateToken(false) === ts.SyntaxKind.TemplateTail) templates.pop();
      } else templates[templates.length - 1]--;
    }
  }
  return out;
}

export function containsComment(node: ts.Node, sf: ts.SourceFile = node.getSourceFile()): boolean {
  return commentsIn(node, sf).length > 0;
}

/** A comment that explains a deliberate choice (not a TODO/FIXME left for later, not a lint directive). */
export function hasExplanatoryComment(node: ts.Node, sf: ts.SourceFile = node.getSourceFile()): boolean {
  return commentsIn(node, sf).some((c) => {
    const body = c.replace(/^\/\/|^\/\*|\*\/$/g, "").trim();
    return body.length > 0 && !/^(TODO|FIXME|XXX|HACK)\b/i.test(body) && !/^(eslint|@ts-|prettier|istanbul|c8|vigil)/i.test(body);
  });
}
