import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

/** Prometheus metrics of one Vigil instance (own registry, so tests can run several). */
export function createMetrics(queueDepth: () => number) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    reviews: new Counter({ name: "vigil_reviews_total", help: "Reviews finished, by outcome", labelNames: ["outcome"] as const, registers: [registry] }),
    findings: new Counter({ name: "vigil_findings_total", help: "Findings on changed lines, by severity", labelNames: ["severity"] as const, registers: [registry] }),
    duration: new Histogram({ name: "vigil_review_duration_seconds", help: "Time from dequeue to concluded check run", buckets: [0.5, 1, 2, 5, 10, 30, 60, 120], registers: [registry] }),
    githubErrors: new Counter({ name: "vigil_github_api_errors_total", help: "GitHub API calls that failed after retries", labelNames: ["status"] as const, registers: [registry] }),
    queueDepth: new Gauge({ name: "vigil_queue_depth", help: "Reviews waiting or running", registers: [registry], collect() { this.set(queueDepth()); } }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
