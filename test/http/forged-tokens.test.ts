import { createHmac, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import {
  decodeJwt,
  decodeProtectedHeader,
  exportJWK,
  generateKeyPair,
  importJWK,
  SignJWT,
  type CryptoKey,
  type JWK,
} from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Mode } from '../../src/domain/mode.js';
import { decrypt, loadMasterKey } from '../../src/infra/keys/master-key.js';
import { rotateSecret } from '../../src/usecases/clients/manage.js';
import { harness, type Harness } from '../support/harness.js';

type Claims = Record<string, unknown>;
type Header = Record<string, unknown>;

const b64 = (v: unknown): string => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');

/**
 * Tokens an attacker could present, built by hand. The service's own signing key is read here
 * (decrypted with the test master key) so that a token can differ from a genuine one in exactly
 * one respect: a refusal then proves that respect is checked, and the control case below proves
 * the minting itself is sound.
 */
describe('forged and foreign tokens at /api/v1/client/me and /auth/verify', () => {
  let h: Harness;
  let client: { id: string; secret: string };
  let other: { id: string; secret: string };
  let genuine: string;
  let genuineClaims: Claims;
  const ours = {} as Record<Mode, { kid: string; alg: string; privateKey: CryptoKey; publicJwk: JWK }>;
  let foreign: { privateKey: CryptoKey; publicJwk: JWK };
  const now = () => Math.floor(Date.now() / 1000);

  const issue = async (mode: Mode, c: { id: string; secret: string }): Promise<string> => {
    const res = await h.app.inject({
      method: 'POST',
      url: `${mode === 'test' ? '/test' : ''}/api/v1/client/token`,
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ client_id: c.id, client_secret: c.secret }),
    });
    expect(res.statusCode).toBe(200);
    return res.json().data.access_token as string;
  };

  /** Signs claims as the service would, then applies the one change asked for. */
  const mint = (
    opts: { mode?: Mode; header?: Header; claims?: Claims; drop?: string[]; key?: CryptoKey } = {},
  ): Promise<string> => {
    const k = ours[opts.mode ?? 'live'];
    const claims: Claims = { ...genuineClaims, jti: `forged-${Math.random()}`, ...opts.claims };
    for (const c of opts.drop ?? []) delete claims[c];
    const header: Header = { alg: k.alg, typ: 'at+jwt', kid: k.kid, ...opts.header };
    for (const [name, value] of Object.entries(header)) if (value === undefined) delete header[name];
    return new SignJWT(claims).setProtectedHeader(header as { alg: string }).sign(opts.key ?? k.privateKey);
  };

  /** HS256 over header.payload with any bytes as the "secret". @see RFC 8725 §2.1 */
  const hs256 = (secret: Buffer | string, header: Header, claims: Claims): string => {
    const input = `${b64(header)}.${b64(claims)}`;
    return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
  };

  const meStatus = (token: string, prefix = '') =>
    h.app.inject({ method: 'GET', url: `${prefix}/api/v1/client/me`, headers: { authorization: `Bearer ${token}` } });
  const verifyStatus = (token: string, prefix = '') =>
    h.app.inject({ method: 'GET', url: `${prefix}/auth/verify`, headers: { authorization: `Bearer ${token}` } });

  /** Both Bearer endpoints must refuse it, 401 invalid_token with an RFC 6750 challenge, echoing nothing. */
  const expectRefused = async (token: string, prefix = ''): Promise<void> => {
    const me = await meStatus(token, prefix);
    expect(me.statusCode).toBe(401);
    expect(me.json()).toEqual({ code: 40103, message: expect.any(String), data: null });
    expect(me.headers['www-authenticate']).toMatch(
      /^Bearer realm="tollgate", error="invalid_token", error_description="[^"]*"$/,
    );
    const fa = await verifyStatus(token, prefix);
    expect(fa.statusCode).toBe(401);
    expect(fa.json()).toEqual({ code: 'INVALID_TOKEN', message: me.json().message });
    expect(fa.headers['www-authenticate']).toBe(me.headers['www-authenticate']);
    expect(fa.headers['x-client-id']).toBeUndefined();
    // Long enough not to match by chance: the token, or its signature, is never echoed.
    for (const part of [token, token.split('.')[2] ?? ''].filter((p) => p.length >= 16)) {
      expect(me.body).not.toContain(part);
      expect(fa.body).not.toContain(part);
    }
  };
  const expectAccepted = async (token: string, prefix = ''): Promise<void> => {
    expect((await meStatus(token, prefix)).statusCode).toBe(200);
    const fa = await verifyStatus(token, prefix);
    expect(fa.statusCode).toBe(200);
    expect(fa.headers['x-client-id']).toBe(decodeJwt(token).client_id);
  };

  beforeAll(async () => {
    h = await harness();
    client = await h.client({ mode: 'live', scopes: ['read'] });
    other = await h.client({ mode: 'live', scopes: ['read', 'admin'] });
    genuine = await issue('live', client);
    genuineClaims = decodeJwt(genuine) as Claims;
    const master = loadMasterKey(h.config.masterKey, h.config.databasePath).key;
    for (const mode of ['live', 'test'] as const) {
      const row = h.sqlite.db.$client
        .prepare('SELECT kid, alg, public_jwk, private_jwk_enc FROM signing_keys WHERE mode = ? AND current = 1')
        .get(mode) as { kid: string; alg: string; public_jwk: string; private_jwk_enc: string };
      const privateKey = (await importJWK(
        JSON.parse(decrypt(master, row.private_jwk_enc)) as JWK,
        row.alg,
      )) as CryptoKey;
      ours[mode] = { kid: row.kid, alg: row.alg, privateKey, publicJwk: JSON.parse(row.public_jwk) as JWK };
    }
    expect(decodeProtectedHeader(genuine).kid).toBe(ours.live.kid);
    const pair = await generateKeyPair('ES256', { extractable: true });
    foreign = { privateKey: pair.privateKey, publicJwk: await exportJWK(pair.publicKey) };
  });
  afterAll(() => h.close());

  it('control: a genuine token, and one minted here with the service’s own key, are accepted', async () => {
    await expectAccepted(genuine);
    await expectAccepted(await mint());
    // RFC 9068 §4: "application/at+jwt" is the same media type.
    await expectAccepted(await mint({ header: { typ: 'application/at+jwt' } }));
  });

  describe('signature and algorithm', () => {
    it('alg "none", with and without a known kid', async () => {
      const claims = { ...genuineClaims };
      for (const header of [
        { alg: 'none', typ: 'at+jwt', kid: ours.live.kid },
        { alg: 'none', typ: 'at+jwt' },
        { alg: 'NONE', typ: 'at+jwt', kid: ours.live.kid },
      ]) {
        await expectRefused(`${b64(header)}.${b64(claims)}.`);
      }
      // A genuine header with the signature stripped.
      await expectRefused(genuine.split('.').slice(0, 2).join('.') + '.');
    });

    it('HS256 keyed with the service’s public key (PEM, DER and JWK forms)', async () => {
      const pub: KeyObject = createPublicKey({
        key: ours.live.publicJwk as import('node:crypto').JsonWebKey,
        format: 'jwk',
      });
      const header = { alg: 'HS256', typ: 'at+jwt', kid: ours.live.kid };
      for (const secret of [
        pub.export({ type: 'spki', format: 'pem' }),
        pub.export({ type: 'spki', format: 'der' }),
        JSON.stringify(ours.live.publicJwk),
      ]) {
        await expectRefused(hs256(secret, header, genuineClaims));
      }
    });

    it('a foreign key under a known kid (same algorithm, and an RSA swap)', async () => {
      await expectRefused(await mint({ key: foreign.privateKey }));
      const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const rsaKey = (await importJWK(rsa.privateKey.export({ format: 'jwk' }) as JWK, 'RS256')) as CryptoKey;
      await expectRefused(await mint({ key: rsaKey, header: { alg: 'RS256' } }));
    });

    it('an edited payload under the original signature', async () => {
      const [header, , signature] = genuine.split('.');
      for (const change of [
        { scope: 'read admin', permissions: ['read', 'admin'] },
        { sub: other.id, client_id: other.id, azp: other.id },
        { sgen: 2 },
        { exp: now() + 3600 },
      ]) {
        await expectRefused(`${header}.${b64({ ...genuineClaims, ...change })}.${signature}`);
      }
    });

    it('an unknown kid, and no kid at all', async () => {
      await expectRefused(await mint({ header: { kid: 'not-a-key-of-ours' } }));
      await expectRefused(await mint({ header: { kid: undefined } }));
    });
  });

  describe('headers that name their own key (RFC 8725 §3.10)', () => {
    it('a jku header, signed by the attacker’s key or even by ours', async () => {
      await expectRefused(
        await mint({
          key: foreign.privateKey,
          header: { kid: 'attacker-1', jku: 'https://attacker.example/jwks.json' },
        }),
      );
      await expectRefused(
        await mint({ key: foreign.privateKey, header: { jku: 'https://attacker.example/jwks.json' } }),
      );
      await expectRefused(await mint({ header: { jku: 'https://attacker.example/jwks.json' } }));
    });

    it('an embedded jwk, x5u or x5c header', async () => {
      await expectRefused(await mint({ key: foreign.privateKey, header: { kid: undefined, jwk: foreign.publicJwk } }));
      await expectRefused(await mint({ header: { jwk: ours.live.publicJwk } }));
      await expectRefused(await mint({ header: { x5u: 'https://attacker.example/cert.pem' } }));
      await expectRefused(await mint({ header: { x5c: ['MIIB'] } }));
    });
  });

  describe('claims checked after the signature', () => {
    it('typ JWT, or no typ (RFC 9068 §4)', async () => {
      await expectRefused(await mint({ header: { typ: 'JWT' } }));
      await expectRefused(await mint({ header: { typ: 'application/jwt' } }));
      await expectRefused(await mint({ header: { typ: undefined } }));
    });

    it('another issuer or audience', async () => {
      await expectRefused(await mint({ claims: { iss: 'https://attacker.example' } }));
      await expectRefused(await mint({ claims: { iss: 'http://tollgate.test/test' } }));
      await expectRefused(await mint({ claims: { aud: 'https://another-api.example' } }));
    });

    it('expired beyond the 30 s leeway, or not yet valid', async () => {
      await expectRefused(await mint({ claims: { iat: now() - 7200, exp: now() - 3600 } }));
      await expectRefused(await mint({ claims: { nbf: now() + 3600 } }));
    });

    it('a missing or mistyped sgen, client_id or jti; sub different from client_id', async () => {
      await expectRefused(await mint({ drop: ['sgen'] }));
      await expectRefused(await mint({ claims: { sgen: '1' } }));
      await expectRefused(await mint({ drop: ['client_id'] }));
      await expectRefused(await mint({ drop: ['jti'] }));
      await expectRefused(await mint({ claims: { sub: other.id } }));
    });

    it('a client that does not exist, or a generation it never had', async () => {
      const ghost = 'cl_live_ghost00000000000000';
      await expectRefused(await mint({ claims: { sub: ghost, client_id: ghost, azp: ghost } }));
      await expectRefused(await mint({ claims: { sgen: 2 } }));
    });
  });

  describe('the other mode', () => {
    it('a genuine test-mode token at the live endpoints, and a live token under /test', async () => {
      const t = await h.client({ mode: 'test', scopes: ['read'] });
      const testToken = await issue('test', t);
      await expectAccepted(testToken, '/test');
      await expectRefused(testToken);
      await expectRefused(genuine, '/test');
    });

    it('a token signed with the test key but claiming the live issuer and audience', async () => {
      await expectRefused(await mint({ mode: 'test' }));
      await expectRefused(await mint({ mode: 'test', header: { kid: ours.live.kid } }));
    });
  });

  describe('tokens that were good once', () => {
    it('a token from before a rotation', async () => {
      const c = await h.client({ mode: 'live' });
      const before = await issue('live', c);
      await expectAccepted(before);
      const rotated = await rotateSecret(h.services.deps, c.id);
      await expectRefused(before);
      await expectAccepted(await issue('live', { id: c.id, secret: rotated.clientSecret }));
    });

    it('a revoked token', async () => {
      const c = await h.client({ mode: 'live' });
      const t = await issue('live', c);
      await h.services.deps.tokenStore.revokeAccessToken(decodeJwt(t).jti!, c.id, null, Date.now());
      await expectRefused(t);
    });
  });

  describe('garbage', () => {
    it('is refused as invalid_token, never a 5xx', async () => {
      for (const token of [
        'a.b.c',
        'abc',
        '..',
        `${b64('{')}.${b64('{')}.x`,
        `${b64({ alg: 'ES256' })}.${b64('[]')}.${'A'.repeat(86)}`,
        'x'.repeat(8000),
        `${genuine}.${genuine}`,
      ]) {
        await expectRefused(token);
      }
    });
  });
});
