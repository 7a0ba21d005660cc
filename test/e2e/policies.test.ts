import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, request, startServer, type RunningServer, storeEnv } from '../support/process.js';

/**
 * Spec §2 steps 2 and 4 through the real server: real, distinct source addresses (bound with
 * localAddress on 127.0.0.0/8), real parallel requests, and a restart of the process.
 */
describe('policies through the real server', () => {
  let server: RunningServer;
  let env: Record<string, string>;

  const v1 = (id: string, secret: string, localAddress: string, headers: Record<string, string> = {}) =>
    request(`${server.url}/v1/auth/token`, {
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams({ client_id: id, client_secret: secret }).toString(),
      localAddress,
    });
  const create = async (...args: string[]) => {
    const r = await cli(['clients', 'create', '--name', 'policy', ...args, '--json'], env);
    expect(r.status, r.stderr).toBe(0);
    const c = JSON.parse(r.stdout) as { clientId: string; clientSecret: string };
    return { id: c.clientId, secret: c.clientSecret };
  };
  const codes = (answers: Array<{ status: number }>) =>
    answers.reduce<Record<number, number>>((acc, a) => {
      acc[a.status] = (acc[a.status] ?? 0) + 1;
      return acc;
    }, {});

  beforeAll(async () => {
    env = { ...(await storeEnv()), TRUST_PROXY: '127.0.0.2/32', LOCKOUT_MAX_FAILURES_PER_IP: '45' };
    server = await startServer(env);
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('lets an allowlisted address in and turns another away with 403, but only after the secret', async () => {
    const c = await create('--allow-ip', '127.0.0.3/32', '--allow-ip', '::ffff:127.0.0.4');
    expect((await v1(c.id, c.secret, '127.0.0.3')).status).toBe(200);
    expect((await v1(c.id, c.secret, '127.0.0.4')).status).toBe(200);
    const denied = await v1(c.id, c.secret, '127.0.0.5');
    expect(denied.status).toBe(403);
    expect(JSON.parse(denied.body).error.code).toBe('403001');
    expect((await v1(c.id, 'wrong-secret-value', '127.0.0.5')).status).toBe(401);
  });

  it('believes X-Forwarded-For only from a trusted proxy, read right to left', async () => {
    const c = await create('--allow-ip', '10.9.9.0/24');
    // 127.0.0.2 is the trusted proxy: the hop it saw is the client.
    expect((await v1(c.id, c.secret, '127.0.0.2', { 'x-forwarded-for': '10.9.9.9' })).status).toBe(200);
    // A client-supplied leftmost hop is not believed: the first untrusted hop from the right wins.
    expect((await v1(c.id, c.secret, '127.0.0.2', { 'x-forwarded-for': '10.9.9.9, 192.0.2.1' })).status).toBe(403);
    // From an untrusted peer the header is ignored.
    expect((await v1(c.id, c.secret, '127.0.0.6', { 'x-forwarded-for': '10.9.9.9' })).status).toBe(403);
    // Shortened, octal and hex forms never match.
    for (const spoof of ['10.9.9', '012.9.9.9', '0xa.9.9.9']) {
      expect((await v1(c.id, c.secret, '127.0.0.2', { 'x-forwarded-for': spoof })).status).toBe(403);
    }
  });

  it.each([
    ['generated-shape wrong secrets (SHA-256 path)', 'sk_live_' + 'A'.repeat(43), '127.0.0.20'],
    ['free-form wrong secrets (scrypt path, async)', 'wrong-secret-value', '127.0.0.21'],
  ])('judges at most 5 of 40 simultaneous %s; the rest get 429', async (_label, wrong, ip) => {
    const c = await create();
    const answers = await Promise.all(Array.from({ length: 40 }, () => v1(c.id, wrong, ip)));
    expect(codes(answers)).toEqual({ 401: 5, 429: 35 });
    const locked = answers.find((a) => a.status === 429)!;
    expect(JSON.parse(locked.body).error).toMatchObject({ code: '429001', code_reason: 'too_many_requests' });
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(800);
    // The pair stays locked for the right secret; the same client from another address is fine.
    expect((await v1(c.id, c.secret, ip)).status).toBe(429);
    expect((await v1(c.id, c.secret, '127.0.0.22')).status).toBe(200);
  });

  it('locks an address spraying many client ids, across ids', async () => {
    const c = await create();
    const spray = await Promise.all(
      Array.from({ length: 45 }, (_, i) =>
        v1(`cl_live_unknown${String(i).padStart(10, '0')}`, 'wrong-secret-value', '127.0.0.30'),
      ),
    );
    expect(codes(spray)[401]).toBe(45);
    expect((await v1(c.id, c.secret, '127.0.0.30')).status).toBe(429);
    expect((await v1(c.id, c.secret, '127.0.0.31')).status).toBe(200);
  });

  it('clears the pair count on a success', async () => {
    const c = await create();
    for (let i = 0; i < 4; i++) expect((await v1(c.id, 'wrong-secret-value', '127.0.0.40')).status).toBe(401);
    expect((await v1(c.id, c.secret, '127.0.0.40')).status).toBe(200);
    for (let i = 0; i < 4; i++) expect((await v1(c.id, 'wrong-secret-value', '127.0.0.40')).status).toBe(401);
    expect((await v1(c.id, c.secret, '127.0.0.40')).status).toBe(200);
  });

  it('applies the allowlist to Bearer endpoints from real source addresses', async () => {
    const c = await create('--allow-ip', '127.0.0.70/31');
    const token = JSON.parse((await v1(c.id, c.secret, '127.0.0.70')).body).data.access_token as string;
    const verify = (localAddress: string) =>
      request(`${server.url}/auth/verify`, {
        method: 'GET',
        headers: { authorization: `Bearer ${token}` },
        localAddress,
      });
    expect((await verify('127.0.0.71')).status).toBe(200);
    const denied = await verify('127.0.0.72');
    expect(denied.status).toBe(403);
    const me = await request(`${server.url}/api/v1/client/me`, {
      method: 'GET',
      headers: { authorization: `Bearer ${token}` },
      localAddress: '127.0.0.72',
    });
    expect(JSON.parse(me.body).code).toBe(40301);
  });

  it('counts introspection and revocation authentication toward the lockout', async () => {
    const c = await create();
    const token = JSON.parse((await v1(c.id, c.secret, '127.0.0.80')).body).data.access_token as string;
    const call = (path: string, secret: string) =>
      request(`${server.url}/api/v1/oauth2/${path}`, {
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ client_id: c.id, client_secret: secret, token }).toString(),
        localAddress: '127.0.0.80',
      });
    for (let i = 0; i < 3; i++) expect((await call('introspect', 'wrong-secret-value')).status).toBe(401);
    for (let i = 0; i < 2; i++) expect((await call('revoke', 'wrong-secret-value')).status).toBe(401);
    const locked = await call('introspect', c.secret);
    expect(locked.status).toBe(429);
    expect(JSON.parse(locked.body)).toMatchObject({ error: 'rate_limited', code: 'RATE_LIMITED' });
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    expect((await call('revoke', c.secret)).status).toBe(429);
  });

  it('keeps a lock across a restart of the server process', async () => {
    const c = await create();
    for (let i = 0; i < 5; i++) await v1(c.id, 'wrong-secret-value', '127.0.0.50');
    expect((await v1(c.id, c.secret, '127.0.0.50')).status).toBe(429);
    await server.stop();
    server = await startServer(env);
    expect((await v1(c.id, c.secret, '127.0.0.50')).status).toBe(429);
    expect((await v1(c.id, c.secret, '127.0.0.51')).status).toBe(200);
  });
});
