import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

/** Latency buckets, in seconds (OpenTelemetry's histogram uses the same). */
export const DURATION_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1] as const;

/**
 * Prometheus metrics of one process. With WORKERS > 1 each worker keeps its own; the primary
 * aggregates them for /metrics (see server.ts).
 */
export class Metrics {
  readonly registry = new Registry();

  readonly tokensIssued = new Counter({
    name: 'tollgate_tokens_issued_total',
    help: 'Access tokens issued, by door and mode',
    labelNames: ['door', 'mode'] as const,
    registers: [this.registry],
  });

  readonly failures = new Counter({
    name: 'tollgate_failures_total',
    help: 'Requests answered with a domain error, by door and domain code',
    labelNames: ['door', 'code'] as const,
    registers: [this.registry],
  });

  readonly lockouts = new Counter({
    name: 'tollgate_lockouts_total',
    help: 'Locks begun, by kind of key (pair of client and address, or address alone)',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });

  readonly verifications = new Counter({
    name: 'tollgate_bearer_verifications_total',
    help: 'Bearer token checks on protected endpoints, by result',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });

  readonly requestDuration = new Histogram({
    name: 'tollgate_http_request_duration_seconds',
    help: 'HTTP request latency, by door, method and status',
    labelNames: ['door', 'method', 'status'] as const,
    buckets: [...DURATION_BUCKETS],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'tollgate_' });
  }
}
