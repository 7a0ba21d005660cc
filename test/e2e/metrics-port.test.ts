import { freePort } from '../support/pg-cluster.js';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, tempDir, type RunningServer } from '../support/process.js';

/** Issue 16 item 12: with METRICS_PORT, whoever reaches the API cannot read the metrics. */
describe('METRICS_PORT', () => {
  let server: RunningServer;
  let metricsPort: number;
  beforeAll(async () => {
    metricsPort = await freePort();
    server = await startServer({
      DATABASE_PATH: join(tempDir(), 'tollgate.db'),
      TOLLGATE_MASTER_KEY: 'test-master-key-that-is-long-enough-0123456789',
      METRICS_PORT: String(metricsPort),
    });
  });
  afterAll(() => server.stop());

  it('serves /metrics on its own listener and no longer beside the API', async () => {
    const own = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    expect(own.status).toBe(200);
    expect(await own.text()).toContain('tollgate_tokens_issued_total');
    expect((await fetch(`${server.url}/metrics`)).status).toBe(404);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    // The metrics listener serves nothing else.
    expect((await fetch(`http://127.0.0.1:${metricsPort}/healthz`)).status).toBe(404);
  });
});
