import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, tempDir, type RunningServer } from '../support/process.js';

/** What an OTLP/HTTP collector received: the raw JSON bodies, per signal path. */
interface Received {
  traces: string[];
  metrics: string[];
}

/** A collector of our own: the -http exporters POST JSON to /v1/traces and /v1/metrics. */
async function otlpReceiver(): Promise<{ server: Server; url: string; received: Received; types: Set<string> }> {
  const received: Received = { traces: [], metrics: [] };
  const types = new Set<string>();
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (d: string) => (body += d));
    req.on('end', () => {
      types.add(String(req.headers['content-type']));
      if (req.url === '/v1/traces') received.traces.push(body);
      else if (req.url === '/v1/metrics') received.metrics.push(body);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received, types };
}

interface OtlpValue {
  stringValue?: string;
  intValue?: string | number;
  doubleValue?: number;
}
interface OtlpSpan {
  name: string;
  attributes: Array<{ key: string; value: OtlpValue }>;
}

const plain = (v: OtlpValue): unknown =>
  v.stringValue ?? (v.intValue === undefined ? v.doubleValue : Number(v.intValue));

function spansOf(bodies: string[]): Array<{ name: string; attrs: Record<string, unknown> }> {
  return bodies.flatMap((b) =>
    (JSON.parse(b) as { resourceSpans: Array<{ scopeSpans: Array<{ spans: OtlpSpan[] }> }> }).resourceSpans.flatMap(
      (r) =>
        r.scopeSpans.flatMap((s) =>
          s.spans.map((span) => ({
            name: span.name,
            attrs: Object.fromEntries(span.attributes.map((a) => [a.key, plain(a.value)])),
          })),
        ),
    ),
  );
}

function metricNames(bodies: string[]): Set<string> {
  const names = new Set<string>();
  for (const b of bodies) {
    const parsed = JSON.parse(b) as {
      resourceMetrics: Array<{ scopeMetrics: Array<{ metrics: Array<{ name: string }> }> }>;
    };
    for (const r of parsed.resourceMetrics)
      for (const s of r.scopeMetrics) for (const m of s.metrics) names.add(m.name);
  }
  return names;
}

async function until(check: () => boolean, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((ok) => setTimeout(ok, 50));
  }
}

