import type { Client } from './client.js';
import type { Mode } from './mode.js';
import { scopeString } from './scopes.js';

/** The algorithms Tollgate signs access tokens with (`JWT_ALG`); every one asymmetric. */
export const JWT_ALGS = ['ES256', 'RS256', 'EdDSA'] as const;
export type JwtAlg = (typeof JWT_ALGS)[number];

/**
 * The claims of an access token.
 * @see RFC 9068 §2.2 (iss, exp, aud, sub, client_id, iat, jti, scope); `permissions`, `gty` and
 * `azp` follow the Auth0 shape of seed 002; `sgen` binds the token to a secret generation.
 */
export interface AccessTokenClaims {
  iss: string;
  sub: string;
  client_id: string;
  aud: string;
  iat: number;
  exp?: number;
  jti: string;
  scope: string;
  permissions: string[];
  gty: 'client-credentials';
  azp: string;
  org_id?: string;
  sgen: number;
  [claim: string]: unknown;
}

export interface TokenSettings {
  issuer(mode: Mode): string;
  audience(mode: Mode): string;
}

export interface ClaimsInput {
  client: Client;
  scopes: string[];
  generation: number;
  /** Seconds; null issues a token without `exp` (seed 000's non-expiring tokens). */
  ttlSeconds: number | null;
  nowMs: number;
  jti: string;
  /** The named API's identifier; omitted, the mode's default API. */
  audience?: string;
}

export function accessTokenClaims(settings: TokenSettings, input: ClaimsInput): AccessTokenClaims {
  const { client, scopes, generation, ttlSeconds, nowMs, jti } = input;
  const iat = Math.floor(nowMs / 1000);
  const claims: AccessTokenClaims = {
    iss: settings.issuer(client.mode),
    sub: client.id,
    client_id: client.id,
    aud: input.audience ?? settings.audience(client.mode),
    iat,
    jti,
    scope: scopeString(scopes),
    permissions: scopes,
    gty: 'client-credentials',
    azp: client.id,
    sgen: generation,
  };
  if (ttlSeconds !== null) claims.exp = iat + ttlSeconds;
  if (client.orgId !== null) claims.org_id = client.orgId;
  return claims;
}
