import { Router } from "express";
import { z } from "zod";
import { celebrate, Joi, Segments } from "celebrate";
import { body, validationResult } from "express-validator";
import { db } from "./db";

const CreateUser = z.object({ email: z.string().email(), name: z.string().max(100) });
export const router = Router();

router.post("/users", async (req, res) => {
  // ok: architecture/bypassed-validation
  const input = CreateUser.parse(req.body);
  res.status(201).json(await db.user.create({ data: input }));
});

router.put("/users/:id", celebrate({ [Segments.BODY]: Joi.object({ name: Joi.string().max(100) }) }), async (req, res) => {
  // ok: architecture/bypassed-validation
  res.json(await db.user.update({ where: { id: req.params.id }, data: { name: req.body.name } }));
});

router.patch("/users/:id/profile", async (req, res) => {
  // expect: architecture/bypassed-validation
  const { bio, avatarUrl, role } = req.body;
  res.json(await db.user.update({ where: { id: req.params.id }, data: { bio, avatarUrl, role } }));
});

router.post("/users/:id/settings", async (req, res) => {
  // expect: architecture/bypassed-validation
  res.json(await db.settings.upsert({ where: { userId: req.params.id }, create: req.body, update: req.body }));
});

router.post("/comments", body("text").isString().isLength({ max: 500 }), async (req, res) => {
  if (!validationResult(req).isEmpty()) return res.sendStatus(400);
  // ok: architecture/bypassed-validation
  res.json(await db.comment.create({ data: { text: req.body.text } }));
});

router.get("/users", async (req, res) => {
  // ok: architecture/bypassed-validation
  const page = Number(req.query.page) || 1;
  res.json(await db.user.findMany({ take: 20, skip: (page - 1) * 20 }));
});

router.post("/users/:id/avatar", async (req, res) => {
  // ok: architecture/bypassed-validation
  if (typeof req.body.url !== "string" || req.body.url.length > 2000) return res.sendStatus(400);
  res.json(await db.user.update({ where: { id: req.params.id }, data: { avatarUrl: req.body.url } }));
});

router.delete("/users/:id", async (req, res) => {
  // ok: architecture/bypassed-validation
  await db.user.delete({ where: { id: req.params.id } });
  res.sendStatus(204);
});

router.post("/orders", async (req, res) => {
  // expect: architecture/bypassed-validation
  const order = await db.order.create({ data: { ...req.body, status: "new" } });
  res.status(201).json(order);
});
