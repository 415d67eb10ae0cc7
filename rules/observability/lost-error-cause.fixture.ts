import { Injectable, Logger, NotFoundException, InternalServerErrorException } from "@nestjs/common";
import { InjectRepository } from "@nestjs/typeorm";
import { Repository } from "typeorm";
import axios from "axios";
import pino from "pino";
import { User } from "./user.entity";

const logger = pino();

class PaymentGatewayError extends Error {}

export async function loadUser(id: string, repo: Repository<User>) {
  try {
    return await repo.findOneByOrFail({ id });
  } catch (err) {
    // expect: observability/lost-error-cause
    throw new Error(`failed to load user ${id}`);
  }
}

export async function charge(amountCents: number) {
  try {
    const { data } = await axios.post("https://payments.internal/charges", { amountCents }, { timeout: 5000 });
    return data;
  } catch (e) {
    // expect: observability/lost-error-cause
    throw new PaymentGatewayError("charge failed");
  }
}

export async function syncInventory(sku: string) {
  try {
    await axios.put(`https://erp.internal/inventory/${sku}`, {}, { timeout: 5000 });
  } catch (error) {
    // expect: observability/lost-error-cause
    logger.error(error.message);
  }
}

export function refreshToken(fetchToken: () => Promise<string>) {
  return fetchToken().catch((err) => {
    // expect: observability/lost-error-cause
    console.error(`token refresh failed: ${err.message}`);
    return undefined;
  });
}

@Injectable()
export class UsersService {
  private readonly logger = new Logger(UsersService.name);
  constructor(@InjectRepository(User) private readonly users: Repository<User>) {}

  async deactivate(id: string) {
    try {
      await this.users.update({ id }, { active: false });
    } catch (err) {
      // expect: observability/lost-error-cause
      this.logger.error(err.message);
      // expect: observability/lost-error-cause
      throw new InternalServerErrorException("could not deactivate user");
    }
  }

  // ---- safe look-alikes ----

  async findOne(id: string) {
    try {
      return await this.users.findOneByOrFail({ id });
    } catch (err) {
      // ok: observability/lost-error-cause
      throw new NotFoundException(`user ${id} not found`);
    }
  }

  async rename(id: string, name: string) {
    try {
      await this.users.update({ id }, { name });
    } catch (err) {
      this.logger.error(`rename failed for ${id}`, err.stack);
      // ok: observability/lost-error-cause
      throw new InternalServerErrorException("rename failed");
    }
  }
}

export async function loadUserChained(id: string, repo: Repository<User>) {
  try {
    return await repo.findOneByOrFail({ id });
  } catch (err) {
    // ok: observability/lost-error-cause
    throw new Error(`failed to load user ${id}`, { cause: err });
  }
}

export async function fetchRates() {
  try {
    return (await axios.get("https://rates.internal/latest", { timeout: 3000 })).data;
  } catch (err) {
    // ok: observability/lost-error-cause
    logger.error({ err }, err.message);
    return undefined;
  }
}

export async function callPartner(url: string) {
  try {
    return await axios.get(url, { timeout: 3000 });
  } catch (err) {
    // ok: observability/lost-error-cause
    logger.warn(`partner call failed: ${err.message}`);
    throw err;
  }
}

export function parsePort(raw: string): number {
  try {
    return Number.parseInt(raw, 10);
  } catch {
    // ok: observability/lost-error-cause
    throw new Error("PORT must be a number");
  }
}

export async function wrapGateway(call: () => Promise<void>) {
  try {
    await call();
  } catch (err) {
    // ok: observability/lost-error-cause
    throw new PaymentGatewayError(`gateway: ${err.message}`);
  }
}
