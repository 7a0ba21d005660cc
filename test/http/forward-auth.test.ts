import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DOMAIN_ERROR_CODES, DomainError } from '../../src/domain/errors.js';
import { renderForwardAuth } from '../../src/http/forward-auth/errors.js';
import { rotateSecret, updateClient } from '../../src/usecases/clients/manage.js';
import { harness, type Harness } from '../support/harness.js';

/** Spec §4 forward-auth, written out by hand: status, body code, and the RFC 6750 error (or none). */
const EXPECTED: Record<(typeof DOMAIN_ERROR_CODES)[number], [number, string, string | null]> = {
  invalid_request: [400, 'INVALID_REQUEST', null],
  invalid_scope: [400, 'INVALID_SCOPE', null],
  invalid_target: [400, 'INVALID_TARGET', null],
  invalid_grant: [400, 'INVALID_GRANT', null],
  unsupported_grant_type: [400, 'UNSUPPORTED_GRANT_TYPE', null],
  invalid_client: [401, 'INVALID_TOKEN', 'invalid_token'],
  missing_token: [401, 'NO_TOKEN', ''],
  invalid_token: [401, 'INVALID_TOKEN', 'invalid_token'],
  access_denied: [403, 'ACCESS_DENIED', null],
  insufficient_scope: [403, 'INSUFFICIENT_SCOPE', 'insufficient_scope'],
  not_found: [404, 'NOT_FOUND', null],
  rate_limited: [429, 'RATE_LIMITED', null],
  server_error: [500, 'SERVER_ERROR', null],
  unavailable: [503, 'UNAVAILABLE', null],
};

describe('forward-auth table', () => {
  it.each(DOMAIN_ERROR_CODES)('%s', (code) => {
    const [status, wire, bearerError] = EXPECTED[code];
    const r = renderForwardAuth(new DomainError(code, 'Something "quoted"\\ went wrong\n'));
    expect(r.status).toBe(status);
    expect(r.body).toEqual({ code: wire, message: 'Something "quoted"\\ went wrong\n' });
    const challenge = r.headers?.['www-authenticate'];
    if (bearerError === null) expect(challenge).toBeUndefined();
    else if (bearerError === '') expect(challenge).toBe('Bearer realm="tollgate"');
    // error_description may not hold `"`, `\` or control characters (RFC 6750 §3).
    else
      expect(challenge).toBe(
        `Bearer realm="tollgate", error="${bearerError}", error_description="Something ?quoted?? went wrong?"`,
      );
  });

  it('puts a challenge on every 401', () => {
    for (const code of DOMAIN_ERROR_CODES) {
      const r = renderForwardAuth(new DomainError(code, 'x'));
      if (r.status === 401) expect(r.headers?.['www-authenticate']).toMatch(/^Bearer realm="tollgate"/);
    }
  });
});

