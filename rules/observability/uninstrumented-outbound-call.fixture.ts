import { Injectable } from "@nestjs/common";
import { trace, SpanStatusCode } from "@opentelemetry/api";
import { Histogram } from "prom-client";
import axios from "axios";
import amqp from "amqplib";
import { Kafka } from "kafkajs";

const tracer = trace.getTracer("billing");
const upstreamLatency = new Histogram({ name: "upstream_request_seconds", help: "upstream latency", labelNames: ["target"] });
const http = axios.create({ timeout: 5000 });

@Injectable()
export class BillingClient {
  async getInvoice(id: string) {
    return tracer.startActiveSpan("billing.getInvoice", async (span) => {
      try {
        // ok: observability/uninstrumented-outbound-call
        const res = await fetch(`https://billing.internal/invoices/${id}`, { signal: AbortSignal.timeout(5000) });
        return await res.json();
      } catch (err) {
        span.setStatus({ code: SpanStatusCode.ERROR });
        throw err;
      } finally {
        span.end();
      }
    });
  }

  async listPayments(customerId: string) {
    const end = upstreamLatency.startTimer({ target: "payments" });
    try {
      // ok: observability/uninstrumented-outbound-call
      return (await http.get(`https://payments.internal/customers/${customerId}/payments`)).data;
    } finally {
      end();
    }
  }

  async refund(paymentId: string) {
    // expect: observability/uninstrumented-outbound-call
    return (await http.post(`https://payments.internal/payments/${paymentId}/refund`)).data;
  }

  async taxRate(country: string) {
    // expect: observability/uninstrumented-outbound-call
    const res = await fetch(`https://tax.internal/rates/${country}`, { signal: AbortSignal.timeout(2000) });
    return res.json();
  }

  formatAmount(cents: number) {
    // ok: observability/uninstrumented-outbound-call
    return (cents / 100).toFixed(2);
  }
}

export async function startConsumers(kafka: Kafka) {
  const conn = await amqp.connect(process.env.AMQP_URL!);
  const channel = await conn.createChannel();
  // ok: observability/uninstrumented-outbound-call
  await channel.consume("invoices", (msg) => {
    const end = upstreamLatency.startTimer({ target: "invoices-queue" });
    if (msg) channel.ack(msg);
    end();
  });
  const consumer = kafka.consumer({ groupId: "billing" });
  // expect: observability/uninstrumented-outbound-call
  await consumer.run({
    eachMessage: async ({ message }) => {
      await http.post("https://ledger.internal/entries", JSON.parse(String(message.value)));
    },
  });
}
