import { ts } from "ts-morph";
import { defineRule } from "../../src/core/rule.js";
import { taintOf } from "../../src/core/taint.js";
import { memberName, receiverOf } from "../../src/core/ast.js";
import { isTruthyConstant, optionValue } from "../../src/core/sinks-injection.js";

const LIBXML_MODULES = ["libxmljs", "libxmljs2", "libxmljs-mt"];
const LIBXML_PARSE = new Set(["parseXml", "parseXmlString", "parseXmlAsync", "parseXmlStringAsync"]);
/** libxml2 options that expand or fetch external entities / DTDs. */
const DANGEROUS_OPTIONS = ["noent", "dtdload", "dtdvalid", "dtdattr"];
/** `vm.runInContext("libxml.parseXml(data, { noent: true })", …)`: the call hidden in a code string. */
const CODE_STRING = /parseXml(String)?\s*\([^)]*\bnoent\s*:\s*true/;

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
        const r = imports.resolveCall(call);
        if (!r?.module) return;
        if (r.module === "node-expat" && r.instance && (r.name === "parse" || r.name === "write")) {
          const t = call.arguments[0] && taintOf(call.arguments[0], "any");
          if (t) ctx.report({ node: call, severity: "warning", message: `XML from \`${t.source}\` parsed with expat, which expands entities declared in the document (XXE / billion laughs).` });
          return;
        }
        if (r.module === "xml2json" && r.name === "toJson") {
          const t = call.arguments[0] && taintOf(call.arguments[0], "any");
          if (t) ctx.report({ node: call, severity: "warning", message: `XML from \`${t.source}\` converted with xml2json (expat), which expands entities declared in the document (XXE / billion laughs).` });
        }
      },
      StringLiteral(s) {
        if (CODE_STRING.test(s.text)) reportCodeString(s);
      },
      NoSubstitutionTemplateLiteral(s) {
        if (CODE_STRING.test(s.text)) reportCodeString(s);
      },
    };

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
