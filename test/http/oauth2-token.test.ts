import { decodeJwt } from 'jose';
import type { Response } from 'light-my-request';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DomainErrorCode } from '../../src/domain/errors.js';
import { rotateSecret, updateClient } from '../../src/usecases/clients/manage.js';
import { expectNoStore } from '../contract/driver.js';
import { basicAuth, oauth2Driver } from '../contract/drivers/oauth2.js';
import { harness, type Harness } from '../support/harness.js';

const TOKEN = '/api/v1/oauth2/token';
const REFRESH = '/api/v1/oauth2/refresh';

const rawBasic = (text: string): string => `Basic ${Buffer.from(text).toString('base64')}`;

interface Post {
  url?: string;
  form?: Record<string, string>;
  json?: unknown;
  authorization?: string;
  remoteAddress?: string;
}

const post = (h: Harness, { url = TOKEN, form, json, authorization, remoteAddress }: Post): Promise<Response> =>
  h.app.inject({
    method: 'POST',
    url,
    headers: {
      'content-type': json !== undefined ? 'application/json' : 'application/x-www-form-urlencoded',
      ...(authorization ? { authorization } : {}),
    },
    payload: json !== undefined ? JSON.stringify(json) : new URLSearchParams(form ?? {}).toString(),
    ...(remoteAddress ? { remoteAddress } : {}),
  });

const CC = { grant_type: 'client_credentials' };

/** The driver's hand-written envelope check (status, body, challenge, no-store), and the exact description. */
function expectError(res: Response, code: DomainErrorCode, description?: string): void {
  oauth2Driver.expectError(res, code);
  if (description !== undefined) expect(res.json().error_description).toBe(description);
}

