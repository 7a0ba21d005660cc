import { createHmac, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { compactVerify, decodeProtectedHeader, exportJWK, generateKeyPair, jwtVerify, SignJWT, type JWK } from 'jose';
import { compactSigner, compactVerifier, decodeHeader } from '../../src/infra/keys/jws.js';

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
    const token = compactSigner(await exportJWK(other.privateKey), { alg: 'ES256', typ: 'at+jwt', kid: 'k' }).sign({
      a: 1,
    });
    await expect(compactVerify(token, mine.publicKey)).rejects.toThrow();
  });

  it('refuses an algorithm it does not know', async () => {
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    const jwk = await exportJWK(privateKey);
    expect(() => compactSigner(jwk, { alg: 'HS256', typ: 'at+jwt', kid: 'k' })).toThrow(/Unsupported/);
  });
});

type Alg = 'ES256' | 'RS256' | 'EdDSA';
const ALGS: readonly Alg[] = ['ES256', 'RS256', 'EdDSA'];

const keyPair = (alg: Alg): { publicKey: KeyObject; privateKey: KeyObject } =>
  alg === 'ES256'
    ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
    : alg === 'RS256'
      ? generateKeyPairSync('rsa', { modulusLength: 2048 })
      : generateKeyPairSync('ed25519');

/** base64url of JSON, of a raw string, or of raw bytes. */
const part = (v: unknown): string =>
  (Buffer.isBuffer(v) ? v : Buffer.from(typeof v === 'string' ? v : JSON.stringify(v))).toString('base64url');

/**
 * A token with any header and payload and a genuine signature by `privateKey` under `alg`'s real
 * algorithm: a refusal of one of these proves the verifier checked something other than the signature.
 */
const signRaw = (
  alg: Alg,
  privateKey: KeyObject,
  header: unknown,
  payload: unknown,
  dsaEncoding: 'ieee-p1363' | 'der' = 'ieee-p1363',
): string => {
  const input = `${part(header)}.${part(payload)}`;
  const signature = sign(
    alg === 'EdDSA' ? null : 'sha256',
    Buffer.from(input),
    alg === 'ES256' ? { key: privateKey, dsaEncoding } : privateKey,
  );
  return `${input}.${signature.toString('base64url')}`;
};

const CLAIMS = { sub: 'c', scope: 'a b', n: 1, s: 'ü' };

