import express from "express";
import libxmljs from "libxmljs2";
import * as libxml from "libxmljs";
import { parseStringPromise } from "xml2js";
import { DOMParser } from "@xmldom/xmldom";
import { XMLParser } from "fast-xml-parser";
import vm from "node:vm";
import multer from "multer";
import xml2json from "xml2json";
import expat from "node-expat";
import sax from "sax";

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

app.post("/rss", express.text({ type: "*/xml" }), (req, res) => {
  const parser = new expat.Parser("UTF-8");
  parser.on("startElement", (name: string) => res.write(name));
  // expect: security/xxe
  parser.write(req.body);
  res.end();
});

export function parseFeed(xml: string) {
  // expect: security/xxe
  const parser = new expat.Parser("UTF-8");
  const titles: string[] = [];
  parser.on("text", (t: string) => titles.push(t));
  parser.parse(xml);
  return titles;
}

export function parseBuiltIn() {
  // ok: security/xxe
  const parser = new expat.Parser("UTF-8");
  parser.parse("<catalog><item/></catalog>");
}

export function toJsonFromCaller(body: string) {
  // expect: security/xxe
  return xml2json.toJson(body, { object: true, arrayNotation: true });
}

app.post("/sax-upload", express.text({ type: "*/xml" }), (req, res) => {
  // expect: security/xxe
  const parser = new libxmljs.SaxParser();
  parser.on("startElementNS", (name: string) => res.write(name));
  parser.parseString(req.body);
  res.end();
});

export function saxWithDtd(xml: string, onDoctype: (dt: string) => void) {
  // expect: security/xxe
  const parser = sax.parser(true);
  parser.ondoctype = (dt: string) => onDoctype(dt);
  parser.write(xml).close();
}

export function saxStreamCopy(input: NodeJS.ReadableStream) {
  // ok: security/xxe
  const stream = sax.createStream(true, { trim: true });
  stream.on("opentag", (node: { name: string }) => console.log(node.name));
  // ok: security/xxe
  stream.on("doctype", () => undefined);
  input.pipe(stream);
}
