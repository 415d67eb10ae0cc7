import { ts } from "ts-morph";
import { defineRule } from "../../src/core/rule.js";
import { taintOf } from "../../src/core/taint.js";
import { enclosingFunction, isInside, memberName, receiverOf, unwrap, walk } from "../../src/core/ast.js";
import { findDeclaration } from "../../src/core/scope.js";
import { isGuardCondition } from "../../src/core/guards.js";
import { isOperatorInput, objectLiteralOf, optionValue } from "../../src/core/sinks-injection.js";

const FS_MODULES = ["fs", "fs/promises", "fs-extra", "graceful-fs", "mz/fs", "original-fs", "fs-extra/esm", "node:fs"];
/** fs functions whose first argument is a path. */
const FS_PATH_FUNCS = new Set([
  "readFile", "readFileSync", "writeFile", "writeFileSync", "appendFile", "appendFileSync", "createReadStream", "createWriteStream",
  "unlink", "unlinkSync", "rm", "rmSync", "rmdir", "rmdirSync", "readdir", "readdirSync", "stat", "statSync", "lstat", "lstatSync",
  "access", "accessSync", "exists", "existsSync", "open", "openSync", "mkdir", "mkdirSync", "readlink", "readlinkSync", "chmod",
  "chmodSync", "chown", "chownSync", "truncate", "truncateSync", "utimes", "utimesSync", "opendir", "opendirSync", "watch", "watchFile",
  "realpath", "realpathSync", "mkdtemp", "mkdtempSync", "lchown", "lutimes",
  // fs-extra
  "remove", "removeSync", "outputFile", "outputFileSync", "readJson", "readJsonSync", "readJSON", "readJSONSync", "writeJson",
  "writeJsonSync", "writeJSON", "outputJson", "outputJsonSync", "ensureDir", "ensureDirSync", "ensureFile", "ensureFileSync",
  "emptyDir", "emptyDirSync", "pathExists", "pathExistsSync", "mkdirp", "mkdirs", "mkdirsSync", "mkdirpSync",
]);
/** fs functions with two paths (source, destination). */
const FS_TWO_PATHS = new Set(["copyFile", "copyFileSync", "rename", "renameSync", "link", "linkSync", "symlink", "symlinkSync", "cp", "cpSync", "copy", "copySync", "move", "moveSync"]);
const RESPONSE_FILE = new Set(["sendFile", "sendfile", "download"]);
const RESPONSE_NAMES = /^(res|response|reply|resp|ctx\.res|h)$/;
/** Archive readers whose entries carry a name chosen by whoever built the archive (zip slip). */
const ARCHIVE_MODULES = ["unzipper", "yauzl", "yauzl-promise", "adm-zip", "tar", "tar-stream", "tar-fs", "jszip", "node-stream-zip", "unzip", "unzip-stream", "decompress", "zip-lib"];
/** Entry properties holding the stored file name: unzipper/tar `entry.path`, yauzl `entry.fileName`, adm-zip `entry.entryName`, tar-stream `header.name`. */
const ENTRY_NAME_PROPS = /^(path|fileName|filename|entryName)$/;
const ENTRY_NAMES = /^(entry|zipEntry|tarEntry|archiveEntry|fileEntry|header|ent)$/i;