/** Issue 32 item 5: with OTEL_EXPORTER_OTLP_ENDPOINT, spans and metrics go out over OTLP/HTTP. */
describe('OpenTelemetry export', () => {
  let receiver: Awaited<ReturnType<typeof otlpReceiver>>;
  let server: RunningServer;
  let id: string;
  let secret: string;
  let accessToken: string;

  beforeAll(async () => {
    receiver = await otlpReceiver();
    server = await startServer({
      DATABASE_PATH: join(tempDir(), 'tollgate.db'),
      TOLLGATE_MASTER_KEY: 'test-master-key-that-is-long-enough-0123456789',
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_METRIC_EXPORT_INTERVAL: '300',
      OTEL_BSP_SCHEDULE_DELAY: '50',
      OTEL_SERVICE_NAME: 'tollgate-e2e',
    });
    id = /client_id:\s+(\S+)/.exec(server.stdout())![1]!;
    secret = /client_secret:\s+(\S+)/.exec(server.stdout())![1]!;
    const issued = await fetch(`${server.url}/test/v1/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_id: id, client_secret: secret }),
    });
    expect(issued.status).toBe(200);
    accessToken = ((await issued.json()) as { data: { access_token: string } }).data.access_token;
    const failed = await fetch(`${server.url}/test/v2/credentials/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ clientId: id, clientSecret: `${secret}-wrong` }),
    });
    expect(failed.status).toBe(401);
    const me = await fetch(`${server.url}/test/api/v1/client/me`, {
      headers: { authorization: `Bearer ${accessToken}` },
    });
    expect(me.status).toBe(200);
  });
  afterAll(async () => {
    await server?.stop();
    await new Promise((ok) => receiver?.server.close(ok));
  });

  it('sends a span per request with its door, mode, client, outcome and store time', async () => {
    const find = (route: string) => spansOf(receiver.received.traces).find((s) => s.attrs['http.route'] === route);
    await until(() => find('/test/api/v1/client/me') !== undefined, 'the /me span');
    // OTLP/HTTP's JSON encoding, the exporters' default.
    expect(receiver.types).toEqual(new Set(['application/json']));
    const body = JSON.parse(receiver.received.traces[0]!) as {
      resourceSpans: Array<{ resource: { attributes: Array<{ key: string; value: OtlpValue }> } }>;
    };
    expect(body.resourceSpans[0]!.resource.attributes).toContainEqual({
      key: 'service.name',
      value: { stringValue: 'tollgate-e2e' },
    });

    const issued = find('/test/v1/auth/token')!;
    expect(issued.name).toBe('POST /test/v1/auth/token');
    expect(issued.attrs).toMatchObject({
      'tollgate.door': 'v1',
      'tollgate.mode': 'test',
      'tollgate.client_id': id,
      'tollgate.outcome': 'ok',
      'http.request.method': 'POST',
      'http.response.status_code': 200,
    });
    // The store was read (the client) and written (last use, lockout): its time is counted.
    expect(issued.attrs['tollgate.store.calls']).toBeGreaterThan(0);
    expect(issued.attrs['tollgate.store.duration_ms']).toBeGreaterThan(0);

    expect(find('/test/v2/credentials/oauth/token')!.attrs).toMatchObject({
      'tollgate.door': 'v2',
      'tollgate.mode': 'test',
      'tollgate.client_id': id,
      'tollgate.outcome': 'invalid_client',
      'http.response.status_code': 401,
    });
    // A Bearer route names the token's client, read from the token it accepted.
    expect(find('/test/api/v1/client/me')!.attrs).toMatchObject({
      'tollgate.door': 'common',
      'tollgate.client_id': id,
      'tollgate.outcome': 'ok',
    });
  });

  it('never exports the client secret or the access token', async () => {
    await until(() => receiver.received.metrics.length > 0, 'a metrics export');
    const everything = [...receiver.received.traces, ...receiver.received.metrics].join('\n');
    expect(everything).toContain(id);
    expect(everything).not.toContain(secret);
    expect(everything).not.toContain(accessToken);
    // Not even the token's signature, or its payload, on its own.
    for (const part of accessToken.split('.').slice(1)) expect(everything).not.toContain(part);
  });

  it('exports the Prometheus metrics under their names, with their counts', async () => {
    const names = () => metricNames(receiver.received.metrics);
    const expected = [
      'tollgate_tokens_issued_total',
      'tollgate_failures_total',
      'tollgate_bearer_verifications_total',
      'tollgate_http_request_duration_seconds',
    ];
    // A counter appears in the first export after its first count.
    await until(() => expected.every((name) => names().has(name)), `${expected.join(', ')}`);
    const last = receiver.received.metrics.at(-1)!;
    const issued = (
      JSON.parse(last) as {
        resourceMetrics: Array<{
          scopeMetrics: Array<{
            metrics: Array<{
              name: string;
              sum?: { dataPoints: Array<{ asDouble?: number; asInt?: number; attributes: unknown[] }> };
            }>;
          }>;
        }>;
      }
    ).resourceMetrics
      .flatMap((r) => r.scopeMetrics.flatMap((s) => s.metrics))
      .find((m) => m.name === 'tollgate_tokens_issued_total')!;
    expect(issued.sum!.dataPoints).toContainEqual(
      expect.objectContaining({
        attributes: expect.arrayContaining([
          { key: 'door', value: { stringValue: 'v1' } },
          { key: 'mode', value: { stringValue: 'test' } },
        ]),
      }),
    );
    expect(issued.sum!.dataPoints.map((p) => p.asDouble ?? Number(p.asInt))).toEqual([1]);
  });

  it("stops gracefully with its exporters, the last request's span sent", async () => {
    const before = receiver.received.traces.length;
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    expect(await server.stop()).toBe(0);
    // The span of the last request left before the process did.
    expect(receiver.received.traces.length).toBeGreaterThan(before);
    expect(spansOf(receiver.received.traces.slice(before)).map((s) => s.attrs['http.route'])).toContain('/healthz');
  });
});
