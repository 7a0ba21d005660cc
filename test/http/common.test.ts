import { decodeJwt } from 'jose';
import type { Response } from 'light-my-request';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DOMAIN_ERROR_CODES, DomainError } from '../../src/domain/errors.js';
import { renderCommon } from '../../src/http/common/errors.js';
import { updateClient } from '../../src/usecases/clients/manage.js';
import { harness, type Harness } from '../support/harness.js';

/** Spec §3 common, written out by hand: status, CommonResponse code, RFC 6750 error (or none). */
const EXPECTED: Record<(typeof DOMAIN_ERROR_CODES)[number], [number, number, string | null]> = {
  invalid_request: [400, 40001, null],
  invalid_scope: [400, 40002, null],
  invalid_target: [400, 40003, null],
  invalid_grant: [400, 40005, null],
  unsupported_grant_type: [400, 40004, null],
  invalid_client: [401, 40101, null],
  missing_token: [401, 40102, ''],
  invalid_token: [401, 40103, 'invalid_token'],
  access_denied: [403, 40301, null],
  insufficient_scope: [403, 40302, 'insufficient_scope'],
  not_found: [404, 40401, null],
  rate_limited: [429, 42901, null],
  server_error: [500, 50001, null],
  unavailable: [503, 50301, null],
};

const token = (h: Harness, body: unknown, mode: 'live' | 'test' = 'live', remoteAddress?: string) =>
  h.app.inject({
    method: 'POST',
    url: `${mode === 'test' ? '/test' : ''}/api/v1/client/token`,
    headers: { 'content-type': 'application/json' },
    payload: JSON.stringify(body),
    ...(remoteAddress ? { remoteAddress } : {}),
  });

const me = (h: Harness, authorization: string | undefined, opts: { url?: string; remoteAddress?: string } = {}) =>
  h.app.inject({
    method: 'GET',
    url: opts.url ?? '/api/v1/client/me',
    headers: authorization === undefined ? {} : { authorization },
    ...(opts.remoteAddress ? { remoteAddress: opts.remoteAddress } : {}),
  });

const accessToken = (res: Response): string => {
  expect(res.statusCode).toBe(200);
  return res.json().data.access_token as string;
};

describe('common error table', () => {
  it.each(DOMAIN_ERROR_CODES)('%s', (code) => {
    const [status, wire, bearerError] = EXPECTED[code];
    const r = renderCommon(new DomainError(code, 'Went "wrong"'));
    expect(r.status).toBe(status);
    const errors = code === 'invalid_request' ? { errors: [{ field: 'body', message: 'Went "wrong"' }] } : {};
    expect(r.body).toEqual({ code: wire, message: 'Went "wrong"', data: null, ...errors });
    const challenge = r.headers?.['www-authenticate'];
    if (bearerError === null) expect(challenge).toBeUndefined();
    else if (bearerError === '') expect(challenge).toBe('Bearer realm="tollgate"');
    else expect(challenge).toBe(`Bearer realm="tollgate", error="${bearerError}", error_description="Went ?wrong?"`);
  });

  it('names the offending field in errors', () => {
    const r = renderCommon(
      new DomainError('invalid_request', 'client_id must be 5–120 characters', { field: 'client_id' }),
    );
    expect(r.body).toEqual({
      code: 40001,
      message: 'client_id must be 5–120 characters',
      data: null,
      errors: [{ field: 'client_id', message: 'client_id must be 5–120 characters' }],
    });
  });
});

