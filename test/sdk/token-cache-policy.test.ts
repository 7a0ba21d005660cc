import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TokenCache, TokenSource, TollgateError, type TokenSourceOptions } from '@tollgate/client';
import { at, fakeFetch, json, settle, START, useFakeClock, type Handler } from './fake-endpoint.js';

/**
 * The cache policy of TokenSource (seed 001 "cache and reuse the access token", "refresh
 * proactively") on a fake clock: what is cached under which key, when a token stops being handed
 * out, when it is renewed ahead, and what a failure leaves behind.
 */

const TOKEN_URL = 'https://tollgate.test/v1/auth/token';
const v1Grant = (n: number, expiresIn: number | null = 900): Response =>
  json(200, { data: { access_token: `at-${n}`, token_type: 'Bearer', expires_in: expiresIn } });

function source(handler: Handler, options: Partial<TokenSourceOptions> = {}) {
  const endpoint = fakeFetch(handler);
  const cache = options.cache ?? new TokenCache();
  const make = (more: Partial<TokenSourceOptions> = {}) =>
    new TokenSource({
      tokenUrl: TOKEN_URL,
      clientId: 'cl_live_policy',
      clientSecret: 'sk_live_policy-secret',
      dialect: 'v1',
      random: () => 0.5,
      fetch: endpoint.fetch,
      cache,
      ...options,
      ...more,
    });
  return { ts: make(), make, seen: endpoint.seen, cache };
}

beforeEach(useFakeClock);
afterEach(() => {
  vi.useRealTimers();
});

describe('caching', () => {
  it('answers from the cache while the token is good: one request for many calls', async () => {
    const { ts, seen } = source((_r, n) => v1Grant(n));
    expect(await ts.getToken()).toBe('at-1');
    at(60_000);
    expect(await ts.getToken()).toBe('at-1');
    at(600_000);
    expect(await ts.getToken()).toBe('at-1');
    expect(seen).toHaveLength(1);
  });

  it('makes one request for 100 concurrent calls (single-flight)', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const { ts, seen } = source(async (_r, n) => {
      await gate;
      return v1Grant(n);
    });
    const calls = Array.from({ length: 100 }, () => ts.getToken());
    await settle();
    release();
    expect(new Set(await Promise.all(calls))).toEqual(new Set(['at-1']));
    expect(seen).toHaveLength(1);
  });

  it('keys the cache by token URL, client and scope; scope order and repeats do not matter', async () => {
    const { make, seen } = source((_r, n) => v1Grant(n));
    const a = await make({ scope: 'read write' }).getToken();
    expect(await make({ scope: ['write', 'read', 'read'] }).getToken()).toBe(a);
    expect(await make({ scope: 'read' }).getToken()).not.toBe(a);
    expect(await make({ scope: 'read write', clientId: 'cl_live_other' }).getToken()).not.toBe(a);
    expect(
      await make({ scope: 'read write', tokenUrl: 'https://tollgate.test/test/v1/auth/token' }).getToken(),
    ).not.toBe(a);
    expect(seen).toHaveLength(4);
    expect(seen.map((s) => new URLSearchParams(s.body).get('scope'))).toEqual([
      'read write',
      'read',
      'read write',
      'read write',
    ]);
  });

  it('keys the cache by API too: one source per API, and two APIs never share a token', async () => {
    const { make, seen, cache } = source((_r, n) => v1Grant(n));
    const billing = 'https://billing.example/api';
    const reports = 'https://reports.example/api';
    const byDefault = await make().getToken();
    const forBilling = await make({ audience: billing }).getToken();
    const forReports = await make({ audience: reports }).getToken();
    expect(new Set([byDefault, forBilling, forReports]).size).toBe(3);
    // Each is cached on its own: asked again, no request.
    expect(await make({ audience: billing }).getToken()).toBe(forBilling);
    expect(await make({ audience: reports }).getToken()).toBe(forReports);
    expect(await make().getToken()).toBe(byDefault);
    expect(seen.map((s) => new URLSearchParams(s.body).get('audience'))).toEqual([null, billing, reports]);
    expect(cache.size).toBe(3);
  });

  it('shares one token between sources of the same client and secret, never across secrets', async () => {
    const { make, seen } = source((_r, n) => v1Grant(n));
    expect(await make().getToken()).toBe('at-1');
    expect(await make().getToken()).toBe('at-1');
    // A stale secret (say, from before a rotation) must not be served the good secret's token.
    expect(await make({ clientSecret: 'sk_live_other-secret' }).getToken()).toBe('at-2');
    expect(seen).toHaveLength(2);
  });

  it('keeps a token that does not expire (expires_in null or absent) until it is refused', async () => {
    const { ts, seen } = source((_r, n) =>
      n === 1 ? v1Grant(n, null) : json(200, { data: { access_token: `at-${n}`, token_type: 'Bearer' } }),
    );
    expect(await ts.getToken()).toBe('at-1');
    at(10 * 365 * 24 * 3600_000);
    expect(await ts.getToken()).toBe('at-1');
    expect(seen).toHaveLength(1);
    ts.invalidate('at-1');
    expect(await ts.getToken()).toBe('at-2');
    at(20 * 365 * 24 * 3600_000);
    expect(await ts.getToken()).toBe('at-2');
    expect(seen).toHaveLength(2);
  });

  it('forgets every token when the cache is cleared, for sources made before too', async () => {
    const { ts, seen, cache } = source((_r, n) => v1Grant(n));
    expect(await ts.getToken()).toBe('at-1');
    cache.clear();
    expect(cache.size).toBe(0);
    expect(await ts.getToken()).toBe('at-2');
    expect(seen).toHaveLength(2);
  });

  it('leaves alone a token that is no longer the cached one', async () => {
    const { ts, seen } = source((_r, n) => v1Grant(n));
    await ts.getToken();
    ts.invalidate('at-0');
    expect(await ts.getToken()).toBe('at-1');
    expect(seen).toHaveLength(1);
  });
});

