import type { AccessTokenClaims } from '../verifier/claims.js';
import type { Verifier } from '../verifier/index.js';
import { decide, type GuardOptions } from './decide.js';

/** The parts of a Fastify request the guard reads and writes (no dependency on fastify). */
export interface FastifyRequestLike {
  headers: { authorization?: string | string[] | undefined };
  ip?: string;
  tollgate?: AccessTokenClaims;
}

/** The parts of a Fastify reply the guard uses. */
export interface FastifyReplyLike {
  code(statusCode: number): FastifyReplyLike;
  header(key: string, value: string): FastifyReplyLike;
  send(payload?: unknown): FastifyReplyLike;
}

/**
 * A Fastify `onRequest`/`preHandler` hook: sets `request.tollgate` to the claims, or answers
 * 401/403 with an RFC 6750 `WWW-Authenticate` (503 when Tollgate could not be asked).
 *
 *     app.decorateRequest('tollgate', null);
 *     app.get('/invoices', { preHandler: fastifyGuard(verifier, { scope: 'invoices:read' }) }, handler);
 */
export function fastifyGuard(
  verifier: Verifier,
  options: GuardOptions = {},
): (request: FastifyRequestLike, reply: FastifyReplyLike) => Promise<unknown> {
  return async function tollgateGuard(request, reply) {
    const d = await decide(verifier, request.headers.authorization, request.ip, options);
    if (d.ok) {
      request.tollgate = d.claims;
      return undefined;
    }
    reply.code(d.status).header('cache-control', 'no-store');
    for (const [name, value] of Object.entries(d.headers)) reply.header(name, value);
    // An async hook that answered returns the reply, so Fastify stops here.
    return reply.send(d.body);
  };
}
