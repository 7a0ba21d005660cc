import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { TokenCache, TokenSource, TollgateError, type Dialect, type TokenSourceOptions } from '@tollgate/client';
import { fakeFetch, json, type Handler } from './fake-endpoint.js';

/**
 * Each dialect's request and answer shapes (README table, spec §3), the error codes read out of
 * each envelope, and the secret kept out of every error and every printout.
 */

const SECRET = 'p+ss:w%rd&x=y/z secret';
const URLS: Record<Dialect, string> = {
  oauth2: 'https://tollgate.test/api/v1/oauth2/token',
  v1: 'https://tollgate.test/v1/auth/token',
  v2: 'https://tollgate.test/v2/credentials/oauth/token',
  common: 'https://tollgate.test/api/v1/client/token',
};

function source(dialect: Dialect, handler: Handler, options: Partial<TokenSourceOptions> = {}) {
  const endpoint = fakeFetch(handler);
  const ts = new TokenSource({
    tokenUrl: URLS[dialect],
    clientId: 'cl_live_dialect',
    clientSecret: SECRET,
    dialect,
    fetch: endpoint.fetch,
    cache: new TokenCache(),
    ...options,
  });
  return { ts, seen: endpoint.seen };
}

const GRANTS: Record<Dialect, unknown> = {
  oauth2: { access_token: 'tok', refresh_token: 'rt_x', token_type: 'Bearer', expires_in: 900, scope: 'read' },
  v1: { data: { access_token: 'tok', token_type: 'Bearer', expires_in: 3600 } },
  v2: { accessToken: 'tok', scope: 'read', expiresIn: 3600, tokenType: 'Bearer' },
  common: { code: 0, message: 'OK', data: { access_token: 'tok', token_type: 'Bearer', expires_in: null } },
};

describe('request shapes', () => {
  it('oauth2 with HTTP Basic: each part form-encoded before joining (RFC 6749 Appendix B)', async () => {
    const { ts, seen } = source('oauth2', () => json(200, GRANTS.oauth2), { scope: 'read' });
    expect(await ts.getToken()).toBe('tok');
    const req = seen[0]!;
    expect(req.method).toBe('POST');
    expect(req.headers.get('content-type')).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(new URLSearchParams(req.body))).toEqual({
      grant_type: 'client_credentials',
      scope: 'read',
    });
    const decoded = Buffer.from(req.headers.get('authorization')!.replace(/^Basic /, ''), 'base64').toString();
    expect(decoded).toBe('cl_live_dialect:p%2Bss%3Aw%25rd%26x%3Dy%2Fz+secret');
    const [id, secret] = decoded.split(':').map((p) => decodeURIComponent(p.replace(/\+/g, ' ')));
    expect([id, secret]).toEqual(['cl_live_dialect', SECRET]);
  });

  it('oauth2 with the secret in the body (client_secret_post)', async () => {
    const { ts, seen } = source('oauth2', () => json(200, GRANTS.oauth2), { clientAuth: 'body' });
    await ts.getToken();
    expect(seen[0]!.headers.get('authorization')).toBeNull();
    expect(Object.fromEntries(new URLSearchParams(seen[0]!.body))).toEqual({
      grant_type: 'client_credentials',
      client_id: 'cl_live_dialect',
      client_secret: SECRET,
    });
  });

  it('v1: form-encoded client_id, client_secret, scope', async () => {
    const { ts, seen } = source('v1', () => json(200, GRANTS.v1), { scope: 'a b' });
    await ts.getToken();
    expect(seen[0]!.headers.get('content-type')).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(new URLSearchParams(seen[0]!.body))).toEqual({
      client_id: 'cl_live_dialect',
      client_secret: SECRET,
      scope: 'a b',
    });
  });

  it('v2: camelCase JSON', async () => {
    const { ts, seen } = source('v2', () => json(200, GRANTS.v2), { scope: 'read' });
    await ts.getToken();
    expect(seen[0]!.headers.get('content-type')).toBe('application/json');
    expect(JSON.parse(seen[0]!.body)).toEqual({ clientId: 'cl_live_dialect', clientSecret: SECRET, scope: 'read' });
  });

  it('common: snake_case JSON, and no scope field when none is asked', async () => {
    const { ts, seen } = source('common', () => json(200, GRANTS.common));
    await ts.getToken();
    expect(JSON.parse(seen[0]!.body)).toEqual({ client_id: 'cl_live_dialect', client_secret: SECRET });
  });

  it.each(Object.keys(URLS) as Dialect[])(
    '%s: refuses an answer without a Bearer token in its shape',
    async (dialect) => {
      const wrongShape = dialect === 'v1' ? GRANTS.v2 : GRANTS.v1;
      const { ts } = source(dialect, () => json(200, wrongShape));
      await expect(ts.getToken()).rejects.toMatchObject({ code: 'invalid_response', status: 200 });
      const notBearer = source(dialect, () =>
        json(200, JSON.parse(JSON.stringify(GRANTS[dialect]).replace('"Bearer"', '"MAC"'))),
      );
      await expect(notBearer.ts.getToken()).rejects.toMatchObject({ code: 'invalid_response' });
    },
  );

  it('does not follow a redirect with the credentials', async () => {
    const { ts, seen } = source(
      'v1',
      () => new Response(null, { status: 307, headers: { location: 'https://elsewhere.test/token' } }),
    );
    await expect(ts.getToken()).rejects.toMatchObject({ code: 'invalid_response', status: 307 });
    expect(seen).toHaveLength(1);
  });

  it('refuses options it cannot use', () => {
    const base = { tokenUrl: URLS.v1, clientId: 'cl_live_x', clientSecret: 'sk_live_x' };
    expect(() => new TokenSource({ ...base, dialect: 'graphql' as Dialect })).toThrow(
      /dialect must be one of oauth2, v1, v2, common/,
    );
    expect(() => new TokenSource({ ...base, dialect: 'v1', clientSecret: '' })).toThrow(/clientSecret/);
    expect(() => new TokenSource({ ...base, dialect: 'v1', tokenUrl: 'not a url' })).toThrow();
  });
});

