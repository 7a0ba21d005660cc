/**
 * The closed set of failures the core can report. Every door maps each code in one table typed
 * `satisfies Record<DomainErrorCode, …>`, so adding a code here fails to compile until every
 * dialect answers it.
 */
export const DOMAIN_ERROR_CODES = [
  'invalid_request',
  'invalid_client',
  'invalid_grant',
  'unsupported_grant_type',
  'invalid_scope',
  'invalid_target',
  'access_denied',
  'rate_limited',
  'invalid_token',
  'missing_token',
  'insufficient_scope',
  'not_found',
  'server_error',
  'unavailable',
] as const;

export type DomainErrorCode = (typeof DOMAIN_ERROR_CODES)[number];

/**
 * A finer reason inside a code, for doors whose wording differs (v1 answers a plain bad
 * credential with the seed's fixed sentence but names a mode mismatch).
 */
export type DomainErrorReason =
  | 'bad_credentials'
  | 'mode_mismatch'
  | 'client_disabled'
  | 'body_too_large'
  | 'quota_exceeded';

export interface DomainErrorDetails {
  /** Domain name of the offending input field (`client_id`, `client_secret`, `scope`, …). */
  field?: string;
  retryAfterSeconds?: number;
  reason?: DomainErrorReason;
}

/** An expected failure. Its message is safe to show a caller: it never holds a secret or token. */
export class DomainError extends Error {
  override readonly name = 'DomainError';
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly details: DomainErrorDetails = {},
  ) {
    super(message);
  }
}

export const isDomainError = (e: unknown): e is DomainError => e instanceof DomainError;

/** The one answer for an unknown client id and a wrong secret alike: no oracle. */
export const badCredentials = (): DomainError =>
  new DomainError('invalid_client', 'Invalid client credentials', { reason: 'bad_credentials' });

export const invalidField = (field: string, problem: string): DomainError =>
  new DomainError('invalid_request', `${field} ${problem}`, { field });

/** Seconds a caller is asked to wait when the store is busy or unreachable. */
export const UNAVAILABLE_RETRY_SECONDS = 1;

/**
 * The store is busy or unreachable (spec §2): 503 with `Retry-After`. A credential check whose
 * outcome cannot be recorded is refused with this, never answered as an ordinary failure.
 */
export const unavailable = (retryAfterSeconds = UNAVAILABLE_RETRY_SECONDS): DomainError =>
  new DomainError('unavailable', 'The service is temporarily unavailable; try again shortly', { retryAfterSeconds });

/** A Bearer token that does not hold every scope asked for. @see RFC 6750 §3.1 */
export const insufficientScope = (missing: readonly string[]): DomainError =>
  new DomainError('insufficient_scope', `The access token lacks scope: ${missing.join(' ')}`);
