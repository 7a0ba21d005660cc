import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { harness, type Harness } from '../support/harness.js';

/** Issue 16 item 2: a forwarded address never buys a fresh lockout counter, nor passes an allowlist it is not in. */
describe('X-Forwarded-For from a trusted proxy', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness({ TRUST_PROXY: '127.0.0.1', LOCKOUT_MAX_FAILURES: '5' });
  });
  afterAll(() => h.close());

  const v1 = (id: string, secret: string, xff: string) =>
    h.app.inject({
      method: 'POST',
      url: '/v1/auth/token',
      remoteAddress: '127.0.0.1',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': xff },
      payload: new URLSearchParams({ client_id: id, client_secret: secret }).toString(),
    });

  it.each([
    ['an address with a changing port', (n: number) => `203.0.113.7:${40000 + n}`],
    ['a bracketed IPv6 address with a port', (n: number) => (n % 2 ? '[2001:db8::1]:443' : '[2001:DB8:0::1]:8443')],
    ['a hop that is no address, different every time', (n: number) => `garbage-${n}`],
  ])('locks after 5 wrong secrets through %s', async (_label, hop) => {
    const c = await h.client();
    const statuses: number[] = [];
    for (let n = 0; n < 20; n++) statuses.push((await v1(c.id, 'wrong-secret-value', hop(n))).statusCode);
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(new Set(statuses.slice(5))).toEqual(new Set([429]));
    // The lock holds for the right secret too, from the same (normalised) source.
    expect((await v1(c.id, c.secret, hop(99))).statusCode).toBe(429);
  });

  it('lets an allowlisted client in through a port-suffixed hop, and never through a garbage one', async () => {
    const c = await h.client({ allowedIps: ['203.0.113.0/24'] });
    expect((await v1(c.id, c.secret, '203.0.113.50:1234')).statusCode).toBe(200);
    expect((await v1(c.id, c.secret, 'not-an-address')).statusCode).toBe(403);
  });
});
