import type { Config } from '../config.js';
import type { Store } from '../usecases/ports.js';
import { openSqliteStore } from './db/sqlite/store.js';
import type { LockoutStoreOptions } from './db/sqlite/lockout.js';

export type StoreOptions = LockoutStoreOptions;

/**
 * The store factory: every storage port on the configured database. Only the composition root
 * calls it; what it returns is seen through the ports alone.
 */
export async function openStore(config: Pick<Config, 'databasePath'>, opts: StoreOptions = {}): Promise<Store> {
  return openSqliteStore(config.databasePath, opts);
}
