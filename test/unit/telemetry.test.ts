import * as nodeModule from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { buildApp } from '../../src/http/app.js';
import { timedStore } from '../../src/infra/store-timing.js';
import type { RequestFacts } from '../../src/infra/telemetry.js';
import { openServices } from '../../src/services.js';
import { harness, type Harness } from '../support/harness.js';

/** Every module Node resolves from here on, by specifier and by where it resolved to. */
const resolved: string[] = [];
/** `module.registerHooks` (Node ≥ 22.15), which this @types/node does not declare yet. */
type Resolve = (specifier: string, context: unknown) => { url: string };
const { registerHooks } = nodeModule as unknown as {
  registerHooks(hooks: { resolve(specifier: string, context: unknown, next: Resolve): { url: string } }): void;
};
registerHooks({
  resolve(specifier, context, next) {
    const result = next(specifier, context);
    resolved.push(specifier, result.url);
    return result;
  },
});
const sdkLoaded = () => resolved.filter((s) => /@opentelemetry\/(sdk-|exporter-|resources)/.test(s));

describe('OTEL_* configuration', () => {
  it('is off unless OTEL_EXPORTER_OTLP_ENDPOINT is set, and off again with OTEL_SDK_DISABLED', () => {
    expect(loadConfig({}).otel).toBeUndefined();
    expect(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: '' }).otel).toBeUndefined();
    expect(
      loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SDK_DISABLED: 'true' }).otel,
    ).toBeUndefined();
    expect(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }).otel).toEqual({
      serviceName: 'tollgate',
      metricIntervalMs: 60_000,
      spanDelayMs: 5000,
    });
    expect(
      loadConfig({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'https://collector:4318',
        OTEL_SERVICE_NAME: 'auth',
        OTEL_METRIC_EXPORT_INTERVAL: '1000',
        OTEL_BSP_SCHEDULE_DELAY: '200',
      }).otel,
    ).toEqual({ serviceName: 'auth', metricIntervalMs: 1000, spanDelayMs: 200 });
  });

  it('refuses an endpoint that is not an http(s) URL, and a bad interval, naming the variable', () => {
    expect(() => loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' })).toThrow(ConfigError);
    expect(() => loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'grpc://collector:4317' })).toThrow(
      /OTEL_EXPORTER_OTLP_ENDPOINT/,
    );
    expect(() =>
      loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_METRIC_EXPORT_INTERVAL: '1s' }),
    ).toThrow(/OTEL_METRIC_EXPORT_INTERVAL/);
  });
});

const TRACE_HOOKS = /traceStart|traceResume|traceEnd/;

describe('without OpenTelemetry configured', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness();
  });
  afterAll(() => h.close());

  it('loads none of the SDK and registers no hook, while requests are answered', async () => {
    expect((await h.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    const refused = await h.app.inject({ method: 'POST', url: '/v2/credentials/oauth/token', payload: {} });
    expect(refused.statusCode).toBe(400);
    expect(h.app.printRoutes({ includeHooks: true, commonPrefix: false })).not.toMatch(TRACE_HOOKS);
    expect(sdkLoaded()).toEqual([]);
  });

  // Last in the file: it loads the SDK. It shows the watch above would have seen it.
  it('(the watch is real: loading the telemetry module is seen)', async () => {
    await import('../../src/infra/telemetry.js');
    expect(sdkLoaded()).not.toEqual([]);
  });
});

describe('with tracing on', () => {
  const facts: RequestFacts[] = [];
  let h: Harness;
  let traced: ReturnType<typeof buildApp>;
  beforeAll(async () => {
    h = await harness();
    const services = await openServices(h.config, { store: h.store, wrapStore: timedStore });
    traced = buildApp(services, h.config, {
      telemetry: { record: (f) => facts.push(f), shutdown: async () => {} },
    });
    await traced.ready();
  });
  afterAll(async () => {
    await traced.close();
    await h.close();
  });

  it('hands each request to telemetry with its door, mode, client, outcome and store time, no secret', async () => {
    const { id, secret } = await h.client();
    expect(traced.printRoutes({ includeHooks: true, commonPrefix: false })).toMatch(TRACE_HOOKS);
    const wrong = `${secret}x`;
    const res = await traced.inject({
      method: 'POST',
      url: '/v2/credentials/oauth/token',
      payload: { clientId: id, clientSecret: wrong },
    });
    expect(res.statusCode).toBe(401);
    const basic = Buffer.from(`${id}:${wrong}`).toString('base64');
    await traced.inject({
      method: 'POST',
      url: '/test/api/v1/oauth2/token',
      headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'grant_type=client_credentials',
    });
    await traced.inject({ method: 'GET', url: '/api/v1/client/me', headers: { authorization: 'Bearer a.b.c' } });
    const [v2, oauth2, me] = facts;
    expect(v2).toMatchObject({
      method: 'POST',
      route: '/v2/credentials/oauth/token',
      status: 401,
      door: 'v2',
      mode: 'live',
      clientId: id,
      outcome: 'invalid_client',
    });
    // The client was read from the store while this request waited.
    expect(v2!.storeCalls).toBeGreaterThan(0);
    expect(v2!.storeMs).toBeGreaterThan(0);
    // The HTTP Basic user names the client; its password is never read.
    expect(oauth2).toMatchObject({ door: 'oauth2', mode: 'test', clientId: id });
    // A refused Bearer token names nobody.
    expect(me).toMatchObject({ door: 'common', status: 401, clientId: undefined });
    expect(me!.outcome).not.toBe('ok');
    expect(JSON.stringify(facts)).not.toContain(secret);
  });

  it("leaves the store's own operations (its ping) out of store time", async () => {
    const before = facts.length;
    await traced.inject({ method: 'GET', url: '/healthz' });
    expect(facts.slice(before)).toEqual([expect.objectContaining({ route: '/healthz', storeCalls: 0, outcome: 'ok' })]);
  });
});
