import express from "express";
import mongoose from "mongoose";
import { PrismaClient } from "@prisma/client";
import { z } from "zod";
import _ from "lodash";
import { Body, Controller, Param, Patch, Post } from "@nestjs/common";
import { InjectRepository } from "@nestjs/typeorm";
import { Repository } from "typeorm";
import { User as UserEntity } from "./entities/user.entity";
import type { APIGatewayProxyEvent } from "aws-lambda";

const app = express();
app.use(express.json());
const prisma = new PrismaClient();
const User = mongoose.model("User", new mongoose.Schema({ name: String, email: String, role: String }));
const UpdateProfile = z.object({ name: z.string(), bio: z.string().max(500) }).strict();

app.post("/users", async (req, res) => {
  // expect: security/mass-assignment
  const user = await User.create(req.body);
  res.status(201).json(user);
});

app.post("/users/v2", async (req, res) => {
  // expect: security/mass-assignment
  const user = new User(req.body);
  await user.save();
  res.status(201).json(user);
});

app.put("/users/:id", async (req, res) => {
  // expect: security/mass-assignment
  const updated = await User.findByIdAndUpdate(req.params.id, { $set: req.body }, { new: true });
  res.json(updated);
});

app.patch("/accounts/:id", async (req, res) => {
  // expect: security/mass-assignment
  const account = await prisma.account.update({ where: { id: req.params.id }, data: req.body });
  res.json(account);
});

app.patch("/profile", async (req, res) => {
  const user = await User.findById((req as any).user.id);
  // expect: security/mass-assignment
  Object.assign(user, req.body);
  await user!.save();
  res.json(user);
});

app.post("/posts", async (req, res) => {
  const payload = { ...req.body, authorId: (req as any).user.id };
  // expect: security/mass-assignment
  const post = await prisma.post.create({ data: payload });
  res.json(post);
});

export const handler = async (event: APIGatewayProxyEvent) => {
  const input = JSON.parse(event.body ?? "{}");
  // expect: security/mass-assignment
  await prisma.customer.create({ data: input });
  return { statusCode: 201, body: "" };
};

@Controller("users")
export class UsersController {
  constructor(@InjectRepository(UserEntity) private readonly usersRepository: Repository<UserEntity>) {}

  @Patch(":id")
  async update(@Param("id") id: string, @Body() body: any) {
    // expect: security/mass-assignment
    await this.usersRepository.update(id, body);
    return this.usersRepository.findOneBy({ id });
  }

  @Post()
  async create(@Body() dto: CreateUserDto) {
    // ok: security/mass-assignment
    return this.usersRepository.save(dto);
  }
}

class CreateUserDto {
  name!: string;
}

// ---- safe look-alikes ----

app.post("/users/safe", async (req, res) => {
  // ok: security/mass-assignment
  const user = await User.create({ name: req.body.name, email: req.body.email });
  res.status(201).json(user);
});

app.patch("/profile/safe", async (req, res) => {
  const data = UpdateProfile.parse(req.body);
  // ok: security/mass-assignment
  const profile = await prisma.profile.update({ where: { userId: (req as any).user.id }, data });
  res.json(profile);
});

app.put("/users/:id/safe", async (req, res) => {
  const fields = _.pick(req.body, ["name", "bio", "avatarUrl"]);
  // ok: security/mass-assignment
  await User.updateOne({ _id: req.params.id }, { $set: fields });
  // ok: security/mass-assignment
  const log = Object.assign({}, req.body, { at: Date.now() });
  res.json({ ok: true, log });
});

app.post("/search", async (req, res) => {
  const { name, email } = req.body;
  // ok: security/mass-assignment
  const user = await prisma.user.create({ data: { name, email, role: "member" } });
  res.json(user);
});

// ---- Object.assign onto existing objects ----

const exportDefaults = { format: "csv", includeDeleted: false, maxRows: 5000 };

app.get("/reports/export", async (req, res) => {
  const defaults = { format: "csv", includeDeleted: false };
  // expect: security/mass-assignment
  const opts = Object.assign(defaults, req.query);
  // expect: security/mass-assignment
  Object.assign(exportDefaults, { filters: req.query });
  // ok: security/mass-assignment
  const merged = Object.assign({ format: "csv" }, { format: req.query.format === "xlsx" ? "xlsx" : "csv" });
  // ok: security/mass-assignment
  const local = {};
  Object.assign(local, { format: String(req.query.format) });
  res.json({ opts, merged, local });
});
