import express from "express";
import libxmljs from "libxmljs2";
import * as libxml from "libxmljs";
import { parseStringPromise } from "xml2js";
import { DOMParser } from "@xmldom/xmldom";
import { XMLParser } from "fast-xml-parser";
import vm from "node:vm";
import multer from "multer";
import xml2json from "xml2json";

const app = express();
const upload = multer({ storage: multer.memoryStorage() });
const XML_OPTIONS = { noent: true, noblanks: true };

app.post("/import", express.text({ type: "application/xml" }), (req, res) => {
  // expect: security/xxe
  const doc = libxmljs.parseXml(req.body, { noent: true, noblanks: true });
  // ok: security/xxe
  const safe = libxmljs.parseXml(req.body, { noblanks: true });
  // ok: security/xxe
  const off = libxmljs.parseXmlString(req.body, { noent: false });
  res.json({ root: doc.root()?.name(), safe: safe.root()?.name(), off: off.root()?.name() });
});

app.post("/complaints", upload.single("file"), (req, res) => {
  const data = req.file?.buffer.toString() ?? "";
  // expect: security/xxe
  const doc = libxml.parseXmlString(data, XML_OPTIONS);
  // expect: security/xxe
  const viaVm = vm.runInContext("libxml.parseXml(data, { noblanks: true, noent: true, nocdata: true })", vm.createContext({ libxml, data }), { timeout: 2000 });
  res.json({ doc: doc.toString(), viaVm: String(viaVm) });
});

app.post("/feed", async (req, res) => {
  // ok: security/xxe
  const parsed = await parseStringPromise(req.body);
  // ok: security/xxe
  const dom = new DOMParser().parseFromString(req.body, "text/xml");
  // ok: security/xxe
  const fx = new XMLParser({ ignoreAttributes: false }).parse(req.body);
  res.json({ parsed, dom: dom.documentElement?.nodeName, fx });
});

export function loadCatalog(xml: string) {
  // expect: security/xxe
  return libxmljs.parseXml(xml, { dtdload: true, dtdvalid: true });
}

export function xmlBodyParser() {
  return (req: express.Request, res: express.Response, next: express.NextFunction) => {
    let raw = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => {
      raw += chunk;
    });
    req.on("end", () => {
      // expect: security/xxe
      req.body = xml2json.toJson(raw, { object: true });
      next();
    });
  };
}

export function configLoader(stream: NodeJS.ReadableStream) {
  let text = "";
  stream.on("data", (chunk: string) => {
    text += chunk;
  });
  // ok: security/xxe
  stream.on("end", () => xml2json.toJson(text, { object: true }));
}
