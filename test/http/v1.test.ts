import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { harness, type Harness } from '../support/harness.js';

const form = (o: Record<string, string>) => ({
  method: 'POST' as const,
  url: '/v1/auth/token',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  payload: new URLSearchParams(o).toString(),
});

describe('v1 door (seed 003)', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness();
  });
  afterEach(() => h.close());

  it('answers the seed sample bodies word for word', async () => {
    const c = await h.client();
    const missing = await h.app.inject(form({ client_id: c.id }));
    expect(missing.statusCode).toBe(400);
    expect(missing.body).toBe(
      '{"error":{"code":"400013","code_reason":"invalid_request","message":"Missing or invalid parameters: client_secret"}}',
    );
    const wrong = await h.app.inject(form({ client_id: c.id, client_secret: 'wrong-secret-value' }));
    expect(wrong.statusCode).toBe(401);
    expect(wrong.body).toBe(
      '{"error":{"code":"401021","code_reason":"invalid_client","message":"Invalid client_id, client_secret, or session_key"}}',
    );
  });

  it('accepts a charset parameter on the form content type', async () => {
    const c = await h.client();
    const res = await h.app.inject({
      ...form({ client_id: c.id, client_secret: c.secret }),
      headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
    });
    expect(res.statusCode).toBe(200);
  });

  it('masks an unexpected failure as 500999 API_ERROR without internals', async () => {
    const c = await h.client();
    h.sqlite.db.$client.close();
    const res = await h.app.inject(form({ client_id: c.id, client_secret: c.secret }));
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({
      error: { code: '500999', code_reason: 'API_ERROR', message: 'Api Error, please contact customer service' },
    });
  });

  it('treats hosts in TEST_HOSTS as test mode at the plain paths', async () => {
    await h.close();
    h = await harness({ TEST_HOSTS: 'sandbox.example.com' });
    const t = await h.client({ mode: 'test' });
    const onSandbox = await h.app.inject({
      ...form({ client_id: t.id, client_secret: t.secret }),
      headers: { host: 'sandbox.example.com', 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(onSandbox.statusCode).toBe(200);
    const onLive = await h.app.inject(form({ client_id: t.id, client_secret: t.secret }));
    expect(onLive.statusCode).toBe(401);
  });

  it('answers a GET on the token path with not_found in the v1 envelope', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/v1/auth/token' });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('404001');
  });
});
