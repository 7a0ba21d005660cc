import type { TargetRequest } from '../domain/api.js';
import { authenticateClient, type CredentialAttempt } from './authenticate-client.js';
import { issueToken, type IssuedToken, type IssueTokenInput } from './issue-token.js';
import type { IssueDeps } from './issue-token.js';
import { mintRefreshToken, refreshAccessToken } from './refresh-token.js';

/**
 * The client credentials grant of the oauth2 dialect: an access token and, because seed 001
 * asks for one, a refresh token bound to the same client, mode, generation and scope.
 * @see RFC 6749 §4.4 (and §4.4.3, which this dialect departs from on purpose)
 */
export async function issueTokenWithRefresh(
  deps: IssueDeps,
  input: IssueTokenInput,
  refreshTtlSeconds: number,
): Promise<{ token: IssuedToken; refreshToken: string }> {
  const token = await issueToken(deps, input);
  const refreshToken = await mintRefreshToken(deps, { ...token, mode: input.mode }, refreshTtlSeconds);
  return { token, refreshToken };
}

export interface RefreshGrantInput {
  mode: CredentialAttempt['mode'];
  door: CredentialAttempt['door'];
  sourceIp: string;
  refreshToken: string;
  scope?: string;
  target?: TargetRequest;
  /** Client credentials, when presented: checked first, and then the token must be that client's. */
  client?: Pick<CredentialAttempt, 'clientId' | 'clientSecret' | 'rawSecret'>;
  ttlSeconds: number;
}

/**
 * The refresh grant: at the token endpoint, where the door requires client authentication, and
 * at seed 001's `/refresh`, where it is optional. A new access token and no new refresh token.
 * @see RFC 6749 §6
 */
export async function refreshGrant(deps: IssueDeps, input: RefreshGrantInput): Promise<IssuedToken> {
  const { mode, door, sourceIp } = input;
  const authenticated =
    input.client && (await authenticateClient(deps, { mode, door, sourceIp, ...input.client })).client;
  return refreshAccessToken(deps, {
    mode,
    door,
    sourceIp,
    refreshToken: input.refreshToken,
    scope: input.scope,
    ...(input.target ? { target: input.target } : {}),
    authenticatedClientId: authenticated?.id,
    ttlSeconds: input.ttlSeconds,
  });
}
