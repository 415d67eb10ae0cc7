/**
 * A small parser for JavaScript regular expressions and a catastrophic-backtracking check:
 * nested unbounded quantifiers whose iterations can split the same input in many ways (`(a+)+`, `(\w+\s?)*$`,
 * `(.*a){12}`) and unbounded repetition of overlapping single-character alternatives (`(a|a)*`, `(.|\s)*`).
 */

type CharSet = boolean[]; // 0..127 ASCII, 128 = anything else

type Node =
  | { t: "char"; set: CharSet }
  | { t: "seq"; items: Node[] }
  | { t: "alt"; options: Node[] }
  | { t: "group"; body: Node; look: boolean }
  | { t: "rep"; body: Node; min: number; max: number }
  | { t: "assert" };

const OTHER = 128;

function emptySet(): CharSet {
  return new Array<boolean>(129).fill(false);
}
function fullSet(): CharSet {
  return new Array<boolean>(129).fill(true);
}
function setOf(pred: (c: string) => boolean, other: boolean): CharSet {
  const s = emptySet();
  for (let i = 0; i < 128; i++) s[i] = pred(String.fromCharCode(i));
  s[OTHER] = other;
  return s;
}
function union(a: CharSet, b: CharSet): CharSet {
  return a.map((v, i) => v || b[i]);
}
function overlaps(a: CharSet, b: CharSet): boolean {
  return a.some((v, i) => v && b[i]);
}
function negate(a: CharSet): CharSet {
  return a.map((v, i) => (i === OTHER ? true : !v));
}

const DIGIT = (c: string): boolean => c >= "0" && c <= "9";
const WORD = (c: string): boolean => /\w/.test(c);
const SPACE = (c: string): boolean => /\s/.test(c);

class Parser {
  i = 0;
  constructor(readonly src: string, readonly dotAll: boolean, readonly ignoreCase: boolean) {}

  parse(): Node {
    const n = this.alternation();
    if (this.i < this.src.length) throw new Error("unbalanced )");
    return n;
  }

  private alternation(): Node {
    const options = [this.sequence()];
    while (this.src[this.i] === "|") {
      this.i++;
      options.push(this.sequence());
    }
    return options.length === 1 ? options[0] : { t: "alt", options };
  }

  private sequence(): Node {
    const items: Node[] = [];
    while (this.i < this.src.length && this.src[this.i] !== "|" && this.src[this.i] !== ")") {
      let atom = this.atom();
      for (;;) {
        const q = this.quantifier();
        if (!q) break;
        atom = { t: "rep", body: atom, min: q[0], max: q[1] };
      }
      items.push(atom);
    }
    return { t: "seq", items };
  }

  private quantifier(): [number, number] | undefined {
    const c = this.src[this.i];
    let q: [number, number] | undefined;
    if (c === "*") q = [0, Infinity];
    else if (c === "+") q = [1, Infinity];
    else if (c === "?") q = [0, 1];
    else if (c === "{") {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(this.src.slice(this.i));
      if (!m) return undefined;
      this.i += m[0].length - 1;
      const min = Number(m[1]);
      q = [min, m[2] ? (m[3] ? Number(m[3]) : Infinity) : min];
    }
    if (!q) return undefined;
    this.i++;
    if (this.src[this.i] === "?") this.i++; // lazy: same backtracking on failure
    return q;
  }

  private atom(): Node {
    const c = this.src[this.i++];
    if (c === "(") {
      let look = false;
      if (this.src.startsWith("?:", this.i)) this.i += 2;
      else if (/^\?<?[=!]/.test(this.src.slice(this.i))) {
        look = true;
        this.i += this.src[this.i + 1] === "<" ? 3 : 2;
      } else if (this.src.startsWith("?<", this.i)) this.i = this.src.indexOf(">", this.i) + 1;
      const body = this.alternation();
      if (this.src[this.i] !== ")") throw new Error("unclosed (");
      this.i++;
      return look ? { t: "assert" } : { t: "group", body, look };
    }
    if (c === "[") return { t: "char", set: this.charClass() };
    if (c === ".") return { t: "char", set: this.dotAll ? fullSet() : setOf((x) => x !== "\n" && x !== "\r", true) };
    if (c === "^" || c === "$") return { t: "assert" };
    if (c === "\\") return this.escape(false);
    return { t: "char", set: this.literal(c) };
  }

