import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { loadConfig, type Config } from '../../src/config.js';
import type { Mode } from '../../src/domain/mode.js';
import { buildApp } from '../../src/http/app.js';
import { openPgStore } from '../../src/infra/db/pg/store.js';
import { openSqliteStore, type SqliteStore } from '../../src/infra/db/sqlite/store.js';
import type { Metrics } from '../../src/infra/metrics.js';
import { openServices, type Services } from '../../src/services.js';
import { createClient, type CreateClientInput } from '../../src/usecases/clients/manage.js';
import type { Clock, Store } from '../../src/usecases/ports.js';
import { freshDatabase, testStore } from './pg.js';

export interface Harness {
  app: FastifyInstance;
  services: Services;
  /** The SQLite store behind the services, for tests that look inside the database (SQLite runs only). */
  sqlite: SqliteStore;
  /** The store behind the services, whichever it is. */
  store: Store;
  config: Config;
  dir: string;
  /** Listens on a free loopback port (for raw-socket tests) and returns it. */
  listen(): Promise<number>;
  /** Creates a client through the core and returns its id and one-time secret. */
  client(input?: Partial<CreateClientInput>): Promise<{ id: string; secret: string; mode: Mode }>;
  close(): Promise<void>;
}

/**
 * The real app on a real store: a SQLite file in a temp folder, or (TEST_STORE=pg, the vitest
 * project "pg") a fresh PostgreSQL database; requests go through `app.inject()`.
 */
export async function harness(
  env: Record<string, string> = {},
  opts: { metrics?: Metrics; clock?: Clock } = {},
): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-'));
  const pg = testStore() === 'pg';
  const config = loadConfig({
    DATABASE_PATH: join(dir, 'tollgate.db'),
    ...(pg ? { DATABASE_URL: await freshDatabase() } : {}),
    ISSUER: 'http://tollgate.test',
    TOLLGATE_MASTER_KEY: 'test-master-key-that-is-long-enough-0123456789',
    ...env,
  });
  const metrics = opts.metrics;
  const storeOpts = metrics ? { onLock: (kind: 'pair' | 'ip') => metrics.lockouts.inc({ kind }) } : {};
  const store =
    config.databaseUrl !== undefined
      ? await openPgStore(config.databaseUrl, { ...storeOpts, migrate: false })
      : openSqliteStore(config.databasePath, storeOpts);
  const services = await openServices(config, { store, ...(opts.clock ? { clock: opts.clock } : {}) });
  const app = buildApp(services, config, metrics ? { metrics } : {});
  await app.ready();
  return {
    app,
    services,
    get sqlite(): SqliteStore {
      if (config.databaseUrl !== undefined)
        throw new Error('this test looks inside SQLite: it runs in the vitest project "sqlite" only');
      return store as SqliteStore;
    },
    store,
    config,
    dir,
    async listen() {
      await app.listen({ port: 0, host: '127.0.0.1' });
      return (app.server.address() as AddressInfo).port;
    },
    async client(input = {}) {
      const mode = input.mode ?? 'live';
      const made = await createClient(services.deps, {
        name: 'test client',
        mode,
        scopes: ['read', 'write'],
        ...input,
      });
      return { id: made.client.id, secret: made.clientSecret, mode };
    },
    async close() {
      await app.close();
      await services.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
