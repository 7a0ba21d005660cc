import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startServer, tempDir } from '../support/process.js';

const env = () => ({
  DATABASE_PATH: join(tempDir(), 'tollgate.db'),
  TOLLGATE_MASTER_KEY: 'test-master-key-that-is-long-enough-0123456789',
});
const lines = (out: string) =>
  out
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { msg?: string; level: number });

/** Issue 18 item 6: logs a person can follow, and a quiet mode for busy servers. */
describe('logs', () => {
  it('says when shutdown starts and when it ends', async () => {
    const server = await startServer(env());
    expect(await server.stop('SIGTERM')).toBe(0);
    const msgs = lines(server.stdout()).map((l) => l.msg);
    const started = msgs.findIndex((m) => m?.startsWith('shutdown started'));
    const done = msgs.indexOf('shutdown complete');
    expect(started).toBeGreaterThan(-1);
    expect(done).toBeGreaterThan(started);
  });

  it('writes a line per request by default, and none with LOG_REQUESTS=false (errors still go out)', async () => {
    const chatty = await startServer(env());
    await fetch(`${chatty.url}/healthz`);
    await chatty.stop();
    expect(lines(chatty.stdout()).some((l) => l.msg === 'incoming request')).toBe(true);

    const quiet = await startServer({ ...env(), LOG_REQUESTS: 'false' });
    await fetch(`${quiet.url}/healthz`);
    await fetch(`${quiet.url}/v1/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'client_id=x',
    });
    await quiet.stop();
    const out = lines(quiet.stdout());
    expect(out.some((l) => l.msg === 'incoming request' || l.msg === 'request completed')).toBe(false);
    expect(out.some((l) => l.msg?.startsWith('Server listening'))).toBe(true);
  });
});
