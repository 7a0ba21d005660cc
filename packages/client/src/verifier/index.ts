import { TollgateError } from '../errors.js';
import { requireScopes, scopeList, type AccessTokenClaims } from './claims.js';
import { Discovery } from './discovery.js';
import { VerifyError } from './errors.js';
import { verifyWithForwardAuth } from './forward-auth-mode.js';
import type { Http } from './http.js';
import { verifyWithIntrospection } from './introspect-mode.js';
import { KeySet } from './jwks.js';
import { verifyWithJwks } from './jwks-mode.js';

/**
 * How a resource server decides:
 * - `jwks`: locally, with the issuer's public keys. No request per token; blind to a rotation, a
 *   revocation or a disable until the token expires.
 * - `introspect`: asks RFC 7662 introspection on every request; needs the resource server's own
 *   client credentials.
 * - `forward-auth`: asks `/auth/verify` on every request, the same check the protected endpoints
 *   make (IP allowlist included); needs no credentials.
 */
export const VERIFIER_MODES = ['jwks', 'introspect', 'forward-auth'] as const;
export type VerifierMode = (typeof VERIFIER_MODES)[number];

export interface VerifierOptions {
  /** `ISSUER` for live tokens, `ISSUER + "/test"` for test mode ones. */
  issuer: string;
  /**
   * The API this verifier guards: its identifier, which a token must carry as `aud`. Required: a
   * token for another API of the same issuer is signed by the same keys and must not pass. For
   * Tollgate's default API it is `TOKEN_AUDIENCE`, which is the issuer unless set.
   */
  audience: string;
  /** Default `jwks`. */
  mode?: VerifierMode;
  /** introspect mode: the resource server's own client (with `tollgate:introspect`). */
  clientId?: string;
  clientSecret?: string;
  /** Allowed skew on `exp`/`nbf`/`iat`, in seconds (default 5). */
  clockToleranceSeconds?: number;
  /** jwks mode: the signing algorithms accepted (default ES256, RS256, EdDSA: Tollgate's `JWT_ALG`). */
  algorithms?: readonly string[];
  /** jwks mode: after a JWKS fetch, an unknown `kid` fetches again only after this (default 30). */
  jwksCooldownSeconds?: number;
  /** jwks mode: keys are fetched again when older than this (default 600). */
  jwksMaxAgeSeconds?: number;
  /**
   * jwks mode: accept tokens without `exp` (common-door tokens by default). Off unless set: such a
   * token verified by signature alone is good forever, whatever happens to its client.
   */
  acceptNonExpiring?: boolean;
  /** Per request to Tollgate (default 5 s). */
  timeoutSeconds?: number;
  fetch?: typeof globalThis.fetch;
}

export interface VerifyOptions {
  /** Scopes the request needs; all must be in the token. */
  scope?: string | readonly string[];
  /** forward-auth mode: the caller's address, sent as `X-Forwarded-For` (see the README). */
  clientIp?: string;
}

export interface Verifier {
  readonly mode: VerifierMode;
  readonly issuer: string;
  /** The API it guards: tokens for any other are refused. */
  readonly audience: string;
  /**
   * The token's claims when it is good.
   * @throws {VerifyError} `invalid_token` or `insufficient_scope` (forward-auth also
   *   `access_denied`): a verdict on the token
   * @throws {TollgateError} when no verdict could be reached (Tollgate unreachable, the resource
   *   server's credentials refused)
   */
  verify(token: string, options?: VerifyOptions): Promise<AccessTokenClaims>;
}

/** RFC 6750 §2.1 b64token: what a Bearer credential may look like at all. */
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;

/** A verifier for access tokens of one Tollgate issuer (one mode) and one API. */
export function createVerifier(options: VerifierOptions): Verifier {
  const mode = options.mode ?? 'jwks';
  if (!(VERIFIER_MODES as readonly string[]).includes(mode)) {
    throw new TypeError(`createVerifier: mode must be one of ${VERIFIER_MODES.join(', ')}`);
  }
  const issuer = new URL(options.issuer).toString().replace(/\/+$/, '');
  const guarded: unknown = options.audience;
  if (typeof guarded !== 'string' || guarded === '') {
    throw new TypeError(
      'createVerifier: audience is required: the identifier of the API this verifier guards ' +
        "(for Tollgate's default API, TOKEN_AUDIENCE, else the issuer)",
    );
  }
  const audience = [guarded];
  const clockToleranceSeconds = options.clockToleranceSeconds ?? 5;
  const http: Http = {
    fetch: options.fetch ?? globalThis.fetch.bind(globalThis),
    timeoutMs: (options.timeoutSeconds ?? 5) * 1000,
  };
  const discovery = new Discovery(issuer, http);

  let decide: (token: string, required: string[], opts: VerifyOptions) => Promise<AccessTokenClaims>;
  if (mode === 'jwks') {
    const keys = new KeySet(
      async () => {
        const { jwks_uri } = await discovery.get();
        if (jwks_uri === undefined) throw new TollgateError('invalid_response', 'Discovery names no jwks_uri');
        return jwks_uri;
      },
      http,
      { cooldownMs: (options.jwksCooldownSeconds ?? 30) * 1000, maxAgeMs: (options.jwksMaxAgeSeconds ?? 600) * 1000 },
    );
    const check = {
      issuer,
      audience,
      algorithms: [...(options.algorithms ?? ['ES256', 'RS256', 'EdDSA'])],
      clockToleranceSeconds,
      acceptNonExpiring: options.acceptNonExpiring ?? false,
    };
    decide = async (token, required) => {
      const claims = await verifyWithJwks(keys, token, check);
      requireScopes(claims, required);
      return claims;
    };
  } else if (mode === 'introspect') {
    if (!options.clientId || !options.clientSecret)
      throw new TypeError('createVerifier: introspect mode needs clientId and clientSecret');
    const check = {
      issuer,
      audience,
      clientId: options.clientId,
      clientSecret: options.clientSecret,
      clockToleranceSeconds,
    };
    decide = async (token, required) => {
      const claims = await verifyWithIntrospection(discovery, http, token, check);
      requireScopes(claims, required);
      return claims;
    };
  } else {
    decide = async (token, required, opts) => {
      const ip = opts.clientIp === undefined ? {} : { clientIp: opts.clientIp };
      const check = { issuer, audience: guarded, scope: required, ...ip };
      const claims = await verifyWithForwardAuth(http, token, check);
      requireScopes(claims, required);
      return claims;
    };
  }

  return {
    mode,
    issuer,
    audience: guarded,
    async verify(token, opts = {}) {
      if (typeof token !== 'string' || !B64TOKEN.test(token))
        throw new VerifyError('invalid_token', 'The access token is missing or malformed');
      return decide(token, scopeList(opts.scope), opts);
    },
  };
}
