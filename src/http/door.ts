import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config.js';
import { DomainError, type DomainErrorCode } from '../domain/errors.js';
import { resolveSourceIp } from '../domain/ip.js';
import type { TargetRequest } from '../domain/api.js';
import type { Mode } from '../domain/mode.js';
import type { Door } from '../domain/usage.js';
import type { Deps } from '../usecases/deps.js';
import type { IssueTokenInput } from '../usecases/issue-token.js';
import { toDomainError } from './errors.js';
import { bodyRecord, optionalString, requiredString, stringValues, type WireBody } from './form.js';

/** What every door needs: the core's ports and the validated configuration. */
export interface DoorContext {
  deps: Deps;
  config: Config;
}

/** The doors, as metrics and usage rows label them. */
export type DoorName = Door;

/** Options each door plugin is registered with, once per mode. */
export interface DoorOptions {
  ctx: DoorContext;
  /** The mode of the mount: live at the plain paths, test under `/test`. */
  mode: Mode;
  door: DoorName;
}

declare module 'fastify' {
  /** What a route says of itself (route `config`), for the metrics: its door and mount, and what its 200 means. */
  interface FastifyContextConfig {
    door?: DoorName;
    mount?: Mode;
    /** A 200 answer is a newly issued access token. */
    issues?: boolean;
    /** The route runs the Bearer check. */
    bearer?: boolean;
  }
  interface FastifyRequest {
    /** The domain error this request was answered with, for the failure counter. */
    failure: { door: string; code: DomainErrorCode } | null;
  }
}

/** Stamps every route registered after it in this scope with its door and mount. */
export function tagRoutes(app: FastifyInstance, door: DoorName, mount: Mode): void {
  app.addHook('onRoute', (route) => {
    route.config = { ...route.config, door, mount };
  });
}

/** An error as one door puts it on the wire. */
export interface Rendered {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export type Renderer = (e: DomainError) => Rendered;

/** The mode of a call: the mount's, or test for any host listed in `TEST_HOSTS`. */
export function callMode(req: FastifyRequest, mount: Mode, config: Config): Mode {
  if (mount === 'test' || config.testHosts.length === 0) return mount;
  return config.testHosts.includes(req.hostname.toLowerCase()) ? 'test' : mount;
}

/** The door a route belongs to (stamped by `tagRoutes`), for the usage counts. */
export function doorOf(req: FastifyRequest): Door {
  const door = req.routeOptions.config.door;
  if (door === undefined) throw new Error(`route ${req.routeOptions.url} belongs to no door`);
  return door;
}

export function callerIp(req: FastifyRequest, config: Config): string {
  const xff = req.headers['x-forwarded-for'];
  return resolveSourceIp(req.socket.remoteAddress ?? '', Array.isArray(xff) ? xff.join(',') : xff, config.trustProxy);
}

/**
 * The `Authorization` header, refused when a request carries it twice: Node keeps only the
 * first, while a proxy in front may have judged the second (spec §2: ambiguity fails closed).
 */
export function authorizationOf(req: FastifyRequest): string | undefined {
  const raw = req.raw.rawHeaders;
  let seen = 0;
  for (let i = 0; i < raw.length; i += 2)
    if (raw[i]!.length === 13 && raw[i]!.toLowerCase() === 'authorization') seen++;
  if (seen > 1) throw new DomainError('invalid_request', 'Authorization must be sent once', { field: 'authorization' });
  return req.headers.authorization;
}

/** Wire names of the credential fields, per dialect. */
export interface CredentialFields {
  clientId: string;
  clientSecret: string;
}

export const SNAKE_CREDENTIALS: CredentialFields = { clientId: 'client_id', clientSecret: 'client_secret' };

/**
 * The API a token request names: `audience` on every door, and RFC 8707's `resource` where the
 * door is OAuth 2.0's. Repeats are kept, for the core to refuse as `invalid_target`.
 * @see RFC 8707 §2
 */
export function targetRequest(body: WireBody, withResource = false): TargetRequest {
  const audience = stringValues(body, 'audience');
  const resource = withResource ? stringValues(body, 'resource') : undefined;
  return { ...(audience === undefined ? {} : { audience }), ...(resource === undefined ? {} : { resource }) };
}

/**
 * The issue-token input every credentials-in-the-body door builds the same way: the fields in
 * the dialect's spelling (errors name the wire field), the mode and source of the call.
 */
export function issueTokenInput(
  req: FastifyRequest,
  mount: Mode,
  ctx: DoorContext,
  ttlSeconds: number | null,
  fields: CredentialFields = SNAKE_CREDENTIALS,
): IssueTokenInput {
  const body = bodyRecord(req.body);
  return {
    mode: callMode(req, mount, ctx.config),
    door: doorOf(req),
    clientId: requiredString(body, fields.clientId, 'client_id'),
    clientSecret: requiredString(body, fields.clientSecret, 'client_secret'),
    scope: optionalString(body, 'scope'),
    target: targetRequest(body),
    sourceIp: callerIp(req, ctx.config),
    ttlSeconds,
  };
}

export const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' } as const;

/** Answers a domain error through a door's table (`door` names it for the failure counter). */
export function sendError(reply: FastifyReply, e: DomainError, render: Renderer, door = 'other'): FastifyReply {
  const r = render(e);
  reply.request.failure = { door, code: e.code };
  reply.headers(NO_STORE);
  if (e.details.retryAfterSeconds !== undefined) reply.header('retry-after', String(e.details.retryAfterSeconds));
  if (r.headers) reply.headers(r.headers);
  return reply.code(r.status).send(r.body);
}

/**
 * Gives a door's scope its envelope: every error, framework rejection and unknown path under
 * the door's prefix answers through the door's one table. Its routes are tagged as the door's.
 */
export function useEnvelope(
  app: FastifyInstance,
  render: Renderer,
  { door, mode }: Pick<DoorOptions, 'door' | 'mode'>,
): void {
  tagRoutes(app, door, mode);
  app.setErrorHandler((err, req, reply) => sendError(reply, toDomainError(err, req.log), render, door));
  app.setNotFoundHandler((_req, reply) => sendError(reply, new DomainError('not_found', 'Not found'), render, door));
}
