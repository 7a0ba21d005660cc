import { DAY_MS } from '../../../domain/usage.js';
import type { BackupResult, Retention, Store } from '../../../usecases/ports.js';
import type { LockoutStoreOptions } from '../rows.js';
import { PgAuditLog } from './audit.js';
import { PgApiStore } from './apis.js';
import { PgClientStore } from './clients.js';
import {
  checkMigrated,
  checkReachable,
  guard,
  migrateDatabase,
  openPool,
  type Db,
  type PgOptions,
} from './connection.js';
import { PgIdempotencyStore } from './idempotency.js';
import { PgSigningKeyStore } from './keys.js';
import { PgLockoutStore } from './lockout.js';
import { PgOperatorStore } from './operators.js';
import { PgSessionStore } from './sessions.js';
import { PgTokenStore } from './tokens.js';
import { PgQuotaStore, PgUsageStore } from './usage.js';

const LOCKOUT_PURGE_BATCH = 1000;

export interface PgStoreOptions extends LockoutStoreOptions, PgOptions {
  /** Apply pending migrations first (the default); false when `tollgate migrate` runs them apart. */
  migrate?: boolean;
}

/**
 * Every port on one PostgreSQL database, shared by any number of instances: one pool per process;
 * cross-instance decisions (lockout, rotation, idempotency claims, key rotation) are transactions
 * holding row or advisory locks.
 */
export class PgStore implements Store {
  readonly clients: PgClientStore;
  readonly apis: PgApiStore;
  readonly lockout: PgLockoutStore;
  readonly tokens: PgTokenStore;
  readonly audit: PgAuditLog;
  readonly idempotency: PgIdempotencyStore;
  readonly keys: PgSigningKeyStore;
  readonly operators: PgOperatorStore;
  readonly sessions: PgSessionStore;
  readonly usage: PgUsageStore;
  readonly quotas: PgQuotaStore;

  /** `db` is public for PostgreSQL's own tests and tools (db copy, bench); nothing above infra sees it. */
  constructor(
    readonly db: Db,
    opts: LockoutStoreOptions = {},
  ) {
    this.clients = new PgClientStore(db);
    this.apis = new PgApiStore(db);
    this.lockout = new PgLockoutStore(db, opts);
    this.tokens = new PgTokenStore(db);
    this.audit = new PgAuditLog(db);
    this.idempotency = new PgIdempotencyStore(db);
    this.keys = new PgSigningKeyStore(db);
    this.operators = new PgOperatorStore(db);
    this.sessions = new PgSessionStore(db);
    this.usage = new PgUsageStore(db);
    this.quotas = new PgQuotaStore(db);
  }

  async ping(): Promise<void> {
    await guard(() => this.db.$client.query({ name: 'tg_ping', text: 'SELECT 1' }));
  }

  async purgeExpired(now: number, { lockout, auditRetentionDays, usageRetentionDays }: Retention): Promise<number> {
    const stale = await guard(() =>
      this.db.$client.query(
        `DELETE FROM lockouts WHERE ctid IN (SELECT ctid FROM lockouts WHERE window_start < $1 AND locked_until <= ` +
          `$2 LIMIT ${LOCKOUT_PURGE_BATCH})`,
        [now - lockout.windowSeconds * 1000, now],
      ),
    );
    const oldAudit = await guard(() =>
      this.db.$client.query(
        `DELETE FROM audit_events WHERE id IN (SELECT id FROM audit_events WHERE at < $1 LIMIT ${LOCKOUT_PURGE_BATCH})`,
        [now - auditRetentionDays * 86_400_000],
      ),
    );
    return (
      (await this.tokens.purgeExpired(now)) +
      (await this.idempotency.purgeExpired(now)) +
      (stale.rowCount ?? 0) +
      (oldAudit.rowCount ?? 0) +
      (await this.sessions.purgeExpired(now)) +
      (await this.operators.purgeExpired(now)) +
      (await this.usage.purge(now - usageRetentionDays * DAY_MS)) +
      (await this.quotas.purge(now))
    );
  }

  /** Refused: a consistent copy of a PostgreSQL database is pg_dump's job (see README). */
  async backup(_file: string): Promise<BackupResult> {
    throw new Error(
      'tollgate cannot back up a PostgreSQL database itself; use pg_dump (e.g. pg_dump --format=custom ' +
        '"$DATABASE_URL" > tollgate.dump)',
    );
  }

  /** Queued refresh rows commit before the pool closes. */
  async close(): Promise<void> {
    try {
      await this.tokens.flushRefresh();
    } finally {
      await this.db.$client.end();
    }
  }
}

/**
 * Opens the pool on `url`, applies pending migrations (under an advisory lock, on a dedicated
 * connection) unless told not to, and checks the database answers; a database that cannot be
 * reached stops start-up with a message naming DATABASE_URL.
 */
export async function openPgStore(url: string, opts: PgStoreOptions = {}): Promise<PgStore> {
  if (opts.migrate !== false) await migrateDatabase(url);
  const db = openPool(url, opts);
  try {
    await checkReachable(db, url);
    if (opts.migrate === false) await checkMigrated(db);
  } catch (e) {
    await db.$client.end();
    throw e;
  }
  return new PgStore(db, opts);
}
