import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, request, startServer, storeEnv, type RunningServer } from '../support/process.js';

const JSON_HEADERS = { 'content-type': 'application/json' };

/**
 * `tollgate clients usage` and the quota flags of `clients update` (spec §11), against a real
 * server process: what it answered is what the CLI prints once the server has stopped
 * gracefully (its last counts are written on the way out, a minute's wait or not).
 */
describe('usage and quotas from the command line', () => {
  let env: Record<string, string>;
  let server: RunningServer | undefined;
  let client: { id: string; secret: string };

  const v2 = (s: RunningServer) =>
    request(`${s.url}/v2/credentials/oauth/token`, {
      headers: JSON_HEADERS,
      body: JSON.stringify({ clientId: client.id, clientSecret: client.secret }),
    });

  beforeAll(async () => {
    env = { ...(await storeEnv()), ISSUER: 'http://tollgate.test' };
    const made = await cli(['clients', 'create', '--name', 'metered', '--scope', 'read', '--json'], env);
    expect(made.status, made.stderr).toBe(0);
    const c = JSON.parse(made.stdout) as { clientId: string; clientSecret: string };
    client = { id: c.clientId, secret: c.clientSecret };
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
  });

  it('sets a quota, and shows it', async () => {
    const r = await cli(['clients', 'update', client.id, '--tokens-per-minute', '3', '--burst', '2', '--json'], env);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ clientId: client.id, tokensPerMinute: 3, burst: 2 });
    const shown = await cli(['clients', 'show', client.id], env);
    expect(shown.stdout).toContain('quota:       3 tokens a minute, 2 at once');
  });

  it('refuses bad quota numbers with a message and exit code 2 or 1, changing nothing', async () => {
    for (const args of [
      ['--tokens-per-minute', 'lots'],
      ['--tokens-per-minute', '0'],
      ['--burst', '-1'],
    ]) {
      const r = await cli(['clients', 'update', client.id, ...args], env);
      expect(r.status, args.join(' ')).not.toBe(0);
      expect(r.stderr, args.join(' ')).toMatch(/tokens-per-minute|tokens_per_minute|burst/);
    }
    const shown = JSON.parse((await cli(['clients', 'show', client.id, '--json'], env)).stdout);
    expect(shown).toMatchObject({ tokensPerMinute: 3, burst: 2 });
  });

  it('prints what the server counted, written on its graceful stop', async () => {
    server = await startServer(env);
    expect((await v2(server)).status).toBe(200);
    expect((await v2(server)).status).toBe(200);
    const over = await v2(server);
    expect(over.status, over.body).toBe(429);
    expect(Number(over.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(over.body).not.toContain(client.secret);
    expect(await server.stop()).toBe(0);
    server = undefined;

    const r = await cli(['clients', 'usage', client.id, '--json'], env);
    expect(r.status, r.stderr).toBe(0);
    const rows = JSON.parse(r.stdout) as Array<Record<string, unknown>>;
    expect(rows).toEqual([
      {
        start: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:00:00\.000Z$/),
        door: 'v2',
        issued: 2,
        failures: { rate_limited: 1 },
        checks: 0,
      },
    ]);
    const text = await cli(['clients', 'usage', client.id, '--since', '2h'], env);
    expect(text.stdout).toMatch(/v2\s+issued 2 {2}checks 0 {2}failures rate_limited=1/);
  });

  it('says so for an unknown client or a span it will not read', async () => {
    const unknown = await cli(['clients', 'usage', 'cl_live_nope'], env);
    expect(unknown.status).not.toBe(0);
    expect(unknown.stderr).toMatch(/No such client/);
    const long = await cli(['clients', 'usage', client.id, '--since', '100d'], env);
    expect(long.status).not.toBe(0);
    expect(long.stderr).toMatch(/92 days/);
    const bad = await cli(['clients', 'usage', client.id, '--since', 'yesterday'], env);
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/not a duration/);
  });
});
