import { createPrivateKey, sign, type KeyObject } from 'node:crypto';
import type { JWK } from 'jose';

/**
 * A JWS compact signer over node:crypto's one-shot `sign`. jose signs through WebCrypto, whose
 * every signature is an async job handed to the thread pool and back; the profile showed that
 * dispatch as a fifth of an issuance. Signing is ours (we choose header and claims), so only
 * this half is done by hand; verification stays with jose.
 * @see RFC 7515 §7.1 (compact serialisation), RFC 7518 §3.4 (ECDSA signatures as R || S)
 */
export interface CompactSigner {
  sign(payload: object): string;
}

const DIGEST: Record<string, string | null> = { ES256: 'sha256', RS256: 'sha256', EdDSA: null };

const b64url = (text: string): string => Buffer.from(text).toString('base64url');

export function compactSigner(privateJwk: JWK, header: { alg: string; typ: string; kid: string }): CompactSigner {
  const digest = DIGEST[header.alg];
  if (digest === undefined) throw new Error(`Unsupported signing algorithm ${header.alg}`);
  const key: KeyObject = createPrivateKey({ key: privateJwk as never, format: 'jwk' });
  // ES256 signatures are the raw R || S of RFC 7518, not DER.
  const options = header.alg === 'ES256' ? { key, dsaEncoding: 'ieee-p1363' as const } : key;
  const prefix = `${b64url(JSON.stringify(header))}.`;
  return {
    sign(payload) {
      const input = prefix + b64url(JSON.stringify(payload));
      return `${input}.${sign(digest, Buffer.from(input), options).toString('base64url')}`;
    },
  };
}
