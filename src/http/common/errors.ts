import type { DomainError, DomainErrorCode } from '../../domain/errors.js';
import type { Rendered } from '../door.js';
import { bearerChallenge, type Challenge } from './bearer.js';

interface CommonRow {
  status: number;
  /** HTTP status × 100 + a detail number (seed 000's CommonResponse). */
  code: number;
  /** The RFC 6750 challenge sent with the refusal of a Bearer request, if any. */
  challenge?: Challenge;
}

/**
 * The common error table (spec §3 common, seed 000). `invalid_grant` and `unsupported_grant_type`
 * are not listed by the spec; they take the next free 400 detail numbers.
 */
export const COMMON_ERRORS = {
  invalid_request: { status: 400, code: 40001 },
  invalid_scope: { status: 400, code: 40002 },
  invalid_target: { status: 400, code: 40003 },
  // The common door issues no refresh tokens, so this is never answered; 40003 is invalid_target's (spec §8).
  invalid_grant: { status: 400, code: 40005 },
  unsupported_grant_type: { status: 400, code: 40004 },
  invalid_client: { status: 401, code: 40101 },
  missing_token: { status: 401, code: 40102, challenge: 'realm_only' },
  invalid_token: { status: 401, code: 40103, challenge: 'invalid_token' },
  access_denied: { status: 403, code: 40301 },
  insufficient_scope: { status: 403, code: 40302, challenge: 'insufficient_scope' },
  not_found: { status: 404, code: 40401 },
  rate_limited: { status: 429, code: 42901 },
  server_error: { status: 500, code: 50001 },
  unavailable: { status: 503, code: 50301 },
} satisfies Record<DomainErrorCode, CommonRow>;

/** The success envelope: `{"code":0,"message":"OK","data":…}`. */
export const commonOk = <T>(data: T): { code: 0; message: 'OK'; data: T } => ({ code: 0, message: 'OK', data });

/**
 * Seed 000's CommonResponse for an error: `data` is null, and a request-shape error names its
 * field in `errors` (`body` when the body as a whole is at fault).
 * @see RFC 6750 §3 for the `WWW-Authenticate` on Bearer refusals
 */
export function renderCommon(e: DomainError): Rendered {
  const row: CommonRow = COMMON_ERRORS[e.code];
  const body: Record<string, unknown> = { code: row.code, message: e.message, data: null };
  if (e.code === 'invalid_request') body.errors = [{ field: e.details.field ?? 'body', message: e.message }];
  return {
    status: row.status,
    body,
    ...(row.challenge ? { headers: { 'www-authenticate': bearerChallenge(row.challenge, e.message) } } : {}),
  };
}
