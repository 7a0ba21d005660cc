import type { Config } from '../config.js';
import type { Store } from '../usecases/ports.js';
import { openPgStore } from './db/pg/store.js';
import { openSqliteStore } from './db/sqlite/store.js';
import type { LockoutStoreOptions } from './db/rows.js';

export interface StoreOptions extends LockoutStoreOptions {
  /** Override config.migrateOnStart (`tollgate migrate` always migrates). */
  migrate?: boolean;
  /** SQLite only: a long-running server's WAL checkpoints run on a thread of their own. */
  checkpointInBackground?: boolean;
}

export type StoreConfig = Pick<Config, 'databasePath' | 'databaseUrl' | 'databasePoolSize' | 'migrateOnStart'>;

/**
 * The store factory: every storage port on the configured database, PostgreSQL when
 * DATABASE_URL is set, else the SQLite file at DATABASE_PATH. Only the composition root calls
 * it; what it returns is seen through the ports alone.
 */
export async function openStore(config: StoreConfig, opts: StoreOptions = {}): Promise<Store> {
  if (config.databaseUrl !== undefined) {
    return openPgStore(config.databaseUrl, {
      onLock: opts.onLock,
      poolSize: config.databasePoolSize,
      migrate: opts.migrate ?? config.migrateOnStart,
    });
  }
  // SQLite is one file on one box: migrating on open is always safe there.
  return openSqliteStore(config.databasePath, {
    onLock: opts.onLock,
    checkpointInBackground: opts.checkpointInBackground,
  });
}
