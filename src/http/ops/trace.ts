import { performance } from 'node:perf_hooks';
import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import type { Config } from '../../config.js';
import { countStoreTime, type StoreTime } from '../../infra/store-timing.js';
import type { Telemetry } from '../../infra/telemetry.js';
import { callMode } from '../door.js';

/** An id as a caller named it is theirs to choose: kept short, so no span carries a body's worth. */
const MAX_CLIENT_ID = 128;

interface Traced extends StoreTime {
  startedAt: number;
}

const TRACED = Symbol('traced');
type TracedRequest = FastifyRequest & { [TRACED]?: Traced };

const shortId = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value.slice(0, MAX_CLIENT_ID) : undefined;

/** The JWT's `client_id`, read without checking it again: only asked of a token the route accepted. */
function tokenClientId(authorization: string | undefined): string | undefined {
  const m = /^Bearer +[\w-]+\.([\w-]+)\.[\w-]+ *$/i.exec(authorization ?? '');
  if (!m) return undefined;
  try {
    return shortId((JSON.parse(Buffer.from(m[1]!, 'base64url').toString('utf8')) as { client_id?: unknown }).client_id);
  } catch {
    return undefined;
  }
}

/** The user half of `Authorization: Basic`, form-decoded; never the secret half. */
function basicUser(authorization: string | undefined): string | undefined {
  const m = /^Basic +([A-Za-z0-9+/]+={0,2}) *$/i.exec(authorization ?? '');
  if (!m) return undefined;
  const text = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  if (colon <= 0) return undefined;
  try {
    return shortId(decodeURIComponent(text.slice(0, colon).replace(/\+/g, ' ')));
  } catch {
    return undefined;
  }
}

/**
 * The client a request named: `client_id` / `clientId` in the body (GraphQL's in its input
 * variables), or the HTTP Basic user. On a Bearer-checked route, the token's client, and only
 * when it was accepted: a refused token names nobody we know.
 */
function clientIdOf(req: FastifyRequest, status: number, bearer: boolean): string | undefined {
  const authorization = req.headers.authorization;
  if (bearer) return status === 200 ? tokenClientId(authorization) : undefined;
  const body = req.body;
  if (body !== null && typeof body === 'object') {
    const b = body as Record<string, unknown>;
    const named = shortId(b.client_id) ?? shortId(b.clientId);
    if (named !== undefined) return named;
    const input = (b.variables as { input?: { clientId?: unknown } } | null | undefined)?.input;
    if (input !== null && typeof input === 'object') {
      const fromInput = shortId(input.clientId);
      if (fromInput !== undefined) return fromInput;
    }
  }
  return basicUser(authorization);
}

/**
 * A span per request, exported by `telemetry`, with its door, mode, client, outcome and the time
 * it waited on the store. Registered only when tracing is on: otherwise no hook exists.
 */
export function traceRequests(app: FastifyInstance, telemetry: Telemetry, config: Config): void {
  // The store time is counted in the request's async context; it is entered again after the
  // body is read, whose events come from the socket and not from this hook.
  app.addHook('onRequest', function traceStart(req: TracedRequest, _reply, done: HookHandlerDoneFunction) {
    const traced: Traced = { startedAt: performance.timeOrigin + performance.now(), ms: 0, calls: 0 };
    req[TRACED] = traced;
    countStoreTime(traced, done);
  });
  app.addHook('preHandler', function traceResume(req: TracedRequest, _reply, done: HookHandlerDoneFunction) {
    const traced = req[TRACED];
    if (traced) countStoreTime(traced, done);
    else done();
  });
  app.addHook('onResponse', async function traceEnd(req: TracedRequest, reply: FastifyReply) {
    const traced = req[TRACED];
    if (!traced) return;
    const route = req.routeOptions.config;
    const status = reply.statusCode;
    telemetry.record({
      method: req.method,
      route: req.routeOptions.url,
      status,
      door: route.door ?? 'other',
      mode: route.mount ? callMode(req, route.mount, config) : undefined,
      clientId: clientIdOf(req, status, route.bearer === true),
      outcome: req.failure?.code ?? 'ok',
      startedAt: traced.startedAt,
      durationMs: reply.elapsedTime,
      storeMs: traced.ms,
      storeCalls: traced.calls,
    });
  });
}