describe('oauth2 token endpoint: client authentication (RFC 6749 §2.3)', () => {
  let h: Harness;
  let c: { id: string; secret: string };
  beforeAll(async () => {
    h = await harness({ LOCKOUT_MAX_FAILURES: '1000', LOCKOUT_MAX_FAILURES_PER_IP: '100000' });
    c = await h.client({ scopes: ['read', 'write'] });
  });
  afterAll(() => h.close());

  it('issues a 900 s access token and a refresh token for client_secret_basic', async () => {
    const res = await post(h, { form: CC, authorization: basicAuth(c.id, c.secret) });
    expect(res.statusCode, res.body).toBe(200);
    expectNoStore(res);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const body = res.json();
    expect(Object.keys(body)).toEqual(['access_token', 'refresh_token', 'token_type', 'expires_in', 'scope']);
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 900, scope: 'read write' });
    expect(body.refresh_token).toMatch(/^rt_[A-Za-z0-9_-]{43}$/);
    const claims = decodeJwt(body.access_token);
    expect(claims.exp! - claims.iat!).toBe(900);
    expect(claims).toMatchObject({ iss: 'http://tollgate.test', client_id: c.id, scope: 'read write' });
  });

  it('issues for client_secret_post in a JSON body and in a form body', async () => {
    const json = await post(h, { json: { ...CC, client_id: c.id, client_secret: c.secret, scope: 'read' } });
    expect(json.statusCode, json.body).toBe(200);
    expect(json.json().scope).toBe('read');
    const form = await post(h, { form: { ...CC, client_id: c.id, client_secret: c.secret } });
    expect(form.statusCode, form.body).toBe(200);
  });

  it('form-decodes the Basic user and password (RFC 6749 Appendix B)', async () => {
    const odd = await h.client({ secret: 'p+ss:w%rd&x=y/z' });
    const ok = await post(h, { form: CC, authorization: basicAuth(odd.id, odd.secret) });
    expect(ok.statusCode, ok.body).toBe(200);
    // Many clients send the secret raw: "+" would decode to a space, "%" may start no escape.
    // When the raw and the decoded value differ, either may match (spec §3 oauth2).
    for (const secret of ['a+b:c/d=e&f', 'p%zzword-100%', '50%25 off+more', 'ab%7Acd-secret']) {
      const made = await h.client({ secret });
      const raw = await post(h, { form: CC, authorization: rawBasic(`${made.id}:${made.secret}`) });
      expect(raw.statusCode, raw.body).toBe(200);
      expect((await post(h, { form: CC, authorization: basicAuth(made.id, made.secret) })).statusCode).toBe(200);
    }
    // A secret holding a real space, form-encoded as "+" by a careful client.
    const spaced = await h.client({ secret: 'two words here' });
    expect((await post(h, { form: CC, authorization: basicAuth(spaced.id, spaced.secret) })).statusCode).toBe(200);
  });

  it('settles a Basic request that could be read two ways once: one failure, one lockout count', async () => {
    const h2 = await harness({ LOCKOUT_MAX_FAILURES: '2' });
    try {
      const made = await h2.client({ secret: 'a+b+c+d+e+f' });
      const wrong = rawBasic(`${made.id}:x+y+z+w+v+u`);
      // Two readings, one verdict each: with a limit of 2, the second request is still judged.
      expect((await post(h2, { form: CC, authorization: rawBasic(`${made.id}:a+b+c+d+e+f`) })).statusCode).toBe(200);
      expectError(await post(h2, { form: CC, authorization: wrong }), 'invalid_client');
      expectError(await post(h2, { form: CC, authorization: wrong }), 'invalid_client');
      expectError(await post(h2, { form: CC, authorization: wrong }), 'rate_limited');
    } finally {
      await h2.close();
    }
  });

  it('answers a failed Basic authentication 401 with WWW-Authenticate: Basic (RFC 6749 §5.2)', async () => {
    const res = await post(h, { form: CC, authorization: basicAuth(c.id, `sk_live_${'W'.repeat(43)}`) });
    expectError(res, 'invalid_client', 'Invalid client credentials');
  });

  it('answers no client authentication at all with invalid_client', async () => {
    expectError(await post(h, { form: CC }), 'invalid_client');
    expectError(await post(h, { json: { ...CC, client_id: '', client_secret: '' } }), 'invalid_client');
  });

  it('refuses an Authorization scheme other than Basic as an unsupported method', async () => {
    expectError(await post(h, { form: CC, authorization: 'Bearer abc.def.ghi' }), 'invalid_client');
    expectError(await post(h, { form: CC, authorization: 'Digest username="x"' }), 'invalid_client');
  });

  it('refuses two authentication methods at once, even when both are right', async () => {
    const res = await post(h, {
      form: { ...CC, client_id: c.id, client_secret: c.secret },
      authorization: basicAuth(c.id, c.secret),
    });
    expectError(res, 'invalid_request');
    expect(res.json().error_description).toMatch(/one client authentication method/);
  });

  it('allows a body client_id beside Basic only when it names the same client', async () => {
    expect(
      (await post(h, { form: { ...CC, client_id: c.id }, authorization: basicAuth(c.id, c.secret) })).statusCode,
    ).toBe(200);
    const other = await h.client();
    expectError(
      await post(h, { form: { ...CC, client_id: other.id }, authorization: basicAuth(c.id, c.secret) }),
      'invalid_request',
    );
  });

  it.each(['client_id', 'client_secret'])(
    'refuses %s in the query string, even with good body credentials',
    async (name) => {
      const value = name === 'client_id' ? c.id : c.secret;
      const res = await post(h, {
        url: `${TOKEN}?${name}=${encodeURIComponent(value)}`,
        form: { ...CC, client_id: c.id, client_secret: c.secret },
      });
      expectError(res, 'invalid_request', `${name} must be sent in the request body, not the query string`);
      expect(res.body).not.toContain(c.secret);
    },
  );

  it('ignores an unrelated query parameter (RFC 6749 §3.2)', async () => {
    const res = await post(h, { url: `${TOKEN}?trace=1`, form: CC, authorization: basicAuth(c.id, c.secret) });
    expect(res.statusCode).toBe(200);
  });

  it.each([
    ['no credentials after the scheme', 'Basic'],
    ['not base64', 'Basic !!!!'],
    [
      'base64 without padding',
      `Basic ${Buffer.from(`${'x'.repeat(9)}:y`)
        .toString('base64')
        .replace(/=+$/, '')}`,
    ],
    ['no colon', rawBasic('cl_live_nocolonhere')],
    ['invalid UTF-8', `Basic ${Buffer.from([0x63, 0x6c, 0x3a, 0xff, 0xfe]).toString('base64')}`],
    ['an empty user', rawBasic(':some-secret-value')],
    ['an empty password', rawBasic('cl_live_abcdef:')],
    ['control characters in the user', rawBasic('cl_live_abc%0A%0D:some-secret-value')],
  ])('answers a malformed Basic header (%s) with invalid_request', async (_label, authorization) => {
    expectError(await post(h, { form: CC, authorization }), 'invalid_request');
  });

  it('names the field in a shape error, in RFC 6749 §5.2 characters only', async () => {
    const res = await post(h, { form: { ...CC, client_id: 'ab', client_secret: c.secret } });
    expectError(res, 'invalid_request', 'client_id must be 5-120 characters');
  });

  it('never echoes a presented secret or refresh token in an error', async () => {
    const secret = 'sk_live_' + 'Q'.repeat(43);
    const res = await post(h, { form: CC, authorization: basicAuth(c.id, secret) });
    expect(res.body).not.toContain(secret);
    const rt = 'rt_' + 'Q'.repeat(43);
    const bad = await post(h, { url: REFRESH, json: { refresh_token: rt } });
    expect(bad.body).not.toContain(rt);
  });
});

