import express from "express";
import multer from "multer";
import fileUpload from "express-fileupload";
import formidable from "formidable";
import path from "node:path";
import crypto from "node:crypto";
import fs from "node:fs/promises";

const app = express();
const UPLOAD_DIR = path.resolve("uploads");

const storage = multer.diskStorage({
  destination: (req, file, cb) => cb(null, UPLOAD_DIR),
  filename: (req, file, cb) => {
    // expect: security/unrestricted-upload
    cb(null, Date.now() + "-" + file.originalname);
  },
});
// expect: security/unrestricted-upload
const upload = multer({ storage });

// expect: security/unrestricted-upload
const avatars = multer({ dest: "uploads/avatars", limits: { fileSize: 2 * 1024 * 1024 } });

const safeStorage = multer.diskStorage({
  destination: UPLOAD_DIR,
  filename(req, file, cb) {
    // ok: security/unrestricted-upload
    cb(null, crypto.randomUUID() + path.extname(file.originalname).toLowerCase());
  },
});
// ok: security/unrestricted-upload
const documents = multer({
  storage: safeStorage,
  limits: { fileSize: 5 * 1024 * 1024, files: 1 },
  fileFilter: (req, file, cb) => cb(null, ["application/pdf", "image/png"].includes(file.mimetype)),
});

app.post("/upload", upload.single("file"), (req, res) => res.json({ path: req.file?.path }));
app.post("/avatar", avatars.single("avatar"), (req, res) => res.json({ ok: true }));
app.post("/documents", documents.single("doc"), (req, res) => res.json({ ok: true }));

// expect: security/unrestricted-upload
app.use("/legacy", fileUpload());
// ok: security/unrestricted-upload
app.use("/v2", fileUpload({ limits: { fileSize: 10 * 1024 * 1024 }, abortOnLimit: true }));

app.post("/legacy/upload", async (req, res) => {
  const sampleFile = req.files!.sampleFile as fileUpload.UploadedFile;
  // expect: security/unrestricted-upload
  await sampleFile.mv(path.join(UPLOAD_DIR, sampleFile.name));
  // ok: security/unrestricted-upload
  await sampleFile.mv(path.join(UPLOAD_DIR, `${crypto.randomUUID()}.bin`));
  res.send("uploaded");
});

app.post("/import", async (req, res) => {
  // expect: security/unrestricted-upload
  const form = formidable({ uploadDir: UPLOAD_DIR, keepExtensions: true });
  // ok: security/unrestricted-upload
  const limited = formidable({ maxFileSize: 20 * 1024 * 1024, maxFiles: 1 });
  // formidable's defaults: random file names, 200 MB cap
  // ok: security/unrestricted-upload
  const plain = formidable({ uploadDir: UPLOAD_DIR });
  const [, files] = await form.parse(req);
  const f = files.data![0];
  // expect: security/unrestricted-upload
  await fs.rename(f.filepath, path.join(UPLOAD_DIR, f.originalFilename!));
  // ok: security/unrestricted-upload
  await fs.rename(f.filepath, path.join(UPLOAD_DIR, path.basename(f.originalFilename!)));
  res.json({ ok: true, limited: !!limited });
});
