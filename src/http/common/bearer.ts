import type { FastifyRequest } from 'fastify';
import type { Config } from '../../config.js';
import type { Mode } from '../../domain/mode.js';
import type { BearerInput } from '../../usecases/verify-bearer.js';
import { authorizationOf, callerIp, callMode, doorOf } from '../door.js';

/** The realm every Bearer challenge names. @see RFC 6750 §3 */
export const REALM = 'tollgate';

/**
 * What a Bearer challenge says for an error: nothing but the realm when no credentials came
 * (RFC 6750 §3.1: "SHOULD NOT include an error code"), else the RFC 6750 §3.1 error code.
 */
export type Challenge = 'realm_only' | 'invalid_token' | 'insufficient_scope';

/** `error_description` is a quoted-string limited to %x20-21 / %x23-5B / %x5D-7E. @see RFC 6750 §3 */
const quotable = (text: string): string => text.replace(/[^\x20\x21\x23-\x5B\x5D-\x7E]/g, '?');

/**
 * The `WWW-Authenticate` value for a refused Bearer request, e.g.
 * `Bearer realm="tollgate", error="invalid_token", error_description="The access token has expired"`.
 * @see RFC 6750 §3 (the challenge), §3.1 (error codes)
 */
export function bearerChallenge(challenge: Challenge, description: string): string {
  if (challenge === 'realm_only') return `Bearer realm="${REALM}"`;
  return `Bearer realm="${REALM}", error="${challenge}", error_description="${quotable(description)}"`;
}

/**
 * Reads what the core's Bearer check needs off the request: the `Authorization` header only
 * (RFC 6750 §2.1; tokens in a query string or form body, §2.2–2.3, are not accepted), the mode
 * of the address called and the resolved source address.
 * @see RFC 6750 §2
 */
export function bearerInput(
  req: FastifyRequest,
  mount: Mode,
  config: Config,
  requiredScopes: readonly string[] = [],
): BearerInput {
  return {
    mode: callMode(req, mount, config),
    door: doorOf(req),
    authorization: authorizationOf(req),
    sourceIp: callerIp(req, config),
    requiredScopes,
  };
}
