import express from "express";
import session from "express-session";
import { Router } from "express";
import { Account } from "./models/account";

const app = express();
app.use(express.urlencoded({ extended: false }));
// expect: security/csrf
app.use(session({ secret: process.env.SESSION_SECRET!, resave: false, saveUninitialized: false, cookie: { secure: true, httpOnly: true } }));

function requireLogin(req: express.Request, res: express.Response, next: express.NextFunction) {
  if (!req.session.userId) return res.redirect("/login");
  next();
}

app.get("/account", requireLogin, async (req, res) => {
  res.render("account", { account: await Account.findByPk(req.session.userId) });
});

app.post("/account/email", requireLogin, async (req, res) => {
  await Account.update({ email: req.body.email }, { where: { id: req.session.userId } });
  res.redirect("/account");
});

app.post("/transfer", requireLogin, async (req, res) => {
  await Account.transfer(req.session.userId, req.body.to, Number(req.body.amount));
  res.redirect("/account");
});

// A token-authenticated API router in the same codebase: no cookies involved.
export const api = Router();
// ok: security/csrf
api.post("/api/orders", (req, res) => res.status(201).json({ by: req.headers.authorization }));
