import type { DomainError, DomainErrorCode } from '../../domain/errors.js';
import type { Rendered } from '../door.js';
import { bearerChallenge, type Challenge } from '../common/bearer.js';

interface ForwardAuthRow {
  status: number;
  code: string;
  challenge?: Challenge;
}

/**
 * The forward-auth error table (spec §4). A proxy reads only the status: nginx `auth_request`
 * passes 401 and 403 on to the caller (with the subrequest's `WWW-Authenticate` on a 401) and
 * turns any other status into a 500. Every 401 carries a Bearer challenge.
 */
export const FORWARD_AUTH_ERRORS = {
  invalid_request: { status: 400, code: 'INVALID_REQUEST' },
  invalid_scope: { status: 400, code: 'INVALID_SCOPE' },
  // `/auth/verify?audience=` naming no URI: the proxy's configuration is wrong, not the caller's token.
  invalid_target: { status: 400, code: 'INVALID_TARGET' },
  invalid_grant: { status: 400, code: 'INVALID_GRANT' },
  unsupported_grant_type: { status: 400, code: 'UNSUPPORTED_GRANT_TYPE' },
  // Not raised here (no client credentials come to this door); kept to the two 401 codes of spec §4.
  invalid_client: { status: 401, code: 'INVALID_TOKEN', challenge: 'invalid_token' },
  missing_token: { status: 401, code: 'NO_TOKEN', challenge: 'realm_only' },
  invalid_token: { status: 401, code: 'INVALID_TOKEN', challenge: 'invalid_token' },
  access_denied: { status: 403, code: 'ACCESS_DENIED' },
  insufficient_scope: { status: 403, code: 'INSUFFICIENT_SCOPE', challenge: 'insufficient_scope' },
  not_found: { status: 404, code: 'NOT_FOUND' },
  rate_limited: { status: 429, code: 'RATE_LIMITED' },
  server_error: { status: 500, code: 'SERVER_ERROR' },
  unavailable: { status: 503, code: 'UNAVAILABLE' },
} satisfies Record<DomainErrorCode, ForwardAuthRow>;

/**
 * `{"code":"NO_TOKEN"|"INVALID_TOKEN"|…,"message":"…"}` with its status and challenge.
 * @see RFC 6750 §3
 */
export function renderForwardAuth(e: DomainError): Rendered {
  const row: ForwardAuthRow = FORWARD_AUTH_ERRORS[e.code];
  return {
    status: row.status,
    body: { code: row.code, message: e.message },
    ...(row.challenge ? { headers: { 'www-authenticate': bearerChallenge(row.challenge, e.message) } } : {}),
  };
}
