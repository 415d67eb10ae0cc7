import express from "express";
import { pool } from "./db.js";

const app = express();

app.get("/reports/:table", async (req, res) => {
  const table = ["daily", "weekly"].includes(req.params.table) ? req.params.table : "daily";
  // expect: observability/suppression-without-reason
  // vigil-ignore-next-line security/sql-injection
  const rows = await pool.query(`SELECT * FROM report_${table}`);
  // ok: observability/suppression-without-reason
  // vigil-ignore-next-line security/sql-injection -- table is one of two allow-listed names above
  const again = await pool.query(`SELECT count(*) FROM report_${table}`);
  res.json({ rows: rows.rows, again: again.rows });
});
