import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { Config } from '../config.js';
import { DomainError } from '../domain/errors.js';
import { Metrics } from '../infra/metrics.js';
import type { Deps, Store } from '../usecases/ports.js';
import { opsRoutes, type Lifecycle, type OpsOptions } from './ops/index.js';
import { observeRequests } from './ops/observe.js';
import { registerApiDocs } from './openapi.js';
import { toDomainError } from './errors.js';
import { createDeadlineServer } from './connections.js';
import { sendError, type DoorContext, type Rendered } from './door.js';
import { v1Door } from './v1/index.js';
import { v2Door } from './v2/index.js';
import { oauth2Door } from './oauth2/index.js';
import { wellKnownDoor } from './oauth2/well-known.js';
import { commonDoor } from './common/index.js';
import { forwardAuthDoor } from './forward-auth/index.js';
import { graphqlDoor } from '../graphql/door.js';

const QUIET_LEVELS = new Set(['warn', 'error', 'fatal', 'silent']);

/** Token requests are a few hundred bytes; anything near this is abuse. */
export const BODY_LIMIT = 64 * 1024;

/** Outside every door: a plain OAuth-style body. */
const renderPlain = (e: DomainError): Rendered => ({
  status: e.code === 'not_found' ? 404 : e.code === 'server_error' ? 500 : e.code === 'unavailable' ? 503 : 400,
  body: { error: e.code, error_description: e.message },
});

export interface AppOptions {
  logger?: FastifyServerOptions['logger'];
  lifecycle?: Lifecycle;
  metrics?: Metrics;
  gatherMetrics?: OpsOptions['gatherMetrics'];
}

declare module 'fastify' {
  interface FastifyInstance {
    metrics: Metrics;
  }
}

/** What the app runs on: the core's ports, and the store for the readiness probe. */
export interface AppPorts {
  deps: Deps;
  store: Pick<Store, 'ping'>;
}

/** Builds the HTTP app on the given ports; listens nowhere (the server or a test decides). */
export function buildApp(services: AppPorts, config: Config, opts: AppOptions = {}): FastifyInstance {
  const app = Fastify({
    serverFactory: (handler) => createDeadlineServer(config, handler),
    logger: opts.logger ?? false,
    bodyLimit: BODY_LIMIT,
    // Route matching is exact: `/v1/auth/token/` is not the token endpoint.
    routerOptions: { ignoreTrailingSlash: false, maxParamLength: 200 },
    return503OnClosing: true,
    // A child logger per request (with its redaction set-up) is only worth its cost when
    // request lines are written; at warn and above, errors go to the app's logger.
    childLoggerFactory: (logger, bindings, opts) => (QUIET_LEVELS.has(logger.level) ? logger : logger.child(bindings, opts)),
  });
  const metrics = opts.metrics ?? new Metrics();
  app.decorate('metrics', metrics);
  observeRequests(app, metrics, config);
  // First: the OpenAPI document sees only the routes registered after it.
  registerApiDocs(app);
  app.register(opsRoutes, {
    store: services.store,
    metrics,
    lifecycle: opts.lifecycle ?? { shuttingDown: false },
    gatherMetrics: opts.gatherMetrics,
    serveMetrics: config.metricsPort === undefined,
  });
  const ctx: DoorContext = { deps: services.deps, config };
  // Every door, once per mode: live at the plain paths, test under /test.
  for (const mode of ['live', 'test'] as const) {
    const root = mode === 'test' ? '/test' : '';
    app.register(v1Door, { prefix: `${root}/v1`, ctx, mode, door: 'v1' });
    app.register(v2Door, { prefix: `${root}/v2`, ctx, mode, door: 'v2' });
    app.register(oauth2Door, { prefix: `${root}/api/v1/oauth2`, ctx, mode, door: 'oauth2' });
    app.register(wellKnownDoor, { prefix: `${root}/.well-known`, ctx, mode, door: 'oauth2' });
    app.register(commonDoor, { prefix: `${root}/api/v1/client`, ctx, mode, door: 'common' });
    app.register(forwardAuthDoor, { prefix: `${root}/auth`, ctx, mode, door: 'forward-auth' });
    app.register(graphqlDoor, { prefix: `${root}/graphql`, ctx, mode, door: 'graphql' });
  }
  app.setErrorHandler((err, req, reply) => sendError(reply, toDomainError(err, req.log), renderPlain));
  app.setNotFoundHandler((_req, reply) => sendError(reply, new DomainError('not_found', 'Not found'), renderPlain));
  return app;
}
