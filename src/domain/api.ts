import { isReservedScope } from './access.js';
import { DomainError, invalidField } from './errors.js';
import type { Mode } from './mode.js';
import { grantScopes, parseScopeString } from './scopes.js';
import { JWT_ALGS, type JwtAlg } from './token.js';

/**
 * An API (a resource server) a token is for: its `identifier` becomes the token's `aud`. The
 * deployment's default API (`TOKEN_AUDIENCE`, else the mode's issuer) is not stored: its grant is
 * each client's own `scopes`, so clients that never name an API behave as they always did.
 * @see RFC 8707 (resource indicators), RFC 9068 §3 (aud)
 */
export interface Api {
  id: string;
  /** An absolute URI without fragment, unique per mode; never changes. */
  identifier: string;
  name: string;
  mode: Mode;
  permissions: ApiPermission[];
  /** Caps every token's lifetime for this API, on every door; null: the door's own. */
  tokenTtlSeconds: number | null;
  /** The algorithm its tokens are signed with; null: the deployment's `JWT_ALG`. */
  alg: JwtAlg | null;
  createdAt: number;
  updatedAt: number;
}

export interface ApiPermission {
  name: string;
  description: string;
}

/** Client × API → the permissions of the API the client may ask for. */
export interface Grant {
  clientId: string;
  apiId: string;
  permissions: string[];
  createdAt: number;
  updatedAt: number;
}

/** An API and the client's grant for it, as a credential or Bearer check reads them. */
export interface Target {
  api: Api;
  grant: Grant;
}

export const API_IDENTIFIER_MAX = 255;
export const API_NAME_MAX = 200;
export const PERMISSION_DESCRIPTION_MAX = 500;
export const MAX_PERMISSIONS = 100;
/** A year: longer caps are no cap. */
export const API_TTL_MAX_SECONDS = 365 * 24 * 3600;

const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:/;
// Printable ASCII without spaces: what RFC 3986 allows once percent-encoded.
const URI_CHARS = /^[\x21-\x7E]+$/;

/** RFC 3986 §4.3 absolute-URI: a scheme, no fragment. */
export const isAbsoluteUri = (value: string): boolean =>
  value.length <= API_IDENTIFIER_MAX &&
  URI_CHARS.test(value) &&
  SCHEME.test(value) &&
  !value.includes('#') &&
  URL.canParse(value);

/** The one answer for an unknown API, one of the other mode and one not granted: no oracle. */
export const invalidTarget = (): DomainError =>
  new DomainError('invalid_target', 'The requested audience is not available to this client', { field: 'audience' });

export const noSuchApi = (): DomainError => new DomainError('not_found', 'No such API');

/** An API's identifier as given when creating one. */
export function checkApiIdentifier(identifier: string): string {
  if (!isAbsoluteUri(identifier)) {
    throw invalidField(
      'identifier',
      `must be an absolute URI without fragment, at most ${API_IDENTIFIER_MAX} characters`,
    );
  }
  return identifier;
}

export function checkApiName(name: string): string {
  const trimmed = name.trim();
  if (trimmed.length === 0 || trimmed.length > API_NAME_MAX || /[\x00-\x1F\x7F]/.test(trimmed)) {
    throw invalidField('name', `must be 1–${API_NAME_MAX} characters without control characters`);
  }
  return trimmed;
}

export function checkApiTtl(seconds: number): number {
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > API_TTL_MAX_SECONDS) {
    throw invalidField('token_ttl_seconds', `must be a whole number of seconds from 1 to ${API_TTL_MAX_SECONDS}`);
  }
  return seconds;
}

export function checkApiAlg(alg: string): JwtAlg {
  if (!(JWT_ALGS as readonly string[]).includes(alg))
    throw invalidField('alg', `must be one of ${JWT_ALGS.join(', ')}`);
  return alg as JwtAlg;
}

/**
 * An API's permissions: scope tokens (RFC 6749 §3.3), each once, with a description of at most
 * 500 characters without control characters.
 */