export default defineRule({
  meta: {
    id: "security/path-traversal",
    category: "security",
    severity: "error",
    cwe: ["CWE-22", "CWE-23", "CWE-73", "CWE-706"],
    title: "File path built from untrusted input",
    description:
      "A file-system path contains data the client controls. With `../` sequences or an absolute path an attacker reads, overwrites or deletes " +
      "files outside the intended directory (source code, .env, SSH keys) or loads an arbitrary module.",
    fix: "Reduce the name with `path.basename()` or map it through an allow-list, resolve it against a fixed root and check `resolved.startsWith(root + path.sep)` before touching the file; for Express use `res.sendFile(name, { root })`.",
  },
  create(ctx) {
    const weakOk = !ctx.file.isTest;
    const imports = ctx.file.imports;
    /** path.join/resolve calls with tainted parts, judged after the walk. */
    const joins: ts.CallExpression[] = [];
    /** Sink arguments already reported (joins inside them or flowing into them are covered). */
    const sinkArgs: ts.Expression[] = [];
    /** path.join(dest, entry.path) of archive entries, judged after the walk (zip slip). */
    const zipJoins: ts.CallExpression[] = [];
    const readsArchives = weakOk && ARCHIVE_MODULES.some((m) => imports.hasModule(m));

    const checkSink = (call: ts.CallExpression, args: (ts.Expression | undefined)[], what: string): void => {
      for (const a of args) {
        if (!a || checkedJoinResult(a)) continue;
        const t = taintOf(a, "path");
        if (!t || isOperatorInput(ctx.file, t.source)) continue;
        sinkArgs.push(a);
        // loading a client-named module is also an incorrectly-resolved reference (CWE-706)
        ctx.report({ node: call, cwe: what === "`require`" ? ["CWE-22", "CWE-23", "CWE-73", "CWE-706"] : ["CWE-22", "CWE-23", "CWE-73"], message: `${what} with a path built from \`${t.source}\`: \`../\` or an absolute path escapes the intended directory. Use path.basename() or check the resolved path stays under the root.` });
        return;
      }
    };

    /** fs.createWriteStream(entry.path): an archive entry written under the name it carries (zip slip). */
    const checkEntrySink = (call: ts.CallExpression, paths: (ts.Expression | undefined)[], fn: string): void => {
      const name = paths.map((a) => a && archiveEntryName(a)).find(Boolean);
      if (!name || checksEntryNames(call)) return;
      ctx.report({ node: call, cwe: ["CWE-22", "CWE-23"], severity: "warning", message: `\`fs.${fn}\` with the archive entry name \`${name}\` (zip slip): an entry named \`../../app/server.js\` is written outside the target directory. Resolve it under the destination and check it stays there.` });
    };

    return {
      CallExpression(call) {
        const args = call.arguments;
        const callee = unwrap(call.expression);
        const name = memberName(callee);
        if (!name) return;

        // require(x) / import(x) of a client-chosen module
        if (name === "require" && ts.isIdentifier(callee) && !findDeclaration(callee) && args.length === 1) {
          checkSink(call, [args[0]], "`require`");
          return;
        }
        if (callee.kind === ts.SyntaxKind.ImportKeyword) {
          checkSink(call, [args[0]], "Dynamic `import()`");
          return;
        }

        const r = imports.resolveCall(call);
        if (r?.module && FS_MODULES.includes(r.module)) {
          const before = sinkArgs.length;
          const paths = FS_TWO_PATHS.has(r.name) ? [args[0], args[1]] : FS_PATH_FUNCS.has(r.name) ? [args[0]] : [];
          checkSink(call, paths, `\`fs.${r.name}\``);
          if (sinkArgs.length === before && readsArchives) checkEntrySink(call, paths, r.name);
          return;
        }
        if (r?.module === "path" && (r.name === "join" || r.name === "resolve") && args.length) {
          if (taintOf(call, "path")) joins.push(call);
          else if (readsArchives && args.slice(1).some((a) => archiveEntryName(a))) zipJoins.push(call);
          return;
        }
        // res.render(view): Express resolves the view name under `views/`, so `../` renders any template-engine file (LFI).
        if (name === "render" && args.length && RESPONSE_NAMES.test(receiverOf(call)?.getText() ?? "")) {
          const t = taintOf(args[0], "path");
          if (t && !isOperatorInput(ctx.file, t.source)) {
            ctx.report({ node: call, cwe: ["CWE-22", "CWE-23", "CWE-706"], message: `View name built from \`${t.source}\` passed to \`res.render\`: Express resolves it as a file path under views/, so \`../\` renders (and evaluates) other files on the server. Map the request value to a fixed list of views.` });
          }
          return;
        }
        // res.sendFile(p) / res.download(p): without a `root` option, Express serves any absolute path.
        if (RESPONSE_FILE.has(name)) {
          const recv = receiverOf(call);
          if (!recv || !RESPONSE_NAMES.test(recv.getText())) return;
          const opts = name === "download" ? (args.length >= 3 ? args[2] : isObjectArg(args[1]) ? args[1] : undefined) : args[1];
          if (optionValue(opts, "root")) return; // send() rejects `..` that climbs above the root
          if (opts && !objectLiteralOf(opts)) return; // options we cannot see may set `root`
          if (name !== "download" && args[0] && underFixedPrefix(args[0])) return; // res.download resolve()s the path first
          checkSink(call, [args[0]], `\`res.${name}\``);
          return;
        }
        // express-fileupload: req.files.avatar.mv(dest) moves the upload wherever dest points.
        if (name === "mv" && /^(req|request)\.files\b/.test(receiverOf(call)?.getText() ?? "")) {
          checkSink(call, [args[0]], "`mv` of an uploaded file");
        }
      },
      "SourceFile:exit"() {
        if (!weakOk) return;
        for (const j of zipJoins) {
          if (resultIsChecked(j) || checksEntryNames(j)) continue;
          const name = j.arguments.slice(1).map(archiveEntryName).find(Boolean);
          ctx.report({
            node: j,
            cwe: ["CWE-22", "CWE-23"],
            severity: "warning",
            message: `Extraction path built from the archive entry name \`${name}\` (zip slip): an entry named \`../../app/server.js\` is written outside the target directory. Check \`path.resolve(dest, name).startsWith(dest + path.sep)\` or skip entries containing \`..\`.`,
          });
        }
        for (const j of joins) {
          if (sinkArgs.some((a) => isInside(j, a))) continue;
          if (flowsIntoReported(j, sinkArgs) || resultIsChecked(j)) continue;
          const t = taintOf(j, "path");
          if (!t || isOperatorInput(ctx.file, t.source)) continue;
          ctx.report({
            node: j,
            cwe: ["CWE-22", "CWE-23", "CWE-73"],
            severity: "warning",
            message: `File path built from \`${t.source}\` with \`path.${memberName(j.expression)}\` and not checked against its root: \`../\` escapes the directory. Use path.basename() or check \`resolved.startsWith(root)\`.`,
          });
        }
      },
    };
  },
});