describe('expiry, margin and jitter', () => {
  // expires_in 900, margin 30 s: handed out until 870 s. Jitter window 60 s with random() = 0.5:
  // refresh-ahead from 870 - 60 × 0.5 = 840 s.

  it('never hands out a token inside its margin: the call waits for a new one', async () => {
    const { ts, seen } = source(
      (_r, n) =>
        n === 1
          ? v1Grant(n)
          : json(503, { error: { code: '503001', code_reason: 'service_unavailable', message: 'down' } }),
      {
        random: () => 0.999999,
      },
    );
    await ts.getToken();
    at(869_999);
    expect(await ts.getToken()).toBe('at-1');
    await settle();
    at(870_000);
    await expect(ts.getToken()).rejects.toMatchObject({ code: 'unavailable' });
    at(899_000);
    // Still valid for 1 s by the server's count, and still not handed out.
    await expect(ts.getToken()).rejects.toBeInstanceOf(TollgateError);
    expect(seen).toHaveLength(3);
  });

  it('refreshes ahead in the background: the caller gets the current token at once', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const { ts, seen } = source(async (_r, n) => {
      if (n === 2) await gate;
      return v1Grant(n);
    });
    await ts.getToken();
    at(839_999);
    expect(await ts.getToken()).toBe('at-1');
    expect(seen).toHaveLength(1);
    at(840_000);
    expect(await ts.getToken()).toBe('at-1');
    await settle();
    expect(seen).toHaveLength(2);
    // While that request hangs, callers still get the good token and start nothing new.
    expect(await ts.getToken()).toBe('at-1');
    expect(seen).toHaveLength(2);
    release();
    await settle();
    expect(await ts.getToken()).toBe('at-2');
  });

  it.each([
    [0, 810_000],
    [0.75, 855_000],
  ])('starts refresh-ahead at a random moment in the jitter window (random %s → %i ms)', async (r, from) => {
    const { ts, seen } = source((_r, n) => v1Grant(n), { random: () => r });
    await ts.getToken();
    at(from - 1);
    await ts.getToken();
    await settle();
    expect(seen).toHaveLength(1);
    at(from);
    await ts.getToken();
    await settle();
    expect(seen).toHaveLength(2);
  });

  it('keeps serving the good token when refresh-ahead fails, and tries again a little later', async () => {
    const { ts, seen } = source((_r, n) =>
      n === 2 ? json(500, { error: { code: '500999', code_reason: 'API_ERROR', message: 'boom' } }) : v1Grant(n),
    );
    await ts.getToken();
    at(840_000);
    expect(await ts.getToken()).toBe('at-1');
    await settle();
    expect(seen).toHaveLength(2);
    at(841_000);
    expect(await ts.getToken()).toBe('at-1');
    await settle();
    expect(seen).toHaveLength(2);
    at(845_000);
    expect(await ts.getToken()).toBe('at-1');
    await settle();
    expect(seen).toHaveLength(3);
    expect(await ts.getToken()).toBe('at-3');
  });

  it('caps margin and jitter at a quarter of a short lifetime each', async () => {
    // expires_in 4: margin min(30, 1) = 1 s, window min(60, 1) = 1 s; random 0.5 → ahead from 2.5 s.
    const { ts, seen } = source((_r, n) => v1Grant(n, 4));
    expect(await ts.getToken()).toBe('at-1');
    at(2_499);
    expect(await ts.getToken()).toBe('at-1');
    await settle();
    expect(seen).toHaveLength(1);
    at(2_999);
    expect(await ts.getToken()).toBe('at-1');
    await settle();
    expect(seen).toHaveLength(2);
    expect(await ts.getToken()).toBe('at-2');
  });

  it('honours the margin and jitter options', async () => {
    // margin 100 s, window 10 s, random 0 → ahead from 790 s, never past 800 s.
    const { ts, seen } = source((_r, n) => v1Grant(n), { marginSeconds: 100, jitterSeconds: 10, random: () => 0 });
    await ts.getToken();
    at(789_999);
    await ts.getToken();
    await settle();
    expect(seen).toHaveLength(1);
    at(790_000);
    await ts.getToken();
    await settle();
    expect(seen).toHaveLength(2);
  });

  it('measures expiry from when the request was sent, not when the answer came', async () => {
    // The endpoint takes 20 s to answer. From the answer, the token would last until 890 s.
    const { ts, seen } = source(
      (_r, n) => {
        vi.setSystemTime(Date.now() + 20_000);
        return v1Grant(n);
      },
      { random: () => 0.999999 },
    );
    expect(await ts.getToken()).toBe('at-1');
    expect(Date.now() - START).toBe(20_000);
    at(869_999);
    expect(await ts.getToken()).toBe('at-1');
    await settle();
    expect(seen).toHaveLength(1);
    at(870_000);
    expect(await ts.getToken()).toBe('at-2');
    expect(seen[1]!.at - START).toBe(870_000);
  });

  it('refuses a token that is inside its margin on arrival', async () => {
    const { ts } = source((_r, n) => {
      vi.setSystemTime(Date.now() + 3_500);
      return v1Grant(n, 4);
    });
    await expect(ts.getToken()).rejects.toMatchObject({ code: 'invalid_response' });
  });
});

