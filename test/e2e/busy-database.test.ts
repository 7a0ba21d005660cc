import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, startServer, tempDir, type RunningServer } from '../support/process.js';

const KEY = 'test-master-key-that-is-long-enough-0123456789';

/**
 * Issue 16 item 3: another process holds SQLite's write lock (as a CLI command or a backup can).
 * The server's event loop stays free, a check that must be counted answers 503 with Retry-After
 * in the door's envelope, and counting resumes once the lock is gone.
 */
describe('a busy database', () => {
  let server: RunningServer;
  let env: Record<string, string>;
  let client: { clientId: string; clientSecret: string };
  let lock: Database.Database;

  beforeAll(async () => {
    env = { DATABASE_PATH: join(tempDir(), 'tollgate.db'), TOLLGATE_MASTER_KEY: KEY, LOCKOUT_MAX_FAILURES: '3' };
    server = await startServer(env);
    const made = await cli(['clients', 'create', '--name', 'busy', '--json'], env);
    expect(made.status, made.stderr).toBe(0);
    client = JSON.parse(made.stdout);
    lock = new Database(env.DATABASE_PATH!);
  });
  afterAll(async () => {
    if (lock.inTransaction) lock.exec('ROLLBACK');
    lock.close();
    await server.stop();
  });

  const v1 = (secret: string) =>
    fetch(`${server.url}/v1/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_id: client.clientId, client_secret: secret }),
    });

  it('refuses an uncountable failure with 503 and Retry-After, keeps the event loop free, and counts again afterwards', async () => {
    lock.exec('BEGIN IMMEDIATE');
    try {
      const started = Date.now();
      const wrong = v1('wrong-secret-value');
      // While the wrong secret waits for the lock, the process answers at once.
      const health = Date.now();
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
      expect(Date.now() - health).toBeLessThan(500);
      const res = await wrong;
      expect(Date.now() - started).toBeLessThan(5000);
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(await res.json()).toMatchObject({ error: { code: '503001', code_reason: 'service_unavailable' } });
      // A good secret on a clean pair needs no write: it is still served.
      expect((await v1(client.clientSecret)).status).toBe(200);
      // Three more refusals while locked: none of them counted.
      for (let i = 0; i < 3; i++) expect((await v1('wrong-secret-value')).status).toBe(503);
    } finally {
      lock.exec('ROLLBACK');
    }
    // Unlocked: the limit of 3 is counted from here, so the first three failures are judged.
    const after = [];
    for (let i = 0; i < 4; i++) after.push((await v1('wrong-secret-value')).status);
    expect(after).toEqual([401, 401, 401, 429]);
  }, 40_000);
});
