/**
 * Tollgate's own error codes: the same for every dialect, whatever envelope carried them. This is
 * the server's closed set (`DOMAIN_ERROR_CODES` in src/domain/errors.ts), held equal to it by
 * test/unit/sdk-error-codes.test.ts.
 */
export const SERVER_ERROR_CODES = [
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

/**
 * The two codes only a client can see, which no server ever sends.
 *
 * - `network_error`: no answer came (connection refused, reset, timeout).
 * - `invalid_response`: an answer came that is not the dialect's documented shape.
 */
export const CLIENT_ERROR_CODES = ['network_error', 'invalid_response'] as const;

/** The closed set of failures a token request can end in: the server's codes, then the client's own. */
export const TOKEN_ERROR_CODES = [...SERVER_ERROR_CODES, ...CLIENT_ERROR_CODES] as const;

export type TokenErrorCode = (typeof TOKEN_ERROR_CODES)[number];

export interface TollgateErrorDetails {
  /** HTTP status of the answer, when one came. */
  status?: number;
  /** Seconds the server asked us to wait (`Retry-After`, RFC 9110 §10.2.3), when it did. */
  retryAfter?: number;
  cause?: unknown;
}

/**
 * A failed token request. `code` is the door's code mapped to one closed set, so callers branch
 * the same way whichever dialect they use. The message is the server's description or ours: it
 * never holds the client secret or a token (see {@link redact}).
 */
export class TollgateError extends Error {
  override readonly name = 'TollgateError';
  readonly status: number | undefined;
  readonly retryAfter: number | undefined;

  constructor(
    readonly code: TokenErrorCode,
    message: string,
    details: TollgateErrorDetails = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.status = details.status;
    this.retryAfter = details.retryAfter;
  }
}

export const isTollgateError = (e: unknown): e is TollgateError => e instanceof TollgateError;

/**
 * Removes every occurrence of the given secrets from a text. Server messages never echo a secret,
 * but a message we did not write is not one we can promise about.
 */
export function redact(text: string, secrets: ReadonlyArray<string | undefined>): string {
  let out = text;
  for (const s of secrets) {
    if (s !== undefined && s.length > 0) out = out.split(s).join('[redacted]');
  }
  return out;
}
