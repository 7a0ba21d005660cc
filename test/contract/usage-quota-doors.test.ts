import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lockoutKeys } from '../../src/domain/lockout.js';
import { updateClient } from '../../src/usecases/clients/manage.js';
import { clientUsage } from '../../src/usecases/clients/usage.js';
import { harness, type Harness } from '../support/harness.js';
import { DOORS } from './doors.js';

/** The secret with its last character changed (to one it is not). */
const wrongSecret = (secret: string): string => secret.slice(0, -1) + (secret.endsWith('A') ? 'B' : 'A');

const DAY = 86_400_000;

/**
 * Usage and quotas (spec §11) through every token door, on the store of the run: what a door
 * answered is what the client's usage says once the process has flushed, and a quota holds at
 * every door in the door's own envelope, without a lockout count.
 */
describe.each(DOORS)('contract: usage and quota at the $name door', (door) => {
  let h: Harness;

  beforeAll(async () => {
    h = await harness({ LOCKOUT_MAX_FAILURES: '3', LOCKOUT_MAX_FAILURES_PER_IP: '100000' });
  });
  afterAll(() => h.close());

  const usage = async (id: string) => {
    await h.services.usage.flush();
    const now = Date.now();
    return clientUsage(h.services.deps, id, now - DAY, now + 1, 'hour');
  };

  it('counts tokens issued and failures by code for the client, at this door, after a flush', async () => {
    const c = await h.client({ scopes: ['read'] });
    door.expectToken(await door.issue(h, 'live', { clientId: c.id, clientSecret: c.secret }), { scope: 'read' });
    door.expectToken(await door.issue(h, 'live', { clientId: c.id, clientSecret: c.secret }), { scope: 'read' });
    door.expectError(await door.issue(h, 'live', { clientId: c.id, clientSecret: wrongSecret(c.secret) }), 'invalid_client');
    door.expectError(
      await door.issue(h, 'live', { clientId: c.id, clientSecret: c.secret, scope: 'write' }),
      'invalid_scope',
    );
    const buckets = await usage(c.id);
    expect(buckets).toHaveLength(1);
    expect(buckets[0]).toMatchObject({
      door: door.name === 'graphql' ? 'graphql' : door.name,
      issued: 2,
      failures: { invalid_client: 1, invalid_scope: 1 },
      checks: 0,
    });
  });

  it('counts nothing for a client id that names no client', async () => {
    const before = h.services.usage.size;
    door.expectError(
      await door.issue(h, 'live', { clientId: 'cl_live_00000000000000000000000000', clientSecret: 'x'.repeat(20) }),
      'invalid_client',
    );
    expect(h.services.usage.size).toBe(before);
  });

  it('answers rate_limited with Retry-After over the quota, and counts no failed credential check', async () => {
    const c = await h.client({ scopes: ['read'] });
    await updateClient(h.services.deps, c.id, { tokensPerMinute: 6, burst: 2 });
    for (let i = 0; i < 2; i++)
      door.expectToken(await door.issue(h, 'live', { clientId: c.id, clientSecret: c.secret }), { scope: 'read' });
    // More refusals than the lockout allows failures: none of them is one.
    for (let i = 0; i < 4; i++) {
      const res = await door.issue(h, 'live', { clientId: c.id, clientSecret: c.secret });
      door.expectError(res, 'rate_limited');
      // One token every 10 s: the wait is at most that, in whole seconds.
      const retry = Number(res.headers['retry-after']);
      expect(retry).toBeGreaterThanOrEqual(1);
      expect(retry).toBeLessThanOrEqual(10);
    }
    const counters = await h.store.lockout.read(lockoutKeys(c.id, '127.0.0.1'));
    expect(counters.pair?.failures ?? 0).toBe(0);
    // A wrong secret is still refused as a wrong secret, quota or not, and spends no token.
    door.expectError(await door.issue(h, 'live', { clientId: c.id, clientSecret: wrongSecret(c.secret) }), 'invalid_client');
    const [bucket] = await usage(c.id);
    expect(bucket).toMatchObject({ issued: 2, failures: { rate_limited: 4, invalid_client: 1 } });
  });

  it('lets a client without a quota through however fast it asks, and a lifted quota lifts', async () => {
    const c = await h.client({ scopes: ['read'] });
    await updateClient(h.services.deps, c.id, { tokensPerMinute: 1 });
    door.expectToken(await door.issue(h, 'live', { clientId: c.id, clientSecret: c.secret }), { scope: 'read' });
    door.expectError(await door.issue(h, 'live', { clientId: c.id, clientSecret: c.secret }), 'rate_limited');
    const lifted = await updateClient(h.services.deps, c.id, { tokensPerMinute: null });
    expect(lifted).toMatchObject({ tokensPerMinute: null, burst: null });
    for (let i = 0; i < 5; i++)
      door.expectToken(await door.issue(h, 'live', { clientId: c.id, clientSecret: c.secret }), { scope: 'read' });
  });
});

describe('usage of protected-endpoint checks', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness();
  });
  afterAll(() => h.close());

  it('counts each Bearer check of a good token for its client, at the door that checked it', async () => {
    const c = await h.client({ scopes: ['read'] });
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/v1/client/token',
      payload: { client_id: c.id, client_secret: c.secret },
    });
    const token = res.json().data.access_token as string;
    for (let i = 0; i < 3; i++) {
      const me = await h.app.inject({ url: '/api/v1/client/me', headers: { authorization: `Bearer ${token}` } });
      expect(me.statusCode).toBe(200);
    }
    const verify = await h.app.inject({ url: '/auth/verify', headers: { authorization: `Bearer ${token}` } });
    expect(verify.statusCode).toBe(200);
    // A forged token names a client it cannot speak for: no count.
    const forged = await h.app.inject({ url: '/auth/verify', headers: { authorization: `Bearer ${token}x` } });
    expect(forged.statusCode).toBe(401);
    await h.services.usage.flush();
    const now = Date.now();
    const buckets = await clientUsage(h.services.deps, c.id, now - DAY, now + 1, 'hour');
    expect(buckets.map((b) => [b.door, b.issued, b.checks])).toEqual([
      ['common', 1, 3],
      ['forward-auth', 0, 1],
    ]);
  });
});