describe('failures', () => {
  const invalidClient = () =>
    json(401, {
      error: {
        code: '401021',
        code_reason: 'invalid_client',
        message: 'Invalid client_id, client_secret, or session_key',
      },
    });

  it('never caches a failure: the next call asks again', async () => {
    const { ts, seen } = source((_r, n) => (n === 1 ? invalidClient() : v1Grant(n)));
    await expect(ts.getToken()).rejects.toMatchObject({ code: 'invalid_client', status: 401 });
    expect(await ts.getToken()).toBe('at-2');
    expect(seen).toHaveLength(2);
  });

  it('gives every concurrent caller the one failure, then asks again on the next call', async () => {
    const { ts, seen } = source((_r, n) => (n === 1 ? invalidClient() : v1Grant(n)));
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => ts.getToken()));
    expect(results.every((r) => r.status === 'rejected' && (r.reason as TollgateError).code === 'invalid_client')).toBe(
      true,
    );
    expect(seen).toHaveLength(1);
    expect(await ts.getToken()).toBe('at-2');
  });

  it.each([
    ['delta-seconds', () => '7'],
    ['an HTTP-date', () => new Date(Date.now() + 7_000).toUTCString()],
  ])('honours Retry-After (%s) on a 429: no request before it has passed', async (_label, retryAfter) => {
    const { ts, seen } = source((_r, n) =>
      n === 1
        ? json(
            429,
            { error: { code: '429001', code_reason: 'too_many_requests', message: 'Too many failed attempts' } },
            { 'retry-after': retryAfter() },
          )
        : v1Grant(n),
    );
    const first = await ts.getToken().catch((e: TollgateError) => e);
    expect(first).toMatchObject({ code: 'rate_limited', status: 429, retryAfter: 7 });
    at(3_000);
    const waiting = await ts.getToken().catch((e: TollgateError) => e);
    expect(waiting).toMatchObject({ code: 'rate_limited', retryAfter: 4 });
    expect(seen).toHaveLength(1);
    at(7_000);
    expect(await ts.getToken()).toBe('at-2');
    expect(seen).toHaveLength(2);
  });

  it('reads the wait from google.rpc.RetryInfo when a v2 429 has no Retry-After header', async () => {
    const { ts, seen } = source(
      (_r, n) =>
        n === 1
          ? json(429, {
              code: 8,
              message: 'Too many attempts',
              details: [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '12s' }],
            })
          : json(200, { accessToken: `at-${n}`, scope: '', expiresIn: 3600, tokenType: 'Bearer' }),
      { dialect: 'v2', tokenUrl: 'https://tollgate.test/v2/credentials/oauth/token' },
    );
    await expect(ts.getToken()).rejects.toMatchObject({ code: 'rate_limited', retryAfter: 12 });
    at(11_999);
    await expect(ts.getToken()).rejects.toMatchObject({ code: 'rate_limited' });
    expect(seen).toHaveLength(1);
    at(12_000);
    expect(await ts.getToken()).toBe('at-2');
  });

  it('keeps serving the cached token while a 429 from refresh-ahead says to wait', async () => {
    const { ts, seen } = source((_r, n) =>
      n === 2
        ? json(
            429,
            { error: { code: '429001', code_reason: 'too_many_requests', message: 'slow down' } },
            { 'retry-after': '20' },
          )
        : v1Grant(n),
    );
    await ts.getToken();
    at(840_000);
    expect(await ts.getToken()).toBe('at-1');
    await settle();
    at(855_000);
    expect(await ts.getToken()).toBe('at-1');
    await settle();
    expect(seen).toHaveLength(2);
    at(860_000);
    expect(await ts.getToken()).toBe('at-1');
    await settle();
    expect(seen).toHaveLength(3);
  });

  it('does not remember a 429 without Retry-After', async () => {
    const { ts, seen } = source((_r, n) =>
      n === 1 ? json(429, { error: { code: '429001', code_reason: 'too_many_requests', message: 'x' } }) : v1Grant(n),
    );
    await expect(ts.getToken()).rejects.toMatchObject({ code: 'rate_limited', retryAfter: undefined });
    expect(await ts.getToken()).toBe('at-2');
    expect(seen).toHaveLength(2);
  });
});