describe('POST /api/v1/client/token (seed 000)', () => {
  let h: Harness;
  afterEach(async () => {
    await h?.close();
  });

  it('issues a token without expiry by default: expires_in null and no exp claim', async () => {
    h = await harness();
    const c = await h.client({ orgId: 'org_9' });
    const res = await token(h, { client_id: c.id, client_secret: c.secret });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers.pragma).toBe('no-cache');
    expect(res.body).toMatch(
      /^\{"code":0,"message":"OK","data":\{"access_token":"[^"]+","token_type":"Bearer","expires_in":null\}\}$/,
    );
    const claims = decodeJwt(accessToken(res));
    expect(claims.exp).toBeUndefined();
    expect(claims).toMatchObject({ sub: c.id, scope: 'read write', org_id: 'org_9', sgen: 1 });
  });

  it('gives tokens CLIENT_ACCESS_TOKEN_EXPIRE_MINUTES of life when set', async () => {
    h = await harness({ CLIENT_ACCESS_TOKEN_EXPIRE_MINUTES: '15' });
    const c = await h.client();
    const res = await token(h, { client_id: c.id, client_secret: c.secret });
    expect(res.json().data.expires_in).toBe(900);
    const claims = decodeJwt(accessToken(res));
    expect(claims.exp! - claims.iat!).toBe(900);
  });

  it('leaves other doors’ lifetimes alone', async () => {
    h = await harness({ CLIENT_ACCESS_TOKEN_EXPIRE_MINUTES: '15' });
    const c = await h.client();
    const v2 = await h.app.inject({
      method: 'POST',
      url: '/v2/credentials/oauth/token',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ clientId: c.id, clientSecret: c.secret }),
    });
    expect(v2.json().expiresIn).toBe(3600);
  });

  it('answers the spec’s bodies word for word', async () => {
    h = await harness();
    const c = await h.client();
    const bad = await token(h, { client_id: c.id, client_secret: 'not-the-secret-123' });
    expect(bad.statusCode).toBe(401);
    expect(bad.body).toBe('{"code":40101,"message":"Invalid client credentials","data":null}');
    expect(bad.headers['cache-control']).toBe('no-store');

    const missing = await token(h, { client_id: c.id });
    expect(missing.statusCode).toBe(400);
    expect(missing.json()).toEqual({
      code: 40001,
      message: 'client_secret is required',
      data: null,
      errors: [{ field: 'client_secret', message: 'client_secret is required' }],
    });

    const short = await token(h, { client_id: 'abcd', client_secret: c.secret });
    expect(short.json().errors).toEqual([{ field: 'client_id', message: 'client_id must be 5–120 characters' }]);

    const scope = await token(h, { client_id: c.id, client_secret: c.secret, scope: 'read admin' });
    expect(scope.statusCode).toBe(400);
    expect(scope.json()).toEqual({ code: 40002, message: 'Scope not allowed for this client: admin', data: null });
  });

  it('names the body when the body as a whole is wrong', async () => {
    h = await harness();
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/v1/client/token',
      headers: { 'content-type': 'application/json' },
      payload: '[1]',
    });
    expect(res.json()).toEqual({
      code: 40001,
      message: 'Request body must be an object',
      data: null,
      errors: [{ field: 'body', message: 'Request body must be an object' }],
    });
    const big = await h.app.inject({
      method: 'POST',
      url: '/api/v1/client/token',
      headers: { 'content-type': 'application/json' },
      payload: `{"client_id":"${'a'.repeat(200_000)}"}`,
    });
    expect(big.statusCode).toBe(400);
    expect(big.json().message).toBe('Request body is too large');
    const type = await h.app.inject({
      method: 'POST',
      url: '/api/v1/client/token',
      headers: { 'content-type': 'text/xml' },
      payload: '<x/>',
    });
    expect(type.statusCode).toBe(400);
    expect(type.json().message).toBe('Unsupported Content-Type');
  });

  it('accepts JSON with a charset parameter and ignores unknown fields', async () => {
    h = await harness();
    const c = await h.client();
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/v1/client/token',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      payload: JSON.stringify({
        client_id: c.id,
        client_secret: c.secret,
        grant_type: 'client_credentials',
        extra: { a: 1 },
      }),
    });
    expect(res.statusCode).toBe(200);
  });

  it('names the mode mismatch and keeps the modes apart', async () => {
    h = await harness();
    const live = await h.client({ mode: 'live' });
    const res = await token(h, { client_id: live.id, client_secret: live.secret }, 'test');
    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual({
      code: 40101,
      message: 'Client is a live-mode client but this is the test-mode endpoint',
      data: null,
    });
  });

  it('answers rate_limited 42901 with Retry-After once the pair is locked', async () => {
    h = await harness({ LOCKOUT_MAX_FAILURES: '2', LOCKOUT_SECONDS: '120' });
    const c = await h.client();
    for (let i = 0; i < 2; i++) await token(h, { client_id: c.id, client_secret: 'wrong-secret-here' });
    const res = await token(h, { client_id: c.id, client_secret: c.secret });
    expect(res.statusCode).toBe(429);
    expect(res.headers['retry-after']).toBe('120');
    expect(res.json()).toEqual({ code: 42901, message: 'Too many failed attempts; try again later', data: null });
  });

  it('masks an unexpected failure as 50001', async () => {
    h = await harness();
    const c = await h.client();
    h.sqlite.db.$client.close();
    const res = await token(h, { client_id: c.id, client_secret: c.secret });
    expect(res.statusCode).toBe(500);
    expect(res.body).toBe('{"code":50001,"message":"Internal error","data":null}');
  });

  it('is not the token endpoint for other methods', async () => {
    h = await harness();
    const res = await h.app.inject({ method: 'GET', url: '/api/v1/client/token' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ code: 40401, message: 'Not found', data: null });
  });
});

