import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JwtVerifier } from '../../src/infra/keys/verifier.js';
import { LEEWAY_SECONDS } from '../../src/infra/keys/verifier.js';
import { rotateSecret, updateClient } from '../../src/usecases/clients/manage.js';
import { FixedClock } from '../support/fakes.js';
import { harness, type Harness } from '../support/harness.js';

/**
 * The verified-signature cache remembers signatures only: a token it holds must still be refused
 * on the very next request after anything that ends it. Each case first shows the token answered
 * from the cache (a hit: the cache holds it and does not grow), then changes one thing and expects
 * the refusal that names that thing.
 */
describe('a cached token is refused on the very next request after', () => {
  let h: Harness;
  let clock: FixedClock;
  let c: { id: string; secret: string };

  beforeEach(async () => {
    // The system's own time, frozen, so tokens are fresh for the real key ring and expiry is ours to cause.
    clock = new FixedClock(Date.now());
    h = await harness({}, { clock });
    c = await h.client({ scopes: ['read'] });
  });
  afterEach(() => h.close());

  const cache = () => (h.services.deps.verifier as JwtVerifier).cache!;

  const oauth2Token = async (): Promise<{ token: string; expiresIn: number }> => {
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/v1/oauth2/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: c.id,
        client_secret: c.secret,
      }).toString(),
    });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json<{ access_token: string; expires_in: number }>();
    return { token: body.access_token, expiresIn: body.expires_in };
  };

  const verify = (token: string) =>
    h.app.inject({ method: 'GET', url: '/auth/verify', headers: { authorization: `Bearer ${token}` } });

  /** Verified twice, the second time from the cache. */
  const cached = async (): Promise<{ token: string; expiresIn: number }> => {
    const issued = await oauth2Token();
    expect((await verify(issued.token)).statusCode).toBe(200);
    const held = cache().size;
    expect(held).toBeGreaterThan(0);
    expect((await verify(issued.token)).statusCode).toBe(200);
    expect(cache().size).toBe(held);
    return issued;
  };

  const refusal = async (token: string): Promise<{ status: number; message: string }> => {
    const res = await verify(token);
    return { status: res.statusCode, message: res.json<{ message: string }>().message };
  };

  it('a secret rotation without grace', async () => {
    const { token } = await cached();
    await rotateSecret(h.services.deps, c.id, 0);
    expect(await refusal(token)).toEqual({
      status: 401,
      message: expect.stringContaining('before the client secret was rotated'),
    });
  });

  it('a revocation at the oauth2 /revoke endpoint', async () => {
    const { token } = await cached();
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/v1/oauth2/revoke',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ token, client_id: c.id, client_secret: c.secret }).toString(),
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(await refusal(token)).toEqual({ status: 401, message: 'The access token has been revoked' });
  });

  it('a revocation, at introspection too', async () => {
    const { token } = await cached();
    const introspect = async () =>
      (
        await h.app.inject({
          method: 'POST',
          url: '/api/v1/oauth2/introspect',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          payload: new URLSearchParams({ token, client_id: c.id, client_secret: c.secret }).toString(),
        })
      ).json<{ active: boolean }>();
    expect((await introspect()).active).toBe(true);
    await h.services.deps.tokenStore.revokeAccessToken(
      (await h.services.deps.verifier.verify(token, 'live')).jti,
      c.id,
      null,
      clock.now(),
    );
    expect(await introspect()).toEqual({ active: false });
  });

  it('the client being disabled', async () => {
    const { token } = await cached();
    await updateClient(h.services.deps, c.id, { enabled: false });
    expect(await refusal(token)).toEqual({ status: 401, message: 'The client is disabled' });
  });

  it('an allowlist change that leaves the caller out', async () => {
    const { token } = await cached();
    await updateClient(h.services.deps, c.id, { allowedIps: ['203.0.113.7'] });
    expect((await refusal(token)).status).toBe(403);
    await updateClient(h.services.deps, c.id, { allowedIps: [] });
    expect((await verify(token)).statusCode).toBe(200);
  });

  it('its expiry', async () => {
    const { token, expiresIn } = await cached();
    clock.advance(expiresIn + LEEWAY_SECONDS);
    expect(await refusal(token)).toEqual({ status: 401, message: 'The access token has expired' });
  });
});
