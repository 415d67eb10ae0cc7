import express from "express";
import fs from "node:fs";
import { readFile, unlink } from "node:fs/promises";
import path from "node:path";
import fse from "fs-extra";
import Fastify from "fastify";
import type { APIGatewayProxyEvent } from "aws-lambda";
import unzipper from "unzipper";
import AdmZip from "adm-zip";

const app = express();
const fastify = Fastify();
const UPLOAD_DIR = path.join(__dirname, "uploads");
const PUBLIC_DIR = path.resolve("public");
const REPORTS = new Set(["daily.csv", "weekly.csv"]);

app.get("/files/:name", (req, res) => {
  // expect: security/path-traversal
  const stream = fs.createReadStream(path.join(UPLOAD_DIR, req.params.name));
  // ok: security/path-traversal
  const safe = fs.createReadStream(path.join(UPLOAD_DIR, path.basename(req.params.name)));
  stream.pipe(res);
  safe.close();
});

app.get("/download", (req, res) => {
  const file = req.query.file as string;
  // expect: security/path-traversal
  res.download(UPLOAD_DIR + "/" + file);
});

app.get("/static", (req, res) => {
  // expect: security/path-traversal
  res.sendFile(path.resolve("public", req.query.page as string));
});

app.get("/static2", (req, res) => {
  // ok: security/path-traversal
  res.sendFile(req.query.page as string, { root: PUBLIC_DIR });
});

app.get("/pages/:name", (req, res) => {
  // ok: security/path-traversal
  res.sendFile(__dirname + "/public/" + req.params.name);
  // ok: security/path-traversal
  res.sendFile(`${PUBLIC_DIR}/pages/${req.params.name}.html`);
  // expect: security/path-traversal
  res.sendFile(PUBLIC_DIR + path.join("/pages", req.params.name));
});

app.post("/avatar", (req: any, res) => {
  // expect: security/path-traversal
  req.files.avatar.mv(UPLOAD_DIR + "/" + req.body.filename);
  // ok: security/path-traversal
  req.files.avatar.mv(path.join(UPLOAD_DIR, path.basename(req.body.filename)));
  const dest = path.join(UPLOAD_DIR, req.body.filename);
  if (dest.startsWith(UPLOAD_DIR + path.sep)) {
    // ok: security/path-traversal
    req.files.avatar.mv(dest);
  }
  res.end();
});

app.get("/logo", (req, res) => {
  // ok: security/path-traversal
  res.sendFile(path.join(__dirname, "static", "logo.png"));
});

app.delete("/uploads/:id", async (req, res) => {
  const target = path.join(UPLOAD_DIR, req.params.id);
  // expect: security/path-traversal
  await unlink(target);
  res.sendStatus(204);
});

app.get("/docs/:doc", async (req, res) => {
  const resolved = path.resolve(PUBLIC_DIR, req.params.doc);
  if (!resolved.startsWith(PUBLIC_DIR + path.sep)) return res.status(400).end();
  // ok: security/path-traversal
  const text = await readFile(resolved, "utf8");
  res.type("text/plain").send(text);
});

app.get("/reports", (req, res) => {
  const report = String(req.query.report);
  if (!REPORTS.has(report)) return res.sendStatus(404);
  // ok: security/path-traversal
  res.send(fs.readFileSync(path.join(__dirname, "reports", report)));
});

app.post("/notes", async (req, res) => {
  const { title, content } = req.body;
  // expect: security/path-traversal
  await fse.outputFile(`notes/${title}.md`, content);
  // ok: security/path-traversal
  await fse.outputFile(`notes/${Date.now()}.md`, content);
  res.sendStatus(201);
});

app.get("/plugins/:plugin", (req, res) => {
  // expect: security/path-traversal
  const plugin = require(`./plugins/${req.params.plugin}`);
  res.json(plugin.describe());
});

app.post("/extract", (req, res) => {
  const entry = req.body.entry;
  // expect: security/path-traversal
  const dest = path.join("/srv/extract", entry);
  extractTo(dest);
  res.end();
});

function extractTo(dir: string) {
  return dir.length;
}

fastify.get("/avatar", async (request, reply) => {
  const { user } = request.query as { user: string };
  // expect: security/path-traversal
  const data = fs.readFileSync(`./avatars/${user}.png`);
  return reply.type("image/png").send(data);
});

export const handler = async (event: APIGatewayProxyEvent) => {
  const key = event.pathParameters?.key ?? "";
  // expect: security/path-traversal
  const body = await fs.promises.readFile(path.join("/tmp/cache", key), "utf8");
  // ok: security/path-traversal
  const meta = await fs.promises.readFile(path.join("/tmp/cache", "meta.json"), "utf8");
  return { statusCode: 200, body: body + meta };
};

