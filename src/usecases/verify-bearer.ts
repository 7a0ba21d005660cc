import { acceptsGeneration, checkSourceAllowed, type Client } from '../domain/client.js';
import { isReservedScope } from '../domain/access.js';
import { tokenStillGranted } from '../domain/api.js';
import { DomainError, insufficientScope } from '../domain/errors.js';
import type { Mode } from '../domain/mode.js';
import type { Door } from '../domain/usage.js';
import type { AccessTokenClaims } from '../domain/token.js';
import type { Deps } from './deps.js';

export interface ValidToken {
  client: Client;
  claims: AccessTokenClaims;
}

const invalidToken = (message: string): DomainError => new DomainError('invalid_token', message);

type BearerDeps = Pick<Deps, 'verifier' | 'tokenStore' | 'clock' | 'tokens' | 'meter'>;

/**
 * Is this access token good right now? Signature, `typ`, issuer of the mode, audience and expiry
 * (the verifier, keys in memory), then one indexed read for what can change under a token: its
 * revocation, the client still existing and enabled, its secret generation still honoured, and
 * what it carries still granted (the API and the client's grant for a named API, in that same
 * read; for the default API, the client's reserved `tollgate:*` scopes).
 * `audience`: the API the caller guards (omitted: the default API; null: any, for introspection).
 */
export async function validateAccessToken(
  deps: BearerDeps,
  token: string,
  mode: Mode,
  audience?: string | null,
): Promise<ValidToken> {
  const claims = await deps.verifier.verify(token, mode, audience);
  const named = claims.aud !== deps.tokens.audience(mode) ? { mode, identifier: claims.aud } : undefined;
  const { client, revoked, target } = await deps.tokenStore.bearerState(claims.client_id, claims.jti, named);
  if (revoked) throw invalidToken('The access token has been revoked');
  if (!client || client.mode !== mode) throw invalidToken('The access token names no client of this mode');
  if (!client.enabled) throw invalidToken('The client is disabled');
  if (!acceptsGeneration(client, claims.sgen, deps.clock.now())) {
    throw invalidToken('The access token was issued before the client secret was rotated or the client was disabled');
  }
  const carried = claims.scope === '' ? [] : claims.scope.split(' ');
  // A named API's token holds while its grant does. A default-API token keeps its scopes as it
  // always has, except Tollgate's own powers, which hold only while the client still has them.
  const granted = named
    ? tokenStillGranted(target, carried)
    : carried.filter(isReservedScope).every((s) => client.scopes.includes(s));
  if (!granted) throw invalidToken('The access token carries a permission that is no longer granted');
  return { client, claims };
}

/** RFC 6750 §2.1: `Bearer` (any case), one space-separated b64token. */
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

export interface BearerInput {
  mode: Mode;
  /** The door asked, for the usage counts. */
  door: Door;
  /** The raw `Authorization` header, if any. */
  authorization: string | undefined;
  sourceIp: string;
  /** Scopes the endpoint needs; all must be in the token. */
  requiredScopes?: readonly string[];
  /** The API the endpoint guards (`/auth/verify?audience=`); omitted, the default API. */
  audience?: string;
}

function bearerToken(header: string): string {
  const m = BEARER.exec(header);
  if (!m) throw invalidToken('The Authorization header is not a well-formed Bearer token');
  return m[1]!;
}

/**
 * The claims of a Bearer header whose token is signed by us for this mode and unexpired,
 * ignoring what can change under it (revocation, the client's state); undefined otherwise.
 */
export async function bearerClaims(
  deps: Pick<Deps, 'verifier'>,
  input: Pick<BearerInput, 'authorization' | 'mode'>,
): Promise<AccessTokenClaims | undefined> {
  try {
    return await deps.verifier.verify(bearerToken(input.authorization ?? ''), input.mode);
  } catch {
    return undefined;
  }
}

/**
 * The one Bearer check every protected endpoint runs (spec §4).
 * @see RFC 6750 §3.1 for the codes: missing → missing_token, bad → invalid_token, too narrow →
 * insufficient_scope.
 */
export async function authenticateBearer(
  deps: BearerDeps,
  input: BearerInput,
): Promise<ValidToken & { scopes: string[] }> {
  const header = input.authorization;
  if (header === undefined || header.trim() === '')
    throw new DomainError('missing_token', 'An access token is required');
  // Another scheme (Basic, …) is no Bearer credential at all. @see RFC 6750 §3.1
  if (!/^bearer(\s|$)/i.test(header)) throw new DomainError('missing_token', 'An access token is required');
  const valid = await validateAccessToken(deps, bearerToken(header), input.mode, input.audience);
  // A check counts in the usage of the client whose token it is, once the token is known good.
  deps.meter.checked(valid.client.id, input.door, deps.clock.now());
  checkSourceAllowed(valid.client, input.sourceIp);
  const scopes = valid.claims.scope === '' ? [] : valid.claims.scope.split(' ');
  const missing = (input.requiredScopes ?? []).filter((s) => !scopes.includes(s));
  if (missing.length > 0) throw insufficientScope(missing);
  return { ...valid, scopes };
}
