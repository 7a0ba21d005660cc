import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { harness, type Harness } from '../support/harness.js';

const METADATA = '/.well-known/oauth-authorization-server';
const JWKS = '/.well-known/jwks.json';

const liveMetadata = {
  issuer: 'http://tollgate.test',
  token_endpoint: 'http://tollgate.test/api/v1/oauth2/token',
  jwks_uri: 'http://tollgate.test/.well-known/jwks.json',
  response_types_supported: [],
  grant_types_supported: ['client_credentials', 'refresh_token'],
  token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
  revocation_endpoint: 'http://tollgate.test/api/v1/oauth2/revoke',
  revocation_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
  introspection_endpoint: 'http://tollgate.test/api/v1/oauth2/introspect',
  introspection_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
};

describe('oauth2 discovery and keys (RFC 8414, RFC 7517)', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness();
  });
  afterEach(() => h.close());

  const get = (url: string, headers: Record<string, string> = {}) => h.app.inject({ method: 'GET', url, headers });
  const jwks = async (prefix = ''): Promise<JSONWebKeySet> => {
    const res = await get(`${prefix}${JWKS}`);
    expect(res.statusCode).toBe(200);
    return res.json();
  };
  const token = async (mode: 'live' | 'test'): Promise<string> => {
    const c = await h.client({ mode });
    const res = await h.app.inject({
      method: 'POST',
      url: `${mode === 'test' ? '/test' : ''}/api/v1/oauth2/token`,
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ grant_type: 'client_credentials', client_id: c.id, client_secret: c.secret }),
    });
    expect(res.statusCode, res.body).toBe(200);
    return res.json().access_token;
  };

  it('publishes live metadata whose issuer is the live token issuer', async () => {
    const res = await get(METADATA);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.json()).toEqual(liveMetadata);
  });

  it('publishes test metadata under /test and at the RFC 8414 §3.1 path of the test issuer', async () => {
    const t = (s: string) => s.replace('http://tollgate.test', 'http://tollgate.test/test');
    const expected = Object.fromEntries(
      Object.entries(liveMetadata).map(([k, v]) => [k, typeof v === 'string' ? t(v) : v]),
    );
    expect(expected.issuer).toBe('http://tollgate.test/test');
    expect((await get(`/test${METADATA}`)).json()).toEqual(expected);
    expect((await get(`${METADATA}/test`)).json()).toEqual(expected);
  });

  it('serves test metadata and keys at the plain paths for a host in TEST_HOSTS', async () => {
    await h.close();
    h = await harness({ TEST_HOSTS: 'sandbox.example.com' });
    const sandbox = { host: 'sandbox.example.com' };
    expect((await get(METADATA, sandbox)).json().issuer).toBe('http://tollgate.test/test');
    expect((await get(JWKS, sandbox)).json()).toEqual(await jwks('/test'));
  });

  it('points every advertised endpoint at a route of this door', async () => {
    for (const prefix of ['', '/test']) {
      const m = (await get(`${prefix}${METADATA}`)).json();
      for (const url of [m.token_endpoint, m.revocation_endpoint, m.introspection_endpoint]) {
        const res = await h.app.inject({
          method: 'POST',
          url: new URL(url).pathname,
          headers: { 'content-type': 'application/json' },
          payload: '{}',
        });
        expect(res.statusCode, url).toBe(400);
        expect(res.json().error).toBe('invalid_request');
      }
      expect((await get(new URL(m.jwks_uri).pathname)).statusCode).toBe(200);
    }
  });

  it("publishes each mode's public keys only, and they verify that mode's tokens", async () => {
    const live = await jwks();
    const test = await jwks('/test');
    expect(live.keys).toHaveLength(1);
    expect(test.keys).toHaveLength(1);
    expect(live.keys[0]!.kid).not.toBe(test.keys[0]!.kid);
    for (const k of [...live.keys, ...test.keys]) {
      expect(k).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig', kid: expect.any(String) });
      expect(k).not.toHaveProperty('d');
    }
    const liveToken = await token('live');
    const opts = {
      typ: 'at+jwt',
      algorithms: ['ES256'],
      issuer: 'http://tollgate.test',
      audience: 'http://tollgate.test',
    };
    await expect(jwtVerify(liveToken, createLocalJWKSet(live), opts)).resolves.toBeDefined();
    await expect(
      jwtVerify(liveToken, createLocalJWKSet(test), { typ: 'at+jwt', algorithms: ['ES256'] }),
    ).rejects.toThrow();
    const testToken = await token('test');
    await expect(
      jwtVerify(testToken, createLocalJWKSet(test), {
        ...opts,
        issuer: 'http://tollgate.test/test',
        audience: 'http://tollgate.test/test',
      }),
    ).resolves.toBeDefined();
  });

  it('publishes a rotated key at once, current first, and keeps the retired one', async () => {
    const before = await token('live');
    const oldKid = decodeProtectedHeader(before).kid;
    const fresh = await h.services.deps.keys.rotate('live');
    // Published on the very next JWKS read, before the key ring signs with it.
    const after = await jwks();
    expect(after.keys.map((k) => k.kid)).toEqual([fresh.kid, oldKid]);
    expect(after.keys[0]).toEqual(fresh.jwk);
    await expect(
      jwtVerify(before, createLocalJWKSet(after), { typ: 'at+jwt', algorithms: ['ES256'] }),
    ).resolves.toBeDefined();
    expect((await jwks('/test')).keys).toHaveLength(1);
    expect((await get(JWKS)).headers['cache-control']).toBe('no-cache');
  });

  it('serves the same metadata at the OpenID Connect discovery path, per mode', async () => {
    for (const prefix of ['', '/test']) {
      const oidc = await get(`${prefix}/.well-known/openid-configuration`);
      expect(oidc.statusCode).toBe(200);
      expect(oidc.json()).toEqual((await get(`${prefix}${METADATA}`)).json());
    }
    expect((await get('/test/.well-known/openid-configuration')).json().issuer).toBe('http://tollgate.test/test');
  });

  it('answers unknown well-known paths and other methods with not_found in the oauth2 envelope', async () => {
    for (const res of [
      await get('/.well-known/nope'),
      await get(`/test${METADATA}/test`),
      await h.app.inject({ method: 'POST', url: JWKS }),
    ]) {
      expect(res.statusCode).toBe(404);
      expect(res.json()).toEqual({ error: 'not_found', error_description: 'Not found', code: 'NOT_FOUND' });
    }
  });
});
