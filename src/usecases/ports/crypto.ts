import type { Mode } from '../../domain/mode.js';
import type { AccessTokenClaims, JwtAlg } from '../../domain/token.js';

/* Signing, verifying and sealing: the crypto ports. */

/** Signs access tokens with the mode's current key. */
export interface TokenSigner {
  /** Signs with the mode's current key of `alg` (the deployment's `JWT_ALG` when not given). */
  sign(mode: Mode, claims: AccessTokenClaims, alg?: JwtAlg): Promise<string>;
}

/** Checks an access token's signature, `typ`, issuer, audience and expiry; nothing stateful. */
export interface TokenVerifier {
  /** The claims, or a DomainError `invalid_token` saying what is wrong (never quoting the token). */
  /**
   * `audience`: the `aud` the token must hold; omitted, the mode's default API; null, any
   * (introspection, which then checks the named API's grant itself).
   */
  verify(token: string, mode: Mode, audience?: string | null): Promise<AccessTokenClaims>;
}

/** Seals and opens values stored at rest (answers kept for idempotent retries hold secrets). */
export interface Sealer {
  seal(plaintext: string): string;
  /** Throws when the text was not sealed by this sealer's key. */
  open(sealed: string): string;
}
