import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TokenCache, TokenSource, type TokenSourceOptions } from '@tollgate/client';
import { at, fakeFetch, json, oauth2Grant, settle, useFakeClock, type Handler } from './fake-endpoint.js';

/**
 * Seed 001 on the oauth2 dialect: renew with the refresh token (which is not rotated), and fall
 * back to the full client-credentials exchange when that fails.
 */

const SECRET = 'sk_live_refresh-secret';
const TOKEN_URL = 'https://tollgate.test/api/v1/oauth2/token';

function source(handler: Handler, options: Partial<TokenSourceOptions> = {}) {
  const endpoint = fakeFetch(handler);
  const ts = new TokenSource({
    tokenUrl: TOKEN_URL,
    clientId: 'cl_live_refresh',
    clientSecret: SECRET,
    dialect: 'oauth2',
    random: () => 0.5,
    fetch: endpoint.fetch,
    cache: new TokenCache(),
    ...options,
  });
  return { ts, seen: endpoint.seen };
}

/** The refresh endpoint's answer: a new access token and no refresh token (seed 001). */
const refreshed = (n: number): Response =>
  json(200, { access_token: `at-${n}`, token_type: 'Bearer', expires_in: 900, scope: '' });
const invalidGrant = (): Response =>
  json(400, {
    error: 'invalid_grant',
    error_description: 'The refresh token is invalid or expired',
    code: 'INVALID_GRANT',
  });

beforeEach(useFakeClock);
afterEach(() => {
  vi.useRealTimers();
});

