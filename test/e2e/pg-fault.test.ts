import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminQuery, databaseUrl, startCluster, type Cluster } from '../support/pg-cluster.js';
import { TEST_MASTER_KEY } from '../support/pg.js';
import { cli, request, startServer, type HttpAnswer, type RunningServer } from '../support/process.js';

const JSON_HEADERS = { 'content-type': 'application/json' };
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * PostgreSQL lost under traffic, then back: every door answers `unavailable` in its own envelope
 * (503 + Retry-After), /readyz turns 503, no wrong secret is answered as anything but 503 while
 * its failure cannot be counted, and service resumes by itself — same process, no restart.
 * This file stops its server, so it runs its own cluster, not the suite's shared one.
 */
describe('PostgreSQL lost and back under load', () => {
  let cluster: Cluster;
  let server: RunningServer;
  let env: Record<string, string>;
  let c: { id: string; secret: string };
  let bearer: string;

  beforeAll(async () => {
    cluster = await startCluster();
    await adminQuery(cluster.url, 'CREATE DATABASE tollgate');
    env = {
      DATABASE_URL: databaseUrl(cluster.url, 'tollgate'),
      TOLLGATE_MASTER_KEY: TEST_MASTER_KEY,
      ISSUER: 'http://tollgate.test',
      LOCKOUT_MAX_FAILURES: '3',
    };
    server = await startServer(env);
    const made = await cli(['clients', 'create', '--name', 'fault', '--scope', 'read', '--json'], env);
    expect(made.status, made.stderr).toBe(0);
    const parsed = JSON.parse(made.stdout) as { clientId: string; clientSecret: string };
    c = { id: parsed.clientId, secret: parsed.clientSecret };
    bearer = JSON.parse((await v2(c.secret)).body).accessToken as string;
  }, 90_000);
  afterAll(async () => {
    await server?.stop();
    cluster?.destroy();
  });

  const v2 = (secret: string, localAddress?: string) =>
    request(`${server.url}/v2/credentials/oauth/token`, {
      headers: JSON_HEADERS,
      body: JSON.stringify({ clientId: c.id, clientSecret: secret }),
      localAddress,
    });

  /** One request per door, and what its envelope says for `unavailable`. */
  const doors: Array<{ name: string; send: () => Promise<HttpAnswer>; says: (a: HttpAnswer) => unknown; ok: number }> =
    [
      {
        name: 'v1',
        send: () =>
          request(`${server.url}/v1/auth/token`, {
            headers: FORM,
            body: `client_id=${c.id}&client_secret=${c.secret}`,
          }),
        says: (a) => JSON.parse(a.body).error.code,
        ok: 200,
      },
      { name: 'v2', send: () => v2(c.secret), says: (a) => JSON.parse(a.body).code, ok: 200 },
      {
        name: 'oauth2',
        send: () =>
          request(`${server.url}/api/v1/oauth2/token`, {
            headers: FORM,
            body: `grant_type=client_credentials&client_id=${c.id}&client_secret=${c.secret}`,
          }),
        says: (a) => JSON.parse(a.body).error,
        ok: 200,
      },
      {
        name: 'common',
        send: () =>
          request(`${server.url}/api/v1/client/token`, {
            headers: JSON_HEADERS,
            body: JSON.stringify({ client_id: c.id, client_secret: c.secret }),
          }),
        says: (a) => JSON.parse(a.body).code,
        ok: 200,
      },
      {
        name: 'graphql',
        send: () =>
          request(`${server.url}/graphql`, {
            headers: JSON_HEADERS,
            body: JSON.stringify({
              query: `mutation { issueToken(input: {clientId: "${c.id}", clientSecret: "${c.secret}"}) { __typename } }`,
            }),
          }),
        says: (a) => JSON.parse(a.body).errors?.[0]?.extensions?.code,
        ok: 200,
      },
      {
        name: 'forward-auth',
        send: () =>
          request(`${server.url}/auth/verify`, { method: 'GET', headers: { authorization: `Bearer ${bearer}` } }),
        says: (a) => JSON.parse(a.body).code,
        ok: 200,
      },
    ];
  const UNAVAILABLE: Record<string, unknown> = {
    v1: '503001',
    v2: 14,
    oauth2: 'temporarily_unavailable',
    common: 50301,
    graphql: 'UNAVAILABLE',
    'forward-auth': 'UNAVAILABLE',
  };

  it('answers 503 with Retry-After at every door while the database is down, and resumes by itself', async () => {
    for (const d of doors) expect((await d.send()).status, d.name).toBe(d.ok);
    const pid = server.proc.pid;

    // Load on every door while the database goes away.
    let loading = true;
    const seen: number[] = [];
    const load = Promise.all(
      Array.from({ length: 6 }, async (_, i) => {
        while (loading) seen.push((await doors[i % doors.length]!.send()).status);
      }),
    );
    await sleep(300);
    cluster.stop();
    await sleep(500);

    for (const d of doors) {
      const a = await d.send();
      expect(a.status, `${d.name}: ${a.body}`).toBe(503);
      expect(a.headers['retry-after'], d.name).toBe('1');
      expect(d.says(a), d.name).toBe(UNAVAILABLE[d.name]);
    }
    const ready = await request(`${server.url}/readyz`, { method: 'GET' });
    expect(ready.status).toBe(503);
    // A wrong secret whose failure cannot be counted is refused as unavailable, never judged.
    for (let i = 0; i < 5; i++) expect((await v2('wrong-secret-value', '127.0.0.51')).status).toBe(503);

    cluster.start();
    // Back without a restart: the pool opens fresh connections on the next requests.
    const deadline = Date.now() + 15_000;
    while ((await request(`${server.url}/readyz`, { method: 'GET' })).status !== 200 && Date.now() < deadline)
      await sleep(200);
    await sleep(300);
    loading = false;
    await load;
    for (const d of doors) expect((await d.send()).status, d.name).toBe(d.ok);
    expect(server.proc.pid).toBe(pid);
    expect(server.proc.exitCode).toBeNull();
    // Under load nothing but success or 503: no 500, no dropped connection.
    expect([...new Set(seen)].sort()).toEqual([200, 503]);
    // The failures that went unanswered (503) were not counted; counted ones still lock at 3.
    const after = await Promise.all(Array.from({ length: 6 }, () => v2('wrong-secret-value', '127.0.0.52')));
    expect(after.filter((a) => a.status === 401)).toHaveLength(3);
    expect(after.filter((a) => a.status === 429)).toHaveLength(3);
    expect(server.stderr()).not.toContain(c.secret);
  }, 90_000);

  it('stops start-up with a message naming DATABASE_URL when PostgreSQL cannot be reached', async () => {
    const dead = { ...env, DATABASE_URL: 'postgres://tollgate:s3cret-pw@127.0.0.1:1/tollgate' };
    await expect(startServer(dead)).rejects.toThrow(/exited with 1[\s\S]*DATABASE_URL/);
    await expect(startServer(dead)).rejects.not.toThrow(/s3cret-pw/);
    const r = await cli(['clients', 'list'], dead);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('DATABASE_URL');
    expect(r.stderr).not.toContain('s3cret-pw');
  });
});
