import { errors, jwtVerify } from 'jose';
import type { AccessTokenClaims } from './claims.js';
import { VerifyError } from './errors.js';
import type { KeySet } from './jwks.js';

export interface JwksCheck {
  issuer: string;
  audience: string[];
  algorithms: string[];
  clockToleranceSeconds: number;
  acceptNonExpiring: boolean;
}

/**
 * RFC 9068 §4 on the resource server alone: signature by a key from the issuer's JWKS, `typ`
 * `at+jwt`, `iss`, `aud`, `exp` (with a small tolerance for clock skew) and `nbf`/`iat` as jose
 * checks them. Nothing here asks Tollgate whether the token is still good: a rotation, a
 * revocation or a disable is seen only when the token expires.
 * @see RFC 9068 §2.1 (`typ`), §4 (validation), RFC 8725 §3.1 (an explicit algorithm list)
 */
export async function verifyWithJwks(keys: KeySet, token: string, check: JwksCheck): Promise<AccessTokenClaims> {
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(token, keys.getKey, {
      issuer: check.issuer,
      audience: check.audience,
      typ: 'at+jwt',
      algorithms: check.algorithms,
      clockTolerance: check.clockToleranceSeconds,
      requiredClaims: ['sub', 'client_id'],
    }));
  } catch (e) {
    if (e instanceof errors.JOSEError) throw new VerifyError('invalid_token', joseMessage(e));
    throw e;
  }
  if (payload.exp === undefined && !check.acceptNonExpiring) {
    throw new VerifyError(
      'invalid_token',
      'The access token does not expire, and jwks mode cannot tell when it dies: use introspect or forward-auth mode',
    );
  }
  if (typeof payload.client_id !== 'string' || typeof payload.sub !== 'string')
    throw new VerifyError('invalid_token', 'The access token names no client');
  return {
    ...payload,
    sub: payload.sub,
    client_id: payload.client_id,
    scope: typeof payload.scope === 'string' ? payload.scope : '',
  };
}

function joseMessage(e: InstanceType<typeof errors.JOSEError>): string {
  if (e.code === 'ERR_JWT_EXPIRED') return 'The access token has expired';
  if (e.code === 'ERR_JWKS_NO_MATCHING_KEY') return 'The access token is signed with a key the issuer does not publish';
  if (e.code === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED') return 'The access token signature is invalid';
  if (e.code === 'ERR_JOSE_ALG_NOT_ALLOWED') return 'The access token is signed with an algorithm that is not allowed';
  if (e.code === 'ERR_JWS_INVALID' || e.code === 'ERR_JWT_INVALID') return 'The access token is not a well-formed JWT';
  return `The access token is not valid here: ${e.message}`;
}