describe('GET /auth/verify (forward-auth)', () => {
  let h: Harness;
  let live: { id: string; secret: string };
  let test: { id: string; secret: string };
  let liveToken: string;
  let testToken: string;

  const issue = async (
    mode: 'live' | 'test',
    id: string,
    secret: string,
    scope?: string,
    remoteAddress?: string,
  ): Promise<string> => {
    const res = await h.app.inject({
      ...(remoteAddress ? { remoteAddress } : {}),
      method: 'POST',
      url: `${mode === 'test' ? '/test' : ''}/api/v1/client/token`,
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ client_id: id, client_secret: secret, ...(scope === undefined ? {} : { scope }) }),
    });
    expect(res.statusCode).toBe(200);
    return res.json().data.access_token as string;
  };
  const verify = (
    token: string | undefined,
    opts: {
      url?: string;
      method?: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE' | 'PATCH' | 'OPTIONS';
      remoteAddress?: string;
      headers?: Record<string, string>;
      payload?: string | Buffer;
    } = {},
  ) =>
    h.app.inject({
      method: opts.method ?? 'GET',
      url: opts.url ?? '/auth/verify',
      headers: { ...(token === undefined ? {} : { authorization: `Bearer ${token}` }), ...opts.headers },
      ...(opts.payload === undefined ? {} : { payload: opts.payload }),
      ...(opts.remoteAddress ? { remoteAddress: opts.remoteAddress } : {}),
    });

  beforeAll(async () => {
    h = await harness({ TRUST_PROXY: '127.0.0.1' });
    live = await h.client({ mode: 'live', scopes: ['read', 'write'] });
    test = await h.client({ mode: 'test', scopes: ['read'] });
    liveToken = await issue('live', live.id, live.secret);
    testToken = await issue('test', test.id, test.secret);
  });
  afterAll(() => h.close());

  it('passes a good token with X-Client-Id, X-Scope and X-Mode, and no-store', async () => {
    const res = await verify(liveToken);
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-client-id']).toBe(live.id);
    expect(res.headers['x-scope']).toBe('read write');
    expect(res.headers['x-mode']).toBe('live');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['www-authenticate']).toBeUndefined();
  });

  it('reports the token’s granted scope, not the client’s', async () => {
    const narrow = await issue('live', live.id, live.secret, 'write');
    const res = await verify(narrow);
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-scope']).toBe('write');
  });

  it('serves test mode under /test/auth/verify', async () => {
    const res = await verify(testToken, { url: '/test/auth/verify' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-client-id']).toBe(test.id);
    expect(res.headers['x-mode']).toBe('test');
  });

  it('refuses a token of the other mode, both ways', async () => {
    for (const [token, url] of [
      [testToken, '/auth/verify'],
      [liveToken, '/test/auth/verify'],
    ] as const) {
      const res = await verify(token, { url });
      expect(res.statusCode).toBe(401);
      expect(res.json().code).toBe('INVALID_TOKEN');
    }
  });

  it('answers a missing token 401 NO_TOKEN with a bare Bearer challenge', async () => {
    for (const headers of [{}, { authorization: '' }, { authorization: '   ' }] as Array<Record<string, string>>) {
      const res = await verify(undefined, { headers });
      expect(res.statusCode).toBe(401);
      expect(res.json()).toEqual({ code: 'NO_TOKEN', message: 'An access token is required' });
      expect(res.headers['www-authenticate']).toBe('Bearer realm="tollgate"');
      expect(res.headers['x-client-id']).toBeUndefined();
    }
  });

  it('does not take a token from the query string (RFC 6750 §2.3 is not offered): the parameter is refused', async () => {
    const res = await verify(undefined, { url: `/auth/verify?access_token=${liveToken}` });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('INVALID_REQUEST');
    expect(res.headers['x-client-id']).toBeUndefined();
  });

  it('answers a bad token 401 INVALID_TOKEN with an invalid_token challenge', async () => {
    for (const authorization of ['Bearer abc.def.ghi', `Bearer ${liveToken} extra`, 'Bearer']) {
      const res = await verify(undefined, { headers: { authorization } });
      expect(res.statusCode, authorization.slice(0, 12)).toBe(401);
      expect(res.json()).toEqual({ code: 'INVALID_TOKEN', message: expect.any(String) });
      expect(res.headers['www-authenticate']).toMatch(
        /^Bearer realm="tollgate", error="invalid_token", error_description="[^"\\]+"$/,
      );
      expect(res.body).not.toContain(liveToken);
    }
  });

  it('answers another scheme as no token at all: a bare challenge (RFC 6750 §3.1)', async () => {
    for (const authorization of ['Basic dXNlcjpwYXNz', `Token ${liveToken}`]) {
      const res = await verify(undefined, { headers: { authorization } });
      expect(res.statusCode).toBe(401);
      expect(res.json()).toEqual({ code: 'NO_TOKEN', message: expect.any(String) });
      expect(res.headers['www-authenticate']).toBe('Bearer realm="tollgate"');
    }
  });

  it('accepts the scheme in any case (RFC 7235 §2.1)', async () => {
    const res = await verify(undefined, { headers: { authorization: `bearer ${liveToken}` } });
    expect(res.statusCode).toBe(200);
  });

  it('checks ?scope=: all named scopes held passes, one missing answers 403 insufficient_scope', async () => {
    expect((await verify(liveToken, { url: '/auth/verify?scope=read' })).statusCode).toBe(200);
    expect((await verify(liveToken, { url: '/auth/verify?scope=read%20write' })).statusCode).toBe(200);
    expect((await verify(liveToken, { url: '/auth/verify?scope=read+write' })).statusCode).toBe(200);
    expect((await verify(liveToken, { url: '/auth/verify?scope=' })).statusCode).toBe(200);
    const res = await verify(liveToken, { url: '/auth/verify?scope=read%20admin' });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toEqual({ code: 'INSUFFICIENT_SCOPE', message: 'The access token lacks scope: admin' });
    expect(res.headers['www-authenticate']).toBe(
      'Bearer realm="tollgate", error="insufficient_scope", error_description="The access token lacks scope: admin"',
    );
    expect(res.headers['x-client-id']).toBeUndefined();
  });

  it('checks the token before the scope: a missing token with ?scope= is still 401', async () => {
    const res = await verify(undefined, { url: '/auth/verify?scope=admin' });
    expect(res.statusCode).toBe(401);
    expect(res.json().code).toBe('NO_TOKEN');
  });

  it('refuses a malformed ?scope= with 400 INVALID_REQUEST, never a 5xx', async () => {
    for (const q of [
      'scope=a%22b',
      'scope=a%5Cb',
      'scope=read&scope=write',
      'scope=a%00b',
      `scope=${'x'.repeat(300)}`,
    ]) {
      const res = await verify(liveToken, { url: `/auth/verify?${q}` });
      expect(res.statusCode, q.slice(0, 20)).toBe(400);
      expect(res.json().code).toBe('INVALID_REQUEST');
    }
  });

  it('answers the guarded request’s method, and ignores its body whatever it is', async () => {
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const) {
      const res = await verify(liveToken, {
        method,
        headers: { 'content-type': 'application/json' },
        payload: '{"broken":',
      });
      expect(res.statusCode, method).toBe(200);
      expect(res.headers['x-client-id']).toBe(live.id);
    }
    const getWithBody = await verify(liveToken, {
      method: 'GET',
      headers: { 'content-type': 'application/json' },
      payload: '[[[',
    });
    expect(getWithBody.statusCode).toBe(200);
    const bin = await verify(liveToken, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      payload: Buffer.from([0, 1, 2, 255]),
    });
    expect(bin.statusCode).toBe(200);
    const bare = await verify(liveToken, { method: 'POST', payload: 'plain words' });
    expect(bare.statusCode).toBe(200);
    const head = await verify(liveToken, { method: 'HEAD' });
    expect(head.statusCode).toBe(200);
    expect(head.headers['x-client-id']).toBe(live.id);
    const headMissing = await verify(undefined, { method: 'HEAD' });
    expect(headMissing.statusCode).toBe(401);
    expect(headMissing.headers['www-authenticate']).toBe('Bearer realm="tollgate"');
  });

  it('answers an oversized body with a 4xx in its envelope, never a 5xx', async () => {
    const res = await verify(liveToken, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      payload: 'a'.repeat(3 * 1024 * 1024),
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ code: 'INVALID_REQUEST', message: 'Request body is too large' });
  });

  it('answers unknown paths under /auth with NOT_FOUND in its envelope', async () => {
    for (const url of ['/auth/nope', '/auth/verify/', '/test/auth/verify/extra', '/auth']) {
      const res = await verify(liveToken, { url });
      expect(res.statusCode, url).toBe(404);
      expect(res.json()).toEqual({ code: 'NOT_FOUND', message: 'Not found' });
    }
  });

  it('applies the client’s IP allowlist with 403 ACCESS_DENIED (the core’s access_denied), believing X-Forwarded-For only from TRUST_PROXY', async () => {
    const c = await h.client({ mode: 'live', allowedIps: ['10.0.0.0/8'] });
    const token = await issue('live', c.id, c.secret, undefined, '10.1.2.3');
    expect((await verify(token, { remoteAddress: '10.1.2.3' })).statusCode).toBe(200);
    const outside = await verify(token, { remoteAddress: '192.168.1.1' });
    expect(outside.statusCode).toBe(403);
    expect(outside.json()).toEqual({
      code: 'ACCESS_DENIED',
      message: 'Requests from this address are not allowed for this client',
    });
    expect(outside.headers['x-client-id']).toBeUndefined();
    // Behind the trusted proxy the forwarded address counts; from anyone else it is ignored.
    expect(
      (await verify(token, { remoteAddress: '127.0.0.1', headers: { 'x-forwarded-for': '10.9.9.9' } })).statusCode,
    ).toBe(200);
    expect(
      (await verify(token, { remoteAddress: '127.0.0.1', headers: { 'x-forwarded-for': '192.168.1.1' } })).statusCode,
    ).toBe(403);
    expect(
      (await verify(token, { remoteAddress: '192.168.1.1', headers: { 'x-forwarded-for': '10.9.9.9' } })).statusCode,
    ).toBe(403);
  });

  it('refuses a disabled client’s token, and keeps refusing it once the client is enabled again', async () => {
    const c = await h.client({ mode: 'live' });
    const token = await issue('live', c.id, c.secret);
    await updateClient(h.services.deps, c.id, { enabled: false });
    const res = await verify(token);
    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual({ code: 'INVALID_TOKEN', message: 'The client is disabled' });
    await updateClient(h.services.deps, c.id, { enabled: true });
    expect((await verify(token)).json()).toEqual({
      code: 'INVALID_TOKEN',
      message: 'The access token was issued before the client secret was rotated or the client was disabled',
    });
    // The secret itself still works, and its new tokens pass.
    expect((await verify(await issue('live', c.id, c.secret))).statusCode).toBe(200);
  });

  it('refuses every token of the old secret on the next request after a rotation', async () => {
    const c = await h.client({ mode: 'live' });
    const before = [await issue('live', c.id, c.secret), await issue('live', c.id, c.secret, 'read')];
    for (const t of before) expect((await verify(t)).statusCode).toBe(200);
    const rotated = await rotateSecret(h.services.deps, c.id);
    for (const t of before) {
      const res = await verify(t);
      expect(res.statusCode).toBe(401);
      expect(res.json()).toEqual({
        code: 'INVALID_TOKEN',
        message: 'The access token was issued before the client secret was rotated or the client was disabled',
      });
    }
    const after = await issue('live', c.id, rotated.clientSecret);
    expect((await verify(after)).statusCode).toBe(200);
  });

  it('masks an unexpected failure as 500 SERVER_ERROR', async () => {
    const h2 = await harness();
    const c = await h2.client();
    const res0 = await h2.app.inject({
      method: 'POST',
      url: '/api/v1/client/token',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ client_id: c.id, client_secret: c.secret }),
    });
    const token = res0.json().data.access_token as string;
    h2.sqlite.db.$client.close();
    const res = await h2.app.inject({
      method: 'GET',
      url: '/auth/verify',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({ code: 'SERVER_ERROR', message: 'Internal error' });
    await h2.close();
  });
});
