import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { compactSigner, compactVerifier, type CompactVerifier } from '../../src/infra/keys/jws.js';
import { ENTRY_OVERHEAD_BYTES, VerifiedCache } from '../../src/infra/keys/verified-cache.js';
import { JwtVerifier, LEEWAY_SECONDS, type KeySource, type VerificationKey } from '../../src/infra/keys/verifier.js';
import { FixedClock, TEST_TOKENS } from '../support/fakes.js';

const entry = (n: number) => ({ header: { kid: 'k' }, payload: { n } });
const KEY = (n: number): string => VerifiedCache.keyOf(`token-${n}`);

describe('VerifiedCache bounds', () => {
  it('holds at most maxEntries, dropping the least recently used first', () => {
    const cache = new VerifiedCache({ maxEntries: 3, maxBytes: 1 << 20 });
    for (const n of [1, 2, 3]) cache.set(KEY(n), entry(n), 100);
    expect(cache.get(KEY(1))?.payload).toEqual({ n: 1 }); // 1 is now the most recent
    cache.set(KEY(4), entry(4), 100);
    expect(cache.size).toBe(3);
    expect(cache.get(KEY(2))).toBeUndefined();
    for (const n of [1, 3, 4]) expect(cache.get(KEY(n))?.payload).toEqual({ n });
  });

  it('holds at most maxBytes, counting each entry by its wire size, key and overhead', () => {
    const each = 1000 + 32 + ENTRY_OVERHEAD_BYTES;
    const cache = new VerifiedCache({ maxEntries: 1000, maxBytes: each * 2 + 10 });
    for (const n of [1, 2, 3]) cache.set(KEY(n), entry(n), 1000);
    expect(cache.size).toBe(2);
    expect(cache.byteSize).toBe(each * 2);
    expect(cache.get(KEY(1))).toBeUndefined();
    expect(cache.get(KEY(3))).toBeDefined();
  });

  it('does not keep an entry larger than the whole budget, nor anything when turned off', () => {
    const small = new VerifiedCache({ maxEntries: 10, maxBytes: 500 });
    small.set(KEY(1), entry(1), 1000);
    expect(small.size).toBe(0);
    const off = new VerifiedCache({ maxEntries: 0, maxBytes: 1 << 20 });
    expect(off.enabled).toBe(false);
    off.set(KEY(1), entry(1), 10);
    expect(off.size).toBe(0);
  });

  it('counts a token set twice once', () => {
    const cache = new VerifiedCache({ maxEntries: 10, maxBytes: 1 << 20 });
    cache.set(KEY(1), entry(1), 100);
    cache.set(KEY(1), entry(1), 100);
    expect(cache.size).toBe(1);
    expect(cache.byteSize).toBe(100 + 32 + ENTRY_OVERHEAD_BYTES);
  });

  it('keys by a SHA-256 of the token, never the token itself', () => {
    const token = 'header.payload.signature';
    expect(VerifiedCache.keyOf(token)).toHaveLength(32);
    expect(VerifiedCache.keyOf(token)).not.toContain('payload');
  });
});

describe('JwtVerifier with the cache', () => {
  const NOW = Date.UTC(2026, 0, 1);
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const signer = compactSigner(privateKey.export({ format: 'jwk' }), { alg: 'ES256', typ: 'at+jwt', kid: 'k1' });

  /** A key source whose verifier counts the signatures it checks; `published` can drop the key. */
  function setup(cacheEntries = 10) {
    const clock = new FixedClock(NOW);
    const inner = compactVerifier(publicKey, 'ES256');
    let signatures = 0;
    const counting: CompactVerifier = {
      verify: (t) => {
        signatures++;
        return inner.verify(t);
      },
    };
    const source = {
      published: true,
      verificationKey: async (kid: string): Promise<VerificationKey | undefined> =>
        source.published && kid === 'k1' ? { mode: 'live', verifier: counting } : undefined,
    };
    const verifier = new JwtVerifier(
      source as KeySource,
      TEST_TOKENS,
      clock,
      new VerifiedCache({ maxEntries: cacheEntries, maxBytes: 1 << 20 }),
    );
    return { clock, verifier, source, signatures: () => signatures };
  }
  const token = (exp: number | undefined = NOW / 1000 + 60) =>
    signer.sign({
      iss: TEST_TOKENS.issuer('live'),
      sub: 'c1',
      aud: TEST_TOKENS.audience('live'),
      iat: NOW / 1000,
      ...(exp === undefined ? {} : { exp }),
      jti: 'j1',
      client_id: 'c1',
      scope: 'read',
      sgen: 1,
    });

  it('checks a signature once, then answers the same token from the cache', async () => {
    const { verifier, signatures } = setup();
    const t = token();
    const first = await verifier.verify(t, 'live');
    expect(await verifier.verify(t, 'live')).toEqual(first);
    expect(signatures()).toBe(1);
    expect(verifier.cache?.size).toBe(1);
  });

  it('checks every signature when turned off', async () => {
    const { verifier, signatures } = setup(0);
    const t = token();
    await verifier.verify(t, 'live');
    await verifier.verify(t, 'live');
    expect(signatures()).toBe(2);
    expect(verifier.cache).toBeUndefined();
  });

  it('still refuses a cached token once it expires', async () => {
    const { verifier, clock, signatures } = setup();
    const t = token(NOW / 1000 + 60);
    await verifier.verify(t, 'live');
    clock.advance(60 + LEEWAY_SECONDS);
    await expect(verifier.verify(t, 'live')).rejects.toThrow('The access token has expired');
    expect(signatures()).toBe(1); // it was answered from the cache, and still refused
  });

  it('still refuses a cached token at the other mode, and once its key is removed', async () => {
    const { verifier, source } = setup();
    const t = token();
    await verifier.verify(t, 'live');
    await expect(verifier.verify(t, 'test')).rejects.toThrow('signed by an unknown key');
    source.published = false;
    await expect(verifier.verify(t, 'live')).rejects.toThrow('signed by an unknown key');
  });

  it('keeps no token that fails a check, and hands out frozen claims', async () => {
    const { verifier, clock } = setup();
    const expired = token(NOW / 1000 - 3600);
    await expect(verifier.verify(expired, 'live')).rejects.toThrow('expired');
    expect(verifier.cache?.size).toBe(0);
    clock.advance(0);
    const claims = await verifier.verify(token(), 'live');
    expect(Object.isFrozen(claims)).toBe(true);
  });
});
