import type { FastifyInstance } from 'fastify';
import type { Config } from '../../config.js';
import type { Metrics } from '../../infra/metrics.js';
import { callMode } from '../door.js';

/**
 * Latency of every request, tokens issued, Bearer results and domain failures, counted once the
 * answer is sent. What a route is comes from its own config (see `tagRoutes`); what it failed
 * with, from `sendError`. GraphQL counts its own issuances and failures: its 200s include failures.
 */
export function observeRequests(app: FastifyInstance, metrics: Metrics, config: Config): void {
  app.decorateRequest('failure', null);
  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.config;
    const door = route.door ?? 'other';
    const status = reply.statusCode;
    metrics.requestDuration.observe({ door, method: req.method, status: String(status) }, reply.elapsedTime / 1000);
    if (req.failure) metrics.failures.inc(req.failure);
    if (status === 200 && route.issues && route.mount)
      metrics.tokensIssued.inc({ door, mode: callMode(req, route.mount, config) });
    if (route.bearer) {
      metrics.verifications.inc({
        result: status === 200 ? 'valid' : status === 403 ? 'forbidden' : status === 401 ? 'invalid' : 'error',
      });
    }
  });
}
