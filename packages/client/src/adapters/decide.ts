import { isTollgateError } from '../errors.js';
import type { AccessTokenClaims } from '../verifier/claims.js';
import { isVerifyError } from '../verifier/errors.js';
import type { Verifier } from '../verifier/index.js';

export interface GuardOptions {
  /** Scopes every request through this guard needs. */
  scope?: string | readonly string[];
  /** The `realm` of the RFC 6750 challenge (default `"api"`). */
  realm?: string;
}

export interface Refusal {
  status: 401 | 403 | 503;
  headers: Record<string, string>;
  body: { error: string; error_description: string };
}

export type Decision = { ok: true; claims: AccessTokenClaims } | ({ ok: false } & Refusal);

/** RFC 6750 §3: auth-param values are quoted-strings of %x20-21 / %x23-5B / %x5D-7E. */
const quotable = (text: string): string => text.replace(/[^\x20\x21\x23-\x5B\x5D-\x7E]/g, '?');

/**
 * The `WWW-Authenticate` value of a refusal. No credentials at all get the realm alone
 * (RFC 6750 §3.1: "SHOULD NOT include an error code"); a refused token gets its error code, a
 * description, and for `insufficient_scope` the scope the request needed.
 * @see RFC 6750 §3, §3.1
 */
export function bearerChallenge(
  realm: string,
  error?: { code: string; description: string; scope?: string | undefined },
): string {
  const parts = [`realm="${quotable(realm)}"`];
  if (error) {
    parts.push(`error="${error.code}"`, `error_description="${quotable(error.description)}"`);
    if (error.scope) parts.push(`scope="${quotable(error.scope)}"`);
  }
  return `Bearer ${parts.join(', ')}`;
}

/** `Bearer` (any case), then the token. @see RFC 6750 §2.1 */
const BEARER = /^Bearer +(\S+) *$/i;

/**
 * What a guarded request gets: the claims, or the answer to send. The token is read from the
 * `Authorization` header only (RFC 6750 §2.1); query and body tokens (§2.2, §2.3) end up in logs.
 */
export async function decide(
  verifier: Verifier,
  authorization: string | string[] | undefined,
  clientIp: string | undefined,
  options: GuardOptions,
): Promise<Decision> {
  const realm = options.realm ?? 'api';
  const header = Array.isArray(authorization) ? undefined : authorization?.trim();
  if (!header || !/^bearer(\s|$)/i.test(header)) {
    return {
      ok: false,
      status: 401,
      headers: { 'www-authenticate': bearerChallenge(realm) },
      body: { error: 'missing_token', error_description: 'An access token is required' },
    };
  }
  const token = BEARER.exec(header)?.[1] ?? '';
  try {
    const claims = await verifier.verify(token, {
      ...(options.scope === undefined ? {} : { scope: options.scope }),
      ...(clientIp === undefined ? {} : { clientIp }),
    });
    return { ok: true, claims };
  } catch (e) {
    if (isVerifyError(e)) {
      // spec §4: an address outside the client's allowlist is refused without a challenge.
      const headers: Record<string, string> =
        e.code === 'access_denied'
          ? {}
          : { 'www-authenticate': bearerChallenge(realm, { code: e.code, description: e.message, scope: e.scope }) };
      return { ok: false, status: e.status, headers, body: { error: e.code, error_description: e.message } };
    }
    if (isTollgateError(e)) {
      // No verdict: telling the client its token is bad would only make it renew for nothing.
      const headers: Record<string, string> = e.retryAfter === undefined ? {} : { 'retry-after': String(e.retryAfter) };
      return {
        ok: false,
        status: 503,
        headers,
        body: {
          error: 'temporarily_unavailable',
          error_description: 'The access token could not be checked; try again later',
        },
      };
    }
    throw e;
  }
}