describe('GET /api/v1/client/me', () => {
  let h: Harness;
  let live: { id: string; secret: string };
  let liveToken: string;

  beforeAll(async () => {
    h = await harness();
    live = await h.client({
      mode: 'live',
      name: 'billing',
      scopes: ['invoices:read', 'invoices:write'],
      orgId: 'org_42',
    });
    liveToken = accessToken(await token(h, { client_id: live.id, client_secret: live.secret }));
  });
  afterAll(() => h.close());

  it('answers the calling client in the common envelope', async () => {
    const res = await me(h, `Bearer ${liveToken}`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.json()).toEqual({
      code: 0,
      message: 'OK',
      data: {
        id: live.id,
        name: 'billing',
        mode: 'live',
        scopes: ['invoices:read', 'invoices:write'],
        orgId: 'org_42',
      },
    });
  });

  it('answers a test-mode client under /test, with orgId null when it has none', async () => {
    const t = await h.client({ mode: 'test', scopes: [] });
    const tt = accessToken(await token(h, { client_id: t.id, client_secret: t.secret }, 'test'));
    const res = await me(h, `Bearer ${tt}`, { url: '/test/api/v1/client/me' });
    expect(res.json().data).toEqual({ id: t.id, name: 'test client', mode: 'test', scopes: [], orgId: null });
    const crossed = await me(h, `Bearer ${tt}`);
    expect(crossed.statusCode).toBe(401);
    expect(crossed.json().code).toBe(40103);
  });

  it('answers a missing token 40102 with a bare Bearer challenge (RFC 6750 §3.1)', async () => {
    const res = await me(h, undefined);
    expect(res.statusCode).toBe(401);
    expect(res.body).toBe('{"code":40102,"message":"An access token is required","data":null}');
    expect(res.headers['www-authenticate']).toBe('Bearer realm="tollgate"');
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('answers a bad token 40103 with an invalid_token challenge', async () => {
    const res = await me(h, 'Bearer not.a.token');
    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual({ code: 40103, message: 'The access token is malformed', data: null });
    expect(res.headers['www-authenticate']).toBe(
      'Bearer realm="tollgate", error="invalid_token", error_description="The access token is malformed"',
    );
    // Another scheme is no Bearer credential: missing_token, bare challenge (RFC 6750 §3.1).
    const basic = await me(h, 'Basic dXNlcjpwYXNz');
    expect(basic.statusCode).toBe(401);
    expect(basic.json().code).toBe(40102);
    expect(basic.headers['www-authenticate']).toBe('Bearer realm="tollgate"');
  });

  it('answers an address outside the allowlist 40301 (the core’s access_denied)', async () => {
    const c = await h.client({ allowedIps: ['10.0.0.0/8'] });
    const t = accessToken(await token(h, { client_id: c.id, client_secret: c.secret }, 'live', '10.0.0.1'));
    expect((await me(h, `Bearer ${t}`, { remoteAddress: '10.0.0.1' })).statusCode).toBe(200);
    const res = await me(h, `Bearer ${t}`, { remoteAddress: '172.16.0.1' });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toEqual({
      code: 40301,
      message: 'Requests from this address are not allowed for this client',
      data: null,
    });
    expect(res.headers['www-authenticate']).toBeUndefined();
  });

  it('refuses a disabled client’s token with 40103', async () => {
    const c = await h.client();
    const t = accessToken(await token(h, { client_id: c.id, client_secret: c.secret }));
    await updateClient(h.services.deps, c.id, { enabled: false });
    const res = await me(h, `Bearer ${t}`);
    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual({ code: 40103, message: 'The client is disabled', data: null });
  });

  it('shows a client’s changes on the next request', async () => {
    const c = await h.client({ name: 'before' });
    const t = accessToken(await token(h, { client_id: c.id, client_secret: c.secret }));
    await updateClient(h.services.deps, c.id, { name: 'after', scopes: ['read'] });
    expect((await me(h, `Bearer ${t}`)).json().data).toMatchObject({ name: 'after', scopes: ['read'] });
  });

  it('answers other methods and paths with 40401', async () => {
    for (const [method, url] of [
      ['POST', '/api/v1/client/me'],
      ['GET', '/api/v1/client/me/'],
      ['GET', '/api/v1/client/nope'],
    ] as const) {
      const res = await h.app.inject({ method, url, headers: { authorization: `Bearer ${liveToken}` } });
      expect(res.statusCode, `${method} ${url}`).toBe(404);
      expect(res.json()).toEqual({ code: 40401, message: 'Not found', data: null });
    }
  });
});
