import express from "express";
import mongoose from "mongoose";
import { MongoClient, ObjectId } from "mongodb";
import { Body, Controller, Post } from "@nestjs/common";
import Koa from "koa";
import escapeStringRegexp from "escape-string-regexp";

const app = express();
app.use(express.json());
const koa = new Koa();
const User = mongoose.model("User", new mongoose.Schema({ username: String, password: String }));
const client = new MongoClient("mongodb://localhost:27017");
const db = client.db("shop");

app.post("/login", async (req, res) => {
  // expect: security/nosql-injection
  const user = await User.findOne({ username: req.body.username, password: req.body.password });
  // ok: security/nosql-injection
  const same = await User.findOne({ username: String(req.body.username), password: String(req.body.password) });
  res.json({ ok: !!user, same: !!same });
});

app.get("/users", async (req, res) => {
  // expect: security/nosql-injection
  const users = await User.find(req.query);
  // ok: security/nosql-injection
  const active = await User.find({ active: true }).limit(20);
  res.json({ users, active });
});

app.post("/reset", async (req, res) => {
  const { email, token } = req.body;
  // expect: security/nosql-injection
  const doc = await db.collection("resets").findOneAndDelete({ email, token });
  // ok: security/nosql-injection
  const doc2 = await db.collection("resets").findOneAndDelete({ email: { $eq: email }, token: `${token}` });
  res.json({ doc, doc2 });
});

app.get("/orders/:id", async (req, res) => {
  // ok: security/nosql-injection
  const order = await db.collection("orders").findOne({ _id: new ObjectId(req.params.id) });
  // ok: security/nosql-injection
  const byRef = await db.collection("orders").findOne({ ref: req.params.id });
  res.json({ order, byRef });
});

app.get("/search", async (req, res) => {
  const q = req.query.q as string;
  // expect: security/nosql-injection
  const posts = await db.collection("posts").find({ title: { $regex: q, $options: "i" } }).toArray();
  // ok: security/nosql-injection
  const safe = await db.collection("posts").find({ title: { $regex: escapeStringRegexp(String(q)), $options: "i" } }).toArray();
  res.json({ posts, safe });
});

app.post("/lookup", async (req, res) => {
  const filter: Record<string, unknown> = { deleted: false };
  filter.email = req.body.email;
  // expect: security/nosql-injection
  const found = await User.findOne(filter);
  const byName: Record<string, unknown> = {};
  byName["name"] = String(req.body.name);
  // ok: security/nosql-injection
  const named = await User.findOne(byName);
  const byDate: Record<string, unknown> = {};
  byDate["$where"] = `this.created < new Date('${req.query.before}')`;
  // expect: security/nosql-injection
  const older = await User.find(byDate);
  res.json({ found, named, older });
});

app.get("/legacy", async (req, res) => {
  // expect: security/nosql-injection
  const rows = await db.collection("accounts").find({ $where: `this.owner == '${req.query.owner}'` }).toArray();
  res.json(rows);
});

app.post("/typed", async (req, res) => {
  const name = req.body.name;
  if (typeof name !== "string") return res.status(400).end();
  // ok: security/nosql-injection
  const user = await User.findOne({ username: name });
  res.json(user);
});

app.post("/report", async (req, res) => {
  // expect: security/nosql-injection
  const stats = await db.collection("events").aggregate([{ $match: { type: req.body.type } }, { $group: { _id: "$day", n: { $sum: 1 } } }]).toArray();
  res.json(stats);
});

koa.use(async (ctx) => {
  // expect: security/nosql-injection
  ctx.body = await User.deleteMany({ owner: ctx.request.body.owner });
});

@Controller("auth")
export class AuthController {
  constructor(private readonly userModel: typeof User) {}

  @Post("login")
  async login(@Body("username") username: string, @Body("password") password: string) {
    // expect: security/nosql-injection
    return this.userModel.findOne({ username, password });
  }
}

import { DynamoDBClient, QueryCommand, ScanCommand } from "@aws-sdk/client-dynamodb";
import AWS from "aws-sdk";

const dynamo = new DynamoDBClient({});
const docClient = new AWS.DynamoDB.DocumentClient();

export const searchHandler = async (event: { body: string }) => {
  const input = JSON.parse(event.body);
  // expect: security/nosql-injection
  const found = await docClient.query(input.search).promise();
  // expect: security/nosql-injection
  const scanned = await dynamo.send(new ScanCommand({ ...JSON.parse(event.body), Limit: 50 } as never));
  // ok: security/nosql-injection
  const own = await dynamo.send(new QueryCommand({ TableName: "orders", KeyConditionExpression: "pk = :pk", ExpressionAttributeValues: { ":pk": { S: String(input.customerId) } } }));
  return { found, scanned, own };
};
