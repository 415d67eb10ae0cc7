import { analyze } from "../../src/core/analyze.js";
import { defineRule } from "../../src/core/rule.js";
import { taintOf } from "../../src/core/taint.js";
import { memberName } from "../../src/core/ast.js";

/**
 * Flows of the shared taint engine that no single rule fixture shows well: a probe rule reports every
 * `sink(x)` whose argument is tainted (as a log sink), and each case says whether it must be.
 */
const probe = defineRule({
  meta: { id: "security/taint-probe", category: "security", severity: "error", cwe: ["CWE-20"], title: "probe", description: "probe", fix: "none" },
  create(ctx) {
    return {
      CallExpression(call) {
        if (memberName(call.expression) !== "sink" || !call.arguments[0]) return;
        const t = taintOf(call.arguments[0], "log");
        if (t) ctx.report({ node: call, message: t.source });
      },
    };
  },
});

function tainted(body: string): boolean {
  const code = `import express from "express";\nconst app = express();\ndeclare function sink(x: unknown): void;\n${body}\n`;
  const result = analyze([{ path: "src/app.ts", content: code }], [probe]);
  expect(result.ruleErrors).toEqual([]);
  return result.findings.length > 0;
}

describe("taint engine flows", () => {
  it("a presence check in a ternary is not an allow-list", () => {
    expect(tainted(`app.get("/a", (req, res) => { sink(req.param("next") && req.param("next") != "" ? req.param("next") : "/home"); });`)).toBe(true);
    expect(tainted(`app.get("/a", (req, res) => { const n = req.query.next; sink(n ? n : "/home"); });`)).toBe(true);
    expect(tainted(`app.get("/a", (req, res) => { const n = req.query.next; sink(n === "/admin" || n === "/home" ? n : "/home"); });`)).toBe(false);
  });

  it("what a try block throws reaches the catch parameter", () => {
    expect(tainted(`app.post("/a", (req, res) => { try { throw new Error(\`bad user \${req.body.name}\`); } catch (e) { sink((e as Error).message); } });`)).toBe(true);
    expect(tainted(`
function check(name: string) { if (!name.length) throw \`\${name} is not valid\`; }
app.post("/a", (req, res) => { try { check(req.body.name); } catch (err) { sink(err); } });`)).toBe(true);
    // thrown with constant text, or caught by an inner handler first
    expect(tainted(`app.post("/a", (req, res) => { try { if (!req.body.name) throw new Error("name missing"); } catch (e) { sink(e); } });`)).toBe(false);
    expect(tainted(`app.post("/a", (req, res) => { try { try { throw new Error(req.body.name); } catch { /* ignored */ } } catch (e) { sink(e); } });`)).toBe(false);
  });

  it("values written into a container built in code taint the container", () => {
    expect(tainted(`app.post("/a", (req, res) => { const args: string[] = ["-c"]; args[1] = req.body.cmd; sink(args); });`)).toBe(true);
    expect(tainted(`app.post("/a", (req, res) => { const meta: Record<string, unknown> = {}; meta.user = req.body.user; sink(meta); });`)).toBe(true);
    expect(tainted(`app.post("/a", (req, res) => { const list: string[] = []; list.push(req.body.item); sink(list); });`)).toBe(true);
    expect(tainted(`app.post("/a", (req, res) => { const list: string[] = []; list.push("fixed"); const other: string[] = []; other.push(req.body.item); sink(list); });`)).toBe(false);
  });
});
