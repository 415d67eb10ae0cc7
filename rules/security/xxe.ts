import { ts } from "ts-morph";
import { defineRule } from "../../src/core/rule.js";
import { taintOf } from "../../src/core/taint.js";
import { isFunctionLike, memberName, receiverOf, stringValue, unwrap, walk } from "../../src/core/ast.js";
import { findDeclaration } from "../../src/core/scope.js";
import { isTruthyConstant, optionValue, parameterInput } from "../../src/core/sinks-injection.js";

const LIBXML_MODULES = ["libxmljs", "libxmljs2", "libxmljs-mt"];
const LIBXML_PARSE = new Set(["parseXml", "parseXmlString", "parseXmlAsync", "parseXmlStringAsync"]);
/** libxml2 options that expand or fetch external entities / DTDs. */
const DANGEROUS_OPTIONS = ["noent", "dtdload", "dtdvalid", "dtdattr"];
/** `vm.runInContext("libxml.parseXml(data, { noent: true })", …)`: the call hidden in a code string. */
const CODE_STRING = /parseXml(String)?\s*\([^)]*\bnoent\s*:\s*true/;
/** libxmljs SAX parsers resolve entities with no option to turn it off; [class, method that feeds it XML]. */
const LIBXML_SAX: Record<string, string> = { SaxParser: "parseString", SaxPushParser: "push" };
/** sax parser factories; sax resolves no entities itself but hands the DOCTYPE to `ondoctype` handlers. */
const SAX_FACTORIES = new Set(["parser", "createStream", "SAXParser", "SAXStream"]);

/** Where a stateful parser was built: `const p = new expat.Parser()` → the NewExpression (through one variable). */
function constructionOf(receiver: ts.Expression | undefined): ts.NewExpression | ts.CallExpression | undefined {
  const r = receiver && unwrap(receiver);
  if (!r) return undefined;
  if (ts.isNewExpression(r)) return r;
  if (!ts.isIdentifier(r)) return undefined;
  const d = findDeclaration(r);
  const init = d && ts.isVariableDeclaration(d) && d.initializer ? unwrap(d.initializer) : undefined;
  return init && (ts.isNewExpression(init) || ts.isCallExpression(init)) ? init : undefined;
}

/**
 * The module a constructor/factory comes from, read at its own declaration (`const {Parser} = require("node-expat")`
 * in this function), so files that reuse a local name for different modules are not confused; undefined when unknown.
 */
function scopedModule(creation: ts.NewExpression | ts.CallExpression): string | undefined {
  let root: ts.Expression = unwrap(creation.expression);
  while (ts.isPropertyAccessExpression(root) || ts.isCallExpression(root)) root = unwrap(root.expression);
  if (ts.isIdentifier(root) && root.text === "require") return requireOf(unwrap(creation.expression));
  if (!ts.isIdentifier(root)) return undefined;
  let d: ts.Node | undefined = findDeclaration(root);
  while (d && (ts.isBindingElement(d) || ts.isObjectBindingPattern(d))) d = d.parent;
  return d && ts.isVariableDeclaration(d) && d.initializer ? requireOf(unwrap(d.initializer)) : undefined;
}

/** "x" for `require("x")` / `require("x").Parser`. */
function requireOf(e: ts.Expression): string | undefined {
  let x = e;
  while (ts.isPropertyAccessExpression(x)) x = unwrap(x.expression);
  if (!ts.isCallExpression(x) || !ts.isIdentifier(x.expression) || x.expression.text !== "require") return undefined;
  return stringValue(x.arguments[0]);
}

/** The statement that declares a parser (`var sax = require("sax"), parser = sax.parser(strict);`), else the creation itself. */
function declaringStatement(creation: ts.Node): ts.Node {
  const d = creation.parent;
  if (d && ts.isVariableDeclaration(d) && ts.isVariableDeclarationList(d.parent) && ts.isVariableStatement(d.parent.parent)) return d.parent.parent;
  return creation;
}

