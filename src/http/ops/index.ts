import type { FastifyPluginAsync } from 'fastify';
import type { Metrics } from '../../infra/metrics.js';
import type { Store } from '../../usecases/ports.js';
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
}

/**
 * Operator endpoints: `/healthz` (the process is up), `/readyz` (the database answers and the
 * process is not shutting down: a load balancer stops sending work), `/metrics` (Prometheus).
 */
export const opsRoutes: FastifyPluginAsync<OpsOptions> = async (app, { store, lifecycle, metrics, gatherMetrics }) => {
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

  app.get('/metrics', { schema: metricsSchema }, async (_req, reply) => {
    const { contentType, body } = gatherMetrics
      ? await gatherMetrics()
      : { contentType: metrics.registry.contentType, body: await metrics.registry.metrics() };
    return reply.header('content-type', contentType).send(body);
  });
};
