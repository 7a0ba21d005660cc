import { VerifyError } from './errors.js';

/**
 * The claims of an accepted access token. jwks mode returns the whole RFC 9068 payload;
 * introspect mode what RFC 7662 §2.2 returns; forward-auth mode what the proxy headers carry
 * (`sub`, `client_id`, `scope`, and `mode`), with the issuer and the audience it was asked about.
 */
export interface AccessTokenClaims {
  sub: string;
  client_id: string;
  /** Space-separated; empty when the token holds no scope. */
  scope: string;
  iss?: string;
  aud?: string | string[];
  exp?: number;
  iat?: number;
  jti?: string;
  [claim: string]: unknown;
}

/** A scope string or list, as a list without blanks or repeats. */
export const scopeList = (scope: string | readonly string[] | undefined): string[] => [
  ...new Set((typeof scope === 'string' ? scope.split(' ') : (scope ?? [])).filter((s) => s !== '')),
];

/**
 * Every required scope must be in the token.
 * @see RFC 6750 §3.1 (`insufficient_scope`), RFC 9068 §2.2.3
 */
export function requireScopes(claims: AccessTokenClaims, required: readonly string[]): void {
  const held = new Set(scopeList(claims.scope));
  const missing = required.filter((s) => !held.has(s));
  if (missing.length > 0)
    throw new VerifyError(
      'insufficient_scope',
      `The access token lacks scope: ${missing.join(' ')}`,
      required.join(' '),
    );
}

/** The audience check of RFC 9068 §4 / RFC 7519 §4.1.3, for answers that were not a JWT. */
export function audienceMatches(aud: unknown, expected: readonly string[]): boolean {
  const held =
    typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud.filter((a): a is string => typeof a === 'string') : [];
  return held.some((a) => expected.includes(a));
}