describe('oauth2 token endpoint: grants and errors (RFC 6749 §5.2)', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness();
  });
  afterEach(() => h.close());

  it('answers a missing grant_type with invalid_request naming it', async () => {
    const c = await h.client();
    expectError(
      await post(h, { form: {}, authorization: basicAuth(c.id, c.secret) }),
      'invalid_request',
      'grant_type is required',
    );
  });

  it.each([
    'password',
    'authorization_code',
    'urn:ietf:params:oauth:grant-type:jwt-bearer',
    'CLIENT_CREDENTIALS',
    'client_credentials ',
  ])('answers grant_type=%j with unsupported_grant_type', async (grant) => {
    const c = await h.client();
    expectError(
      await post(h, { form: { grant_type: grant }, authorization: basicAuth(c.id, c.secret) }),
      'unsupported_grant_type',
    );
  });

  it('answers a scope outside the client with invalid_scope', async () => {
    const c = await h.client({ scopes: ['read'] });
    const res = await post(h, { form: { ...CC, scope: 'read admin' }, authorization: basicAuth(c.id, c.secret) });
    expectError(res, 'invalid_scope', 'Scope not allowed for this client: admin');
  });

  it('answers an address outside the allowlist with 403 access_denied', async () => {
    const c = await h.client({ allowedIps: ['10.0.0.0/8'] });
    expectError(
      await post(h, { form: CC, authorization: basicAuth(c.id, c.secret), remoteAddress: '192.0.2.1' }),
      'access_denied',
    );
  });

  it('locks out repeated Basic failures with 429 and Retry-After', async () => {
    await h.close();
    h = await harness({ LOCKOUT_MAX_FAILURES: '2', LOCKOUT_SECONDS: '300' });
    const c = await h.client();
    for (let i = 0; i < 2; i++) await post(h, { form: CC, authorization: basicAuth(c.id, 'wrong-secret-value') });
    const res = await post(h, { form: CC, authorization: basicAuth(c.id, c.secret) });
    expectError(res, 'rate_limited');
    expect(res.headers['retry-after']).toBe('300');
  });

  it('masks an unexpected failure as server_error without internals', async () => {
    const c = await h.client();
    h.sqlite.db.$client.close();
    const res = await post(h, { form: CC, authorization: basicAuth(c.id, c.secret) });
    expectError(res, 'server_error', 'Internal error');
  });

  it('answers GET and unknown paths with not_found in its own envelope', async () => {
    const get = await h.app.inject({ method: 'GET', url: TOKEN });
    expectError(get, 'not_found');
    expectError(await h.app.inject({ method: 'POST', url: '/test/api/v1/oauth2/nope' }), 'not_found');
  });

  it('answers a 3 MB body with a 4xx in its own envelope', async () => {
    const c = await h.client();
    const res = await post(h, { form: { ...CC, client_id: c.id, client_secret: 'x'.repeat(3 * 1024 * 1024) } });
    expectError(res, 'invalid_request', 'Request body is too large');
  });

  it('takes the access token lifetime from OAUTH2_ACCESS_TTL_SECONDS', async () => {
    await h.close();
    h = await harness({ OAUTH2_ACCESS_TTL_SECONDS: '120' });
    const c = await h.client();
    const res = await post(h, { form: CC, authorization: basicAuth(c.id, c.secret) });
    expect(res.json().expires_in).toBe(120);
    const claims = decodeJwt(res.json().access_token);
    expect(claims.exp! - claims.iat!).toBe(120);
  });

  it('serves test mode under /test with the test issuer, and names a mode mismatch', async () => {
    const t = await h.client({ mode: 'test' });
    const res = await post(h, { url: `/test${TOKEN}`, form: CC, authorization: basicAuth(t.id, t.secret) });
    expect(res.statusCode).toBe(200);
    expect(decodeJwt(res.json().access_token).iss).toBe('http://tollgate.test/test');
    const live = await h.client();
    const wrong = await post(h, { url: `/test${TOKEN}`, form: CC, authorization: basicAuth(live.id, live.secret) });
    expectError(wrong, 'invalid_client', 'Client is a live-mode client but this is the test-mode endpoint');
  });

  it('treats a host in TEST_HOSTS as test mode at the plain path', async () => {
    await h.close();
    h = await harness({ TEST_HOSTS: 'sandbox.example.com' });
    const t = await h.client({ mode: 'test' });
    const res = await h.app.inject({
      method: 'POST',
      url: TOKEN,
      headers: {
        host: 'sandbox.example.com',
        'content-type': 'application/x-www-form-urlencoded',
        authorization: basicAuth(t.id, t.secret),
      },
      payload: 'grant_type=client_credentials',
    });
    expect(res.statusCode, res.body).toBe(200);
  });
});

