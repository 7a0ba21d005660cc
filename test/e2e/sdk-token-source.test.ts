import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenCache, TokenSource, TollgateError, type Dialect, type TokenSourceOptions } from '@tollgate/client';
import {
  countingFetch,
  counter,
  createClient,
  sleep,
  startIssuer,
  tollgate,
  type IssuerServer,
  type MadeClient,
} from '../support/sdk.js';

/**
 * TokenSource against the real server process, every dialect: tokens that work on a protected
 * endpoint, one request for 100 concurrent callers, renewal on expiry (refresh token on oauth2),
 * a revoked token replaced on its 401, a rotated secret, a lockout's 429, and one source per API
 * (`audience`), each with its own token.
 */

const PATHS: Record<Dialect, string> = {
  oauth2: '/api/v1/oauth2/token',
  v1: '/v1/auth/token',
  v2: '/v2/credentials/oauth/token',
  common: '/api/v1/client/token',
};
const DIALECTS = Object.keys(PATHS) as Dialect[];

describe('TokenSource against the real server', () => {
  // Default TTLs here; `short` runs with 2 s tokens for the expiry cases.
  let main: IssuerServer;
  let short: IssuerServer;

  beforeAll(async () => {
    [main, short] = await Promise.all([
      startIssuer({ LOCKOUT_MAX_FAILURES: '3' }),
      startIssuer({
        OAUTH2_ACCESS_TTL_SECONDS: '2',
        V1_TOKEN_TTL_SECONDS: '2',
        V2_TOKEN_TTL_SECONDS: '2',
        CLIENT_ACCESS_TOKEN_EXPIRE_MINUTES: '1',
      }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([main?.stop(), short?.stop()]);
  });

  const sourceFor = (
    srv: IssuerServer,
    dialect: Dialect,
    c: MadeClient,
    options: Partial<TokenSourceOptions> = {},
    mode: 'live' | 'test' = 'live',
  ) => {
    const counting = countingFetch();
    const ts = new TokenSource({
      tokenUrl: `${srv.url}${mode === 'test' ? '/test' : ''}${PATHS[dialect]}`,
      clientId: c.id,
      clientSecret: c.secret,
      dialect,
      cache: new TokenCache(),
      fetch: counting.fetch,
      ...options,
    });
    return { ts, calls: counting.calls };
  };
  const me = (srv: IssuerServer, mode: 'live' | 'test' = 'live') =>
    `${srv.url}${mode === 'test' ? '/test' : ''}/api/v1/client/me`;

  describe.each(DIALECTS)('%s', (dialect) => {
    it('gets a token the protected endpoints accept, in both modes', async () => {
      for (const mode of ['live', 'test'] as const) {
        const c = await createClient(main.env, '--mode', mode, '--scope', 'read write');
        const { ts } = sourceFor(main, dialect, c, { scope: 'read' }, mode);
        const res = await ts.fetch(me(main, mode));
        expect(res.status).toBe(200);
        expect(((await res.json()) as { data: { id: string } }).data.id).toBe(c.id);
        const verify = await fetch(`${main.url}${mode === 'test' ? '/test' : ''}/auth/verify`, {
          headers: { authorization: `Bearer ${await ts.getToken()}` },
        });
        expect(verify.headers.get('x-scope')).toBe('read');
      }
    });

    it('makes one token request for 100 concurrent callers (counted by the server)', async () => {
      const c = await createClient(main.env);
      const { ts, calls } = sourceFor(main, dialect, c);
      const metricDoor = dialect === 'common' ? 'common' : dialect;
      const before = await counter(main.url, 'tollgate_tokens_issued_total', { door: metricDoor, mode: 'live' });
      const tokens = await Promise.all(Array.from({ length: 100 }, () => ts.getToken()));
      expect(new Set(tokens).size).toBe(1);
      expect(calls).toEqual([`POST ${PATHS[dialect]}`]);
      expect(await counter(main.url, 'tollgate_tokens_issued_total', { door: metricDoor, mode: 'live' })).toBe(
        before + 1,
      );
    });

    it('replaces a revoked token on its 401 and retries the call once', async () => {
      const c = await createClient(main.env);
      const { ts, calls } = sourceFor(main, dialect, c);
      const first = await ts.getToken();
      const revoke = await fetch(`${main.url}/api/v1/oauth2/revoke`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ client_id: c.id, client_secret: c.secret, token: first }),
      });
      expect(revoke.status).toBe(200);
      const res = await ts.fetch(me(main));
      expect(res.status).toBe(200);
      expect(await ts.getToken()).not.toBe(first);
      // oauth2 renews with its refresh token (seed 001); the others exchange the secret again.
      const renewal = dialect === 'oauth2' ? 'POST /api/v1/oauth2/refresh' : `POST ${PATHS[dialect]}`;
      expect(calls).toEqual([`POST ${PATHS[dialect]}`, 'GET /api/v1/client/me', renewal, 'GET /api/v1/client/me']);
    });

    it('reports a rotated secret as invalid_client once the old token is refused', async () => {
      const c = await createClient(main.env);
      const { ts, calls } = sourceFor(main, dialect, c);
      expect((await ts.fetch(me(main))).status).toBe(200);
      const rotated = (await tollgate(main.env, 'clients', 'rotate-secret', c.id, '--json')) as {
        clientSecret: string;
      };
      const e = (await ts.fetch(me(main)).catch((x: unknown) => x)) as TollgateError;
      expect(e).toBeInstanceOf(TollgateError);
      expect(e.code).toBe('invalid_client');
      expect(e.status).toBe(401);
      expect(e.message).not.toContain(c.secret);
      const tail =
        dialect === 'oauth2' ? ['POST /api/v1/oauth2/refresh', `POST ${PATHS[dialect]}`] : [`POST ${PATHS[dialect]}`];
      expect(calls.slice(2)).toEqual(['GET /api/v1/client/me', ...tail]);
      // A source with the new secret is a new cache entry and works at once.
      const fresh = sourceFor(main, dialect, { id: c.id, secret: rotated.clientSecret }).ts;
      expect((await fresh.fetch(me(main))).status).toBe(200);
    });

    it('carries the door code for a scope the client does not hold, without the secret', async () => {
      const c = await createClient(main.env, '--scope', 'read');
      const { ts } = sourceFor(main, dialect, c, { scope: 'admin' });
      const e = (await ts.getToken().catch((x: unknown) => x)) as TollgateError;
      expect(e).toMatchObject({ code: 'invalid_scope', status: 400 });
      expect(e.message).not.toContain(c.secret);
    });

    it("reports a lockout's 429 as rate_limited, then sends nothing until Retry-After", async () => {
      const c = await createClient(main.env);
      const { ts, calls } = sourceFor(main, dialect, { id: c.id, secret: `${c.secret.slice(0, -4)}AAAA` });
      for (let i = 0; i < 3; i++) await expect(ts.getToken()).rejects.toMatchObject({ code: 'invalid_client' });
      const locked = (await ts.getToken().catch((x: unknown) => x)) as TollgateError;
      expect(locked).toMatchObject({ code: 'rate_limited', status: 429 });
      expect(locked.retryAfter).toBeGreaterThan(800);
      expect(calls).toHaveLength(4);
      const again = (await ts.getToken().catch((x: unknown) => x)) as TollgateError;
      expect(again.code).toBe('rate_limited');
      expect(calls).toHaveLength(4);
      // The pair is locked for the right secret as well: the server says so, with its own wait.
      const right = sourceFor(main, dialect, c).ts;
      await expect(right.getToken()).rejects.toMatchObject({ code: 'rate_limited', status: 429 });
    });
  });

  describe('one source per API (audience)', () => {
    const BILLING = 'https://billing.example/api';
    const REPORTS = 'https://reports.example/api';
    /** Has grants at BILLING (invoices:read) and REPORTS (reports:read), and `profile` at the default API. */
    let client: MadeClient;
    let shortClient: MadeClient;

    /** The API and grants on a server; `tollgate apis create` and `grants set`, as an operator would. */
    const setUp = async (srv: IssuerServer): Promise<MadeClient> => {
      const api = (identifier: string, permissions: string) =>
        tollgate(srv.env, 'apis', 'create', '--identifier', identifier, '--name', 'api', '--permissions', permissions);
      await api(BILLING, 'invoices:read invoices:write');
      await api(REPORTS, 'reports:read');
      const c = await createClient(srv.env, '--scope', 'profile');
      await tollgate(srv.env, 'grants', 'set', c.id, BILLING, '--permissions', 'invoices:read', '--json');
      await tollgate(srv.env, 'grants', 'set', c.id, REPORTS, '--permissions', 'reports:read', '--json');
      return c;
    };
    beforeAll(async () => {
      [client, shortClient] = await Promise.all([setUp(main), setUp(short)]);
    });

    const claims = (token: string) => decodeJwt(token) as { aud: unknown; scope: unknown; client_id: unknown };

    it.each(DIALECTS)('%s: a token whose aud is the API, whose scope is the granted permissions', async (dialect) => {
      const { ts } = sourceFor(main, dialect, client, { audience: BILLING });
      expect(claims(await ts.getToken())).toMatchObject({ aud: BILLING, scope: 'invoices:read', client_id: client.id });
      // /auth/verify for that API takes it; for the default API it does not.
      const t = await ts.getToken();
      const forBilling = await fetch(`${main.url}/auth/verify?audience=${encodeURIComponent(BILLING)}`, {
        headers: { authorization: `Bearer ${t}` },
      });
      expect(forBilling.status).toBe(200);
      expect(forBilling.headers.get('x-scope')).toBe('invoices:read');
      expect((await fetch(`${main.url}/auth/verify`, { headers: { authorization: `Bearer ${t}` } })).status).toBe(401);
    });

    it.each(DIALECTS)('%s: two sources for two APIs, sharing one cache, each keep their own token', async (dialect) => {
      const cache = new TokenCache();
      const billing = sourceFor(main, dialect, client, { audience: BILLING, cache });
      const reports = sourceFor(main, dialect, client, { audience: REPORTS, cache });
      const byDefault = sourceFor(main, dialect, client, { cache });
      const tokens = [await billing.ts.getToken(), await reports.ts.getToken(), await byDefault.ts.getToken()];
      expect(tokens.map((t) => claims(t).aud)).toEqual([BILLING, REPORTS, main.url]);
      expect(tokens.map((t) => claims(t).scope)).toEqual(['invoices:read', 'reports:read', 'profile']);
      // Asked again: every one from the cache, no request.
      for (let i = 0; i < 3; i++) {
        const again = [await billing.ts.getToken(), await reports.ts.getToken(), await byDefault.ts.getToken()];
        expect(again).toEqual(tokens);
      }
      expect([billing.calls, reports.calls, byDefault.calls]).toEqual(Array(3).fill([`POST ${PATHS[dialect]}`]));
      expect(cache.size).toBe(3);
    });

    it.each(DIALECTS)('%s: an API not granted or unknown, or a permission outside the grant', async (dialect) => {
      const other = await createClient(main.env);
      for (const [c, audience, scope, code] of [
        [other, BILLING, undefined, 'invalid_target'],
        [client, 'https://nowhere.example/api', undefined, 'invalid_target'],
        [client, BILLING, 'invoices:write', 'invalid_scope'],
      ] as const) {
        const { ts } = sourceFor(main, dialect, c, { audience, ...(scope === undefined ? {} : { scope }) });
        const e = (await ts.getToken().catch((x: unknown) => x)) as TollgateError;
        expect(e).toBeInstanceOf(TollgateError);
        expect(e).toMatchObject({ code, status: 400 });
        expect(e.message).not.toContain(c.secret);
      }
    });

    it('oauth2: renews with the refresh token for the same API, and keeps its aud', async () => {
      const { ts, calls } = sourceFor(short, 'oauth2', shortClient, { audience: BILLING });
      const first = await ts.getToken();
      await sleep(1_600);
      const second = await ts.getToken();
      expect(second).not.toBe(first);
      expect(calls).toEqual(['POST /api/v1/oauth2/token', 'POST /api/v1/oauth2/refresh']);
      expect(claims(second)).toMatchObject({ aud: BILLING, scope: 'invoices:read' });
    });
  });

  // The common door counts its lifetime in minutes (CLIENT_ACCESS_TOKEN_EXPIRE_MINUTES); the cache
  // policy for it is the same code, tested on a fake clock in test/sdk/.
  it.each(['oauth2', 'v1', 'v2'] as const)(
    '%s: renews a short-lived token before it expires, never handing it out inside its margin',
    async (dialect) => {
      const c = await createClient(short.env);
      const { ts, calls } = sourceFor(short, dialect, c);
      const first = await ts.getToken();
      const issuedAt = Date.now();
      // 2 s tokens: margin and jitter window are 0.5 s each, so the token is handed out for 1.5 s.
      while (Date.now() - issuedAt < 1_400) {
        await sleep(100);
        const t = await ts.getToken();
        if (Date.now() - issuedAt >= 1_500) expect(t).not.toBe(first);
      }
      await sleep(Math.max(0, 1_600 - (Date.now() - issuedAt)));
      const second = await ts.getToken();
      expect(second).not.toBe(first);
      expect((await ts.fetch(me(short))).status).toBe(200);
      // oauth2 renews with its refresh token; the others exchange the secret again.
      const renewal = dialect === 'oauth2' ? 'POST /api/v1/oauth2/refresh' : `POST ${PATHS[dialect]}`;
      expect(calls[0]).toBe(`POST ${PATHS[dialect]}`);
      expect(
        calls
          .slice(1)
          .filter((x) => x.startsWith('POST'))
          .every((x) => x === renewal),
      ).toBe(true);
      expect(calls.slice(1)).toContain(renewal);
    },
  );

  it('keeps a non-expiring common-door token until it is refused', async () => {
    const c = await createClient(main.env);
    const { ts, calls } = sourceFor(main, 'common', c, { marginSeconds: 3600 });
    const token = await ts.getToken();
    await sleep(50);
    expect(await ts.getToken()).toBe(token);
    expect((await ts.fetch(me(main))).status).toBe(200);
    expect(calls).toEqual(['POST /api/v1/client/token', 'GET /api/v1/client/me']);
  });

  it('uses HTTP Basic and the body alike on the oauth2 door', async () => {
    const c = await createClient(main.env);
    for (const clientAuth of ['basic', 'body'] as const) {
      const { ts } = sourceFor(main, 'oauth2', c, { clientAuth });
      expect((await ts.fetch(me(main))).status).toBe(200);
    }
  });
});
