import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { harness, type Harness } from '../support/harness.js';

const json = (o: unknown, url = '/v2/credentials/oauth/token') => ({
  method: 'POST' as const,
  url,
  headers: { 'content-type': 'application/json' },
  payload: JSON.stringify(o),
});

describe('v2 door (seed 002)', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness();
  });
  afterEach(() => h.close());

  it('answers camelCase fields in the seed order', async () => {
    const c = await h.client({ scopes: ['balances:read'] });
    const res = await h.app.inject(json({ clientId: c.id, clientSecret: c.secret }));
    expect(res.statusCode).toBe(200);
    expect(Object.keys(res.json())).toEqual(['accessToken', 'scope', 'expiresIn', 'tokenType']);
    expect(res.json().scope).toBe('balances:read');
  });

  it('names the wire field in BadRequest.fieldViolations', async () => {
    const c = await h.client();
    const res = await h.app.inject(json({ clientId: c.id }));
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({
      code: 3,
      message: 'clientSecret is required',
      details: [
        {
          '@type': 'type.googleapis.com/google.rpc.BadRequest',
          fieldViolations: [{ field: 'clientSecret', description: 'clientSecret is required' }],
        },
      ],
    });
  });

  it('answers a bad credential with UNAUTHENTICATED and ErrorInfo INVALID_CLIENT', async () => {
    const c = await h.client();
    const res = await h.app.inject(json({ clientId: c.id, clientSecret: 'wrong-secret-value' }));
    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual({
      code: 16,
      message: 'Invalid client credentials',
      details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'INVALID_CLIENT', domain: 'tollgate' }],
    });
  });

  it('puts the lock time in RetryInfo.retryDelay', async () => {
    await h.close();
    h = await harness({ LOCKOUT_MAX_FAILURES: '1' });
    const c = await h.client();
    await h.app.inject(json({ clientId: c.id, clientSecret: 'wrong-secret-value' }));
    const res = await h.app.inject(json({ clientId: c.id, clientSecret: c.secret }));
    expect(res.statusCode).toBe(429);
    expect(res.headers['retry-after']).toBe('900');
    expect(res.json().details).toEqual([{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '900s' }]);
  });

  it('masks an unexpected failure as INTERNAL', async () => {
    const c = await h.client();
    h.sqlite.db.$client.close();
    const res = await h.app.inject(json({ clientId: c.id, clientSecret: c.secret }));
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({
      code: 13,
      message: 'Internal error',
      details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'INTERNAL', domain: 'tollgate' }],
    });
  });
});
