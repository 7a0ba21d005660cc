import type { DomainError, DomainErrorCode } from '../../domain/errors.js';
import type { Rendered } from '../door.js';

interface OAuth2Row {
  status: number;
  /** The RFC 6749 §5.2 (or RFC 6750 §3.1) `error` value. */
  error: string;
  /** Seed 001's upper-case code, for clients that branch on one stable string. */
  code: string;
  /** RFC 7235 §3.1: every 401 carries a challenge for the scheme the resource accepts. */
  challenge?: string;
}

/**
 * Every 401 from the token endpoint names HTTP Basic, so a failed `client_secret_basic`
 * authentication gets the challenge RFC 6749 §5.2 requires, and body authentication the same
 * (the RFC allows it; one answer means the method used tells an attacker nothing).
 */
const BASIC = 'Basic realm="tollgate"';

/**
 * The oauth2 error table (spec §3 oauth2, seed 001): RFC 6749 §5.2 bodies plus an upper-case
 * `code`. Rows RFC 6749 has no name for take the spec's domain code as their `error`.
 * @see RFC 6749 §5.2, RFC 6750 §3.1, RFC 7009 §2.2.1, RFC 7662 §2.3
 */
export const OAUTH2_ERRORS = {
  invalid_request: { status: 400, error: 'invalid_request', code: 'INVALID_REQUEST' },
  invalid_client: { status: 401, error: 'invalid_client', code: 'INVALID_CLIENT', challenge: BASIC },
  invalid_grant: { status: 400, error: 'invalid_grant', code: 'INVALID_GRANT' },
  unsupported_grant_type: { status: 400, error: 'unsupported_grant_type', code: 'UNSUPPORTED_GRANT_TYPE' },
  invalid_scope: { status: 400, error: 'invalid_scope', code: 'INVALID_SCOPE' },
  /** @see RFC 8707 §2 */
  invalid_target: { status: 400, error: 'invalid_target', code: 'INVALID_TARGET' },
  access_denied: { status: 403, error: 'access_denied', code: 'ACCESS_DENIED' },
  rate_limited: { status: 429, error: 'rate_limited', code: 'RATE_LIMITED' },
  invalid_token: {
    status: 401,
    error: 'invalid_token',
    code: 'INVALID_TOKEN',
    challenge: 'Bearer realm="tollgate", error="invalid_token"',
  },
  missing_token: { status: 401, error: 'missing_token', code: 'MISSING_TOKEN', challenge: 'Bearer realm="tollgate"' },
  insufficient_scope: { status: 403, error: 'insufficient_scope', code: 'INSUFFICIENT_SCOPE' },
  not_found: { status: 404, error: 'not_found', code: 'NOT_FOUND' },
  server_error: { status: 500, error: 'server_error', code: 'SERVER_ERROR' },
  unavailable: { status: 503, error: 'temporarily_unavailable', code: 'TEMPORARILY_UNAVAILABLE' },
} satisfies Record<DomainErrorCode, OAuth2Row>;

/**
 * RFC 6749 §5.2 limits `error_description` to printable ASCII without `"` and `\`: dashes
 * become `-`, quotes `'`, anything else outside the set `?`.
 */
export function errorDescription(message: string): string {
  return message
    .replace(/[\u2010-\u2015]/g, '-')
    .replace(/"/g, "'")
    .replace(/[^\x20\x21\x23-\x5B\x5D-\x7E]/g, '?');
}

/** Renders a domain error as an RFC 6749 §5.2 error response. */
export function renderOAuth2(e: DomainError): Rendered {
  const row: OAuth2Row = OAUTH2_ERRORS[e.code];
  return {
    status: row.status,
    body: { error: row.error, error_description: errorDescription(e.message), code: row.code },
    ...(row.challenge ? { headers: { 'www-authenticate': row.challenge } } : {}),
  };
}