app.get("/docs/raw", async (req, res) => {
  let page = String(req.query.page);
  page = page.replace(/^(\.\.(\/|\\|$))+/, "");
  // ok: security/path-traversal
  const body = await readFile(path.join(PUBLIC_DIR, page), "utf8");
  let legacy = String(req.query.legacy);
  legacy = legacy.replace(/\.\.\//, "");
  // expect: security/path-traversal
  const old = await readFile(path.join(PUBLIC_DIR, legacy), "utf8");
  res.send(body + old);
});

export function extractUpload(zipPath: string, AdmZip: new (p: string) => { getEntries(): { entryName: string; getData(): Buffer }[] }) {
  const archive = new AdmZip(zipPath);
  archive.getEntries().forEach((item) => {
    // expect: security/path-traversal
    fs.writeFileSync(path.join(UPLOAD_DIR, item.entryName), item.getData());
  });
}

export function unpackTarball(extractor: { on(ev: string, cb: (header: { name: string }, stream: NodeJS.ReadableStream, next: () => void) => void): void }) {
  extractor.on("entry", (header, stream, next) => {
    // expect: security/path-traversal
    stream.pipe(fs.createWriteStream(path.join(UPLOAD_DIR, header.name)));
    stream.on("end", next);
  });
}

export const attachmentResolvers = {
  Query: {
    attachment: async (_parent: unknown, args: { name: string }) =>
      // expect: security/path-traversal
      fs.promises.readFile(path.join(UPLOAD_DIR, args.name)),
  },
};

export function serveTemplate() {
  return ({ params }: { params: Record<string, string> }, res: express.Response, next: express.NextFunction) => {
    // expect: security/path-traversal
    res.sendFile(path.join(__dirname, "templates", params.template));
    next();
  };
}

export async function extractUpload(zipPath: string, dest: string) {
  const dir = await unzipper.Open.file(zipPath);
  for (const entry of dir.files) {
    // expect: security/path-traversal
    const target = path.join(dest, entry.path);
    entry.stream().pipe(fs.createWriteStream(target));
  }
}

export function extractPlugin(buffer: Buffer, pluginDir: string) {
  const zip = new AdmZip(buffer);
  for (const zipEntry of zip.getEntries()) {
    const name = zipEntry.entryName;
    // expect: security/path-traversal
    fs.writeFileSync(path.resolve(pluginDir, name), zipEntry.getData());
  }
}

export function extractStream(zipFile: string) {
  fs.createReadStream(zipFile)
    .pipe(unzipper.Parse())
    .on("entry", (entry: unzipper.Entry) => {
      const fileName = entry.path;
      // expect: security/path-traversal
      entry.pipe(fs.createWriteStream(fileName));
    });
}

export function extractToOutput(archive: Buffer) {
  unzipper.Parse().on("entry", (entry: unzipper.Entry) => {
    const fileName = "output/" + entry.path;
    // expect: security/path-traversal
    entry.pipe(fs.createWriteStream(fileName));
  }).end(archive);
}

export function extractSkippingDotDot(archive: Buffer) {
  unzipper.Parse().on("entry", (entry: unzipper.Entry) => {
    const fileName = entry.path;
    if (fileName.indexOf("..") === -1) {
      // ok: security/path-traversal
      entry.pipe(fs.createWriteStream(fileName));
    } else entry.autodrain();
  }).end(archive);
}

export function extractChecked(buffer: Buffer, dest: string) {
  const zip = new AdmZip(buffer);
  for (const entry of zip.getEntries()) {
    // ok: security/path-traversal
    const target = path.resolve(dest, entry.entryName);
    if (!target.startsWith(dest + path.sep)) throw new Error(`unsafe entry ${entry.entryName}`);
    fs.writeFileSync(target, entry.getData());
  }
}

export function extractFlat(buffer: Buffer, dest: string) {
  const zip = new AdmZip(buffer);
  for (const entry of zip.getEntries()) {
    // ok: security/path-traversal
    fs.writeFileSync(path.join(dest, path.basename(entry.entryName)), entry.getData());
  }
}

const app2 = express();
const VIEWS: Record<string, string> = { summary: "reports/summary", detail: "reports/detail" };
app2.get("/reports/:kind", (req, res) => {
  // expect: security/path-traversal
  res.render(`reports/${req.params.kind}`, { user: req.user });
});
app2.get("/v2/reports/:kind", (req, res) => {
  // ok: security/path-traversal
  res.render(VIEWS[req.params.kind] ?? "reports/summary", { title: req.query.title });
});

// Payload CMS: `req.payload` is the CMS's own API object (config, collections), not a request body.
type PayloadHandler = (req: { payload: { config: { upload: { tempDir: string } }; collections: Record<string, { config: { upload: { staticDir: string } } }> }; routeParams?: Record<string, string> }) => Promise<Response>;

export const deleteStagedUpload: PayloadHandler = async (req) => {
  const staticDir = req.payload.collections["media"].config.upload.staticDir;
  const tempDir = path.join(staticDir, req.payload.config.upload.tempDir);
  // ok: security/path-traversal
  await fs.promises.mkdir(tempDir, { recursive: true });
  return new Response(null, { status: 204 });
};
