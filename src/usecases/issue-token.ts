import {
  cappedTtl,
  grantPermissions,
  invalidTarget,
  requestedAudience,
  type Target,
  type TargetRequest,
} from '../domain/api.js';
import { grantScopes, parseScopeString } from '../domain/scopes.js';
import { accessTokenClaims, type JwtAlg } from '../domain/token.js';
import { authenticateClient, type CredentialAttempt } from './authenticate-client.js';
import type { TokenSettings } from '../domain/token.js';
import { isDomainError } from '../domain/errors.js';
import { quotaExceeded, quotaOf, quotaRule } from '../domain/quota.js';
import type { Client } from '../domain/client.js';
import type { ApiRef, ApiStore, QuotaStore, TokenSigner, TokenStore } from './ports.js';
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
  apis: ApiStore;
  quotas: QuotaStore;
}

export interface IssueTokenInput extends CredentialAttempt {
  /** Space-delimited scopes asked for; absent or empty means all the client may have at the API. */
  scope?: string;
  /** The API asked for (`audience`, RFC 8707 `resource`); absent, the default API. */
  target?: TargetRequest;
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
  /** The API's identifier when the token is for a named API; null for the default API. */
  audience: string | null;
}

/** What a token is for: the API named (undefined: the default API), and what follows from it. */
export interface TokenTarget {
  audience: string | null;
  ttlSeconds: number | null;
  alg: JwtAlg | undefined;
}

/**
 * The API a request names, as a store reference: undefined for the default API, also when the
 * request names the default API's identifier.
 */
export function targetRef(
  deps: Pick<IssueDeps, 'tokens'>,
  mode: ApiRef['mode'],
  request: TargetRequest | undefined,
): ApiRef | undefined {
  const identifier = request ? requestedAudience(request) : undefined;
  if (identifier === undefined || identifier === deps.tokens.audience(mode)) return undefined;
  return { mode, identifier };
}

/** Scopes, lifetime and algorithm of a token for `target` (the default API when `ref` is undefined). */
export function tokenFor(
  clientScopes: readonly string[],
  ref: ApiRef | undefined,
  target: Target | undefined,
  requested: readonly string[] | undefined,
  doorTtl: number | null,
): { scopes: string[] } & TokenTarget {
  if (ref === undefined)
    return { scopes: grantScopes(clientScopes, requested), audience: null, ttlSeconds: doorTtl, alg: undefined };
  if (!target) throw invalidTarget();
  return {
    scopes: grantPermissions(target, requested),
    audience: target.api.identifier,
    ttlSeconds: cappedTtl(doorTtl, target.api),
    alg: target.api.alg ?? undefined,
  };
}

/**
 * The client credentials grant. A named API comes with the client in the credential check's one
 * read; it is judged only once the credentials are: a wrong audience with a right secret is no
 * guess, and the one `invalid_target` for an unknown, foreign or ungranted API is no oracle.
 * Every outcome of a known client counts in its usage, at the door asked.
 * @see RFC 6749 §4.4, RFC 8707 §2
 */
export async function issueToken(deps: IssueDeps, input: IssueTokenInput): Promise<IssuedToken> {
  const requested = input.scope === undefined ? undefined : parseScopeString(input.scope);
  const ref = targetRef(deps, input.mode, input.target);
  const { client, generation, target } = await authenticateClient(deps, input, ref);
  try {
    // 5. Audience and scope.
    const { scopes, audience, ttlSeconds, alg } = tokenFor(client.scopes, ref, target, requested, input.ttlSeconds);
    // 6. The quota, last: only a request that would get its token spends one.
    await takeQuota(deps, client);
    const claims = accessTokenClaims(deps.tokens, {
      client,
      scopes,
      generation,
      ttlSeconds,
      nowMs: deps.clock.now(),
      jti: deps.random.bytes(16).toString('base64url'),
      ...(audience === null ? {} : { audience }),
    });
    const accessToken = await deps.signer.sign(client.mode, claims, alg);
    deps.usage.used(client.id, claims.iat * 1000);
    deps.meter.issued(client.id, input.door, claims.iat * 1000);
    return {
      accessToken,
      tokenType: 'Bearer',
      expiresIn: ttlSeconds,
      scopes,
      clientId: client.id,
      generation,
      audience,
    };
  } catch (e) {
    if (isDomainError(e)) deps.meter.failed(client.id, input.door, e.code, deps.clock.now());
    throw e;
  }
}

/**
 * Spends one of the client's quota (spec §11), or refuses with `rate_limited`: no failed
 * credential check, so no lockout count. A client without a quota costs nothing here.
 */
export async function takeQuota(deps: Pick<IssueDeps, 'quotas' | 'clock'>, client: Client): Promise<void> {
  const quota = quotaOf(client);
  if (quota === null) return;
  const waitMs = await deps.quotas.take(client.id, quotaRule(quota), deps.clock.now());
  if (waitMs > 0) throw quotaExceeded(waitMs, quota);
}
