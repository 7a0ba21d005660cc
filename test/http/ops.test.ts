import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/http/app.js';
import { metricsApp as metricsAppAlone, type Lifecycle } from '../../src/http/ops/index.js';
import { MetricsUnavailable } from '../../src/infra/cluster-metrics.js';
import { Metrics } from '../../src/infra/metrics.js';
import { harness, type Harness } from '../support/harness.js';

const v1 = (h: Harness, id: string, secret: string, test = false) =>
  h.app.inject({
    method: 'POST',
    url: `${test ? '/test' : ''}/v1/auth/token`,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ client_id: id, client_secret: secret }).toString(),
  });

/** Reads one sample's value from the Prometheus text format. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && want.every((w) => l.includes(w)));
  return line === undefined ? undefined : Number(line.split(' ').pop());
}

describe('operator endpoints', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness();
  });
  afterEach(() => h.close());

  it('answers /healthz while the process is up', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/healthz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
  });

  it('answers /readyz 200, then 503 while shutting down', async () => {
    const lifecycle: Lifecycle = { shuttingDown: false };
    const app = buildApp(h.services, h.config, { lifecycle });
    expect((await app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
    lifecycle.shuttingDown = true;
    const res = await app.inject({ method: 'GET', url: '/readyz' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toEqual({ status: 'shutting_down' });
    await app.close();
  });

  it('counts locks as they begin, by kind of key', async () => {
    await h.close();
    const metrics = new Metrics();
    h = await harness({ LOCKOUT_MAX_FAILURES: '2' }, { metrics });
    const c = await h.client();
    for (let i = 0; i < 3; i++) await v1(h, c.id, 'wrong-secret-value');
    const text = await metrics.registry.metrics();
    expect(sample(text, 'tollgate_lockouts_total', { kind: 'pair' })).toBe(1);
  });

  it('answers /readyz 503 when the database is gone', async () => {
    h.sqlite.db.$client.close();
    const res = await h.app.inject({ method: 'GET', url: '/readyz' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toEqual({ status: 'database_unavailable' });
  });

  it('counts tokens by door and mode, failures by domain code, Bearer results and latency', async () => {
    const live = await h.client();
    const test = await h.client({ mode: 'test' });
    await v1(h, live.id, live.secret);
    await v1(h, live.id, live.secret);
    await v1(h, test.id, test.secret, true);
    await v1(h, live.id, 'wrong-secret-value');
    const token = (await v1(h, live.id, live.secret)).json().data.access_token as string;
    await h.app.inject({ method: 'GET', url: '/auth/verify', headers: { authorization: `Bearer ${token}` } });
    await h.app.inject({ method: 'GET', url: '/auth/verify', headers: { authorization: 'Bearer nope' } });
    const gql = (secret: string) =>
      h.app.inject({
        method: 'POST',
        url: '/graphql',
        headers: { 'content-type': 'application/json' },
        payload: {
          query: 'mutation($i: IssueTokenInput!) { issueToken(input: $i) { __typename } }',
          variables: { i: { clientId: live.id, clientSecret: secret } },
        },
      });
    expect((await gql(live.secret)).json().data.issueToken.__typename).toBe('TokenGrant');
    expect((await gql('wrong-secret-value')).json().data.issueToken.__typename).toBe('InvalidClientError');

    const res = await h.app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain');
    const text = res.body;
    expect(sample(text, 'tollgate_tokens_issued_total', { door: 'v1', mode: 'live' })).toBe(3);
    expect(sample(text, 'tollgate_tokens_issued_total', { door: 'v1', mode: 'test' })).toBe(1);
    expect(sample(text, 'tollgate_failures_total', { door: 'v1', code: 'invalid_client' })).toBe(1);
    expect(sample(text, 'tollgate_tokens_issued_total', { door: 'graphql', mode: 'live' })).toBe(1);
    expect(sample(text, 'tollgate_failures_total', { door: 'graphql', code: 'invalid_client' })).toBe(1);
    expect(sample(text, 'tollgate_bearer_verifications_total', { result: 'valid' })).toBe(1);
    expect(sample(text, 'tollgate_bearer_verifications_total', { result: 'invalid' })).toBe(1);
    expect(
      sample(text, 'tollgate_http_request_duration_seconds_count', { door: 'v1', method: 'POST', status: '200' }),
    ).toBe(4);
    expect(text).toContain('tollgate_process_resident_memory_bytes');
  });

  it('answers /metrics 503 with Retry-After, at once, while the metrics of every worker cannot be had', async () => {
    for (const metricsApp of [
      buildApp(h.services, h.config, {
        gatherMetrics: () => Promise.reject(new MetricsUnavailable('a worker is starting')),
      }),
      metricsAppAlone({
        metrics: new Metrics(),
        gatherMetrics: () => Promise.reject(new MetricsUnavailable('a worker is starting')),
      }),
    ]) {
      const res = await metricsApp.inject({ method: 'GET', url: '/metrics' });
      expect(res.statusCode).toBe(503);
      expect(res.headers['retry-after']).toBe('1');
      expect(res.headers['content-type']).toContain('text/plain');
      expect(res.body).toContain('a worker is starting');
      await metricsApp.close();
    }
  });
});

describe('GET /', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await harness();
  });
  afterEach(() => h.close());

  it('answers a page of links for a browser, and the same links as JSON for a script', async () => {
    const page = await h.app.inject({
      method: 'GET',
      url: '/',
      headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' },
    });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    for (const href of ['/panel', '/docs', '/graphql', '/openapi.json']) expect(page.body).toContain(`href="${href}"`);
    expect(page.body).toContain('<link rel="icon" href="/panel/favicon.svg" type="image/svg+xml">');
    const json = await h.app.inject({ method: 'GET', url: '/', headers: { accept: 'application/json' } });
    expect(json.headers['content-type']).toMatch(/^application\/json/);
    expect(json.json().links.map((l: { href: string }) => l.href)).toEqual(
      expect.arrayContaining(['/docs', '/graphql']),
    );
  });
});
