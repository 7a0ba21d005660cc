import { describe, expect, it } from 'vitest';
import { TokenCache, TokenSource, TollgateError } from '@tollgate/client';
import { fakeFetch, json, oauth2Grant, type Handler, type Seen } from './fake-endpoint.js';

/**
 * TokenSource.fetch: seed 001 "Handle 401 gracefully" — the Bearer header on every call; on a
 * 401, a fresh token (refresh token first) and one more try when the body can be sent again.
 */

const API = 'https://api.test/payments';

/** A token endpoint (oauth2) and an API behind it, on one fake fetch. */
function world(api: (req: Seen, apiCalls: number) => Response) {
  let apiCalls = 0;
  let tokens = 0;
  // Tokens are numbered by token requests alone: at-1 from the exchange, at-2 from a refresh.
  const handler: Handler = (req) => {
    if (req.path === '/api/v1/oauth2/token') return oauth2Grant(++tokens);
    if (req.path === '/api/v1/oauth2/refresh')
      return json(200, { access_token: `at-${++tokens}`, token_type: 'Bearer', expires_in: 900, scope: '' });
    apiCalls++;
    return api(req, apiCalls);
  };
  const endpoint = fakeFetch(handler);
  const ts = new TokenSource({
    tokenUrl: 'https://tollgate.test/api/v1/oauth2/token',
    clientId: 'cl_live_fetch',
    clientSecret: 'sk_live_fetch-secret',
    dialect: 'oauth2',
    fetch: endpoint.fetch,
    cache: new TokenCache(),
  });
  const apiSeen = () => endpoint.seen.filter((s) => s.url.startsWith(API));
  const tokenSeen = () => endpoint.seen.filter((s) => !s.url.startsWith(API)).map((s) => s.path);
  return { ts, apiSeen, tokenSeen };
}

/** An API that accepts only the given token. */
const accepts = (good: string) => (req: Seen) =>
  req.headers.get('authorization') === `Bearer ${good}`
    ? json(200, { ok: true, body: req.body })
    : json(401, { code: 'INVALID_TOKEN' }, { 'www-authenticate': 'Bearer error="invalid_token"' });

describe('TokenSource.fetch', () => {
  it('sends the Bearer token, replacing any Authorization the caller set, and keeps other headers', async () => {
    const { ts, apiSeen } = world(accepts('at-1'));
    const res = await ts.fetch(API, { headers: { authorization: 'Basic xxx', 'x-request-id': 'r1' } });
    expect(res.status).toBe(200);
    expect(apiSeen()[0]!.headers.get('authorization')).toBe('Bearer at-1');
    expect(apiSeen()[0]!.headers.get('x-request-id')).toBe('r1');
  });

  it('on a 401 renews with the refresh token and retries once with the same body', async () => {
    const { ts, apiSeen, tokenSeen } = world(accepts('at-2'));
    const res = await ts.fetch(API, {
      method: 'POST',
      body: JSON.stringify({ amount: 5 }),
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { body: string }).body).toBe('{"amount":5}');
    expect(apiSeen().map((s) => s.headers.get('authorization'))).toEqual(['Bearer at-1', 'Bearer at-2']);
    expect(tokenSeen()).toEqual(['/api/v1/oauth2/token', '/api/v1/oauth2/refresh']);
    // The new token is cached: the next call goes straight through.
    expect((await ts.fetch(API)).status).toBe(200);
    expect(tokenSeen()).toHaveLength(2);
  });

  it('returns a second 401 as it is, after exactly one retry', async () => {
    const { ts, apiSeen, tokenSeen } = world(() => json(401, { code: 'INVALID_TOKEN', message: 'no' }));
    const res = await ts.fetch(API);
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ code: 'INVALID_TOKEN', message: 'no' });
    expect(apiSeen()).toHaveLength(2);
    expect(tokenSeen()).toHaveLength(2);
  });

  it('replays a Request object with its body (cloned before the first send)', async () => {
    const { ts, apiSeen } = world(accepts('at-2'));
    const res = await ts.fetch(new Request(API, { method: 'PUT', body: 'payload', headers: { 'x-kept': 'yes' } }));
    expect(res.status).toBe(200);
    expect(apiSeen().map((s) => [s.method, s.body, s.headers.get('x-kept')])).toEqual([
      ['PUT', 'payload', 'yes'],
      ['PUT', 'payload', 'yes'],
    ]);
  });

  it.each([
    ['URLSearchParams', () => new URLSearchParams({ a: '1' }), 'a=1'],
    ['bytes', () => new TextEncoder().encode('bytes'), 'bytes'],
    ['Blob', () => new Blob(['blob']), 'blob'],
  ])('replays a %s body', async (_label, body, text) => {
    const { ts, apiSeen } = world(accepts('at-2'));
    expect((await ts.fetch(API, { method: 'POST', body: body() })).status).toBe(200);
    expect(apiSeen().map((s) => s.body)).toEqual([text, text]);
  });

  it('does not replay a stream body: the 401 is returned, and the next call gets a new token', async () => {
    const { ts, apiSeen, tokenSeen } = world(accepts('at-2'));
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(new TextEncoder().encode('once'));
        c.close();
      },
    });
    const res = await ts.fetch(API, { method: 'POST', body: stream, duplex: 'half' } as RequestInit);
    expect(res.status).toBe(401);
    expect(apiSeen()).toHaveLength(1);
    expect((await ts.fetch(API)).status).toBe(200);
    expect(tokenSeen()).toEqual(['/api/v1/oauth2/token', '/api/v1/oauth2/refresh']);
  });

  it('makes one renewal when many concurrent calls get a 401 for the same token', async () => {
    const { ts, apiSeen, tokenSeen } = world(accepts('at-2'));
    const answers = await Promise.all(Array.from({ length: 25 }, () => ts.fetch(API)));
    expect(answers.map((r) => r.status)).toEqual(Array(25).fill(200));
    expect(tokenSeen()).toEqual(['/api/v1/oauth2/token', '/api/v1/oauth2/refresh']);
    expect(apiSeen()).toHaveLength(50);
  });

  it('throws the token error when no fresh token can be had (the secret was rotated)', async () => {
    let rotated = false;
    const endpoint = fakeFetch((req, n) => {
      if (req.path.endsWith('/token'))
        return rotated
          ? json(401, { error: 'invalid_client', error_description: 'Invalid client credentials' })
          : oauth2Grant(n);
      if (req.path.endsWith('/refresh'))
        return json(400, { error: 'invalid_grant', error_description: 'rotated away' });
      return json(401, { code: 'INVALID_TOKEN' });
    });
    const ts = new TokenSource({
      tokenUrl: 'https://tollgate.test/api/v1/oauth2/token',
      clientId: 'cl_live_r',
      clientSecret: 'sk_live_r-secret',
      dialect: 'oauth2',
      fetch: endpoint.fetch,
      cache: new TokenCache(),
    });
    await ts.getToken();
    rotated = true;
    const e = await ts.fetch(API).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(TollgateError);
    expect(e).toMatchObject({ code: 'invalid_client', status: 401 });
    expect(endpoint.seen.map((s) => s.path)).toEqual([
      '/api/v1/oauth2/token',
      '/payments',
      '/api/v1/oauth2/refresh',
      '/api/v1/oauth2/token',
    ]);
  });

  it('passes other statuses through untouched, 403 included', async () => {
    const { ts, apiSeen, tokenSeen } = world(() => json(403, { error: 'insufficient_scope' }));
    expect((await ts.fetch(API)).status).toBe(403);
    expect(apiSeen()).toHaveLength(1);
    expect(tokenSeen()).toHaveLength(1);
  });
});
