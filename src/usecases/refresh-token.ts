import { checkSourceAllowed } from '../domain/client.js';
import { DomainError } from '../domain/errors.js';
import { lockoutWait, rateLimited, refreshLockoutKeys, refuseIfLocked } from '../domain/lockout.js';
import type { Mode } from '../domain/mode.js';
import { hashRefreshToken, isRefreshTokenShape, newRefreshToken, refreshTokenUsable } from '../domain/refresh.js';
import { grantScopes, parseScopeString } from '../domain/scopes.js';
import { accessTokenClaims } from '../domain/token.js';
import type { IssuedToken } from './issue-token.js';
import type { IssueDeps } from './issue-token.js';

/** Mints a refresh token bound to client, mode, secret generation and scope (seed 001). */
export async function mintRefreshToken(
  deps: Pick<IssueDeps, 'tokenStore' | 'clock' | 'random'>,
  issued: Pick<IssuedToken, 'clientId' | 'generation' | 'scopes'> & { mode: Mode },
  ttlSeconds: number,
): Promise<string> {
  const token = newRefreshToken(deps.random.bytes(32));
  const now = deps.clock.now();
  await deps.tokenStore.saveRefreshToken({
    hash: hashRefreshToken(token),
    clientId: issued.clientId,
    mode: issued.mode,
    generation: issued.generation,
    scopes: issued.scopes,
    expiresAt: now + ttlSeconds * 1000,
    createdAt: now,
  });
  return token;
}

export interface RefreshInput {
  mode: Mode;
  refreshToken: string;
  sourceIp: string;
  /** May narrow the scope of the original grant, never widen it. @see RFC 6749 §6 */
  scope?: string;
  /** Set when the caller authenticated as a client: the token must be that client's. */
  authenticatedClientId?: string;
  ttlSeconds: number;
}

const invalidGrant = (): DomainError => new DomainError('invalid_grant', 'The refresh token is invalid, expired or revoked');

/**
 * The refresh grant: a new access token, and no new refresh token (seed 001: it is not rotated).
 * Wrong guesses count toward the lockout of the source address.
 * @see RFC 6749 §6
 */
export async function refreshAccessToken(deps: IssueDeps, input: RefreshInput): Promise<IssuedToken> {
  const requested = input.scope === undefined ? undefined : parseScopeString(input.scope);
  const keys = refreshLockoutKeys(input.sourceIp);
  const locked = lockoutWait(await deps.lockout.read(keys), deps.clock.now());
  if (locked > 0) throw rateLimited(locked);

  const now = deps.clock.now();
  const record = isRefreshTokenShape(input.refreshToken) ? await deps.tokenStore.findRefreshToken(hashRefreshToken(input.refreshToken)) : undefined;
  const client = record && (await deps.clients.findById(record.clientId));
  const good =
    record !== undefined &&
    refreshTokenUsable(record, client, input.mode, now) &&
    (input.authenticatedClientId === undefined || input.authenticatedClientId === client.id);

  // Refresh failures are counted per address only (see refreshLockoutKeys).
  refuseIfLocked(await deps.lockout.settle(keys, good, deps.clock.now(), deps.lockoutPolicy));
  if (!good) throw invalidGrant();

  // Spec §2 step 4 holds for refresh too.
  checkSourceAllowed(client, input.sourceIp);
  // Asked-for scopes must lie inside the original grant and inside what the client holds now;
  // asking for none keeps the original grant, less any scope the client has lost since.
  const stillHeld = record.scopes.filter((s) => client.scopes.includes(s));
  let scopes: string[];
  try {
    scopes = grantScopes(stillHeld, requested);
  } catch {
    throw new DomainError('invalid_scope', 'The requested scope exceeds the scope of the refresh token', { field: 'scope' });
  }
  const claims = accessTokenClaims(deps.tokens, {
    client,
    scopes,
    generation: record.generation,
    ttlSeconds: input.ttlSeconds,
    nowMs: now,
    jti: deps.random.bytes(16).toString('base64url'),
  });
  const accessToken = await deps.signer.sign(client.mode, claims);
  deps.usage.used(client.id, now);
  return { accessToken, tokenType: 'Bearer', expiresIn: input.ttlSeconds, scopes, clientId: client.id, generation: record.generation };
}
