import type { Config } from './config.js';
import type { Mode } from './domain/mode.js';
import type { TokenSettings } from './domain/token.js';
import { SqliteAuditLog } from './infra/db/audit-store.js';
import { migrateDatabase, openDatabase, type Db } from './infra/db/connection.js';
import { SqliteClientStore, SqliteLockoutStore } from './infra/db/sqlite-store.js';
import { SqliteTokenStore } from './infra/db/token-store.js';
import { JwtVerifier } from './infra/keys/verifier.js';
import { KeyRing } from './infra/keys/keyring.js';
import { loadMasterKey } from './infra/keys/master-key.js';
import { systemClock, systemRandom } from './infra/system.js';
import type { Clock, Deps, Random } from './usecases/ports.js';

/** The core's ports made real on one SQLite file: what the server and the CLI both run on. */
export interface Services {
  db: Db;
  deps: Deps;
  keys: KeyRing;
  lockoutStore: SqliteLockoutStore;
  /** Where the master key came from, for the start-up log. */
  masterKeyOrigin: string;
  /** The master key itself, for stores that encrypt at rest (GraphQL idempotency results). Never log it. */
  masterKey: Buffer;
  close(): void;
}

export function tokenSettings(config: Config): TokenSettings {
  const issuer = (mode: Mode): string => (mode === 'live' ? config.issuer : `${config.issuer}/test`);
  return { issuer, audience: (mode) => config.tokenAudience ?? issuer(mode) };
}

export async function openServices(
  config: Config,
  opts: { clock?: Clock; random?: Random; onLock?: (kind: 'pair' | 'ip') => void } = {},
): Promise<Services> {
  const clock = opts.clock ?? systemClock;
  const random = opts.random ?? systemRandom;
  const db = openDatabase(config.databasePath);
  migrateDatabase(db);
  const master = loadMasterKey(config.masterKey, config.databasePath);
  const keys = new KeyRing(db, master.key, config.jwtAlg, clock);
  await keys.init();
  const lockoutStore = new SqliteLockoutStore(db, { onLock: opts.onLock });
  const tokens = tokenSettings(config);
  const tokenStore = new SqliteTokenStore(db);
  const deps: Deps = {
    clients: new SqliteClientStore(db),
    tokenStore,
    verifier: new JwtVerifier(keys, tokens, clock),
    lockout: lockoutStore,
    lockoutPolicy: config.lockout,
    clock,
    random,
    signer: keys,
    tokens,
    audit: new SqliteAuditLog(db),
  };
  return { db, deps, keys, lockoutStore, masterKeyOrigin: master.origin, masterKey: master.key, close };

  /** Queued refresh rows commit before the database closes. */
  function close(): void {
    tokenStore.flushRefresh();
    db.$client.close();
  }
}
