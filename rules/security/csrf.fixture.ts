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

// vigil-fixture-file: src/forms.ts
import express from "express";
import csrf from "csurf";
import cookieParser from "cookie-parser";

const forms = express();
forms.use(cookieParser());
const csrfProtection = csrf({ cookie: true });
const parseForm = express.urlencoded({ extended: false });

forms.get("/profile", csrfProtection, (req, res) => res.render("profile", { csrfToken: req.csrfToken() }));
// ok: security/csrf
forms.post("/profile", parseForm, csrfProtection, (req, res) => res.redirect("/profile"));
// expect: security/csrf
forms.post("/profile/delete", parseForm, (req, res) => res.redirect("/"));
// ok: security/csrf (payment provider webhook: cannot carry a token)
forms.post("/webhooks/stripe", express.raw({ type: "application/json" }), (req, res) => res.sendStatus(200));

// vigil-fixture-file: src/admin.ts
import express from "express";
import csrf from "csurf";

const admin = express();
// expect: security/csrf
admin.post("/admin/flush", (req, res) => res.sendStatus(204));
admin.use(csrf());
// ok: security/csrf
admin.post("/admin/users", (req, res) => res.sendStatus(201));

// vigil-fixture-file: src/panel.ts
import express from "express";
import csrf from "csurf";
import helmet from "helmet";

const panel = express();
const security = [helmet(), csrf({ cookie: true })];
panel.use(security);
// ok: security/csrf
panel.post("/panel/settings", (req, res) => res.sendStatus(204));
