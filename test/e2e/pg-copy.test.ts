import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freshDatabase, TEST_MASTER_KEY } from '../support/pg.js';
import { cli, request, startServer, tempDir, type RunningServer } from '../support/process.js';

const JSON_HEADERS = { 'content-type': 'application/json' };
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const ISSUER = 'http://tollgate.test';

/**
 * Moving in: a SQLite deployment that ran on its key file, copied into PostgreSQL with
 * `tollgate db copy`, keeps every secret and token working (non-expiring ones included), and
 * the copy goes back the other way too.
 */
describe('tollgate db copy from a populated SQLite file', () => {
  const running: RunningServer[] = [];
  afterAll(async () => {
    await Promise.all(running.map((s) => s.stop()));
  });
  const start = async (env: Record<string, string>) => {
    const s = await startServer(env);
    running.push(s);
    return s;
  };

  it('copies everything, refuses a non-empty target, and every token and secret works after', async () => {
    const sqliteEnv = { DATABASE_PATH: join(tempDir(), 'tollgate.db'), ISSUER };
    const old = await start(sqliteEnv);
    const made = async (args: string[]) => {
      const r = await cli(
        ['clients', 'create', '--name', 'moving', '--scope', 'read write', ...args, '--json'],
        sqliteEnv,
      );
      expect(r.status, r.stderr).toBe(0);
      const c = JSON.parse(r.stdout) as { clientId: string; clientSecret: string };
      return { id: c.clientId, secret: c.clientSecret };
    };
    const generated = await made([]);
    const imported = await made(['--secret', 'an-imported-secret-to-move']);
    const graced = await made([]);

    const v2 = (s: RunningServer, c: { id: string; secret: string }) =>
      request(`${s.url}/v2/credentials/oauth/token`, {
        headers: JSON_HEADERS,
        body: JSON.stringify({ clientId: c.id, clientSecret: c.secret }),
      });
    const common = async (s: RunningServer, c: { id: string; secret: string }) =>
      JSON.parse(
        (
          await request(`${s.url}/api/v1/client/token`, {
            headers: JSON_HEADERS,
            body: JSON.stringify({ client_id: c.id, client_secret: c.secret }),
          })
        ).body,
      ).data.access_token as string;
    const oauth2 = async (s: RunningServer, c: { id: string; secret: string }) =>
      JSON.parse(
        (
          await request(`${s.url}/api/v1/oauth2/token`, {
            headers: FORM,
            body: new URLSearchParams({
              grant_type: 'client_credentials',
              client_id: c.id,
              client_secret: c.secret,
            }).toString(),
          })
        ).body,
      ) as { access_token: string; refresh_token: string };
    const verify = async (s: RunningServer, token: string) =>
      (await request(`${s.url}/auth/verify`, { method: 'GET', headers: { authorization: `Bearer ${token}` } })).status;
    const refresh = async (s: RunningServer, token: string) =>
      (
        await request(`${s.url}/api/v1/oauth2/refresh`, {
          headers: JSON_HEADERS,
          body: JSON.stringify({ refresh_token: token }),
        })
      ).status;

    const forever = await common(old, generated);
    const v2Token = JSON.parse((await v2(old, imported)).body).accessToken as string;
    const { access_token: revokedToken, refresh_token: refreshToken } = await oauth2(old, generated);
    const revoked = await request(`${old.url}/api/v1/oauth2/revoke`, {
      headers: FORM,
      body: new URLSearchParams({
        token: revokedToken,
        client_id: generated.id,
        client_secret: generated.secret,
      }).toString(),
    });
    expect(revoked.status).toBe(200);
    expect(await verify(old, revokedToken)).toBe(401);
    const gracedToken = await common(old, graced);
    const rotated = await cli(['clients', 'rotate-secret', graced.id, '--grace', '1h', '--json'], sqliteEnv);
    expect(rotated.status, rotated.stderr).toBe(0);
    const gracedNew = { id: graced.id, secret: (JSON.parse(rotated.stdout) as { clientSecret: string }).clientSecret };
    // A locked pair stays locked after the move.
    for (let i = 0; i < 5; i++)
      await request(`${old.url}/v1/auth/token`, {
        headers: FORM,
        body: `client_id=${imported.id}&client_secret=wrong-secret-value`,
        localAddress: '127.0.0.41',
      });
    const lockedAt = async (s: RunningServer) =>
      (
        await request(`${s.url}/v1/auth/token`, {
          headers: FORM,
          body: `client_id=${imported.id}&client_secret=${imported.secret}`,
          localAddress: '127.0.0.41',
        })
      ).status;
    expect(await lockedAt(old)).toBe(429);
    const jwks = (await request(`${old.url}/.well-known/jwks.json`, { method: 'GET' })).body;
    const auditBefore = (await cli(['audit', '--json'], sqliteEnv)).stdout;
    await old.stop();

    // Into PostgreSQL, under TOLLGATE_MASTER_KEY (the SQLite side used its key file).
    const url = await freshDatabase({ empty: true });
    const pgEnv = { DATABASE_URL: url, TOLLGATE_MASTER_KEY: TEST_MASTER_KEY, ISSUER };
    const copied = await cli(['db', 'copy', sqliteEnv.DATABASE_PATH, url, '--json'], {
      TOLLGATE_MASTER_KEY: TEST_MASTER_KEY,
    });
    expect(copied.status, copied.stderr).toBe(0);
    const report = JSON.parse(copied.stdout) as { rows: Record<string, number>; resealed: number };
    expect(report.rows).toMatchObject({ clients: 4, signing_keys: 2, revoked_tokens: 1, refresh_tokens: 1 });
    expect(report.rows.lockouts).toBeGreaterThanOrEqual(2);
    expect(report.resealed).toBe(2);
    expect(copied.stdout).not.toContain(TEST_MASTER_KEY);
    const again = await cli(['db', 'copy', sqliteEnv.DATABASE_PATH, url], { TOLLGATE_MASTER_KEY: TEST_MASTER_KEY });
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/not empty/);

    const moved = await start(pgEnv);
    expect(moved.stdout()).not.toContain('client_secret:');
    expect((await request(`${moved.url}/.well-known/jwks.json`, { method: 'GET' })).body).toBe(jwks);
    expect(await verify(moved, forever)).toBe(200);
    expect(await verify(moved, v2Token)).toBe(200);
    expect(await verify(moved, revokedToken)).toBe(401);
    expect(await verify(moved, gracedToken)).toBe(200);
    expect(await refresh(moved, refreshToken)).toBe(200);
    expect((await v2(moved, generated)).status).toBe(200);
    expect((await v2(moved, imported)).status).toBe(200);
    expect((await v2(moved, graced)).status).toBe(200);
    expect((await v2(moved, gracedNew)).status).toBe(200);
    expect(await lockedAt(moved)).toBe(429);
    // The same trail, ids included (jsonb keeps the details' keys in its own order).
    expect(JSON.parse((await cli(['audit', '--json'], pgEnv)).stdout)).toEqual(JSON.parse(auditBefore));
    // New events continue the copied ids.
    expect((await cli(['clients', 'disable', graced.id], pgEnv)).status).toBe(0);
    const events = JSON.parse((await cli(['audit', '--json', '--limit', '1'], pgEnv)).stdout) as Array<{
      action: string;
    }>;
    expect(events[0]!.action).toBe('client.disabled');

    // And back out of PostgreSQL into a new SQLite file, which serves the same tokens.
    const back = join(tempDir(), 'back.db');
    const out = await cli(['db', 'copy', url, back], { TOLLGATE_MASTER_KEY: TEST_MASTER_KEY });
    expect(out.status, out.stderr).toBe(0);
    const returned = await start({ DATABASE_PATH: back, TOLLGATE_MASTER_KEY: TEST_MASTER_KEY, ISSUER });
    expect(await verify(returned, forever)).toBe(200);
    expect(await verify(returned, revokedToken)).toBe(401);
    expect((await v2(returned, imported)).status).toBe(200);
  }, 90_000);

  it('refuses a PostgreSQL end without TOLLGATE_MASTER_KEY, naming it', async () => {
    const r = await cli(['db', 'copy', join(tempDir(), 'none.db'), await freshDatabase()], {});
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('TOLLGATE_MASTER_KEY');
  });
});
