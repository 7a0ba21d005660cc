import { isDomainError } from '../domain/errors.js';
import type { Mode } from '../domain/mode.js';
import { hashRefreshToken, isRefreshTokenShape, refreshTokenUsable } from '../domain/refresh.js';
import { scopeString } from '../domain/scopes.js';
import { authenticateClient, type CredentialAttempt } from './authenticate-client.js';
import type { Deps } from './ports.js';
import { validateAccessToken } from './verify-bearer.js';

/** The scope that lets a client introspect any token of its mode, not only its own. */
export const INTROSPECT_SCOPE = 'tollgate:introspect';

export type Introspection =
  | { active: false }
  | {
      active: true;
      scope: string;
      client_id: string;
      sub: string;
      /** Access tokens only: RFC 7662 §2.2 means an RFC 6749 §7.1 access token type. */
      token_type?: 'Bearer';
      exp?: number;
      iat: number;
      iss?: string;
      aud?: string;
      jti?: string;
    };

interface TokenFacts {
  owner: string;
  introspection: Introspection;
  revoke(): Promise<void>;
}

/** What a presented token is, if it is good: refresh tokens by shape, anything else as a JWT. */
async function describe(deps: Deps, token: string, mode: Mode): Promise<TokenFacts | undefined> {
  const now = deps.clock.now();
  if (isRefreshTokenShape(token)) {
    const hash = hashRefreshToken(token);
    const r = await deps.tokenStore.findRefreshToken(hash);
    const client = r && (await deps.clients.findById(r.clientId));
    if (!r || !refreshTokenUsable(r, client, mode, now)) return undefined;
    return {
      owner: r.clientId,
      introspection: {
        active: true,
        scope: scopeString(r.scopes),
        client_id: r.clientId,
        sub: r.clientId,
        exp: Math.floor(r.expiresAt / 1000),
        iat: Math.floor(r.createdAt / 1000),
      },
      revoke: () => deps.tokenStore.deleteRefreshToken(hash),
    };
  }
  try {
    const { claims } = await validateAccessToken(deps, token, mode);
    return {
      owner: claims.client_id,
      introspection: {
        active: true,
        scope: claims.scope,
        client_id: claims.client_id,
        sub: claims.sub,
        token_type: 'Bearer',
        ...(claims.exp === undefined ? {} : { exp: claims.exp }),
        iat: claims.iat,
        iss: claims.iss,
        aud: claims.aud,
        jti: claims.jti,
      },
      revoke: () => deps.tokenStore.revokeAccessToken(claims.jti, claims.client_id, claims.exp === undefined ? null : claims.exp * 1000, now),
    };
  } catch (e) {
    if (isDomainError(e) && e.code === 'invalid_token') return undefined;
    throw e;
  }
}

/**
 * Token introspection. The caller authenticates like at the token endpoint; it sees its own
 * tokens, or any token of its mode with `tollgate:introspect`. Anything else is `active: false`,
 * which tells nothing about whose token it was.
 * @see RFC 7662 §2
 */
export async function introspectToken(deps: Deps, caller: CredentialAttempt, token: string): Promise<Introspection> {
  const { client } = await authenticateClient(deps, caller);
  const facts = await describe(deps, token, caller.mode);
  if (!facts) return { active: false };
  if (facts.owner !== client.id && !client.scopes.includes(INTROSPECT_SCOPE)) return { active: false };
  return facts.introspection;
}

/**
 * Token revocation: a client revokes its own access or refresh tokens. An unknown, invalid or
 * foreign token is answered the same way, as success, and left alone.
 * @see RFC 7009 §2.2
 */
export async function revokeToken(deps: Deps, caller: CredentialAttempt, token: string): Promise<void> {
  const { client } = await authenticateClient(deps, caller);
  const facts = await describe(deps, token, caller.mode);
  if (facts && facts.owner === client.id) await facts.revoke();
}
