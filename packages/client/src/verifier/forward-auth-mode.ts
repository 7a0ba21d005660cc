import { codeForStatus } from '../dialects.js';
import { TollgateError } from '../errors.js';
import type { AccessTokenClaims } from './claims.js';
import { VerifyError } from './errors.js';
import { call, type Http } from './http.js';

export interface ForwardAuthCheck {
  issuer: string;
  /** The API guarded (`?audience=`): Tollgate accepts only tokens for it. */
  audience: string;
  /** Scopes Tollgate must find in the token (`?scope=`). */
  scope: readonly string[];
  /**
   * The caller's address, sent as `X-Forwarded-For`. Tollgate believes it only from an address in
   * its `TRUST_PROXY`; otherwise the resource server's own address is what the client's IP
   * allowlist is checked against.
   */
  clientIp?: string;
}

const message = (body: unknown, fallback: string): string =>
  typeof body === 'object' && body !== null && typeof (body as { message?: unknown }).message === 'string'
    ? (body as { message: string }).message
    : fallback;

/**
 * Asks Tollgate's `/auth/verify?audience=` (spec §4), the endpoint nginx's `auth_request` uses,
 * whether the token is good now and for the API guarded: every check the server makes, including
 * revocation, rotation, disable and the client's IP allowlist. Test mode's issuer is
 * `ISSUER/test`, so `{issuer}/auth/verify` is right for both modes.
 * @see RFC 6750 §3.1 for the refusals
 */
export async function verifyWithForwardAuth(
  http: Http,
  token: string,
  check: ForwardAuthCheck,
): Promise<AccessTokenClaims> {
  const url = new URL(`${check.issuer}/auth/verify`);
  url.searchParams.set('audience', check.audience);
  if (check.scope.length > 0) url.searchParams.set('scope', check.scope.join(' '));
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  if (check.clientIp !== undefined) headers['x-forwarded-for'] = check.clientIp;
  const answer = await call(http, url.toString(), { method: 'GET', headers });
  if (answer.status === 200) {
    const clientId = answer.headers.get('x-client-id');
    if (!clientId) throw new TollgateError('invalid_response', '/auth/verify answered 200 without X-Client-Id');
    return {
      sub: clientId,
      client_id: clientId,
      scope: answer.headers.get('x-scope') ?? '',
      mode: answer.headers.get('x-mode') ?? undefined,
      iss: check.issuer,
      // Tollgate answered 200 for this audience only.
      aud: check.audience,
    };
  }
  if (answer.status === 401)
    throw new VerifyError('invalid_token', message(answer.body, 'The access token is not valid'));
  if (answer.status === 403) {
    const code = (answer.body as { code?: unknown } | undefined)?.code;
    if (code === 'INSUFFICIENT_SCOPE')
      throw new VerifyError(
        'insufficient_scope',
        message(answer.body, 'The access token lacks a required scope'),
        check.scope.join(' '),
      );
    throw new VerifyError('access_denied', message(answer.body, 'The token is not accepted from this address'));
  }
  if (answer.status === 400 && (answer.body as { code?: unknown } | undefined)?.code === 'INVALID_TARGET') {
    // The verifier's own audience is no absolute URI: its configuration, not the token, is at fault.
    const text = message(answer.body, 'audience must be an absolute URI');
    throw new TollgateError('invalid_target', `/auth/verify refused the audience: ${text}`, { status: 400 });
  }
  throw new TollgateError(codeForStatus(answer.status), `/auth/verify answered HTTP ${answer.status}`, {
    status: answer.status,
  });
}