/**
 * `__dirname + "/public/" + req.params.name`: a fixed directory, then request text spliced in as is. send() (behind
 * res.sendFile) answers 403 to any path with a `..` segment, and the fixed head rules out an absolute
 * path, so the file stays under that directory. Not so once path.join/resolve/normalize has collapsed the `..` first.
 */
function underFixedPrefix(arg: ts.Expression): boolean {
  const e = unwrap(arg);
  let parts: ts.Expression[];
  if (ts.isTemplateExpression(e)) {
    parts = e.templateSpans.map((sp) => sp.expression);
    if (!e.head.text && (taintOf(parts[0], "path") || !e.templateSpans[0].literal.text)) return false;
    if (!e.head.text) parts = parts.slice(1);
  } else if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.PlusToken) {
    parts = [];
    const flatten = (x: ts.Expression): void => {
      const u = unwrap(x);
      if (ts.isBinaryExpression(u) && u.operatorToken.kind === ts.SyntaxKind.PlusToken) { flatten(u.left); flatten(u.right); } else parts.push(u);
    };
    flatten(e);
    if (taintOf(parts[0], "path")) return false;
    parts = parts.slice(1);
  } else return false;
  return parts.every((p) => !ts.isCallExpression(unwrap(p)) || !taintOf(p, "path"));
}

/** `const p = path.join(root, name); if (!p.startsWith(root)) …; fs.readFile(p)`: the joined path is checked before use. */
function checkedJoinResult(arg: ts.Expression): boolean {
  const e = unwrap(arg);
  if (!ts.isIdentifier(e)) return false;
  const d = findDeclaration(e);
  if (!d || !ts.isVariableDeclaration(d) || !d.initializer || !ts.isCallExpression(unwrap(d.initializer))) return false;
  const init = unwrap(d.initializer) as ts.CallExpression;
  return /^(join|resolve|normalize)$/.test(memberName(init.expression) ?? "") && resultIsChecked(init);
}

