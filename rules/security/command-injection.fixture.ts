import express from "express";
import * as cp from "child_process";
import { exec as run, execFile, spawn } from "node:child_process";
import { promisify } from "util";
import shell from "shelljs";
import { execa, execaCommand } from "execa";
import type { APIGatewayProxyEvent } from "aws-lambda";

const { execSync, spawnSync } = require("child_process");
const execAsync = promisify(run);
const app = express();
const ALLOWED_TOOLS = ["ping", "traceroute"];

app.get("/ping", (req, res) => {
  const host = req.query.host as string;
  // expect: security/command-injection
  cp.exec(`ping -c 3 ${host}`, (err, stdout) => {
    res.send(stdout);
  });
});

app.post("/convert", async (req, res) => {
  const { input, format } = req.body;
  const cmd = "convert uploads/" + input + " out." + format;
  // expect: security/command-injection
  const { stdout } = await execAsync(cmd);
  // ok: security/command-injection
  await new Promise((resolve) => execFile("convert", [`uploads/${input}`, `out.${format}`], resolve));
  res.send(stdout);
});

app.post("/script", async (req, res) => {
  const shellPath = process.platform === "win32" ? "cmd.exe" : "/bin/sh";
  const flag = process.platform === "win32" ? "/c" : "-c";
  // expect: security/command-injection
  spawn(shellPath, [flag, req.body.script]);
  const finder = process.platform === "win32" ? "where" : "which";
  // ok: security/command-injection
  spawn(finder, [String(req.body.tool)]);
  const bashArgs: string[] = ["-lc"];
  bashArgs.push(`tar czf /tmp/out.tgz ${req.body.dir}`);
  // expect: security/command-injection
  execFile("/bin/bash", bashArgs);
  const lsArgs: string[] = ["-la"];
  lsArgs.push(req.body.dir);
  // ok: security/command-injection
  execFile("ls", lsArgs);
  // expect: security/command-injection
  await promisify(cp.exec)(`du -sh ${req.body.dir}`);
  res.end();
});

app.get("/dns", (req, res) => {
  // expect: security/command-injection
  const out = execSync("nslookup " + req.query.domain).toString();
  // ok: security/command-injection
  const version = execSync("git rev-parse HEAD").toString();
  res.json({ out, version });
});

app.get("/grep", (req, res) => {
  const pattern = String(req.query.pattern);
  // expect: security/command-injection
  const child = spawn("sh", ["-c", `grep -r ${pattern} /var/log/app`]);
  // ok: security/command-injection
  const safe = spawn("grep", ["-r", "--", pattern, "/var/log/app"]);
  child.stdout.pipe(res);
  safe.kill();
});

app.get("/archive", (req, res) => {
  const name = req.query.name;
  // expect: security/command-injection
  spawnSync("tar", ["-czf", `/tmp/${name}.tgz`, "data"], { shell: true });
  // ok: security/command-injection
  spawnSync("tar", ["-czf", `/tmp/${name}.tgz`, "data"], { shell: false });
  res.sendStatus(204);
});

app.post("/tools", async (req, res) => {
  const tool = req.body.tool;
  // expect: security/command-injection
  const r1 = await execaCommand(`${tool} --version`);
  // ok: security/command-injection
  const r2 = await execa("node", ["--version"]);
  if (!ALLOWED_TOOLS.includes(tool)) return res.status(400).end();
  // ok: security/command-injection
  const r3 = await execaCommand(`${tool} --version`);
  res.json({ r1: r1.stdout, r2: r2.stdout, r3: r3.stdout });
});

app.post("/deploy", (req, res) => {
  const branch = req.body.branch;
  // expect: security/command-injection
  const result = shell.exec(`git checkout ${branch} && npm run build`, { silent: true });
  // ok: security/command-injection
  shell.exec("npm run build", { silent: true });
  res.json({ code: result.code });
});

app.get("/count", (req, res) => {
  const limit = parseInt(String(req.query.limit), 10);
  // ok: security/command-injection
  run(`tail -n ${limit} /var/log/app.log`, (err, stdout) => res.send(stdout));
});

export const handler = async (event: APIGatewayProxyEvent) => {
  const body = JSON.parse(event.body ?? "{}");
  // expect: security/command-injection
  cp.execSync(`ffmpeg -i ${body.url} -f mp3 /tmp/out.mp3`);
  // ok: security/command-injection
  cp.execFileSync("ffmpeg", ["-i", body.url, "-f", "mp3", "/tmp/out.mp3"]);
  return { statusCode: 200 };
};

export function compress(file: string) {
  // expect: security/command-injection
  return cp.execSync(`gzip -9 ${file}`);
}

export function listDir(dir: string) {
  // ok: security/command-injection
  return cp.spawnSync("ls", ["-la", dir]);
}

// ok: security/command-injection
cp.exec("ls -la", (err, out) => console.log(out));

app.post("/mirrors", (req, res) => {
  // expect: security/command-injection
  const clone = spawn("git", ["clone", "--depth", "1", req.body.repository, "/srv/mirrors/tmp"]);
  // ok: security/command-injection
  const safeClone = spawn("git", ["clone", "--depth", "1", "--", req.body.repository, "/srv/mirrors/tmp2"]);
  // ok: security/command-injection
  const hosted = spawn("git", ["clone", `https://git.example.com/${req.body.slug}.git`]);
  // expect: security/command-injection
  const fetched = execFile("curl", ["-sS", req.query.target as string]);
  res.json({ pids: [clone.pid, safeClone.pid, hosted.pid, fetched.pid] });
});

export function mirrorRepository(remoteUrl: string, dest: string) {
  // expect: security/command-injection
  return spawn("git", ["clone", "--mirror", remoteUrl, dest]);
}

export async function denoTask(task: string) {
  const proc = Deno.run({
    // expect: security/command-injection
    cmd: ["sh", "-c", task],
    stdout: "piped",
  });
  // ok: security/command-injection
  const fixed = Deno.run({ cmd: ["deno", "fmt", "--check"] });
  return [await proc.status(), await fixed.status()];
}

// Messages from a WebSocket peer are client data; a file stream's chunks are not.
declare const wss: { on(ev: "connection", cb: (ws: { on(ev: string, cb: (data: string) => void): void }) => void): void };
wss.on("connection", (ws) => {
  ws.on("message", (data) => {
    const job = JSON.parse(data);
    // expect: security/command-injection
    run(`convert ${job.file} /tmp/thumb.png`);
  });
});

declare const logStream: { on(ev: string, cb: (chunk: string) => void): void };
logStream.on("data", (chunk) => {
  // ok: security/command-injection
  run(`logger -t app ${chunk}`);
});
