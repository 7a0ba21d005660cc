import { grantScopes, parseScopeString } from '../domain/scopes.js';
import { accessTokenClaims } from '../domain/token.js';
import { authenticateClient, type CredentialAttempt } from './authenticate-client.js';
import type { TokenSettings } from '../domain/token.js';
import type { TokenSigner, TokenStore } from './ports.js';
import type { CoreDeps } from './authenticate-client.js';

/** Notes that a client was used (a token issued to it); cheap, never fails the caller. */
export interface UsageRecorder {
  used(clientId: string, at: number): void;
}

/** Everything issuing a token needs: the credential check, a signer and the token settings. */
export interface IssueDeps extends CoreDeps {
  signer: TokenSigner;
  usage: UsageRecorder;
  tokens: TokenSettings;
  tokenStore: TokenStore;
}

export interface IssueTokenInput extends CredentialAttempt {
  /** Space-delimited scopes asked for; absent or empty means all of the client's. */
  scope?: string;
  /** Lifetime in seconds; null for a token without `exp`. Each door has its own. */
  ttlSeconds: number | null;
}

export interface IssuedToken {
  accessToken: string;
  tokenType: 'Bearer';
  expiresIn: number | null;
  scopes: string[];
  clientId: string;
  generation: number;
}

/**
 * The client credentials grant.
 * @see RFC 6749 §4.4
 */
export async function issueToken(deps: IssueDeps, input: IssueTokenInput): Promise<IssuedToken> {
  const requested = input.scope === undefined ? undefined : parseScopeString(input.scope);
  const { client, generation } = await authenticateClient(deps, input);
  // 5. Scope.
  const scopes = grantScopes(client.scopes, requested);
  const claims = accessTokenClaims(deps.tokens, {
    client,
    scopes,
    generation,
    ttlSeconds: input.ttlSeconds,
    nowMs: deps.clock.now(),
    jti: deps.random.bytes(16).toString('base64url'),
  });
  const accessToken = await deps.signer.sign(client.mode, claims);
  deps.usage.used(client.id, claims.iat * 1000);
  return { accessToken, tokenType: 'Bearer', expiresIn: input.ttlSeconds, scopes, clientId: client.id, generation };
}
