import { ts } from "ts-morph";
import { defineRule } from "../../src/core/rule.js";
import { isBooleanLiteral, isFunctionLike, memberName, objectProperty, unwrap, walk } from "../../src/core/ast.js";
import { objectLiteralOf, propertyNode } from "../../src/core/web-app.js";

/** Calls that make an untrusted file name safe: basename/extname only, sanitizers, random names. */
const NAME_SANITIZER = /^(basename|extname|sanitize\w*|slugify|filenamify|uuid|v4|randomUUID|randomBytes|nanoid|cuid|createHash|encodeURIComponent)$/i;
const WRITE_SINKS = new Set(["writeFile", "writeFileSync", "rename", "renameSync", "copyFile", "copyFileSync", "createWriteStream", "mv", "move", "moveSync", "outputFile", "saveAs"]);

/** Is `expr` (a file name/path) built from the client's file name without a sanitizer on the way? */
function usesClientName(expr: ts.Node): ts.Node | undefined {
  let found: ts.Node | undefined;
  walk(expr.parent ?? expr, (n) => {
    if (found) return false;
    if (n !== expr && !isInsideNode(n, expr)) return false;
    if (ts.isCallExpression(n) && NAME_SANITIZER.test(memberName(n.expression) ?? "")) return false;
    if (ts.isCallExpression(n) && /^(replace|replaceAll)$/.test(memberName(n.expression) ?? "") && /\[\^/.test(n.arguments[0]?.getText() ?? "")) return false;
    if (ts.isPropertyAccessExpression(n) && /^(originalname|originalFilename|filename|name)$/.test(n.name.text) && isUploadedFile(n.expression, n.name.text)) found = n;
    return undefined;
  });
  return found;
}

function isInsideNode(n: ts.Node, container: ts.Node): boolean {
  for (let p: ts.Node | undefined = n; p; p = p.parent) if (p === container) return true;
  return false;
}

/** `file` / `req.file` / `req.files.avatar` / `files.upload[0]` — for `.name`, only clearly uploaded-file receivers count. */
function isUploadedFile(expr: ts.Expression, prop: string): boolean {
  const t = unwrap(expr).getText();
  if (prop === "originalname" || prop === "originalFilename") return true;
  return /(\bfiles?\b|\breq\.files?\b|\bupload\w*|\battachment|\bavatar|\bimage|\bdocument|\bphoto|\bsampleFile|\bpart)/i.test(t) && !/this\b|user|config|process/.test(t);
}

export default defineRule({
  meta: {
    id: "security/unrestricted-upload",
    category: "security",
    severity: "warning",
    cwe: ["CWE-434", "CWE-400", "CWE-22"],
    title: "File upload without type/size restrictions",
    description:
      "Uploads are accepted without a size limit or a file-type check, or stored under the name the client chose. Attackers upload web shells " +
      "or HTML served back from your origin, fill the disk, or overwrite files with `../` names.",
    fix: "Give multer `limits: { fileSize }` and a `fileFilter` that checks the MIME type and extension; store files under a generated name (`crypto.randomUUID() + path.extname(file.originalname)`); set `limits` on express-fileupload / `maxFileSize` on formidable.",
  },
  create(ctx) {
    if (ctx.file.isTest) return {};
    const imports = ctx.file.imports;
    if (!imports.hasModule("multer", "express-fileupload", "formidable", "busboy", "connect-busboy", "multiparty", "@fastify/multipart", "fastify-multipart", "koa-body", "koa-multer", "@koa/multer") && !/originalname|\.mv\(/.test(ctx.file.text)) return {};
    return {
      CallExpression(call) {
        const r = imports.resolveCall(call);
        const callee = unwrap(call.expression);
        const mod = r?.module;
        // multer({...}) / multer()
        if ((mod === "multer" || mod === "@koa/multer" || mod === "koa-multer") && (ts.isIdentifier(callee) || r?.name === "default")) {
          const opts = objectLiteralOf(call.arguments[0]);
          if (call.arguments[0] && !opts) return;
          if (opts?.properties.some((p) => ts.isSpreadAssignment(p))) return;
          const limits = propertyNode(opts, "limits");
          const limitsObj = limits && ts.isPropertyAssignment(limits) ? objectLiteralOf(limits.initializer) : undefined;
          const hasSize = !!limits && (!limitsObj || !!propertyNode(limitsObj, "fileSize"));
          const hasFilter = !!propertyNode(opts, "fileFilter");
          if (hasSize && hasFilter) return;
          const missing = [!hasSize && "`limits.fileSize`", !hasFilter && "`fileFilter`"].filter(Boolean).join(" and ");
          ctx.report({ node: call, message: `multer configured without ${missing}: any file type${hasSize ? "" : " of any size"} is accepted.` });
          return;
        }
        // express-fileupload
        if (mod === "express-fileupload" && (ts.isIdentifier(callee) || r?.name === "default")) {
          const opts = objectLiteralOf(call.arguments[0]);
          if (call.arguments[0] && !opts) return;
          const limits = propertyNode(opts, "limits");
          if (!limits) ctx.report({ node: call, message: "express-fileupload without `limits: { fileSize }`: uploads of any size are buffered." });
          return;
        }
        // formidable({...}) / new IncomingForm() handled in NewExpression
        if (mod === "formidable" && (ts.isIdentifier(callee) || r?.name === "default" || r?.name === "formidable")) {
          checkFormidable(call, call.arguments[0]);
          return;
        }
        // diskStorage filename callback: cb(null, file.originalname)
        const name = memberName(call.expression);
        if (name && call.arguments.length >= 2 && isFilenameCallback(call)) {
          const used = usesClientName(call.arguments[1]);
          if (used) ctx.report({ node: call, message: "Upload stored under the client-supplied file name: `../` sequences and chosen extensions (.html, .js, .php) reach the disk. Generate the name." });
          return;
        }
        // file.mv(path.join(dir, file.name)) / fs.writeFile(`uploads/${file.originalname}`, …)
        if (name && WRITE_SINKS.has(name) && call.arguments.length) {
          const target = name === "mv" ? call.arguments[0] : name === "rename" || name === "renameSync" || name === "copyFile" || name === "copyFileSync" ? call.arguments[1] : call.arguments[0];
          if (!target) return;
          const used = usesClientName(target);
          if (used) ctx.report({ node: call, message: "Uploaded file written to a path built from its client-supplied name: path traversal and arbitrary file types. Generate the name." });
        }
      },
      NewExpression(n) {
        const r = imports.resolveCall(n);
        if (r?.module === "formidable" && /IncomingForm|Formidable|default/.test(r.name)) checkFormidable(n, n.arguments?.[0]);
        if (r?.module === "multiparty" && r.name === "Form") {
          const opts = objectLiteralOf(n.arguments?.[0]);
          if (n.arguments?.[0] && !opts) return;
          if (!propertyNode(opts, "maxFilesSize")) ctx.report({ node: n, message: "multiparty Form without `maxFilesSize`: uploads of any size are accepted." });
        }
      },
    };

    /**
     * formidable stores uploads under random names and caps them at 200 MB by default (v1 and later): the risk is
     * `keepExtensions: true`, which keeps the client's `.html`/`.js`/`.php` extension, with no `filter` on the type.
     */
    function checkFormidable(node: ts.Node, arg: ts.Expression | undefined): void {
      const opts = objectLiteralOf(arg);
      const keeps = (opts && isBooleanLiteral(objectProperty(opts, "keepExtensions"), true)) || /\.keepExtensions\s*=\s*true\b/.test(ctx.file.text);
      if (!keeps || propertyNode(opts, "filter")) return;
      ctx.report({ node, message: "formidable with `keepExtensions: true` and no `filter`: the client's file extension (.html, .js, .php) is kept on disk. Check the type, or let formidable generate the name." });
    }
  },
});

/** `cb(null, name)` inside a multer storage `filename` function. */
function isFilenameCallback(call: ts.CallExpression): boolean {
  const first = call.arguments[0] && unwrap(call.arguments[0]);
  if (!first || first.kind !== ts.SyntaxKind.NullKeyword) return false;
  for (let p: ts.Node | undefined = call.parent; p; p = p.parent) {
    if (!isFunctionLike(p)) continue;
    const holder = p.parent;
    if (ts.isMethodDeclaration(p) && p.name.getText() === "filename") return true;
    if (holder && ts.isPropertyAssignment(holder) && memberName(holder.name as ts.Identifier) === "filename") return true;
    if (!ts.isArrowFunction(p) && !ts.isFunctionExpression(p)) return false;
  }
  return false;
}
