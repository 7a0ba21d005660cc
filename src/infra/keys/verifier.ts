import { DomainError } from '../../domain/errors.js';
import type { Mode } from '../../domain/mode.js';
import type { AccessTokenClaims, TokenSettings } from '../../domain/token.js';
import type { Clock, TokenVerifier } from '../../usecases/ports.js';
import { decodeHeader, parseCompact, type CompactVerifier, type JsonObject } from './jws.js';
import { VerifiedCache } from './verified-cache.js';

export interface VerificationKey {
  mode: Mode;
  /** The key's own verifier, made once per key: it accepts only the key's algorithm. */
  verifier: CompactVerifier;
}

export interface KeySource {
  verificationKey(kid: string): Promise<VerificationKey | undefined>;
}

/** Seconds of clock skew allowed on `exp` and `nbf` (`iat` need only be a number). */
export const LEEWAY_SECONDS = 30;

/** Header parameters that would let a token name its own key: never honoured. @see RFC 8725 §3.10 */
const FORBIDDEN_HEADERS = ['jku', 'x5u', 'jwk', 'x5c', 'x5t', 'x5t#S256', 'crit'] as const;

const REQUIRED_CLAIMS = ['iss', 'sub', 'aud', 'iat', 'jti', 'client_id', 'scope', 'sgen'] as const;

const invalid = (message: string): DomainError => new DomainError('invalid_token', message);
const INVALID = 'The access token is invalid';

/**
 * `at+jwt` as jose compared it: case-insensitive, with or without `application/`.
 * @see RFC 9068 §4, RFC 7515 §4.1.9
 */
const isAccessTokenType = (typ: unknown): boolean =>
  typeof typ === 'string' && ['at+jwt', 'application/at+jwt'].includes(typ.toLowerCase());

/** Ours, or an array holding ours. @see RFC 7519 §4.1.3 */
const hasAudience = (aud: unknown, ours: string): boolean => aud === ours || (Array.isArray(aud) && aud.includes(ours));

/** A NumericDate; JSON's 1e400 (Infinity) is no date, which jose let through. @see RFC 7519 §2 */
const isNumericDate = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

/**
 * Verifies access tokens against keys held in memory: the key named by `kid` must be ours and of
 * the called mode, and only that key's own algorithm is accepted (so `none`, HS256 keyed with a
 * public key and algorithm swaps all fail). Signatures are node:crypto's (see jws.ts); the claims
 * are checked here, in the order jose checked them, so that the same tokens are called expired.
 *
 * With a `VerifiedCache`, a token whose signature was already checked skips the parsing and the
 * signature: only that is remembered. Its key must still be published for the called mode, and
 * the claims (expiry above all) are checked again on every call, like those of a new token.
 * @see RFC 9068 §4, RFC 8725 §3.1
 */
export class JwtVerifier implements TokenVerifier {
  /** Undefined when turned off (VERIFY_CACHE_ENTRIES=0). */
  readonly cache: VerifiedCache | undefined;

  constructor(
    private readonly keys: KeySource,
    private readonly settings: TokenSettings,
    private readonly clock: Clock,
    cache?: VerifiedCache,
  ) {
    this.cache = cache?.enabled ? cache : undefined;
  }

  async verify(token: string, mode: Mode, audience?: string | null): Promise<AccessTokenClaims> {
    const cacheKey = this.cache && VerifiedCache.keyOf(token);
    const seen = cacheKey === undefined ? undefined : this.cache!.get(cacheKey);
    if (seen) {
      // A key removed since (`keys retire`), or one of the other mode, sends it the long way, which refuses it.
      const key = await this.keys.verificationKey(seen.header.kid as string);
      if (key && key.mode === mode) return this.checkClaims(seen.header, seen.payload, mode, audience);
    }
    // "Malformed" is a header that does not read, as with jose; a bad payload or signature is "invalid".
    // Split and decoded once; only when that fails is the header read alone, for the message.
    const jws = parseCompact(token);
    const header = jws ? jws.header : decodeHeader(token);
    if (!header) throw invalid('The access token is malformed');
    if (FORBIDDEN_HEADERS.some((h) => h in header)) throw invalid('The access token header names its own key');
    if (typeof header.kid !== 'string') throw invalid('The access token names no key');
    const key = await this.keys.verificationKey(header.kid);
    if (!key || key.mode !== mode) throw invalid('The access token is signed by an unknown key');
    const verified = jws && key.verifier.verify(jws);
    if (!verified) throw invalid(INVALID);
    const claims = this.checkClaims(verified.header, verified.payload, mode, audience);
    // Kept only once every check passed, frozen because later hits hand out the same objects.
    if (cacheKey !== undefined) {
      this.cache!.set(
        cacheKey,
        { header: Object.freeze(verified.header), payload: Object.freeze(verified.payload) },
        jws.signingInput.length,
      );
    }
    return claims;
  }

  /**
   * RFC 9068 §4's checks on a verified token; `audience` as in TokenVerifier.verify. Order matters
   * for one answer only: "expired" is given when every earlier check passed, as jose's JWTExpired
   * was. `exp` may be absent (the common door issues tokens without it); when present it is
   * expired at `exp <= now - leeway`.
   * @see RFC 7519 §4.1.4, §4.1.5
   */
  private checkClaims(
    header: JsonObject,
    payload: JsonObject,
    mode: Mode,
    audience: string | null | undefined,
  ): AccessTokenClaims {
    if (!isAccessTokenType(header.typ)) throw invalid(INVALID);
    if (REQUIRED_CLAIMS.some((claim) => !Object.hasOwn(payload, claim))) throw invalid(INVALID);
    if (payload.iss !== this.settings.issuer(mode)) throw invalid(INVALID);
    // Any API's token (introspection), which then asks whether its grant still holds; else the one asked.
    const audienceHeld =
      audience === null
        ? typeof payload.aud === 'string'
        : hasAudience(payload.aud, audience ?? this.settings.audience(mode));
    if (!audienceHeld) throw invalid(INVALID);
    const now = Math.floor(this.clock.now() / 1000);
    const { iat, nbf, exp } = payload;
    if (!isNumericDate(iat)) throw invalid(INVALID);
    if (nbf !== undefined && (!isNumericDate(nbf) || nbf > now + LEEWAY_SECONDS)) throw invalid(INVALID);
    if (exp !== undefined && !isNumericDate(exp)) throw invalid(INVALID);
    if (exp !== undefined && exp <= now - LEEWAY_SECONDS) throw invalid('The access token has expired');
    const { client_id, jti, scope, sgen, sub } = payload;
    if (
      typeof client_id !== 'string' ||
      typeof jti !== 'string' ||
      typeof scope !== 'string' ||
      !Number.isInteger(sgen) ||
      sub !== client_id
    ) {
      throw invalid(INVALID);
    }
    return payload as AccessTokenClaims;
  }
}