describe('compact verifier (node:crypto one-shot verification)', () => {
  for (const alg of ALGS) {
    describe(alg, () => {
      const { publicKey, privateKey } = keyPair(alg);
      const other = keyPair(alg);
      const header = { alg, typ: 'at+jwt', kid: 'k1' };
      const verifier = compactVerifier(publicKey.export({ format: 'jwk' }) as JWK, alg);
      const genuine = compactSigner(privateKey.export({ format: 'jwk' }) as JWK, header).sign(CLAIMS);
      const [h, p, s] = genuine.split('.') as [string, string, string];

      it('accepts what compactSigner signs, from a JWK and from a KeyObject', () => {
        expect(verifier.verify(genuine)).toEqual({ header, payload: CLAIMS });
        expect(compactVerifier(publicKey, alg).verify(genuine)).toEqual({ header, payload: CLAIMS });
      });

      it("accepts what jose's SignJWT signs", async () => {
        const token = await new SignJWT(CLAIMS).setProtectedHeader(header).sign(privateKey);
        expect(verifier.verify(token)).toEqual({ header, payload: CLAIMS });
      });

      it('control: signRaw makes tokens it accepts', () => {
        expect(verifier.verify(signRaw(alg, privateKey, header, CLAIMS))).toEqual({ header, payload: CLAIMS });
      });

      it('refuses a flipped signature byte, wherever it is', () => {
        const sig = Buffer.from(s, 'base64url');
        for (const i of [0, sig.length >> 1, sig.length - 1]) {
          const flipped = Buffer.from(sig);
          flipped[i]! ^= 0x01;
          expect(verifier.verify(`${h}.${p}.${flipped.toString('base64url')}`)).toBeUndefined();
        }
      });

      it('refuses a payload or header changed after signing', () => {
        expect(verifier.verify(`${h}.${part({ ...CLAIMS, scope: 'a b admin' })}.${s}`)).toBeUndefined();
        expect(verifier.verify(`${part({ ...header, kid: 'k2' })}.${p}.${s}`)).toBeUndefined();
      });

      it('refuses a token signed by another key of the same algorithm', () => {
        expect(verifier.verify(signRaw(alg, other.privateKey, header, CLAIMS))).toBeUndefined();
      });

      it('refuses any other alg in the header, even under a signature this key made', () => {
        const others = [
          'none',
          'HS256',
          'ES384',
          'PS256',
          'Ed25519',
          alg.toLowerCase(),
          ` ${alg}`,
          ...ALGS.filter((a) => a !== alg),
        ];
        for (const a of others)
          expect(verifier.verify(signRaw(alg, privateKey, { ...header, alg: a }, CLAIMS)), a).toBeUndefined();
        const { alg: _, ...noAlg } = header;
        expect(verifier.verify(signRaw(alg, privateKey, noAlg, CLAIMS))).toBeUndefined();
        expect(verifier.verify(signRaw(alg, privateKey, { ...header, alg: [alg] }, CLAIMS))).toBeUndefined();
        // The classic forms: unsigned, and HMAC keyed with the public key.
        const none = `${part({ ...header, alg: 'none' })}.${p}`;
        expect(verifier.verify(`${none}.`)).toBeUndefined();
        expect(verifier.verify(`${none}.${s}`)).toBeUndefined();
        const hsInput = `${part({ ...header, alg: 'HS256' })}.${p}`;
        const pem = publicKey.export({ type: 'spki', format: 'pem' });
        expect(
          verifier.verify(`${hsInput}.${createHmac('sha256', pem).update(hsInput).digest('base64url')}`),
        ).toBeUndefined();
      });

      it('refuses a token of another algorithm and key type', () => {
        for (const a of ALGS.filter((x) => x !== alg)) {
          const token = compactSigner(keyPair(a).privateKey.export({ format: 'jwk' }) as JWK, {
            alg: a,
            typ: 'at+jwt',
            kid: 'k1',
          }).sign(CLAIMS);
          expect(verifier.verify(token), a).toBeUndefined();
        }
      });

      it('refuses a signature of the wrong length', () => {
        const sig = Buffer.from(s, 'base64url');
        for (const wrong of [
          sig.subarray(0, sig.length - 1),
          Buffer.concat([sig, Buffer.from([0])]),
          Buffer.concat([Buffer.from([0]), sig]),
        ]) {
          expect(verifier.verify(`${h}.${p}.${wrong.toString('base64url')}`)).toBeUndefined();
        }
      });

      it('refuses characters outside base64url, padding, and non-canonical spellings', () => {
        for (const bad of ['+', '/', '=', ' ', '\n', '%', '.', 'é']) {
          expect(
            verifier.verify(`${h}.${p.slice(0, 10)}${bad}${p.slice(10)}.${s}`),
            JSON.stringify(bad),
          ).toBeUndefined();
          expect(
            verifier.verify(`${h}.${p}.${s.slice(0, 10)}${bad}${s.slice(10)}`),
            JSON.stringify(bad),
          ).toBeUndefined();
        }
        // The standard alphabet spelling of the same bytes.
        const std = (x: string) => Buffer.from(x, 'base64url').toString('base64').replace(/=+$/, '');
        if (std(s) !== s) expect(verifier.verify(`${h}.${p}.${std(s)}`)).toBeUndefined();
        // Padding that Buffer.from would accept and decode to the same bytes.
        for (const [i, x] of [h, p, s].entries()) {
          const pad = '='.repeat((4 - (x.length % 4)) % 4);
          if (!pad) continue;
          const parts = [h, p, s];
          parts[i] = x + pad;
          expect(Buffer.from(parts[i]!, 'base64url')).toEqual(Buffer.from(x, 'base64url'));
          expect(verifier.verify(parts.join('.'))).toBeUndefined();
        }
        // Other trailing bits in a last character that Buffer.from decodes to the same bytes.
        const last = s.at(-1)!;
        const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
        const twin = [...alphabet].find(
          (c) => c !== last && Buffer.from(s.slice(0, -1) + c, 'base64url').equals(Buffer.from(s, 'base64url')),
        );
        if (twin) expect(verifier.verify(`${h}.${p}.${s.slice(0, -1)}${twin}`)).toBeUndefined();
        else expect(s.length % 4).toBe(0);
      });

      it('refuses 2, 4 or 5 parts, empty parts, and an empty signature', () => {
        for (const token of [
          `${h}.${p}`,
          `${genuine}.${s}`,
          `${genuine}.${p}.${s}`,
          `${h}.${p}.`,
          `${h}..${s}`,
          `.${p}.${s}`,
          `${genuine}.`,
          '',
          '..',
          genuine + ' ',
        ]) {
          expect(verifier.verify(token), token.slice(-12)).toBeUndefined();
        }
      });

      it('refuses a header or payload that is not a JSON object, even when signed', () => {
        for (const notObject of ['[]', 'null', '"x"', '1', 'true', '{', '{"alg":"' + alg + '"} x', '\uFEFF{}']) {
          expect(verifier.verify(signRaw(alg, privateKey, header, notObject)), notObject).toBeUndefined();
          expect(verifier.verify(signRaw(alg, privateKey, notObject, CLAIMS)), notObject).toBeUndefined();
        }
        expect(verifier.verify(signRaw(alg, privateKey, header, [CLAIMS]))).toBeUndefined();
        expect(verifier.verify(signRaw(alg, privateKey, [header], CLAIMS))).toBeUndefined();
        // Invalid UTF-8 is refused, not read with U+FFFD in its place.
        const badUtf8 = Buffer.concat([Buffer.from('{"sub":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]);
        expect(verifier.verify(signRaw(alg, privateKey, header, badUtf8))).toBeUndefined();
        expect(verifier.verify(signRaw(alg, privateKey, header, '{"sub":"c"}'))).toEqual({
          header,
          payload: { sub: 'c' },
        });
      });

      it('refuses crit and b64 headers, even when signed', () => {
        expect(verifier.verify(signRaw(alg, privateKey, { ...header, crit: ['exp'], exp: 1 }, CLAIMS))).toBeUndefined();
        expect(
          verifier.verify(signRaw(alg, privateKey, { ...header, crit: ['b64'], b64: false }, CLAIMS)),
        ).toBeUndefined();
        expect(verifier.verify(signRaw(alg, privateKey, { ...header, b64: true }, CLAIMS))).toBeUndefined();
        expect(verifier.verify(signRaw(alg, privateKey, { ...header, crit: [] }, CLAIMS))).toBeUndefined();
      });

      it('decodeHeader reads the well-formed header of a three-part token, and nothing more', () => {
        expect(decodeHeader(genuine)).toEqual(header);
        // The rest is verify's to refuse.
        expect(decodeHeader(`${h}.${p}.`)).toEqual(header);
        expect(decodeHeader(`${h}.!.!`)).toEqual(header);
        for (const token of [
          `${h}.${p}`,
          `${genuine}.${s}`,
          `${genuine}.${s}.${s}`,
          `${h}=.${p}.${s}`,
          `${h.slice(0, 5)}+${h.slice(5)}.${p}.${s}`,
          `.${p}.${s}`,
          `${part('[]')}.${p}.${s}`,
          `${part('{')}.${p}.${s}`,
        ]) {
          expect(decodeHeader(token), token.slice(0, 12)).toBeUndefined();
        }
      });
    });
  }

  it('ES256: refuses a DER signature, valid as it is, and one of any length but 64', () => {
    const { publicKey, privateKey } = keyPair('ES256');
    const verifier = compactVerifier(publicKey, 'ES256');
    const header = { alg: 'ES256', typ: 'at+jwt', kid: 'k' };
    const der = signRaw('ES256', privateKey, header, CLAIMS, 'der');
    const [h, p, s] = der.split('.') as [string, string, string];
    expect(verify('sha256', Buffer.from(`${h}.${p}`), publicKey, Buffer.from(s, 'base64url'))).toBe(true);
    expect(verifier.verify(der)).toBeUndefined();
    const raw = Buffer.from(signRaw('ES256', privateKey, header, CLAIMS).split('.')[2]!, 'base64url');
    for (const n of [0, 32, 63, 65, 66, 96]) {
      const sig = Buffer.alloc(n, 1);
      raw.copy(sig, 0, 0, Math.min(n, 64));
      expect(verifier.verify(`${h}.${p}.${sig.toString('base64url')}`), String(n)).toBeUndefined();
    }
  });

  it('ES256: refuses an all-zero signature (r = s = 0)', () => {
    const { publicKey } = keyPair('ES256');
    const input = `${part({ alg: 'ES256' })}.${part(CLAIMS)}`;
    expect(
      compactVerifier(publicKey, 'ES256').verify(`${input}.${Buffer.alloc(64).toString('base64url')}`),
    ).toBeUndefined();
  });

  it('refuses to be built for an unknown algorithm or a key that does not fit', () => {
    const ec = keyPair('ES256');
    const ed = keyPair('EdDSA');
    expect(() => compactVerifier(ec.publicKey, 'HS256')).toThrow(/Unsupported/);
    expect(() => compactVerifier(ec.publicKey, 'none')).toThrow(/Unsupported/);
    expect(() => compactVerifier(ec.publicKey, 'toString')).toThrow(/Unsupported/);
    expect(() => compactVerifier(ec.publicKey, 'RS256')).toThrow(/does not fit/);
    expect(() => compactVerifier(ec.publicKey, 'EdDSA')).toThrow(/does not fit/);
    expect(() => compactVerifier(ed.publicKey, 'ES256')).toThrow(/does not fit/);
    expect(() => compactVerifier(generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey, 'ES256')).toThrow(
      /does not fit/,
    );
    expect(() => compactVerifier(generateKeyPairSync('ed448').publicKey, 'EdDSA')).toThrow(/does not fit/);
    expect(() => compactVerifier(generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey, 'RS256')).toThrow(
      /does not fit/,
    );
    expect(() => compactVerifier(ec.privateKey, 'ES256')).toThrow(/does not fit/);
    expect(() =>
      compactVerifier({ ...(ec.publicKey.export({ format: 'jwk' }) as JWK), alg: 'ES384' }, 'ES256'),
    ).toThrow(/ES384/);
    expect(() => compactVerifier({ kty: 'oct', k: 'c2VjcmV0' }, 'ES256')).toThrow();
  });
});
