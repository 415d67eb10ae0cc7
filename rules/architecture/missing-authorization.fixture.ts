import express, { Router } from "express";
import { Controller, Get, Post, Delete, Param, Body, UseGuards } from "@nestjs/common";
import { AuthGuard } from "@nestjs/passport";
import { requireAuth, requireRole } from "./middleware/auth";
import { db } from "./db";

export const router = Router();

// ok: architecture/missing-authorization
router.get("/invoices/:id", requireAuth, async (req, res) => {
  res.json(await db.invoice.findUnique({ where: { id: req.params.id } }));
});

// expect: architecture/missing-authorization
router.delete("/invoices/:id", async (req, res) => {
  await db.invoice.delete({ where: { id: req.params.id } });
  res.sendStatus(204);
});

// expect: architecture/missing-authorization
router.get("/invoices/:id/pdf", async (req, res) => {
  res.json(await db.invoice.findUnique({ where: { id: req.params.id } }));
});

// ok: architecture/missing-authorization
router.post("/invoices/:id/pay", requireAuth, requireRole("billing"), async (req, res) => {
  res.json(await db.invoice.update({ where: { id: req.params.id }, data: { paid: true } }));
});

// ok: architecture/missing-authorization
router.get("/health", (req, res) => {
  res.send("ok");
});

// ok: architecture/missing-authorization
router.post("/webhooks/:provider", async (req, res) => {
  res.sendStatus(200);
});

// ok: architecture/missing-authorization
router.put("/invoices/:id/notes", async (req, res) => {
  if (!req.user) return res.sendStatus(401);
  res.json(await db.invoice.update({ where: { id: req.params.id, ownerId: req.user.id }, data: { notes: req.body.notes } }));
});

// expect: architecture/missing-authorization
router.post("/admin/reindex", async (req, res) => {
  res.sendStatus(202);
});

// A catalogue: public reads, authenticated writes.
const catalog = express.Router();
// ok: architecture/missing-authorization
catalog.get("/products/:id", async (req, res) => {
  res.json(await db.product.findUnique({ where: { id: req.params.id } }));
});
catalog.post("/products", requireAuth, async (req, res) => {
  res.json(await db.product.create({ data: req.body }));
});

// sign-up: creating an account cannot require one
// ok: architecture/missing-authorization
router.post("/users", async (req, res) => {
  const user = await db.user.create({ data: { email: req.body.email } });
  res.status(201).json({ id: user.id });
});

// a mutating route without an id: reported, without talking about ids
// expect: architecture/missing-authorization
router.post("/invoices/void-all", async (req, res) => {
  await db.invoice.updateMany({ data: { status: "void" } });
  res.sendStatus(204);
});

// A router guarded once for all its routes.
const account = express.Router();
account.use(requireAuth);
// ok: architecture/missing-authorization
account.delete("/sessions/:id", async (req, res) => {
  await db.session.delete({ where: { id: req.params.id } });
  res.sendStatus(204);
});
account.get("/me/:field", requireAuth, async (req, res) => {
  res.json({ field: req.params.field });
});

@Controller("users")
export class UsersController {
  @Get(":id")
  @UseGuards(AuthGuard("jwt"))
  findOne(@Param("id") id: string) {
    return db.user.findUnique({ where: { id } });
  }

  @Delete(":id")
  // expect: architecture/missing-authorization
  remove(@Param("id") id: string) {
    return db.user.delete({ where: { id } });
  }

  @Post()
  // ok: architecture/missing-authorization
  register(@Body() body: { email: string }) {
    return db.user.create({ data: body });
  }

  @Post("login")
  // ok: architecture/missing-authorization
  login(@Body() body: { email: string }) {
    return body.email;
  }
}

@Controller("teams")
@UseGuards(AuthGuard("jwt"))
export class TeamsController {
  @Get(":id")
  @UseGuards(AuthGuard("jwt"))
  findOne(@Param("id") id: string) {
    return db.team.findUnique({ where: { id } });
  }

  @Delete(":id")
  // ok: architecture/missing-authorization
  remove(@Param("id") id: string) {
    return db.team.delete({ where: { id } });
  }
}
