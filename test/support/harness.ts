import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { loadConfig, type Config } from '../../src/config.js';
import type { Mode } from '../../src/domain/mode.js';
import { buildApp } from '../../src/http/app.js';
import { openSqliteStore, type SqliteStore } from '../../src/infra/db/sqlite/store.js';
import { Metrics } from '../../src/infra/metrics.js';
import { openServices, type Services } from '../../src/services.js';
import { createClient, type CreateClientInput } from '../../src/usecases/manage-clients.js';

export interface Harness {
  app: FastifyInstance;
  services: Services;
  /** The SQLite store behind the services, for tests that look inside the database. */
  sqlite: SqliteStore;
  config: Config;
  dir: string;
  /** Listens on a free loopback port (for raw-socket tests) and returns it. */
  listen(): Promise<number>;
  /** Creates a client through the core and returns its id and one-time secret. */
  client(input?: Partial<CreateClientInput>): Promise<{ id: string; secret: string; mode: Mode }>;
  close(): Promise<void>;
}

/** The real app on a real SQLite file in a temp folder; requests go through `app.inject()`. */
export async function harness(env: Record<string, string> = {}, opts: { metrics?: Metrics } = {}): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-'));
  const config = loadConfig({
    DATABASE_PATH: join(dir, 'tollgate.db'),
    ISSUER: 'http://tollgate.test',
    TOLLGATE_MASTER_KEY: 'test-master-key-that-is-long-enough-0123456789',
    ...env,
  });
  const metrics = opts.metrics;
  const sqlite = openSqliteStore(config.databasePath, metrics ? { onLock: (kind) => metrics.lockouts.inc({ kind }) } : {});
  const services = await openServices(config, { store: sqlite });
  const app = buildApp(services, config, metrics ? { metrics } : {});
  await app.ready();
  return {
    app,
    services,
    sqlite,
    config,
    dir,
    async listen() {
      await app.listen({ port: 0, host: '127.0.0.1' });
      return (app.server.address() as AddressInfo).port;
    },
    async client(input = {}) {
      const mode = input.mode ?? 'live';
      const made = await createClient(services.deps, { name: 'test client', mode, scopes: ['read', 'write'], ...input });
      return { id: made.client.id, secret: made.clientSecret, mode };
    },
    async close() {
      await app.close();
      await services.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