  private literal(c: string): CharSet {
    const s = emptySet();
    const code = c.charCodeAt(0);
    if (code < 128) s[code] = true;
    else s[OTHER] = true;
    if (this.ignoreCase && /[a-z]/i.test(c)) {
      s[c.toLowerCase().charCodeAt(0)] = true;
      s[c.toUpperCase().charCodeAt(0)] = true;
    }
    return s;
  }

  /** After a backslash; inClass: inside [...] where \b is a backspace. */
  private escape(inClass: boolean): Node & { t: "char" } | { t: "assert" } {
    const c = this.src[this.i++];
    switch (c) {
      case "d": return { t: "char", set: setOf(DIGIT, false) };
      case "D": return { t: "char", set: negate(setOf(DIGIT, false)) };
      case "w": return { t: "char", set: setOf(WORD, false) };
      case "W": return { t: "char", set: negate(setOf(WORD, false)) };
      case "s": return { t: "char", set: setOf(SPACE, true) };
      case "S": return { t: "char", set: setOf((x) => !SPACE(x), true) };
      case "b": return inClass ? { t: "char", set: this.literal("\b") } : { t: "assert" };
      case "B": return { t: "assert" };
      case "n": return { t: "char", set: this.literal("\n") };
      case "r": return { t: "char", set: this.literal("\r") };
      case "t": return { t: "char", set: this.literal("\t") };
      case "f": return { t: "char", set: this.literal("\f") };
      case "v": return { t: "char", set: this.literal("\v") };
      case "0": return { t: "char", set: this.literal("\0") };
      case "x": {
        const h = this.src.slice(this.i, this.i + 2);
        this.i += 2;
        return { t: "char", set: this.literal(String.fromCharCode(parseInt(h, 16) || 0)) };
      }
      case "u": {
        const m = /^\{([0-9a-f]+)\}|^([0-9a-f]{4})/i.exec(this.src.slice(this.i));
        if (m) {
          this.i += m[0].length;
          return { t: "char", set: this.literal(String.fromCodePoint(parseInt(m[1] ?? m[2], 16))) };
        }
        return { t: "char", set: this.literal("u") };
      }
      case "c": this.i++; return { t: "char", set: emptySet().map((_, i) => i < 32) };
      case "p": case "P": {
        if (this.src[this.i] === "{") this.i = this.src.indexOf("}", this.i) + 1;
        return { t: "char", set: fullSet() };
      }
      case "k": {
        if (this.src[this.i] === "<") this.i = this.src.indexOf(">", this.i) + 1;
        return { t: "char", set: fullSet() }; // back-reference: could be anything
      }
      default:
        if (c !== undefined && /[1-9]/.test(c)) {
          while (/\d/.test(this.src[this.i] ?? "")) this.i++;
          return { t: "char", set: fullSet() };
        }
        return { t: "char", set: this.literal(c ?? "\\") };
    }
  }

  private charClass(): CharSet {
    let neg = false;
    if (this.src[this.i] === "^") {
      neg = true;
      this.i++;
    }
    let set = emptySet();
    let first = true;
    while (this.i < this.src.length && (this.src[this.i] !== "]" || (first && false))) {
      first = false;
      let lo: CharSet;
      let loChar: string | undefined;
      const c = this.src[this.i++];
      if (c === "\\") {
        const e = this.escape(true);
        lo = e.t === "char" ? e.set : emptySet();
        const single = lo.filter(Boolean).length === 1 ? lo.findIndex(Boolean) : -1;
        loChar = single >= 0 && single < 128 ? String.fromCharCode(single) : undefined;
      } else {
        lo = this.literal(c);
        loChar = c;
      }
      if (this.src[this.i] === "-" && this.src[this.i + 1] !== "]" && this.i + 1 < this.src.length && loChar !== undefined) {
        this.i++;
        let hiChar = this.src[this.i++];
        if (hiChar === "\\") {
          const e = this.escape(true);
          const idx = e.t === "char" ? e.set.findIndex(Boolean) : -1;
          hiChar = idx >= 0 && idx < 128 ? String.fromCharCode(idx) : "\u00ff";
        }
        const a = loChar.charCodeAt(0);
        const b = hiChar.charCodeAt(0);
        for (let k = a; k <= Math.min(b, 127); k++) {
          lo[k] = true;
          if (this.ignoreCase) {
            const ch = String.fromCharCode(k);
            lo[ch.toLowerCase().charCodeAt(0)] = true;
            lo[ch.toUpperCase().charCodeAt(0)] = true;
          }
        }
        if (b > 127) lo[OTHER] = true;
      }
      set = union(set, lo);
    }
    if (this.src[this.i] !== "]") throw new Error("unclosed [");
    this.i++;
    return neg ? negate(set) : set;
  }
}

