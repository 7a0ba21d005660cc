import { decodeProtectedHeader, errors, jwtVerify, type CryptoKey } from 'jose';
import { DomainError } from '../../domain/errors.js';
import type { Mode } from '../../domain/mode.js';
import type { AccessTokenClaims, TokenSettings } from '../../domain/token.js';
import type { Clock, TokenVerifier } from '../../usecases/ports.js';

export interface VerificationKey {
  mode: Mode;
  alg: string;
  key: CryptoKey;
}

export interface KeySource {
  verificationKey(kid: string): Promise<VerificationKey | undefined>;
}

/** Seconds of clock skew allowed on `exp`, `iat` and `nbf`. */
export const LEEWAY_SECONDS = 30;

/** Header parameters that would let a token name its own key: never honoured. @see RFC 8725 §3.10 */
const FORBIDDEN_HEADERS = ['jku', 'x5u', 'jwk', 'x5c', 'x5t', 'x5t#S256', 'crit'] as const;

const invalid = (message: string): DomainError => new DomainError('invalid_token', message);

/**
 * Verifies access tokens with jose against keys held in memory: the key named by `kid` must be
 * ours and of the called mode, and only that key's own algorithm is accepted (so `none`, HS256
 * keyed with a public key and algorithm swaps all fail).
 * @see RFC 9068 §4, RFC 8725 §3.1
 */
export class JwtVerifier implements TokenVerifier {
  constructor(
    private readonly keys: KeySource,
    private readonly settings: TokenSettings,
    private readonly clock: Clock,
  ) {}

  async verify(token: string, mode: Mode): Promise<AccessTokenClaims> {
    let header;
    try {
      header = decodeProtectedHeader(token);
    } catch {
      throw invalid('The access token is malformed');
    }
    if (FORBIDDEN_HEADERS.some((h) => h in header)) throw invalid('The access token header names its own key');
    if (typeof header.kid !== 'string') throw invalid('The access token names no key');
    const key = await this.keys.verificationKey(header.kid);
    if (!key || key.mode !== mode) throw invalid('The access token is signed by an unknown key');
    let payload;
    try {
      ({ payload } = await jwtVerify(token, key.key, {
        algorithms: [key.alg],
        typ: 'at+jwt',
        issuer: this.settings.issuer(mode),
        audience: this.settings.audience(mode),
        clockTolerance: LEEWAY_SECONDS,
        currentDate: new Date(this.clock.now()),
        requiredClaims: ['iss', 'sub', 'aud', 'iat', 'jti', 'client_id', 'scope', 'sgen'],
      }));
    } catch (e) {
      throw invalid(e instanceof errors.JWTExpired ? 'The access token has expired' : 'The access token is invalid');
    }
    const { client_id, jti, scope, sgen, sub } = payload as Record<string, unknown>;
    if (typeof client_id !== 'string' || typeof jti !== 'string' || typeof scope !== 'string' || !Number.isInteger(sgen) || sub !== client_id) {
      throw invalid('The access token is invalid');
    }
    return payload as AccessTokenClaims;
  }
}
