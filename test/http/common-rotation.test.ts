import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { decodeJwt } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { buildApp } from '../../src/http/app.js';
import { openServices, type Services } from '../../src/services.js';
import { createClient, rotateSecret } from '../../src/usecases/clients/manage.js';
import { mintRefreshToken, refreshAccessToken } from '../../src/usecases/refresh-token.js';
import { FixedClock } from '../support/fakes.js';

/**
 * Secret rotation seen through the common door and forward-auth, on the real app and SQLite
 * store but a clock that moves only when told (so the end of a grace period is exact).
 */
describe('rotation through /api/v1/client/me and /auth/verify', () => {
  let dir: string;
  let clock: FixedClock;
  let services: Services;
  let app: FastifyInstance;
  let id: string;
  let firstSecret: string;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tollgate-rot-'));
    clock = new FixedClock();
    const config = loadConfig({
      DATABASE_PATH: join(dir, 'tollgate.db'),
      ISSUER: 'http://tollgate.test',
      TOLLGATE_MASTER_KEY: 'test-master-key-that-is-long-enough-0123456789',
    });
    services = await openServices(config, { clock });
    app = buildApp(services, config);
    await app.ready();
    const made = await createClient(services.deps, { name: 'rot', mode: 'live', scopes: ['read', 'write'] });
    id = made.client.id;
    firstSecret = made.clientSecret;
  });
  afterEach(async () => {
    await app.close();
    await services.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const issue = (secret: string, scope?: string) =>
    app.inject({
      method: 'POST',
      url: '/api/v1/client/token',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ client_id: id, client_secret: secret, ...(scope ? { scope } : {}) }),
    });
  const tokenOf = async (secret: string, scope?: string): Promise<string> => {
    const res = await issue(secret, scope);
    expect(res.statusCode).toBe(200);
    return res.json().data.access_token as string;
  };
  /** The status both Bearer endpoints give a token; they must agree. */
  const statusOf = async (token: string): Promise<number> => {
    const headers = { authorization: `Bearer ${token}` };
    const m = await app.inject({ method: 'GET', url: '/api/v1/client/me', headers });
    const v = await app.inject({ method: 'GET', url: '/auth/verify', headers });
    expect(v.statusCode).toBe(m.statusCode);
    if (m.statusCode === 401) {
      expect(m.json()).toEqual({
        code: 40103,
        message: 'The access token was issued before the client secret was rotated or the client was disabled',
        data: null,
      });
      expect(v.json()).toEqual({
        code: 'INVALID_TOKEN',
        message: 'The access token was issued before the client secret was rotated or the client was disabled',
      });
      expect(v.headers['www-authenticate']).toMatch(/^Bearer realm="tollgate", error="invalid_token"/);
    }
    return m.statusCode;
  };
  const refresh = (refreshToken: string) =>
    refreshAccessToken(services.deps, {
      mode: 'live',
      door: 'common',
      refreshToken,
      sourceIp: '127.0.0.1',
      ttlSeconds: 900,
    });
  const refreshTokenOf = (generation: number) =>
    mintRefreshToken(
      services.deps,
      { clientId: id, generation, scopes: ['read'], audience: null, mode: 'live' },
      86_400,
    );

  it('keeps a token without expiry alive for years, until the secret is rotated', async () => {
    const t = await tokenOf(firstSecret);
    clock.advance(5 * 365 * 24 * 3600);
    expect(await statusOf(t)).toBe(200);
    await rotateSecret(services.deps, id);
    expect(await statusOf(t)).toBe(401);
  });

  it('without a grace: every access and refresh token of the old generation is refused on its next use', async () => {
    const olds = [await tokenOf(firstSecret), await tokenOf(firstSecret, 'read'), await tokenOf(firstSecret, 'write')];
    const oldRefresh = await refreshTokenOf(1);
    for (const t of olds) expect(await statusOf(t)).toBe(200);

    const rotated = await rotateSecret(services.deps, id);
    expect(rotated.generation).toBe(2);
    for (const t of olds) expect(await statusOf(t)).toBe(401);
    await expect(refresh(oldRefresh)).rejects.toMatchObject({ code: 'invalid_grant' });

    const oldSecret = await issue(firstSecret);
    expect(oldSecret.statusCode).toBe(401);
    expect(oldSecret.json().code).toBe(40101);
    const fresh = await tokenOf(rotated.clientSecret);
    expect(decodeJwt(fresh).sgen).toBe(2);
    expect(await statusOf(fresh)).toBe(200);
    await expect(refresh(await refreshTokenOf(2))).resolves.toMatchObject({ clientId: id, generation: 2 });
  });

  it('with a grace: the previous secret and its tokens live until the grace ends, not a second longer', async () => {
    const before = await tokenOf(firstSecret);
    const oldRefresh = await refreshTokenOf(1);
    const rotated = await rotateSecret(services.deps, id, 3600);

    // Inside the grace: old tokens pass, the old secret still issues (generation 1) tokens.
    expect(await statusOf(before)).toBe(200);
    const during = await tokenOf(firstSecret);
    expect(decodeJwt(during).sgen).toBe(1);
    expect(await statusOf(during)).toBe(200);
    await expect(refresh(oldRefresh)).resolves.toMatchObject({ generation: 1 });
    const fresh = await tokenOf(rotated.clientSecret);
    expect(decodeJwt(fresh).sgen).toBe(2);

    clock.advance(3599);
    expect(await statusOf(before)).toBe(200);

    // The grace ends at exactly rotation time + 3600 s.
    clock.advance(1);
    expect(await statusOf(before)).toBe(401);
    expect(await statusOf(during)).toBe(401);
    await expect(refresh(oldRefresh)).rejects.toMatchObject({ code: 'invalid_grant' });
    expect((await issue(firstSecret)).json()).toEqual({
      code: 40101,
      message: 'Invalid client credentials',
      data: null,
    });
    expect(await statusOf(fresh)).toBe(200);
    expect(await statusOf(await tokenOf(rotated.clientSecret))).toBe(200);
  });

  it('a second rotation inside a grace ends the first generation at once, and with no grace ends the second too', async () => {
    const gen1 = await tokenOf(firstSecret);
    const r2 = await rotateSecret(services.deps, id, 3600);
    const gen2 = await tokenOf(r2.clientSecret);
    const r3 = await rotateSecret(services.deps, id, 3600);
    expect(await statusOf(gen1)).toBe(401);
    expect(await statusOf(gen2)).toBe(200);
    expect((await issue(firstSecret)).statusCode).toBe(401);
    const gen3 = await tokenOf(r3.clientSecret);
    const r4 = await rotateSecret(services.deps, id);
    expect(await statusOf(gen2)).toBe(401);
    expect(await statusOf(gen3)).toBe(401);
    expect((await issue(r3.clientSecret)).statusCode).toBe(401);
    expect(await statusOf(await tokenOf(r4.clientSecret))).toBe(200);
  });
});