/** Every character a node can consume. */
function charsOf(n: Node): CharSet {
  switch (n.t) {
    case "char": return n.set;
    case "seq": return n.items.reduce((s, x) => union(s, charsOf(x)), emptySet());
    case "alt": return n.options.reduce((s, x) => union(s, charsOf(x)), emptySet());
    case "group": return charsOf(n.body);
    case "rep": return charsOf(n.body);
    case "assert": return emptySet();
  }
}

/** Unbounded repetitions strictly inside `n` (not crossing lookarounds). */
function unboundedReps(n: Node, out: (Node & { t: "rep" })[] = []): (Node & { t: "rep" })[] {
  switch (n.t) {
    case "seq": n.items.forEach((x) => unboundedReps(x, out)); break;
    case "alt": n.options.forEach((x) => unboundedReps(x, out)); break;
    case "group": unboundedReps(n.body, out); break;
    case "rep":
      if (n.max === Infinity) out.push(n);
      unboundedReps(n.body, out);
      break;
  }
  return out;
}

/** Characters every iteration must consume, outside unbounded sub-repetitions (separators like `,` in `(\s*,\s*\w+)*`). */
function mandatoryChars(n: Node, out: CharSet[] = []): CharSet[] {
  switch (n.t) {
    case "char": out.push(n.set); break;
    case "seq": n.items.forEach((x) => mandatoryChars(x, out)); break;
    case "group": mandatoryChars(n.body, out); break;
    case "rep": if (n.min >= 1 && n.max !== Infinity) mandatoryChars(n.body, out); break;
    default: break; // alternatives, optional parts and assertions are not mandatory
  }
  return out;
}

function stripGroups(n: Node): Node {
  let x = n;
  for (;;) {
    if (x.t === "group") x = x.body;
    else if (x.t === "seq" && x.items.length === 1) x = x.items[0];
    else return x;
  }
}

function singleChar(n: Node): CharSet | undefined {
  const x = stripGroups(n);
  return x.t === "char" ? x.set : undefined;
}

function reps(n: Node, out: (Node & { t: "rep" })[] = []): (Node & { t: "rep" })[] {
  switch (n.t) {
    case "seq": n.items.forEach((x) => reps(x, out)); break;
    case "alt": n.options.forEach((x) => reps(x, out)); break;
    case "group": reps(n.body, out); break;
    case "rep": out.push(n); reps(n.body, out); break;
  }
  return out;
}

export type RedosKind = "nested-quantifier" | "overlapping-alternation";

/** Why a regular expression can take exponential time on a crafted input, or undefined when it cannot (as far as we can tell). */
export function catastrophicBacktracking(source: string, flags = ""): RedosKind | undefined {
  let root: Node;
  try {
    root = new Parser(source, flags.includes("s"), flags.includes("i")).parse();
  } catch {
    return undefined;
  }
  for (const outer of reps(root)) {
    if (outer.max < 10) continue;
    const inner = unboundedReps(outer.body);
    if (inner.length) {
      const innerSet = inner.reduce((s, r) => union(s, charsOf(r.body)), emptySet());
      const separated = mandatoryChars(outer.body).some((m) => !overlaps(m, innerSet));
      if (!separated) return "nested-quantifier";
      continue;
    }
    if (outer.max !== Infinity) continue;
    const body = stripGroups(outer.body);
    if (body.t === "alt") {
      const singles = body.options.map(singleChar);
      for (let a = 0; a < singles.length; a++) {
        for (let b = a + 1; b < singles.length; b++) {
          const sa = singles[a];
          const sb = singles[b];
          if (sa && sb && overlaps(sa, sb)) return "overlapping-alternation";
        }
      }
    }
  }
  return undefined;
}
