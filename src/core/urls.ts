import { ts } from "ts-morph";
import { stringValue, unwrap } from "./ast.js";
import { assignmentsTo, findDeclaration } from "./scope.js";
import { type SinkKind, type Taint, taintOf } from "./taint.js";

/** One piece of a URL built by concatenation or a template: literal text or a spliced expression. */
type Piece = { text: string } | { expr: ts.Expression };

const MAX_EXPAND = 4;

/** Flattens `"https://" + host + "/x"`, templates and single-assignment const variables holding them into pieces. */
function pieces(expr: ts.Expression, depth = 0): Piece[] {
  const e = unwrap(expr);
  const lit = stringValue(e);
  if (lit !== undefined) return [{ text: lit }];
  if (ts.isTemplateExpression(e)) {
    const out: Piece[] = [{ text: e.head.text }];
    for (const s of e.templateSpans) out.push(...pieces(s.expression, depth + 1), { text: s.literal.text });
    return out;
  }
  if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.PlusToken) return [...pieces(e.left, depth + 1), ...pieces(e.right, depth + 1)];
  // new URL("/users/" + id, base): the relative part cannot leave the base's origin
  if (ts.isNewExpression(e) && ts.isIdentifier(e.expression) && e.expression.text === "URL" && e.arguments?.length === 2) {
    const rel = pieces(e.arguments[0], depth + 1);
    const head = rel[0];
    if (head && "text" in head && /^\/[^/\\]/.test(head.text)) return [...pieces(e.arguments[1], depth + 1), { text: "/" }];
  }
  if (ts.isIdentifier(e) && depth < MAX_EXPAND) {
    const d = findDeclaration(e);
    if (d && ts.isVariableDeclaration(d) && d.initializer && !assignmentsTo(d).length) {
      const init = unwrap(d.initializer);
      if (ts.isTemplateExpression(init) || (ts.isBinaryExpression(init) && init.operatorToken.kind === ts.SyntaxKind.PlusToken) || stringValue(init) !== undefined) {
        return pieces(init, depth + 1);
      }
    }
  }
  return [{ expr: e }];
}

export interface UrlTaint extends Taint {
  /** The literal text (with `\0` for unknown untainted parts) that precedes the first tainted piece. */
  before: string;
}

/**
 * Does client data decide where a URL points (scheme/host, or the whole target)?
 * Returns undefined when the URL is constant, or when the tainted part only comes after a fixed host
 * (`https://api.example.com/users/${id}`), a code-chosen base (`${BASE_URL}/${id}`), or after `?`/`#`.
 * `mode: "redirect"` additionally accepts app-relative targets (`"/profile/" + id`) and rejects `"/" + x` (→ `//evil`).
 */
export function urlTargetTaint(
  expr: ts.Expression,
  kind: SinkKind,
  mode: "request" | "redirect",
  /** Sources that do not count for this sink (e.g. the Host header for a redirect): treated as code-chosen parts. */
  ignore?: (t: Taint, piece: ts.Expression) => boolean,
): UrlTaint | undefined {
  const ps = pieces(expr);
  let before = "";
  for (const p of ps) {
    if ("text" in p) {
      before += p.text;
      continue;
    }
    const t = taintOf(p.expr, kind);
    if (!t || ignore?.(t, p.expr)) {
      before += "\0";
      continue;
    }
    return targetIsFixed(before, mode) ? undefined : { ...t, before };
  }
  return undefined;
}

/** Is the target fixed by the text that precedes the first client-controlled piece? */
export function targetIsFixed(before: string, mode: "request" | "redirect"): boolean {
  if (before === "") return false;
  if (/[?#]/.test(before)) return true; // only the query string or fragment is client-controlled
  const scheme = /^[^/]*:\/\/([^/]*)/.exec(before);
  if (scheme) {
    // https://host/… fixed; "https://" + x or "https://api." + x: the client picks the host
    return before.length > scheme[0].length && /^[/?#]/.test(before.slice(scheme[0].length)) && scheme[1].length > 0;
  }
  if (before.startsWith("\0")) return true; // a base URL chosen by the code (config, constant)
  if (mode === "redirect") return /^\/[^/\\]/.test(before) || /^\.\.?\//.test(before);
  // A request URL starting with a path ("/api/" + x) is relative to a configured base; "//" + x or "http:" + x is not.
  if (before.startsWith("/") || before.startsWith("\\")) return /^\/[^/\\]/.test(before);
  return !/^[a-z][a-z0-9+.-]*:?[/\\]*$/i.test(before);
}
