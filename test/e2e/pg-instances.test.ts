import { decodeProtectedHeader } from 'jose';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, PG_MIGRATIONS, TEST_MASTER_KEY } from '../support/pg.js';
import { cli, request, startServer, type RunningServer } from '../support/process.js';

const JSON_HEADERS = { 'content-type': 'application/json' };
const ROTATE = 'mutation { rotateClientSecret { clientId clientSecret generation } }';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Three Tollgate instances sharing one PostgreSQL database, as behind a load balancer: every
 * promise of the spec holds across them.
 */
describe('three instances on one PostgreSQL database', () => {
  let url: string;
  let env: Record<string, string>;
  let servers: RunningServer[] = [];

  const v2 = (s: RunningServer, id: string, secret: string, localAddress?: string) =>
    request(`${s.url}/v2/credentials/oauth/token`, {
      headers: JSON_HEADERS,
      body: JSON.stringify({ clientId: id, clientSecret: secret }),
      localAddress,
    });
  const token = async (s: RunningServer, id: string, secret: string): Promise<string> => {
    const r = await v2(s, id, secret);
    expect(r.status, r.body).toBe(200);
    return JSON.parse(r.body).accessToken as string;
  };
  const verify = (s: RunningServer, bearer: string) =>
    request(`${s.url}/auth/verify`, { method: 'GET', headers: { authorization: `Bearer ${bearer}` } });
  const create = async (name: string) => {
    const r = await cli(['clients', 'create', '--name', name, '--scope', 'read', '--json'], env);
    expect(r.status, r.stderr).toBe(0);
    const c = JSON.parse(r.stdout) as { clientId: string; clientSecret: string };
    return { id: c.clientId, secret: c.clientSecret };
  };

  beforeAll(async () => {
    url = await freshDatabase({ empty: true });
    env = {
      DATABASE_URL: url,
      TOLLGATE_MASTER_KEY: TEST_MASTER_KEY,
      ISSUER: 'http://tollgate.test',
      DATABASE_POOL_SIZE: '4',
    };
    // Started together on an empty database: all three race to migrate and to make signing keys.
    servers = await Promise.all([0, 1, 2].map(() => startServer(env)));
  }, 60_000);
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
  });

  it('applied the migrations once and publish one JWKS, one current key per mode', async () => {
    const db = new pg.Client({ connectionString: url });
    await db.connect();
    try {
      const applied = await db.query('SELECT count(*)::int AS n FROM drizzle.__drizzle_migrations');
      expect(applied.rows[0].n).toBe(PG_MIGRATIONS);
      const current = await db.query(
        'SELECT mode, count(*)::int AS n FROM signing_keys WHERE current GROUP BY mode ORDER BY mode',
      );
      expect(current.rows).toEqual([
        { mode: 'live', n: 1 },
        { mode: 'test', n: 1 },
      ]);
      expect((await db.query('SELECT count(*)::int AS n FROM signing_keys')).rows[0].n).toBe(2);
      // One first-start client between them, its secret printed by the one that made it.
      expect((await db.query('SELECT count(*)::int AS n FROM clients')).rows[0].n).toBe(1);
      expect(servers.filter((s) => s.stdout().includes('client_secret:'))).toHaveLength(1);
    } finally {
      await db.end();
    }
    for (const path of ['/.well-known/jwks.json', '/test/.well-known/jwks.json']) {
      const sets = await Promise.all(
        servers.map(async (s) => (await request(`${s.url}${path}`, { method: 'GET' })).body),
      );
      expect(JSON.parse(sets[0]!).keys).toHaveLength(1);
      expect(new Set(sets).size, path).toBe(1);
    }
  });

  it('kills the old token at every instance on the next request after a self-rotation through one', async () => {
    const c = await create('rotating');
    const old = await token(servers[0]!, c.id, c.secret);
    for (const s of servers) expect((await verify(s, old)).status).toBe(200);
    const rotated = await request(`${servers[0]!.url}/graphql`, {
      headers: { ...JSON_HEADERS, authorization: `Bearer ${old}` },
      body: JSON.stringify({ query: ROTATE }),
    });
    expect(JSON.parse(rotated.body).data.rotateClientSecret.generation).toBe(2);
    const fresh = JSON.parse(rotated.body).data.rotateClientSecret.clientSecret as string;
    for (const s of servers.slice(1)) {
      expect((await verify(s, old)).status).toBe(401);
      expect((await v2(s, c.id, c.secret)).status).toBe(401);
      expect((await verify(s, await token(s, c.id, fresh))).status).toBe(200);
    }
  });

  it('judges exactly LOCKOUT_MAX_FAILURES of 45 parallel wrong secrets spread over the three', async () => {
    const c = await create('targeted');
    const answers = await Promise.all(
      Array.from({ length: 45 }, (_, i) => v2(servers[i % 3]!, c.id, 'wrong-secret-value', '127.0.0.31')),
    );
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(40);
    // Locked everywhere, even for the right secret, and recorded once.
    for (const s of servers) expect((await v2(s, c.id, c.secret, '127.0.0.31')).status).toBe(429);
    const audit = await cli(['audit', '--client', c.id, '--json'], env);
    expect((JSON.parse(audit.stdout) as Array<{ action: string }>).filter((e) => e.action === 'lockout')).toHaveLength(
      1,
    );
  });

  it('signs with a key rotated by `tollgate keys rotate` at every instance within the key-cache interval', async () => {
    const c = await create('keys');
    const rotated = await cli(['keys', 'rotate', '--mode', 'live', '--json'], env);
    expect(rotated.status, rotated.stderr).toBe(0);
    const [fresh] = JSON.parse(rotated.stdout) as Array<{ kid: string }>;
    const started = Date.now();
    // The key ring asks for a newer current key at most once a second.
    for (const s of servers) {
      let kid = decodeProtectedHeader(await token(s, c.id, c.secret)).kid;
      while (kid !== fresh!.kid && Date.now() - started < 3000) {
        await sleep(100);
        kid = decodeProtectedHeader(await token(s, c.id, c.secret)).kid;
      }
      expect(kid).toBe(fresh!.kid);
    }
    expect(Date.now() - started).toBeLessThan(3000);
    // Tokens signed by one instance with the new key verify at the others.
    for (const s of servers) expect((await verify(s, await token(servers[0]!, c.id, c.secret))).status).toBe(200);
  });
});