describe('oauth2 refresh tokens (RFC 6749 §6, seed 001)', () => {
  let h: Harness;
  let c: { id: string; secret: string };
  beforeEach(async () => {
    h = await harness({ LOCKOUT_MAX_FAILURES: '1000', LOCKOUT_MAX_FAILURES_PER_IP: '100000' });
    c = await h.client({ scopes: ['read', 'write'] });
  });
  afterEach(() => h.close());

  const grant = async (client = c, scope?: string): Promise<{ access_token: string; refresh_token: string }> => {
    const res = await post(h, {
      form: { ...CC, ...(scope ? { scope } : {}) },
      authorization: basicAuth(client.id, client.secret),
    });
    expect(res.statusCode, res.body).toBe(200);
    return res.json();
  };

  it('renews at the token endpoint with client authentication, returning no new refresh token', async () => {
    const { access_token, refresh_token } = await grant();
    for (let i = 0; i < 2; i++) {
      // Not rotated on use: the same refresh token works again.
      const res = await post(h, {
        form: { grant_type: 'refresh_token', refresh_token },
        authorization: basicAuth(c.id, c.secret),
      });
      expect(res.statusCode, res.body).toBe(200);
      expectNoStore(res);
      expect(Object.keys(res.json())).toEqual(['access_token', 'token_type', 'expires_in', 'scope']);
      expect(res.json()).toMatchObject({ token_type: 'Bearer', expires_in: 900, scope: 'read write' });
      expect(decodeJwt(res.json().access_token).jti).not.toBe(decodeJwt(access_token).jti);
    }
  });

  it('requires client authentication for the refresh_token grant at the token endpoint', async () => {
    const { refresh_token } = await grant();
    expectError(await post(h, { form: { grant_type: 'refresh_token', refresh_token } }), 'invalid_client');
    const wrong = await post(h, {
      form: { grant_type: 'refresh_token', refresh_token },
      authorization: basicAuth(c.id, 'wrong-secret-value'),
    });
    expectError(wrong, 'invalid_client');
  });

  it("refuses another client's refresh token with invalid_grant", async () => {
    const other = await h.client();
    const { refresh_token } = await grant(other);
    const res = await post(h, {
      form: { grant_type: 'refresh_token', refresh_token },
      authorization: basicAuth(c.id, c.secret),
    });
    expectError(res, 'invalid_grant', 'The refresh token is invalid, expired or revoked');
  });

  it('answers a missing refresh_token with invalid_request and an unknown one with invalid_grant', async () => {
    expectError(
      await post(h, { form: { grant_type: 'refresh_token' }, authorization: basicAuth(c.id, c.secret) }),
      'invalid_request',
      'refresh_token is required',
    );
    for (const refresh_token of ['rt_' + 'A'.repeat(43), 'not-a-refresh-token', 'rt_short']) {
      expectError(
        await post(h, {
          form: { grant_type: 'refresh_token', refresh_token },
          authorization: basicAuth(c.id, c.secret),
        }),
        'invalid_grant',
      );
    }
  });

  it('may narrow the scope of the original grant but never widen it', async () => {
    const { refresh_token } = await grant(c, 'read');
    const narrow = await post(h, {
      form: { grant_type: 'refresh_token', refresh_token, scope: 'read' },
      authorization: basicAuth(c.id, c.secret),
    });
    expect(narrow.json().scope).toBe('read');
    const wide = await post(h, {
      form: { grant_type: 'refresh_token', refresh_token, scope: 'read write' },
      authorization: basicAuth(c.id, c.secret),
    });
    expectError(wide, 'invalid_scope');
  });

  it('binds the refresh token to its mode, secret generation and an enabled client', async () => {
    const t = await h.client({ mode: 'test' });
    const testToken = (
      await post(h, { url: `/test${TOKEN}`, form: CC, authorization: basicAuth(t.id, t.secret) })
    ).json().refresh_token;
    expectError(await post(h, { url: REFRESH, json: { refresh_token: testToken } }), 'invalid_grant');
    expect((await post(h, { url: `/test${REFRESH}`, json: { refresh_token: testToken } })).statusCode).toBe(200);

    const { refresh_token } = await grant();
    await updateClient(h.services.deps, c.id, { enabled: false });
    expectError(await post(h, { url: REFRESH, json: { refresh_token } }), 'invalid_grant');
    // Disable means dead: enabling the client again does not bring the refresh token back.
    await updateClient(h.services.deps, c.id, { enabled: true });
    expectError(await post(h, { url: REFRESH, json: { refresh_token } }), 'invalid_grant');
    const fresh = (await grant()).refresh_token;
    expect((await post(h, { url: REFRESH, json: { refresh_token: fresh } })).statusCode).toBe(200);
    await rotateSecret(h.services.deps, c.id);
    expectError(await post(h, { url: REFRESH, json: { refresh_token: fresh } }), 'invalid_grant');
  });

  it("holds /refresh to the client's IP allowlist (spec §2 step 4)", async () => {
    const fenced = await h.client({ scopes: ['read'], allowedIps: ['10.0.0.0/8'] });
    const res = await post(h, {
      form: CC,
      authorization: basicAuth(fenced.id, fenced.secret),
      remoteAddress: '10.1.1.1',
    });
    expect(res.statusCode, res.body).toBe(200);
    const { refresh_token } = res.json();
    expect((await post(h, { url: REFRESH, json: { refresh_token }, remoteAddress: '10.2.2.2' })).statusCode).toBe(200);
    expectError(await post(h, { url: REFRESH, json: { refresh_token }, remoteAddress: '192.0.2.1' }), 'access_denied');
  });

  it('refuses a scope the client has lost since, when asked by name; drops it when not asked', async () => {
    const { refresh_token } = await grant();
    await updateClient(h.services.deps, c.id, { scopes: ['read'] });
    expectError(await post(h, { url: REFRESH, json: { refresh_token, scope: 'write' } }), 'invalid_scope');
    const res = await post(h, { url: REFRESH, json: { refresh_token } });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().scope).toBe('read');
  });

  it('renews at /refresh from the refresh token alone, in JSON or a form', async () => {
    const { refresh_token } = await grant(c, 'write');
    for (const res of [
      await post(h, { url: REFRESH, json: { refresh_token } }),
      await post(h, { url: REFRESH, form: { refresh_token } }),
    ]) {
      expect(res.statusCode, res.body).toBe(200);
      expectNoStore(res);
      expect(res.json()).toEqual({
        access_token: expect.any(String),
        token_type: 'Bearer',
        expires_in: 900,
        scope: 'write',
      });
      expect(decodeJwt(res.json().access_token)).toMatchObject({ client_id: c.id, scope: 'write' });
    }
  });

  it("checks optional client authentication at /refresh, and then the token must be that client's", async () => {
    const { refresh_token } = await grant();
    expect(
      (await post(h, { url: REFRESH, json: { refresh_token }, authorization: basicAuth(c.id, c.secret) })).statusCode,
    ).toBe(200);
    expectError(
      await post(h, { url: REFRESH, json: { refresh_token }, authorization: basicAuth(c.id, 'wrong-secret-value') }),
      'invalid_client',
    );
    const other = await h.client();
    expectError(
      await post(h, { url: REFRESH, json: { refresh_token, client_id: other.id, client_secret: other.secret } }),
      'invalid_grant',
    );
  });

  it('answers bad /refresh bodies with invalid_request', async () => {
    const { refresh_token } = await grant();
    expectError(await post(h, { url: REFRESH, json: {} }), 'invalid_request', 'refresh_token is required');
    expectError(await post(h, { url: REFRESH, json: { refresh_token: [refresh_token] } }), 'invalid_request');
    expectError(await post(h, { url: REFRESH, json: { refresh_token: 42 } }), 'invalid_request');
    const repeated = await h.app.inject({
      method: 'POST',
      url: REFRESH,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `refresh_token=${refresh_token}&refresh_token=${refresh_token}`,
    });
    expectError(repeated, 'invalid_request');
    const inQuery = await post(h, { url: `${REFRESH}?refresh_token=${refresh_token}`, json: {} });
    expectError(inQuery, 'invalid_request', 'refresh_token must be sent in the request body, not the query string');
    expect(inQuery.body).not.toContain(refresh_token);
    expectError(
      await h.app.inject({
        method: 'POST',
        url: REFRESH,
        headers: { 'content-type': 'text/plain' },
        payload: refresh_token,
      }),
      'invalid_request',
    );
  });

  it('locks out refresh-token guessing from one address at the per-address limit, with 429', async () => {
    await h.close();
    // Refresh guesses are counted per address at LOCKOUT_MAX_FAILURES_PER_IP, not the pair limit.
    h = await harness({ LOCKOUT_MAX_FAILURES: '1', LOCKOUT_MAX_FAILURES_PER_IP: '3', LOCKOUT_SECONDS: '600' });
    c = await h.client();
    const { refresh_token } = await grant();
    for (let i = 0; i < 3; i++) {
      expectError(
        await post(h, {
          url: REFRESH,
          json: { refresh_token: `rt_${String(i).repeat(43)}` },
          remoteAddress: '198.51.100.7',
        }),
        'invalid_grant',
      );
    }
    const locked = await post(h, { url: REFRESH, json: { refresh_token }, remoteAddress: '198.51.100.7' });
    expectError(locked, 'rate_limited');
    expect(locked.headers['retry-after']).toBe('600');
    expect((await post(h, { url: REFRESH, json: { refresh_token }, remoteAddress: '198.51.100.8' })).statusCode).toBe(
      200,
    );
  });
});
