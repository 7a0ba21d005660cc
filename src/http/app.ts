import Fastify, {
  LogController,
  type FastifyInstance,
  type FastifyPluginAsync,
  type FastifyServerOptions,
} from 'fastify';
import type { Config } from '../config.js';
import { DomainError } from '../domain/errors.js';
import { Metrics } from '../infra/metrics.js';
import type { Store } from '../usecases/ports.js';
import type { Deps } from '../usecases/deps.js';
import { opsRoutes, type Lifecycle, type OpsOptions } from './ops/index.js';
import { observeRequests } from './ops/observe.js';
import { traceRequests } from './ops/trace.js';
import type { Telemetry } from '../infra/telemetry.js';
import { registerApiDocs } from './openapi.js';
import { toDomainError } from './errors.js';
import { createDeadlineServer } from './connections.js';
import { sendError, type DoorContext, type DoorName, type DoorOptions, type Renderer, type Rendered } from './door.js';
import { answerClientError } from './client-errors.js';
import { v1Door } from './v1/index.js';
import { renderV1 } from './v1/errors.js';
import { v2Door } from './v2/index.js';
import { renderV2 } from './v2/errors.js';
import { oauth2Door } from './oauth2/index.js';
import { renderOAuth2 } from './oauth2/errors.js';
import { wellKnownDoor } from './oauth2/well-known.js';
import { commonDoor } from './common/index.js';
import { renderCommon } from './common/errors.js';
import { forwardAuthDoor } from './forward-auth/index.js';
import { renderForwardAuth } from './forward-auth/errors.js';
import { graphqlDoor } from './graphql/door.js';
import { panelRoutes } from './panel.js';
import { renderGraphQLRequest } from './graphql/errors.js';

const QUIET_LEVELS = new Set(['warn', 'error', 'fatal', 'silent']);

/** Token requests are a few hundred bytes; anything near this is abuse. */
export const BODY_LIMIT = 64 * 1024;

/** Outside every door: a plain OAuth-style body. */
const renderPlain = (e: DomainError): Rendered => ({
  status: e.code === 'not_found' ? 404 : e.code === 'server_error' ? 500 : e.code === 'unavailable' ? 503 : 400,
  body: { error: e.code, error_description: e.message },
});

/** Every door: where it is mounted (live; test under `/test`), its plugin, and its envelope. */
const DOORS: ReadonlyArray<{
  prefix: string;
  door: DoorName;
  plugin: FastifyPluginAsync<DoorOptions>;
  render: Renderer;
}> = [
  { prefix: '/v1', door: 'v1', plugin: v1Door, render: renderV1 },
  { prefix: '/v2', door: 'v2', plugin: v2Door, render: renderV2 },
  { prefix: '/api/v1/oauth2', door: 'oauth2', plugin: oauth2Door, render: renderOAuth2 },
  { prefix: '/.well-known', door: 'oauth2', plugin: wellKnownDoor, render: renderOAuth2 },
  { prefix: '/api/v1/client', door: 'common', plugin: commonDoor, render: renderCommon },
  { prefix: '/auth', door: 'forward-auth', plugin: forwardAuthDoor, render: renderForwardAuth },
  { prefix: '/graphql', door: 'graphql', plugin: graphqlDoor, render: renderGraphQLRequest },
];

/**
 * The envelope of the door a raw request target names (live or under `/test`), for what is
 * refused before any route runs: a malformed URL, oversized headers, broken framing.
 */
export function envelopeFor(target: string): { door: string; render: Renderer } {
  const path = target.startsWith('/test/') || target === '/test' ? target.slice(5) : target;
  const found = DOORS.find(
    ({ prefix }) =>
      path === prefix ||
      path.startsWith(`${prefix}/`) ||
      path.startsWith(`${prefix}?`) ||
      path.startsWith(`${prefix}%`),
  );
  return found ? { door: found.door, render: found.render } : { door: 'other', render: renderPlain };
}

const malformedUrl = (): DomainError => new DomainError('invalid_request', 'Malformed request URL');

export interface AppOptions {
  logger?: FastifyServerOptions['logger'];
  lifecycle?: Lifecycle;
  metrics?: Metrics;
  gatherMetrics?: OpsOptions['gatherMetrics'];
  /** Log each request (default); false logs errors only. */
  logRequests?: boolean;
  /** OpenTelemetry, when configured: a span per request. */
  telemetry?: Telemetry;
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
    // Refusals before routing answer in the named door's envelope, never echoing the path or a
    // framework code.
    frameworkErrors: (_err, req, reply) => {
      const { door, render } = envelopeFor(req.url);
      sendError(reply, malformedUrl(), render, door);
    },
    clientErrorHandler: (err, socket) => answerClientError(err, socket, (target) => envelopeFor(target).render),
    logger: opts.logger ?? false,
    ...(opts.logRequests === false ? { logController: new LogController({ disableRequestLogging: true }) } : {}),
    bodyLimit: BODY_LIMIT,
    // Route matching is exact: `/v1/auth/token/` is not the token endpoint.
    routerOptions: { ignoreTrailingSlash: false, maxParamLength: 200 },
    return503OnClosing: true,
    // A child logger per request (with its redaction set-up) is only worth its cost when
    // request lines are written; at warn and above, errors go to the app's logger.
    childLoggerFactory: (logger, bindings, opts) =>
      QUIET_LEVELS.has(logger.level) ? logger : logger.child(bindings, opts),
  });
  const metrics = opts.metrics ?? new Metrics();
  app.decorate('metrics', metrics);
  observeRequests(app, metrics, config);
  if (opts.telemetry) traceRequests(app, opts.telemetry, config);
  // First: the OpenAPI document sees only the routes registered after it.
  registerApiDocs(app);
  app.register(opsRoutes, {
    store: services.store,
    metrics,
    lifecycle: opts.lifecycle ?? { shuttingDown: false },
    gatherMetrics: opts.gatherMetrics,
    serveMetrics: config.metricsPort === undefined,
  });
  app.register(panelRoutes);
  const ctx: DoorContext = { deps: services.deps, config };
  // Every door, once per mode: live at the plain paths, test under /test.
  for (const mode of ['live', 'test'] as const) {
    const root = mode === 'test' ? '/test' : '';
    for (const { prefix, door, plugin } of DOORS) app.register(plugin, { prefix: `${root}${prefix}`, ctx, mode, door });
  }
  app.setErrorHandler((err, req, reply) => sendError(reply, toDomainError(err, req.log), renderPlain));
  app.setNotFoundHandler((_req, reply) => sendError(reply, new DomainError('not_found', 'Not found'), renderPlain));
  return app;
}
