import { SpanKind, SpanStatusCode, type Attributes } from '@opentelemetry/api';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import type { Counter } from 'prom-client';
import type { OtelConfig } from '../config.js';
import { DURATION_BUCKETS, type Metrics } from './metrics.js';
import { packageVersion } from './package-version.js';

/*
 * OpenTelemetry, for operators who set OTEL_EXPORTER_OTLP_ENDPOINT. This file is the only one
 * that loads the SDK, and the server imports it dynamically, only then: unset, none of it is in
 * the process and no request pays for it.
 */

/** What the request hook knew of one answered request; never a secret, a token or a body. */
export interface RequestFacts {
  method: string;
  /** The route's pattern, not the URL as sent (which may carry anything). */
  route: string | undefined;
  status: number;
  door: string;
  mode: string | undefined;
  clientId: string | undefined;
  /** `ok`, or the domain code the request was answered with. */
  outcome: string;
  /** Epoch milliseconds the request began. */
  startedAt: number;
  durationMs: number;
  storeMs: number;
  storeCalls: number;
}

export interface Telemetry {
  /** One span for the request, and its latency in the duration histogram. */
  record(facts: RequestFacts): void;
  /** Exports what is queued, then stops. */
  shutdown(): Promise<void>;
}

/** The Prometheus counters, mirrored as observable counters read at each export (the same totals). */
function mirrorCounters(meter: ReturnType<MeterProvider['getMeter']>, metrics: Metrics): void {
  const counters: ReadonlyArray<[string, string, Counter<string>]> = [
    ['tollgate_tokens_issued_total', 'Access tokens issued, by door and mode', metrics.tokensIssued],
    ['tollgate_failures_total', 'Requests answered with a domain error, by door and domain code', metrics.failures],
    ['tollgate_lockouts_total', 'Locks begun, by kind of key', metrics.lockouts],
    [
      'tollgate_bearer_verifications_total',
      'Bearer token checks on protected endpoints, by result',
      metrics.verifications,
    ],
  ];
  for (const [name, description, counter] of counters) {
    meter.createObservableCounter(name, { description }).addCallback(async (result) => {
      for (const { value, labels } of (await counter.get()).values) result.observe(value, labels as Attributes);
    });
  }
}

/** Starts the trace and metric pipelines, exporting over OTLP/HTTP (JSON) to the configured endpoint. */
export function startTelemetry(config: OtelConfig, metrics: Metrics): Telemetry {
  // OTEL_RESOURCE_ATTRIBUTES adds to (and may override) what Tollgate says of itself.
  const resource = resourceFromAttributes({
    'service.name': config.serviceName,
    'service.version': packageVersion(),
  }).merge(detectResources({ detectors: [envDetector] }));
  // The exporters read OTEL_EXPORTER_OTLP_* themselves (endpoint, per-signal endpoints, headers).
  const tracing = new TracerProvider({
    resource,
    spanProcessors: [
      new BatchSpanProcessor({ exporter: new OTLPTraceExporter(), scheduledDelayMillis: config.spanDelayMs }),
    ],
  });
  const metering = new MeterProvider({
    resource,
    readers: [
      new PeriodicExportingMetricReader({
        exporter: new OTLPMetricExporter(),
        exportIntervalMillis: config.metricIntervalMs,
        exportTimeoutMillis: Math.min(30_000, config.metricIntervalMs),
      }),
    ],
  });
  const tracer = tracing.getTracer('tollgate', packageVersion());
  const meter = metering.getMeter('tollgate', packageVersion());
  mirrorCounters(meter, metrics);
  const duration = meter.createHistogram('tollgate_http_request_duration_seconds', {
    description: 'HTTP request latency, by door, method and status',
    unit: 's',
    advice: { explicitBucketBoundaries: [...DURATION_BUCKETS] },
  });
  return {
    record(f) {
      const attributes: Attributes = {
        'http.request.method': f.method,
        'http.response.status_code': f.status,
        'tollgate.door': f.door,
        'tollgate.outcome': f.outcome,
        'tollgate.store.duration_ms': f.storeMs,
        'tollgate.store.calls': f.storeCalls,
      };
      if (f.route !== undefined) attributes['http.route'] = f.route;
      if (f.mode !== undefined) attributes['tollgate.mode'] = f.mode;
      if (f.clientId !== undefined) attributes['tollgate.client_id'] = f.clientId;
      const span = tracer.startSpan(f.route === undefined ? f.method : `${f.method} ${f.route}`, {
        kind: SpanKind.SERVER,
        startTime: f.startedAt,
        attributes,
      });
      if (f.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end(f.startedAt + f.durationMs);
      duration.record(f.durationMs / 1000, { door: f.door, method: f.method, status: String(f.status) });
    },
    async shutdown() {
      await Promise.allSettled([tracing.shutdown(), metering.shutdown()]);
    },
  };
}
