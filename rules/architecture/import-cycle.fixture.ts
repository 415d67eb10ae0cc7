// vigil-fixture-file: src/orders/order.service.ts
// ok: architecture/import-cycle
import { logger } from "../lib/logger";
// expect: architecture/import-cycle
import { publishOrderPlaced } from "./order.events";
// ok: architecture/import-cycle
import type { OrderPlaced } from "./order.events";

export async function placeOrder(id: string) {
  logger.info("placing", id);
  const ev: OrderPlaced = { id };
  await publishOrderPlaced(ev);
}

// vigil-fixture-file: src/orders/order.events.ts
// ok: architecture/import-cycle
// (one comment per cycle: it is on order.service.ts above)
import { placeOrder } from "./order.service.js";

export type OrderPlaced = { id: string };
export async function publishOrderPlaced(ev: OrderPlaced) {
  if (!ev.id) await placeOrder("retry");
}

// vigil-fixture-file: src/users/user.model.ts
// ok: architecture/import-cycle
import type { UserDto } from "./user.dto";
export class User {
  toDto(): UserDto {
    return { id: "1" };
  }
}

// vigil-fixture-file: src/users/user.dto.ts
// ok: architecture/import-cycle
import type { User } from "./user.model";
export type UserDto = { id: string; source?: User };

// vigil-fixture-file: src/billing/invoice.ts
// expect: architecture/import-cycle
import { taxFor } from "./tax";
export const invoiceTotal = (n: number) => n + taxFor(n);

// vigil-fixture-file: src/billing/tax.ts
// ok: architecture/import-cycle
// (same cycle as invoice.ts above: reported once)
export { rate } from "./rates";
import { rate } from "./rates";
export const taxFor = (n: number) => n * rate();

// vigil-fixture-context: src/billing/rates.ts
import { invoiceTotal } from "./invoice";
export const rate = () => (invoiceTotal(0) > 0 ? 0.2 : 0.1);

// vigil-fixture-context: src/lib/logger.ts
import pino from "pino";
export const logger = pino();

// vigil-fixture-context: src/lib/a.ts
import { b } from "./b";
export const a = () => b();

// vigil-fixture-context: src/lib/b.ts
import { a } from "./a";
export const b = () => a();

// vigil-fixture-file: src/lib/index.ts
// ok: architecture/import-cycle
export * from "./logger";

// vigil-fixture-file: src/blog/post.entity.ts
import { Column, Entity, ManyToOne, OneToMany, PrimaryGeneratedColumn } from "typeorm";
// ok: architecture/import-cycle
import { AuthorEntity } from "./author.entity";
// ok: architecture/import-cycle
import { CommentEntity } from "./comment.entity";

@Entity("post")
export class PostEntity {
  @PrimaryGeneratedColumn() id: number;
  @Column() title: string;
  @ManyToOne(() => AuthorEntity, (author) => author.posts, { onDelete: "CASCADE" })
  author: AuthorEntity;
  @OneToMany(() => CommentEntity, (comment) => comment.post, { eager: true })
  comments: CommentEntity[];
}

// vigil-fixture-file: src/blog/author.entity.ts
import { Column, Entity, OneToMany, PrimaryGeneratedColumn } from "typeorm";
import { Field, ObjectType } from "@nestjs/graphql";
// ok: architecture/import-cycle
import { PostEntity } from "./post.entity";

@ObjectType()
@Entity("author")
export class AuthorEntity {
  @PrimaryGeneratedColumn() id: number;
  @Column() name: string;
  @Field(() => [PostEntity], { nullable: true })
  @OneToMany(function () { return PostEntity; }, (post: PostEntity) => post.author)
  posts: PostEntity[];
}

// vigil-fixture-context: src/blog/comment.entity.ts
import { Entity, ManyToOne } from "typeorm";
import { PostEntity } from "./post.entity";
@Entity("comment")
export class CommentEntity {
  @ManyToOne(() => PostEntity, (post) => post.comments)
  post: PostEntity;
}

// vigil-fixture-file: src/shop/cart.ts
import { Injectable } from "@nestjs/common";
// expect: architecture/import-cycle
import { PricingService } from "./pricing";
@Injectable()
export class CartService {
  // A decorator argument that is not a thunk is evaluated while the module loads.
  @Reflect.metadata("pricing", PricingService)
  total(n: number) {
    return n;
  }
}

// vigil-fixture-context: src/shop/pricing.ts
import { Injectable } from "@nestjs/common";
import { CartService } from "./cart";
@Injectable()
export class PricingService {
  quote(cart: CartService) {
    return cart.total(1) + new CartService().total(2);
  }
}
