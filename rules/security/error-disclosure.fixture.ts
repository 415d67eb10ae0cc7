import express from "express";
import errorhandler from "errorhandler";
import Koa from "koa";
import mysql from "mysql2";
import { Order } from "./models/order";

const app = express();
const db = mysql.createPool({ host: "db" });

app.get("/orders/:id", async (req, res) => {
  try {
    res.json(await Order.findByPk(req.params.id));
  } catch (err) {
    // expect: security/error-disclosure
    res.status(500).send(err);
  }
});

app.get("/reports", (req, res) => {
  db.query("SELECT * FROM reports WHERE owner = ?", [req.query.owner], (err, rows) => {
    // expect: security/error-disclosure
    if (err) return res.status(500).json({ error: err.sqlMessage, sql: err.sql });
    res.json(rows);
  });
});

app.post("/orders", async (req, res) => {
  try {
    res.status(201).json(await Order.create(req.body));
  } catch (error) {
    if ((error as Error).name === "ValidationError") {
      // ok: security/error-disclosure
      return res.status(400).json({ error: (error as Error).message });
    }
    if ((error as Error).name === "ConflictError") {
      // ok: security/error-disclosure
      return res.status(409).send({ error });
    }
    console.error(error);
    // ok: security/error-disclosure
    res.status(500).json({ error: "Internal server error" });
  }
});

app.delete("/orders/:id", async (req, res) => {
  try {
    await Order.destroy({ where: { id: req.params.id } });
    res.sendStatus(204);
  } catch (e: any) {
    // ok: security/error-disclosure
    res.status(500).json({ message: e.message });
  }
});

app.use((err: Error, req: express.Request, res: express.Response, next: express.NextFunction) => {
  console.error(err);
  res.status(500).json({
    error: "Something went wrong",
    // ok: security/error-disclosure
    stack: process.env.NODE_ENV === "development" ? err.stack : undefined,
  });
});

app.use((err: Error, req: express.Request, res: express.Response, _next: express.NextFunction) => {
  // expect: security/error-disclosure
  res.status(500).send(`<pre>${err.stack}</pre>`);
});

// expect: security/error-disclosure
app.use(errorhandler());

if (process.env.NODE_ENV === "development") {
  // ok: security/error-disclosure
  app.use(errorhandler({ log: true }));
}

const koa = new Koa();
koa.use(async (ctx, next) => {
  try {
    await next();
  } catch (err: any) {
    ctx.status = err.status || 500;
    // expect: security/error-disclosure
    ctx.body = { message: err.message, stack: err.stack };
  }
});