/** A DOCTYPE handler that does something with the declaration (passes it on or stores it), not an empty stub. */
function usesDoctype(handler: ts.Expression | undefined): boolean {
  const fn = handler && unwrap(handler);
  if (!fn || !isFunctionLike(fn) || !fn.body) return false;
  const p = fn.parameters[0];
  if (!p || !ts.isIdentifier(p.name)) return false;
  const name = p.name.text;
  let used = false;
  walk(fn.body, (n) => {
    if (used) return false;
    if (ts.isIdentifier(n) && n.text === name && n.parent && (ts.isCallExpression(n.parent) || ts.isBinaryExpression(n.parent) || ts.isPropertyAccessExpression(n.parent))) used = true;
    return undefined;
  });
  return used;
}

export default defineRule({
  meta: {
    id: "security/xxe",
    category: "security",
    severity: "error",
    cwe: ["CWE-611", "CWE-776"],
    title: "XML parsed with external entity expansion",
    description:
      "The XML parser is configured to substitute entities / load DTDs (`noent: true`). A document with `<!ENTITY x SYSTEM \"file:///etc/passwd\">` " +
      "reads local files or makes the server request internal URLs (SSRF); nested entities exhaust memory (billion laughs).",
    fix: "Drop `noent`/`dtdload`/`dtdvalid` from the parser options (libxmljs does not expand external entities by default), or use a parser without DTD support (xml2js, fast-xml-parser with processEntities off).",
  },
  create(ctx) {
    const weakOk = !ctx.file.isTest;
    const imports = ctx.file.imports;
    /** Parser constructions / statements already reported (several feeding calls share one finding). */
    const reportedNodes = new Set<ts.Node>();

    const isLibxml = (call: ts.CallExpression): boolean => {
      const r = imports.resolveCall(call);
      if (r?.module) return LIBXML_MODULES.includes(r.module) && LIBXML_PARSE.has(r.name);
      const recv = receiverOf(call);
      return !!recv && /^libxml/i.test(recv.getText()) && LIBXML_PARSE.has(memberName(call.expression) ?? "");
    };

    return {
      CallExpression(call) {
        const name = memberName(call.expression);
        if (!name) return;
        if (LIBXML_PARSE.has(name) && isLibxml(call)) {
          const opts = call.arguments[1];
          const bad = DANGEROUS_OPTIONS.find((o) => isTruthyConstant(optionValue(opts, o)));
          if (!bad) return;
          const t = call.arguments[0] && taintOf(call.arguments[0], "any");
          if (t) {
            ctx.report({ node: call, message: `XML from \`${t.source}\` parsed with \`${bad}: true\`: external entities let an attacker read server files (XXE). Remove the option.` });
          } else if (weakOk) {
            ctx.report({ node: call, message: `XML parsed with \`${bad}: true\`: external entities in the document are resolved (XXE). Remove the option.` });
          }
          return;
        }
        // node-expat / xml2json (built on expat) expand entities declared in the document.
        // Stateful parsers are identified by where they were built (local names like `parser` are reused across modules).
        if (name === "parse" || name === "write") {
          const built = constructionOf(receiverOf(call));
          const mod = built ? moduleOf(built) : imports.resolveCall(call)?.instance ? imports.resolveCall(call)?.module : undefined;
          if (mod === "node-expat") checkFeed(call, "expat");
          return;
        }
        if (Object.values(LIBXML_SAX).includes(name)) return checkLibxmlSax(call);
        if (name === "on" || name === "addListener") return checkSaxDoctype(call);
        const r = imports.resolveCall(call);
        if (r?.module === "xml2json" && r.name === "toJson") checkFeed(call, "xml2json");
      },
      BinaryExpression(b) {
        // parser.ondoctype = (dt) => …
        if (b.operatorToken.kind !== ts.SyntaxKind.EqualsToken || !ts.isPropertyAccessExpression(b.left) || b.left.name.text !== "ondoctype") return;
        if (usesDoctype(b.right)) reportSax(b.left.expression);
      },
      StringLiteral(s) {
        if (CODE_STRING.test(s.text)) reportCodeString(s);
      },
      NoSubstitutionTemplateLiteral(s) {
        if (CODE_STRING.test(s.text)) reportCodeString(s);
      },
    };

    /** expat-based parsing of XML that is not a constant: request data (any code) or a parameter (server code). */
    function checkFeed(call: ts.CallExpression, lib: "expat" | "xml2json"): void {
      const arg = call.arguments[0];
      if (!arg) return;
      const t = taintOf(arg, "any");
      const p = t ? undefined : ctx.file.isServerCode ? parameterInput(arg) : undefined;
      if (!t && !p) return;
      const from = t ? `XML from \`${t.source}\`` : `XML passed in as \`${p}\``;
      // Request data is reported where it enters the parser; otherwise a stateful expat parser is reported where it
      // is built, since choosing expat for caller-supplied XML is what needs reviewing.
      const built = lib === "expat" ? constructionOf(receiverOf(call)) : undefined;
      const node = built && !t ? built : call;
      if (reportedNodes.has(node)) return;
      reportedNodes.add(node);
      const how = lib === "expat" ? "parsed with expat" : "converted with xml2json (expat)";
      ctx.report({ node, severity: "warning", message: `${from} ${how}, which expands entities declared in the document's DTD (entity expansion / billion laughs; XXE if it is ever configured to load external entities). Parse only trusted XML or use a parser without DTD support.` });
    }

    /** libxmljs SaxParser.parseString / SaxPushParser.push of request data: entities are resolved and cannot be turned off. */
    function checkLibxmlSax(call: ts.CallExpression): void {
      const creation = constructionOf(receiverOf(call));
      const cls = creation && ts.isNewExpression(creation) ? memberName(creation.expression) : undefined;
      if (!creation || !cls || LIBXML_SAX[cls] !== memberName(call.expression) || !LIBXML_MODULES.includes(moduleOf(creation) ?? "")) return;
      const t = call.arguments[0] && taintOf(call.arguments[0], "any");
      if (!t || reportedNodes.has(creation)) return;
      reportedNodes.add(creation);
      ctx.report({ node: creation, message: `libxmljs \`${cls}\` parses XML from \`${t.source}\` and resolves its entities (no option turns that off): external entities read server files (XXE). Use parseXml without \`noent\` or a parser without DTD support.` });
    }

    /** parser.on("doctype", handler) on a sax parser or stream. */
    function checkSaxDoctype(call: ts.CallExpression): void {
      if (stringValue(call.arguments[0]) !== "doctype" || !usesDoctype(call.arguments[1])) return;
      reportSax(receiverOf(call));
    }

    function reportSax(receiver: ts.Expression | undefined): void {
      const creation = constructionOf(receiver);
      if (!creation || !weakOk || !ctx.file.isServerCode) return;
      if (moduleOf(creation) !== "sax" || !SAX_FACTORIES.has(memberName(creation.expression) ?? "")) return;
      const node = declaringStatement(creation);
      if (reportedNodes.has(node)) return;
      reportedNodes.add(node);
      ctx.report({ node, severity: "warning", message: "sax parser whose DOCTYPE handler processes the document's DTD: sax resolves no entities itself, but defining entities from an untrusted DTD (or fetching its SYSTEM URL) reintroduces XXE. Ignore the DOCTYPE of untrusted XML." });
    }

    function moduleOf(creation: ts.NewExpression | ts.CallExpression): string | undefined {
      return scopedModule(creation) ?? imports.resolveCall(creation)?.module;
    }

    function reportCodeString(s: ts.Node): void {
      // Only when the string is evaluated: vm.runInContext("…") / eval("…") / new vm.Script("…")
      let call: ts.Node | undefined = s.parent;
      while (call && ts.isParenthesizedExpression(call)) call = call.parent;
      if (!call || !(ts.isCallExpression(call) || ts.isNewExpression(call))) return;
      if (!/^(runInContext|runInNewContext|runInThisContext|Script|eval|run)$/.test(memberName(call.expression) ?? "")) return;
      ctx.report({ node: call, message: "XML parsed with `noent: true` inside evaluated code: external entities in the document are resolved (XXE). Remove the option." });
    }
  },
});