describe('oauth2 refresh tokens', () => {
  it('renews with the refresh token at …/refresh, without sending the secret, and keeps using it', async () => {
    const { ts, seen } = source((req, n) => (req.path.endsWith('/refresh') ? refreshed(n) : oauth2Grant(n)));
    expect(await ts.getToken()).toBe('at-1');
    at(870_000);
    expect(await ts.getToken()).toBe('at-2');
    at(1_740_000);
    expect(await ts.getToken()).toBe('at-3');
    expect(seen.map((s) => s.path)).toEqual([
      '/api/v1/oauth2/token',
      '/api/v1/oauth2/refresh',
      '/api/v1/oauth2/refresh',
    ]);
    for (const s of seen.slice(1)) {
      expect(Object.fromEntries(new URLSearchParams(s.body))).toEqual({ refresh_token: 'rt-1' });
      expect(s.headers.get('authorization')).toBeNull();
      expect(s.body).not.toContain(SECRET);
    }
  });

  it('names the API again on the refresh, at …/refresh and at the token endpoint', async () => {
    const API = 'https://billing.example/api';
    const answer: Handler = (req, n) => (req.body.includes('refresh_token=') ? refreshed(n) : oauth2Grant(n));
    const { ts, seen } = source(answer, { audience: API });
    await ts.getToken();
    at(870_000);
    await ts.getToken();
    expect(Object.fromEntries(new URLSearchParams(seen[1]!.body))).toEqual({ refresh_token: 'rt-1', resource: API });
    const standard = source(answer, { audience: API, tokenUrl: 'https://tollgate.test/oauth/token-endpoint' });
    await standard.ts.getToken();
    at(1_740_000);
    await standard.ts.getToken();
    const body = Object.fromEntries(new URLSearchParams(standard.seen[1]!.body));
    expect(body).toEqual({ grant_type: 'refresh_token', refresh_token: 'rt-1', resource: API });
  });

  it('falls back to the full exchange when the refresh token is refused, and uses the new one next', async () => {
    const { ts, seen } = source((req, n) => {
      if (req.path.endsWith('/refresh'))
        return new URLSearchParams(req.body).get('refresh_token') === 'rt-1' ? invalidGrant() : refreshed(n);
      return oauth2Grant(n);
    });
    await ts.getToken();
    at(870_000);
    expect(await ts.getToken()).toBe('at-3');
    at(1_740_000);
    expect(await ts.getToken()).toBe('at-4');
    expect(seen.map((s) => `${s.path} ${new URLSearchParams(s.body).get('refresh_token') ?? ''}`.trim())).toEqual([
      '/api/v1/oauth2/token',
      '/api/v1/oauth2/refresh rt-1',
      '/api/v1/oauth2/token',
      '/api/v1/oauth2/refresh rt-3',
    ]);
  });

  it('does not spend a refused refresh token twice, even when the fallback fails too', async () => {
    const { ts, seen } = source((req, n) => {
      if (req.path.endsWith('/refresh')) return invalidGrant();
      return n === 3 ? json(503, { error: 'temporarily_unavailable', code: 'UNAVAILABLE' }) : oauth2Grant(n);
    });
    await ts.getToken();
    at(870_000);
    await expect(ts.getToken()).rejects.toMatchObject({ code: 'unavailable' });
    expect(await ts.getToken()).toBe('at-4');
    expect(seen.map((s) => s.path)).toEqual([
      '/api/v1/oauth2/token',
      '/api/v1/oauth2/refresh',
      '/api/v1/oauth2/token',
      '/api/v1/oauth2/token',
    ]);
  });

  it('falls back when the refresh endpoint cannot be reached', async () => {
    const { ts, seen } = source((req, n) => {
      if (req.path.endsWith('/refresh')) throw new TypeError('fetch failed');
      return oauth2Grant(n);
    });
    await ts.getToken();
    at(870_000);
    expect(await ts.getToken()).toBe('at-3');
    expect(seen.map((s) => s.path)).toEqual(['/api/v1/oauth2/token', '/api/v1/oauth2/refresh', '/api/v1/oauth2/token']);
  });

  it('does not fall back to the secret when the refresh endpoint says to wait (Retry-After)', async () => {
    const { ts, seen } = source((req, n) =>
      req.path.endsWith('/refresh')
        ? json(429, { error: 'rate_limited', code: 'RATE_LIMITED' }, { 'retry-after': '30' })
        : oauth2Grant(n),
    );
    await ts.getToken();
    at(870_000);
    await expect(ts.getToken()).rejects.toMatchObject({ code: 'rate_limited', retryAfter: 30 });
    expect(seen.map((s) => s.path)).toEqual(['/api/v1/oauth2/token', '/api/v1/oauth2/refresh']);
  });

  it('uses grant_type=refresh_token with client authentication at a token URL of another shape (RFC 6749 §6)', async () => {
    const { ts, seen } = source((_req, n) => (n === 1 ? oauth2Grant(n) : refreshed(n)), {
      tokenUrl: 'https://idp.test/oauth/issue',
      scope: 'read',
    });
    await ts.getToken();
    at(870_000);
    expect(await ts.getToken()).toBe('at-2');
    expect(seen[1]!.path).toBe('/oauth/issue');
    expect(Object.fromEntries(new URLSearchParams(seen[1]!.body))).toEqual({
      grant_type: 'refresh_token',
      refresh_token: 'rt-1',
    });
    expect(seen[1]!.headers.get('authorization')).toMatch(/^Basic /);
  });

  it('honours refreshUrl', async () => {
    const { ts, seen } = source((_req, n) => (n === 1 ? oauth2Grant(n) : refreshed(n)), {
      refreshUrl: 'https://tollgate.test/custom/refresh',
    });
    await ts.getToken();
    at(870_000);
    await ts.getToken();
    expect(seen[1]!.path).toBe('/custom/refresh');
  });

  it('renews with the refresh token in the background too', async () => {
    const { ts, seen } = source((req, n) => (req.path.endsWith('/refresh') ? refreshed(n) : oauth2Grant(n)));
    await ts.getToken();
    at(840_000);
    expect(await ts.getToken()).toBe('at-1');
    await settle();
    expect(await ts.getToken()).toBe('at-2');
    expect(seen.map((s) => s.path)).toEqual(['/api/v1/oauth2/token', '/api/v1/oauth2/refresh']);
  });

  it('never uses a refresh token on the other dialects', async () => {
    const { ts, seen } = source(
      (_req, n) =>
        json(200, { accessToken: `at-${n}`, scope: '', expiresIn: 900, tokenType: 'Bearer', refresh_token: 'rt-x' }),
      { dialect: 'v2', tokenUrl: 'https://tollgate.test/v2/credentials/oauth/token' },
    );
    await ts.getToken();
    at(870_000);
    await ts.getToken();
    expect(seen.map((s) => s.path)).toEqual(['/v2/credentials/oauth/token', '/v2/credentials/oauth/token']);
  });
});