export function checkPermissions(permissions: readonly ApiPermission[]): ApiPermission[] {
  if (permissions.some((p) => /\s/.test(p.name)))
    throw invalidField('permissions', 'names must each be one scope token, without spaces');
  const names = parseScopeString(permissions.map((p) => p.name).join(' '), 'permissions');
  // Tollgate's own powers are the default API's scopes; an API's permission of that name would
  // look like one and be none.
  const reserved = names.filter(isReservedScope);
  if (reserved.length > 0)
    throw invalidField('permissions', `may not use Tollgate's reserved prefix: ${reserved.join(' ')}`);
  if (names.length !== permissions.length)
    throw invalidField('permissions', 'names a permission twice or an empty one');
  if (names.length > MAX_PERMISSIONS)
    throw invalidField('permissions', `holds more than ${MAX_PERMISSIONS} permissions`);
  return permissions.map(({ name, description }) => {
    const text = description.trim();
    if (text.length > PERMISSION_DESCRIPTION_MAX || /[\x00-\x1F\x7F]/.test(text)) {
      throw invalidField(
        'permissions',
        `${name}: the description must be at most ${PERMISSION_DESCRIPTION_MAX} characters without control characters`,
      );
    }
    return { name, description: text };
  });
}

/** The permissions a grant may hold: some of the API's. */
export function checkGrantPermissions(api: Api, permissions: readonly string[]): string[] {
  const known = new Set(api.permissions.map((p) => p.name));
  const unknown = permissions.filter((p) => !known.has(p));
  if (unknown.length > 0)
    throw invalidField('permissions', `are not permissions of ${api.identifier}: ${unknown.join(' ')}`);
  return [...new Set(permissions)];
}

/** What a grant allows now: its permissions that the API still has. */
export function effectivePermissions(target: Target): string[] {
  const known = new Set(target.api.permissions.map((p) => p.name));
  return target.grant.permissions.filter((p) => known.has(p));
}

/** What the request asked for, per door: RFC 8707 `resource` values and `audience` values. */
export interface TargetRequest {
  resource?: readonly string[];
  audience?: readonly string[];
}

/**
 * The identifier a token request names, or undefined for the default API. One value at most
 * (RFC 8707 §2 allows several; a token here is for one API); a `resource` must be an absolute
 * URI without fragment; `resource` and `audience` both given must agree.
 * @see RFC 8707 §2
 */
export function requestedAudience(request: TargetRequest): string | undefined {
  const resource = request.resource ?? [];
  const audience = request.audience ?? [];
  if (resource.length > 1 || audience.length > 1)
    throw new DomainError('invalid_target', 'Ask for one audience at a time', { field: 'audience' });
  const [r] = resource;
  const [a] = audience;
  if (r !== undefined && !isAbsoluteUri(r)) {
    throw new DomainError('invalid_target', 'resource must be an absolute URI without fragment', { field: 'resource' });
  }
  if (a !== undefined && (a.length === 0 || a.length > API_IDENTIFIER_MAX || !URI_CHARS.test(a))) throw invalidTarget();
  if (r !== undefined && a !== undefined && r !== a) {
    throw new DomainError('invalid_request', 'resource and audience name different APIs', { field: 'audience' });
  }
  return r ?? a;
}

/**
 * The permissions a token for the target gets: all the grant allows when none are asked, else
 * the asked ones, which must all be allowed (`invalid_scope` otherwise).
 */
export function grantPermissions(target: Target, requested: readonly string[] | undefined): string[] {
  return grantScopes(effectivePermissions(target), requested);
}

/** The token's lifetime: the door's, capped by the API's (a door without `exp` gets the cap). */
export function cappedTtl(doorTtl: number | null, api: Pick<Api, 'tokenTtlSeconds'> | undefined): number | null {
  const cap = api?.tokenTtlSeconds ?? null;
  if (cap === null) return doorTtl;
  return doorTtl === null ? cap : Math.min(doorTtl, cap);
}

/**
 * Whether a token still holds at the API it names: the API and the grant still exist and every
 * permission the token carries is still granted. Removing a grant or a permission, or deleting the
 * API, thus ends its tokens at Tollgate's own endpoints without a row per token.
 */
export function tokenStillGranted(target: Target | undefined, tokenPermissions: readonly string[]): boolean {
  if (!target) return false;
  const allowed = new Set(effectivePermissions(target));
  return tokenPermissions.every((p) => allowed.has(p));
}