const API = 'https://billing.example/api';
const GOOGLE_RPC = 'type.googleapis.com/google.rpc.';

describe('the API a token is for (audience)', () => {
  /** What each dialect's request body holds, parsed as the door parses it. */
  const fields = (dialect: Dialect, body: string): Record<string, unknown> =>
    dialect === 'oauth2' || dialect === 'v1' ? Object.fromEntries(new URLSearchParams(body)) : JSON.parse(body);

  it.each<[Dialect, Record<string, unknown>]>([
    ['oauth2', { grant_type: 'client_credentials', scope: 'invoices:read', resource: API }],
    ['v1', { client_id: 'cl_live_dialect', client_secret: SECRET, scope: 'invoices:read', audience: API }],
    ['v2', { clientId: 'cl_live_dialect', clientSecret: SECRET, scope: 'invoices:read', audience: API }],
    ['common', { client_id: 'cl_live_dialect', client_secret: SECRET, scope: 'invoices:read', audience: API }],
  ])('%s names it as the door spells it', async (dialect, expected) => {
    const { ts, seen } = source(dialect, () => json(200, GRANTS[dialect]), { audience: API, scope: 'invoices:read' });
    await ts.getToken();
    expect(ts.audience).toBe(API);
    expect(fields(dialect, seen[0]!.body)).toEqual(expected);
  });

  it('oauth2 with the secret in the body sends resource too', async () => {
    const { ts, seen } = source('oauth2', () => json(200, GRANTS.oauth2), { audience: API, clientAuth: 'body' });
    await ts.getToken();
    expect(new URLSearchParams(seen[0]!.body).get('resource')).toBe(API);
    expect(new URLSearchParams(seen[0]!.body).has('audience')).toBe(false);
  });

  it.each(Object.keys(URLS) as Dialect[])('%s sends no audience field when none is asked', async (dialect) => {
    const { ts, seen } = source(dialect, () => json(200, GRANTS[dialect]));
    await ts.getToken();
    expect(ts.audience).toBeUndefined();
    const sent = fields(dialect, seen[0]!.body);
    expect(sent).not.toHaveProperty('audience');
    expect(sent).not.toHaveProperty('resource');
  });

  it('refuses an empty or non-string audience', () => {
    const base = { tokenUrl: URLS.v1, clientId: 'cl_live_x', clientSecret: 'sk_live_x', dialect: 'v1' as const };
    expect(() => new TokenSource({ ...base, audience: '' })).toThrow(/audience/);
    expect(() => new TokenSource({ ...base, audience: 42 as unknown as string })).toThrow(/audience/);
  });
});

