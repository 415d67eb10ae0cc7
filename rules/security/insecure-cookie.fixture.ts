import express from "express";
import session from "express-session";
import cookieSession from "cookie-session";
import jwt from "jsonwebtoken";
import Cookies from "cookies";
import csrf from "csurf";

const app = express();
const SESSION_COOKIE = "sid";

app.use(
  // expect: security/insecure-cookie
  session({
    secret: process.env.SESSION_SECRET!,
    resave: false,
    saveUninitialized: false,
    cookie: {
      secure: false,
      httpOnly: true,
      maxAge: 3600_000,
    },
  }),
);

app.use(
  // expect: security/insecure-cookie
  cookieSession({
    name: "session",
    keys: [process.env.COOKIE_KEY!],
    httpOnly: false,
  }),
);

// ok: security/insecure-cookie
app.use(session({ secret: process.env.SESSION_SECRET!, resave: false, saveUninitialized: false, cookie: { secure: true, httpOnly: true, sameSite: "lax" } }));

app.post("/login", async (req, res) => {
  const token = jwt.sign({ sub: req.body.email }, process.env.JWT_SECRET!);
  // expect: security/insecure-cookie
  res.cookie("access_token", token);
  // expect: security/insecure-cookie
  res.cookie("refreshToken", token, { maxAge: 7 * 24 * 3600_000, path: "/auth/refresh" });
  // expect: security/insecure-cookie
  res.cookie(SESSION_COOKIE, token, { httpOnly: true, sameSite: "none" });
  // ok: security/insecure-cookie
  res.cookie("auth", token, { httpOnly: true, secure: true, sameSite: "strict", maxAge: 900_000 });
  // ok: security/insecure-cookie
  res.cookie("theme", "dark");
  // ok: security/insecure-cookie
  res.cookie("XSRF-TOKEN", req.csrfToken(), { httpOnly: false, secure: true, sameSite: "strict" });
  // ok: security/insecure-cookie
  res.cookie("locale", req.body.locale, { maxAge: 31536000000 });
  res.json({ ok: true });
});

app.get("/prefs", (req, res) => {
  res.cookie("currency", "EUR", {
    // ok: security/insecure-cookie
    httpOnly: false,
  });
  res.end();
});

const sess: session.SessionOptions = { secret: "keyboard cat", cookie: {} };
if (app.get("env") === "production") {
  app.set("trust proxy", 1);
  sess.cookie!.secure = true;
}
// ok: security/insecure-cookie
app.use(session(sess));

const adminSession: session.SessionOptions = {
  secret: process.env.ADMIN_SESSION_SECRET!,
  // expect: security/insecure-cookie
  cookie: { secure: false, httpOnly: true, sameSite: "strict" },
};
app.use("/admin", session(adminSession));

const base = { secret: process.env.SESSION_SECRET!, resave: false, saveUninitialized: false };
// expect: security/insecure-cookie
app.use(session(Object.assign({ name: "app.sid" }, { cookie: { httpOnly: true, maxAge: 3600_000 } })));
// ok: security/insecure-cookie
app.use(session(Object.assign({ name: "app.sid" }, { cookie: { secure: true, sameSite: "lax" } })));
// ok: security/insecure-cookie
app.use(session(Object.assign({}, base, { cookie: { secure: true } })));

// cookie-session sets HttpOnly, and Secure on HTTPS requests, unless told otherwise
// ok: security/insecure-cookie
app.use(cookieSession({ name: "session", keys: [process.env.COOKIE_KEY!], maxAge: 24 * 3600_000 }));

const cookieIsSecure = false;
const legacySessionOptions = {
  name: "legacy",
  keys: [process.env.COOKIE_KEY!],
  // expect: security/insecure-cookie
  secure: cookieIsSecure,
};
app.use("/legacy", cookieSession(legacySessionOptions));

app.get("/visit", (req, res) => {
  const cookies = new Cookies(req, res, { keys: [process.env.COOKIE_KEY!] });
  // ok: security/insecure-cookie
  cookies.set("LastVisit", new Date().toISOString(), { signed: true });
  // expect: security/insecure-cookie
  cookies.set("LastVisit", new Date().toISOString(), {
    signed: true,
    secure: false,
  });
  res.end();
});

// expect: security/insecure-cookie
const csrfProtection = csrf({ cookie: { key: "_csrf", secure: false } });
// ok: security/insecure-cookie
const csrfDefaults = csrf({ cookie: true });
app.post("/form", csrfProtection, csrfDefaults, (req, res) => res.end());
