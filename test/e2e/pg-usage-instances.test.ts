import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, TEST_MASTER_KEY } from '../support/pg.js';
import { cli, request, startServer, type RunningServer } from '../support/process.js';

const JSON_HEADERS = { 'content-type': 'application/json' };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Usage and quotas across two Tollgate instances on one PostgreSQL database (spec §11): one
 * quota between them, held to its limit, and usage rows that add up what each instance counted.
 */
describe('usage and quotas across two instances on PostgreSQL', () => {
  let env: Record<string, string>;
  let servers: RunningServer[] = [];

  beforeAll(async () => {
    env = {
      DATABASE_URL: await freshDatabase(),
      TOLLGATE_MASTER_KEY: TEST_MASTER_KEY,
      ISSUER: 'http://tollgate.test',
      USAGE_FLUSH_SECONDS: '1',
    };
    servers = await Promise.all([0, 1].map(() => startServer(env)));
  }, 60_000);
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
  });

  it('holds one quota across both instances, and sums their usage rows', async () => {
    const made = await cli(['clients', 'create', '--name', 'shared', '--scope', 'read', '--json'], env);
    const c = JSON.parse(made.stdout) as { clientId: string; clientSecret: string };
    const q = await cli(['clients', 'update', c.clientId, '--tokens-per-minute', '30', '--json'], env);
    expect(q.status, q.stderr).toBe(0);

    // 120 requests, half at each instance, all at once: the burst (30) and what refills meanwhile.
    const started = Date.now();
    const answers = await Promise.all(
      Array.from({ length: 120 }, (_, i) =>
        request(`${servers[i % 2]!.url}/v2/credentials/oauth/token`, {
          headers: JSON_HEADERS,
          body: JSON.stringify({ clientId: c.clientId, clientSecret: c.clientSecret }),
        }),
      ),
    );
    const seconds = (Date.now() - started) / 1000;
    const ok = answers.filter((a) => a.status === 200).length;
    const limited = answers.filter((a) => a.status === 429).length;
    expect(ok + limited).toBe(120);
    const allowed = 30 + Math.floor(seconds / 2);
    expect(ok).toBeGreaterThanOrEqual(30);
    expect(ok).toBeLessThanOrEqual(Math.ceil(allowed * 1.1));
    // Both instances answered some of each.
    for (const s of [0, 1]) expect(answers.filter((a, i) => i % 2 === s && a.status === 200).length).toBeGreaterThan(0);

    await sleep(2500);
    const r = await cli(['clients', 'usage', c.clientId, '--json'], env);
    expect(r.status, r.stderr).toBe(0);
    const rows = JSON.parse(r.stdout) as Array<{ issued: number; failures: Record<string, number> }>;
    const issued = rows.reduce((n, b) => n + b.issued, 0);
    const refused = rows.reduce((n, b) => n + (b.failures.rate_limited ?? 0), 0);
    expect({ issued, refused }).toEqual({ issued: ok, refused: limited });
  });
});
