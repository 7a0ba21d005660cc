import { checkSourceAllowed } from '../domain/client.js';
import { DomainError, isDomainError } from '../domain/errors.js';
import type { Door } from '../domain/usage.js';
import { lockoutWait, rateLimited, refreshLockoutKeys, refuseIfLocked } from '../domain/lockout.js';
import type { Mode } from '../domain/mode.js';
import { hashRefreshToken, isRefreshTokenShape, newRefreshToken, refreshTokenUsable } from '../domain/refresh.js';
import { grantScopes, parseScopeString } from '../domain/scopes.js';
import { accessTokenClaims } from '../domain/token.js';
import {
  cappedTtl,
  effectivePermissions,
  invalidTarget,
  requestedAudience,
  type TargetRequest,
} from '../domain/api.js';
import { takeQuota, type IssuedToken } from './issue-token.js';
import type { IssueDeps } from './issue-token.js';

/** Mints a refresh token bound to client, mode, secret generation and scope (seed 001). */
export async function mintRefreshToken(
  deps: Pick<IssueDeps, 'tokenStore' | 'clock' | 'random'>,
  issued: Pick<IssuedToken, 'clientId' | 'generation' | 'scopes' | 'audience'> & { mode: Mode },
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
    audience: issued.audience,
    expiresAt: now + ttlSeconds * 1000,
    createdAt: now,
  });
  return token;
}

export interface RefreshInput {
  mode: Mode;
  /** The door asked, for the usage counts. */
  door: Door;
  refreshToken: string;
  sourceIp: string;
  /** May narrow the scope of the original grant, never widen it. @see RFC 6749 §6 */
  scope?: string;
  /** `audience` or `resource` sent with the refresh: it must name the token's own API. */
  target?: TargetRequest;
  /** Set when the caller authenticated as a client: the token must be that client's. */
  authenticatedClientId?: string;
  ttlSeconds: number;
}

const invalidGrant = (): DomainError =>
  new DomainError('invalid_grant', 'The refresh token is invalid, expired or revoked');

/**
 * The refresh grant: a new access token, and no new refresh token (seed 001: it is not rotated).
 * Wrong guesses count toward the lockout of the source address.
 * @see RFC 6749 §6
 */
export async function refreshAccessToken(deps: IssueDeps, input: RefreshInput): Promise<IssuedToken> {
  const requested = input.scope === undefined ? undefined : parseScopeString(input.scope);
  const asked = input.target ? requestedAudience(input.target) : undefined;
  const keys = refreshLockoutKeys(input.sourceIp);
  const locked = lockoutWait(await deps.lockout.read(keys), deps.clock.now());
  if (locked > 0) throw rateLimited(locked);

  const now = deps.clock.now();
  const record = isRefreshTokenShape(input.refreshToken)
    ? await deps.tokenStore.findRefreshToken(hashRefreshToken(input.refreshToken))
    : undefined;
  const client = record && (await deps.clients.findById(record.clientId));
  const good =
    record !== undefined &&
    refreshTokenUsable(record, client, input.mode, now) &&
    (input.authenticatedClientId === undefined || input.authenticatedClientId === client.id);

  // Refresh failures are counted per address only (see refreshLockoutKeys).
  refuseIfLocked(await deps.lockout.settle(keys, good, deps.clock.now(), deps.lockoutPolicy));
  if (!good) throw invalidGrant();

  try {
    // Spec §2 step 4 holds for refresh too.
    checkSourceAllowed(client, input.sourceIp);
    // The refresh token is for the API it was issued for, and for no other (RFC 8707 §2.2).
    const audience = record.audience ?? deps.tokens.audience(record.mode);
    if (asked !== undefined && asked !== audience) throw invalidTarget();
    const target =
      record.audience === null
        ? undefined
        : await deps.apis.target(client.id, { mode: record.mode, identifier: record.audience });
    // A grant removed since, or an API deleted, ends its refresh tokens too.
    if (record.audience !== null && !target) throw invalidGrant();
    // Asked-for scopes must lie inside the original grant and inside what the client holds now;
    // asking for none keeps the original grant, less any scope the client has lost since.
    const holds = target ? effectivePermissions(target) : client.scopes;
    const stillHeld = record.scopes.filter((s) => holds.includes(s));
    let scopes: string[];
    try {
      scopes = grantScopes(stillHeld, requested);
    } catch {
      throw new DomainError('invalid_scope', 'The requested scope exceeds the scope of the refresh token', {
        field: 'scope',
      });
    }
    const ttlSeconds = cappedTtl(input.ttlSeconds, target?.api) ?? input.ttlSeconds;
    const claims = accessTokenClaims(deps.tokens, {
      client,
      scopes,
      generation: record.generation,
      ttlSeconds,
      nowMs: now,
      jti: deps.random.bytes(16).toString('base64url'),
      ...(record.audience === null ? {} : { audience: record.audience }),
    });
    await takeQuota(deps, client);
    const accessToken = await deps.signer.sign(client.mode, claims, target?.api.alg ?? undefined);
    deps.usage.used(client.id, now);
    deps.meter.issued(client.id, input.door, now);
    const generation = record.generation;
    return {
      accessToken,
      tokenType: 'Bearer',
      expiresIn: ttlSeconds,
      scopes,
      clientId: client.id,
      generation,
      audience: record.audience,
    };
  } catch (e) {
    if (isDomainError(e)) deps.meter.failed(client.id, input.door, e.code, deps.clock.now());
    throw e;
  }
}