describe('error codes from each envelope', () => {
  it.each<[Dialect, number, unknown, string]>([
    [
      'v1',
      400,
      { error: { code: '400014', code_reason: 'invalid_scope', message: 'Scope not allowed' } },
      'invalid_scope',
    ],
    [
      'v1',
      401,
      {
        error: {
          code: '401021',
          code_reason: 'invalid_client',
          message: 'Invalid client_id, client_secret, or session_key',
        },
      },
      'invalid_client',
    ],
    ['v1', 403, { error: { code: '403001', code_reason: 'access_denied', message: 'no' } }, 'access_denied'],
    ['v1', 429, { error: { code: '429001', code_reason: 'too_many_requests', message: 'locked' } }, 'rate_limited'],
    ['v1', 500, { error: { code: '500999', code_reason: 'API_ERROR', message: 'Api Error' } }, 'server_error'],
    ['v1', 503, { error: { code: '503001', code_reason: 'service_unavailable', message: 'busy' } }, 'unavailable'],
    [
      'v2',
      400,
      {
        code: 3,
        message: 'clientId is required',
        details: [{ '@type': 'type.googleapis.com/google.rpc.BadRequest', fieldViolations: [] }],
      },
      'invalid_request',
    ],
    [
      'v2',
      400,
      {
        code: 3,
        message: 'bad scope',
        details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'INVALID_SCOPE', domain: 'tollgate' }],
      },
      'invalid_scope',
    ],
    [
      'v2',
      401,
      {
        code: 16,
        message: 'Invalid client credentials',
        details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'INVALID_CLIENT' }],
      },
      'invalid_client',
    ],
    [
      'v2',
      403,
      {
        code: 7,
        message: 'no',
        details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'IP_NOT_ALLOWED' }],
      },
      'access_denied',
    ],
    [
      'v2',
      429,
      {
        code: 8,
        message: 'locked',
        details: [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '900s' }],
      },
      'rate_limited',
    ],
    ['v2', 503, { code: 14, message: 'busy', details: [] }, 'unavailable'],
    ['common', 400, { code: 40001, message: 'client_id is required', data: null, errors: [] }, 'invalid_request'],
    ['common', 400, { code: 40002, message: 'bad scope', data: null }, 'invalid_scope'],
    ['common', 401, { code: 40101, message: 'Invalid client credentials', data: null }, 'invalid_client'],
    ['common', 429, { code: 42901, message: 'locked', data: null }, 'rate_limited'],
    ['common', 503, { code: 50301, message: 'busy', data: null }, 'unavailable'],
    ['oauth2', 400, { error: 'invalid_scope', error_description: 'bad scope', code: 'INVALID_SCOPE' }, 'invalid_scope'],
    [
      'oauth2',
      401,
      { error: 'invalid_client', error_description: 'Invalid client credentials', code: 'INVALID_CLIENT' },
      'invalid_client',
    ],
    ['oauth2', 429, { error: 'rate_limited', error_description: 'locked', code: 'RATE_LIMITED' }, 'rate_limited'],
    ['oauth2', 503, { error: 'temporarily_unavailable', error_description: 'busy' }, 'unavailable'],
    ['oauth2', 502, '<html>bad gateway</html>', 'server_error'],
    ['v1', 404, undefined, 'not_found'],
    // An API that does not exist, is of the other mode or is not granted (RFC 8707 §2).
    ['v1', 400, { error: { code: '400015', code_reason: 'invalid_target', message: 'no' } }, 'invalid_target'],
    ['v1', 400, { error: { code: '400015', message: 'no reason given' } }, 'invalid_target'],
    ['v1', 400, { error: { code: '400017', message: 'no reason given' } }, 'invalid_grant'],
    [
      'v2',
      400,
      { code: 3, message: 'no', details: [{ '@type': `${GOOGLE_RPC}ErrorInfo`, reason: 'INVALID_TARGET' }] },
      'invalid_target',
    ],
    ['common', 400, { code: 40003, message: 'The requested audience is not available', data: null }, 'invalid_target'],
    ['common', 400, { code: 40005, message: 'bad refresh token', data: null }, 'invalid_grant'],
    ['oauth2', 400, { error: 'invalid_target', error_description: 'no', code: 'INVALID_TARGET' }, 'invalid_target'],
  ])('%s %i → %s', async (dialect, status, body, code) => {
    const { ts } = source(dialect, () =>
      typeof body === 'string'
        ? new Response(body, { status, headers: { 'content-type': 'text/html' } })
        : body === undefined
          ? new Response(null, { status })
          : json(status, body),
    );
    const e = await ts.getToken().catch((x: unknown) => x);
    expect(e).toBeInstanceOf(TollgateError);
    expect(e).toMatchObject({ code, status });
    expect((e as Error).message).toContain(`${dialect} token request`);
  });

  it('says network_error when nothing answers', async () => {
    const { ts } = source('v2', () => {
      throw new TypeError('fetch failed');
    });
    await expect(ts.getToken()).rejects.toMatchObject({ code: 'network_error', status: undefined });
  });
});

describe('the secret stays secret', () => {
  it('is cut out of a server message that echoes it', async () => {
    const { ts } = source('oauth2', () =>
      json(401, { error: 'invalid_client', error_description: `no client with secret ${SECRET}` }),
    );
    const e = (await ts.getToken().catch((x: unknown) => x)) as TollgateError;
    expect(e.code).toBe('invalid_client');
    expect(e.message).toContain('[redacted]');
    for (const text of [e.message, String(e.stack), inspect(e), JSON.stringify(e)]) expect(text).not.toContain(SECRET);
  });

  it('is cut out of a network error that names it', async () => {
    const { ts } = source('v1', () => {
      throw new Error(`socket hang up while sending client_secret=${SECRET}`);
    });
    const e = (await ts.getToken().catch((x: unknown) => x)) as TollgateError;
    expect(e.code).toBe('network_error');
    expect(e.message).not.toContain(SECRET);
  });

  it('does not show in a printed or serialised source, or in its cache', () => {
    const { ts } = source('v1', () => json(200, GRANTS.v1));
    const cache = new TokenCache();
    const other = new TokenSource({
      tokenUrl: URLS.v1,
      clientId: 'cl_live_x',
      clientSecret: SECRET,
      dialect: 'v1',
      cache,
    });
    for (const text of [
      inspect(ts, { depth: 10, showHidden: true }),
      JSON.stringify(ts),
      String(ts),
      inspect(cache, { depth: 10, showHidden: true }),
      inspect(other),
    ]) {
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain('w%rd');
    }
  });
});
