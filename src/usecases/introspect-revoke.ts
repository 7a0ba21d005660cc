import { mayIntrospect } from '../domain/access.js';
import type { Client } from '../domain/client.js';
import { isDomainError } from '../domain/errors.js';
import type { Mode } from '../domain/mode.js';
import { hashRefreshToken, isRefreshTokenShape, refreshTokenUsable } from '../domain/refresh.js';
import { scopeString } from '../domain/scopes.js';
import { authenticateClient, type CredentialAttempt } from './authenticate-client.js';
import type { Deps } from './deps.js';
import { validateAccessToken } from './verify-bearer.js';

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
  owner: Pick<Client, 'id' | 'orgId'>;
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
    if (!r || !client || !refreshTokenUsable(r, client, mode, now)) return undefined;
    // A refresh token for a named API lives as long as the client's grant for it.
    if (r.audience !== null && !(await deps.apis.target(client.id, { mode, identifier: r.audience }))) return undefined;
    return {
      owner: client,
      introspection: {
        active: true,
        scope: scopeString(r.scopes),
        client_id: r.clientId,
        sub: r.clientId,
        exp: Math.floor(r.expiresAt / 1000),
        iat: Math.floor(r.createdAt / 1000),
        // Named only for a named API's refresh token: the default API's answer stays as it was.
        ...(r.audience === null ? {} : { aud: r.audience }),
      },
      revoke: () => deps.tokenStore.deleteRefreshToken(hash),
    };
  }
  try {
    // A token for any API of the mode; validateAccessToken holds it to that API's grant.
    const { claims, client } = await validateAccessToken(deps, token, mode, null);
    return {
      owner: client,
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
      revoke: () =>
        deps.tokenStore.revokeAccessToken(
          claims.jti,
          claims.client_id,
          claims.exp === undefined ? null : claims.exp * 1000,
          now,
        ),
    };
  } catch (e) {
    if (isDomainError(e) && e.code === 'invalid_token') return undefined;
    throw e;
  }
}

/**
 * Token introspection. The caller authenticates like at the token endpoint; it sees its own
 * tokens, or with `tollgate:introspect` any token of its mode (of its organisation, when it has
 * one: `mayIntrospect`). Anything else is `active: false`, which tells nothing about whose token
 * it was.
 * @see RFC 7662 §2
 */
export async function introspectToken(deps: Deps, caller: CredentialAttempt, token: string): Promise<Introspection> {
  const { client } = await authenticateClient(deps, caller);
  const facts = await describe(deps, token, caller.mode);
  if (!facts) return { active: false };
  if (!mayIntrospect(client, facts.owner)) return { active: false };
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
  if (facts && facts.owner.id === client.id) await facts.revoke();
}
