import type { FastifyInstance } from 'fastify';
import type { Config } from '../../config.js';
import type { Metrics } from '../../infra/metrics.js';
import { callMode } from '../door.js';

/** The door a route belongs to, from its path: one table for every metric label. */
const DOOR_PREFIXES: Array<[string, string]> = [
  ['/v1/', 'v1'],
  ['/v2/', 'v2'],
  ['/api/v1/oauth2/', 'oauth2'],
  ['/.well-known/', 'oauth2'],
  ['/api/v1/client/', 'common'],
  ['/auth/', 'forward-auth'],
  ['/graphql', 'graphql'],
];

/** Routes whose 200 answer is a newly issued access token (GraphQL counts its own: its 200s include failures). */
const ISSUING = new Set(['/v1/auth/token', '/v2/credentials/oauth/token', '/api/v1/oauth2/token', '/api/v1/oauth2/refresh', '/api/v1/client/token']);

/** Routes that run the Bearer check. */
const BEARER = new Set(['/auth/verify', '/api/v1/client/me']);

export function doorOf(url: string): { door: string; path: string; mounted: 'live' | 'test' } {
  const test = url === '/test' || url.startsWith('/test/');
  const path = test ? url.slice(5) : url;
  const door = DOOR_PREFIXES.find(([prefix]) => path.startsWith(prefix))?.[1] ?? 'other';
  return { door, path, mounted: test ? 'test' : 'live' };
}

/** Latency of every request, tokens issued and Bearer results, counted once the answer is sent. */
export function observeRequests(app: FastifyInstance, metrics: Metrics, config: Config): void {
  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? '';
    const { door, path, mounted } = doorOf(route === '' ? 'other' : route);
    const status = reply.statusCode;
    metrics.requestDuration.observe({ door, method: req.method, status: String(status) }, reply.elapsedTime / 1000);
    if (status === 200 && ISSUING.has(path)) metrics.tokensIssued.inc({ door, mode: callMode(req, mounted, config) });
    if (BEARER.has(path)) {
      metrics.verifications.inc({ result: status === 200 ? 'valid' : status === 403 ? 'forbidden' : status === 401 ? 'invalid' : 'error' });
    }
  });
}