function isObjectArg(a: ts.Expression | undefined): boolean {
  return !!a && ts.isObjectLiteralExpression(unwrap(a));
}

/** The variable a path.join result is stored in (`const p = path.join(…)`), if any. */
function storedIn(j: ts.CallExpression): ts.Identifier | undefined {
  let n: ts.Node = j;
  while (n.parent && (ts.isParenthesizedExpression(n.parent) || ts.isAwaitExpression(n.parent) || ts.isAsExpression(n.parent))) n = n.parent;
  const p = n.parent;
  if (p && ts.isVariableDeclaration(p) && p.initializer === n && ts.isIdentifier(p.name)) return p.name;
  if (p && ts.isBinaryExpression(p) && p.right === n && p.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isIdentifier(p.left)) return p.left;
  return undefined;
}

function flowsIntoReported(j: ts.CallExpression, sinkArgs: ts.Expression[]): boolean {
  const v = storedIn(j);
  if (!v) return false;
  return sinkArgs.some((a) => {
    let found = false;
    const visit = (n: ts.Node): void => {
      if (ts.isIdentifier(n) && n.text === v.text) found = true;
      ts.forEachChild(n, visit);
    };
    visit(a);
    return found;
  });
}

/** The stored result is later compared against a root (`if (!p.startsWith(root))`, `p.indexOf(base) === 0`). */
function resultIsChecked(j: ts.CallExpression): boolean {
  const v = storedIn(j);
  const scope = enclosingFunction(j) ?? j.getSourceFile();
  let checked = false;
  walk(scope, (n) => {
    if (checked) return false;
    if ((ts.isIfStatement(n) || ts.isConditionalExpression(n)) && v) {
      const cond = ts.isIfStatement(n) ? n.expression : n.condition;
      if (isGuardCondition(cond, v.text) && /startsWith|indexOf|relative|includes\(\s*['"]\.\.['"]/.test(cond.getText())) checked = true;
    }
    return undefined;
  });
  if (checked) return true;
  // Inline: path.join(…).startsWith(root)
  const p = j.parent;
  return !!p && ts.isPropertyAccessExpression(p) && /^(startsWith|indexOf)$/.test(p.name.text);
}

/**
 * `entry.path` / `header.name` of an archive entry, directly, spliced into a string (`"out/" + entry.path`) or through
 * a variable; the text of it, else undefined.
 */
function archiveEntryName(arg: ts.Expression, depth = 0): string | undefined {
  const e = unwrap(arg);
  if (depth > 2) return undefined;
  if (ts.isIdentifier(e)) {
    const d = findDeclaration(e);
    return d && ts.isVariableDeclaration(d) && d.initializer ? archiveEntryName(d.initializer, depth + 1) : undefined;
  }
  if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.PlusToken) return archiveEntryName(e.left, depth + 1) ?? archiveEntryName(e.right, depth + 1);
  if (ts.isTemplateExpression(e)) return e.templateSpans.map((sp) => archiveEntryName(sp.expression, depth + 1)).find(Boolean);
  if (!ts.isPropertyAccessExpression(e)) return undefined;
  const recv = unwrap(e.expression);
  const recvName = ts.isIdentifier(recv) ? recv.text : ts.isPropertyAccessExpression(recv) ? recv.name.text : "";
  if (ENTRY_NAME_PROPS.test(e.name.text) && ENTRY_NAMES.test(recvName)) return e.getText();
  if (e.name.text === "name" && /^(header|entry|zipEntry|tarEntry)$/.test(recvName)) return e.getText();
  return undefined;
}

/** The extracting function rejects traversal itself: `if (name.includes(".."))`, `isAbsolute`, a startsWith check, sanitize*. */
function checksEntryNames(j: ts.CallExpression): boolean {
  const fn = enclosingFunction(j);
  return !!fn && /['"`]\.\.['"`/\\]|\bisAbsolute\b|\.startsWith\(|\bpath\.relative\(|\bsanitiz/i.test(fn.getText());
}
