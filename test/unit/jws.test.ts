import { describe, expect, it } from 'vitest';
import { compactVerify, decodeProtectedHeader, exportJWK, generateKeyPair, jwtVerify } from 'jose';
import { compactSigner } from '../../src/infra/keys/jws.js';

describe('compact signer (node:crypto one-shot signatures)', () => {
  for (const alg of ['ES256', 'RS256', 'EdDSA'] as const) {
    it(`${alg}: jose verifies what it signs, with the header it was given`, async () => {
      const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
      const signer = compactSigner(await exportJWK(privateKey), { alg, typ: 'at+jwt', kid: 'k1' });
      const token = signer.sign({ sub: 'c', scope: 'a b', n: 1, s: 'ü' });
      expect(decodeProtectedHeader(token)).toEqual({ alg, typ: 'at+jwt', kid: 'k1' });
      const { payload } = await jwtVerify(token, publicKey, { algorithms: [alg], typ: 'at+jwt' });
      expect(payload).toEqual({ sub: 'c', scope: 'a b', n: 1, s: 'ü' });
    });
  }

  it('ES256 signatures are 64 raw bytes (R || S), not DER', async () => {
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    const token = compactSigner(await exportJWK(privateKey), { alg: 'ES256', typ: 'at+jwt', kid: 'k' }).sign({ a: 1 });
    expect(Buffer.from(token.split('.')[2]!, 'base64url')).toHaveLength(64);
  });

  it('a signature from another key does not verify', async () => {
    const mine = await generateKeyPair('ES256', { extractable: true });
    const other = await generateKeyPair('ES256', { extractable: true });
    const token = compactSigner(await exportJWK(other.privateKey), { alg: 'ES256', typ: 'at+jwt', kid: 'k' }).sign({ a: 1 });
    await expect(compactVerify(token, mine.publicKey)).rejects.toThrow();
  });

  it('refuses an algorithm it does not know', async () => {
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    const jwk = await exportJWK(privateKey);
    expect(() => compactSigner(jwk, { alg: 'HS256', typ: 'at+jwt', kid: 'k' })).toThrow(/Unsupported/);
  });
});
