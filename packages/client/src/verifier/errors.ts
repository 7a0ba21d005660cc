/**
 * What a resource server answers about a token it refuses, as RFC 6750 §3.1 names it:
 * `invalid_token` (401: expired, revoked, malformed, wrong issuer or audience, …) or
 * `insufficient_scope` (403). Forward-auth mode adds `access_denied` (403, no challenge): the
 * token is good but Tollgate refuses it from the caller's address (the client's IP allowlist).
 */
export type VerifyErrorCode = 'invalid_token' | 'insufficient_scope' | 'access_denied';

const STATUS: Record<VerifyErrorCode, 401 | 403> = { invalid_token: 401, insufficient_scope: 403, access_denied: 403 };

/**
 * A refused token. Anything else a verifier throws (Tollgate unreachable, the resource server's
 * own credentials refused) is a {@link TollgateError}: no verdict on the token, so the adapters
 * answer 503 rather than tell a good client its token is bad.
 */
export class VerifyError extends Error {
  override readonly name = 'VerifyError';
  readonly status: 401 | 403;

  constructor(
    readonly code: VerifyErrorCode,
    message: string,
    /** The scopes the request needed, for the `scope` attribute of the challenge. */
    readonly scope?: string,
  ) {
    super(message);
    this.status = STATUS[code];
  }
}

export const isVerifyError = (e: unknown): e is VerifyError => e instanceof VerifyError;
