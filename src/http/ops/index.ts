import Fastify, { type FastifyInstance, type FastifyPluginAsync } from 'fastify';
import { MetricsUnavailable } from '../../infra/cluster-metrics.js';
import type { Metrics } from '../../infra/metrics.js';
import type { Store } from '../../usecases/ports.js';
import { homeRoute } from './home.js';
import { healthzSchema, metricsSchema, readyzSchema } from './schemas.js';

/** Process state the probes report; the server flips `shuttingDown` on SIGTERM. */
export interface Lifecycle {
  shuttingDown: boolean;
}

export interface OpsOptions {
  store: Pick<Store, 'ping'>;
  lifecycle: Lifecycle;
  metrics: Metrics;
  /** With WORKERS > 1: the metrics of every worker, gathered by the primary. */
  gatherMetrics?: () => Promise<{ contentType: string; body: string }>;
  /** Whether this app answers /metrics; false when METRICS_PORT gives them their own listener. */
  serveMetrics: boolean;
}

/**
 * Operator endpoints: `/healthz` (the process is up), `/readyz` (the database answers and the
 * process is not shutting down: a load balancer stops sending work), `/metrics` (Prometheus).
 */
export const opsRoutes: FastifyPluginAsync<OpsOptions> = async (
  app,
  { store, lifecycle, metrics, gatherMetrics, serveMetrics },
) => {
  app.register(homeRoute);
  app.get('/healthz', { schema: healthzSchema }, async () => ({ status: 'ok' }));

  app.get('/readyz', { schema: readyzSchema }, async (_req, reply) => {
    if (lifecycle.shuttingDown) return reply.code(503).send({ status: 'shutting_down' });
    try {
      await store.ping();
    } catch {
      return reply.code(503).send({ status: 'database_unavailable' });
    }
    return { status: 'ready' };
  });

  // With METRICS_PORT, /metrics is served on that listener alone (see metricsApp).
  if (serveMetrics) app.register(metricsRoute, { metrics, gatherMetrics });
};

/** `GET /metrics`: this process's metrics, or with WORKERS > 1 every worker's. */
export const metricsRoute: FastifyPluginAsync<Pick<OpsOptions, 'metrics' | 'gatherMetrics'>> = async (
  app,
  { metrics, gatherMetrics },
) => {
  app.get('/metrics', { schema: metricsSchema }, async (_req, reply) => {
    let gathered: { contentType: string; body: string };
    try {
      gathered = gatherMetrics
        ? await gatherMetrics()
        : { contentType: metrics.registry.contentType, body: await metrics.registry.metrics() };
    } catch (e) {
      if (!(e instanceof MetricsUnavailable)) throw e;
      // A worker starting (or one gone mid-scrape): the next scrape will have them all.
      return reply
        .code(503)
        .header('retry-after', '1')
        .type('text/plain; charset=utf-8')
        .send(`metrics unavailable for a moment: ${e.message}\n`);
    }
    return reply.header('content-type', gathered.contentType).send(gathered.body);
  });
};

/**
 * The metrics alone, for their own listener (`METRICS_PORT`): whoever reaches the API then
 * cannot read them.
 */
export function metricsApp(opts: Pick<OpsOptions, 'metrics' | 'gatherMetrics'>): FastifyInstance {
  const app = Fastify({ logger: false });
  app.register(metricsRoute, opts);
  return app;
}
