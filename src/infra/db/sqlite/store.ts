import Database from 'better-sqlite3';
import type { BackupResult, Retention, Store } from '../../../usecases/ports.js';
import { SqliteAuditReader } from './audit.js';
import { SqliteClientStore } from './clients.js';
import { migrateDatabase, openDatabase, ownerOnly, type Db } from './connection.js';
import { SqliteIdempotencyStore } from './idempotency.js';
import { SqliteSigningKeyStore } from './keys.js';
import { SqliteLockoutStore, type LockoutStoreOptions } from './lockout.js';
import { SqliteTokenStore } from './tokens.js';

const LOCKOUT_PURGE_BATCH = 1000;

/**
 * Every port on one SQLite file (WAL). The server, its workers and the CLI each open their own;
 * cross-process decisions (lockout, rotation, idempotency claims) are write transactions.
 */
export class SqliteStore implements Store {
  readonly clients: SqliteClientStore;
  readonly lockout: SqliteLockoutStore;
  readonly tokens: SqliteTokenStore;
  readonly audit: SqliteAuditReader;
  readonly idempotency: SqliteIdempotencyStore;
  readonly keys: SqliteSigningKeyStore;
  private readonly pingStmt;
  private readonly purgeLockouts;
  private readonly purgeAudit;

  /** `db` is public for SQLite's own tests and tools (bench seeding); nothing above infra sees it. */
  constructor(readonly db: Db, opts: LockoutStoreOptions = {}) {
    this.clients = new SqliteClientStore(db);
    this.lockout = new SqliteLockoutStore(db, opts);
    this.tokens = new SqliteTokenStore(db);
    this.audit = new SqliteAuditReader(db);
    this.idempotency = new SqliteIdempotencyStore(db);
    this.keys = new SqliteSigningKeyStore(db);
    this.pingStmt = db.$client.prepare('SELECT 1');
    this.purgeLockouts = db.$client.prepare<[number, number]>(
      `DELETE FROM lockouts WHERE rowid IN (SELECT rowid FROM lockouts WHERE window_start < ? AND locked_until <= ? LIMIT ${LOCKOUT_PURGE_BATCH})`,
    );
    this.purgeAudit = db.$client.prepare<[number]>(
      `DELETE FROM audit_events WHERE id IN (SELECT id FROM audit_events WHERE at < ? LIMIT ${LOCKOUT_PURGE_BATCH})`,
    );
  }

  async ping(): Promise<void> {
    this.pingStmt.get();
  }

  async purgeExpired(now: number, { lockout, auditRetentionDays }: Retention): Promise<number> {
    return (
      this.tokens.purgeExpired(now) +
      this.idempotency.purgeExpired(now) +
      this.purgeLockouts.run(now - lockout.windowSeconds * 1000, now).changes +
      this.purgeAudit.run(now - auditRetentionDays * 86_400_000).changes
    );
  }

  /**
   * SQLite's online backup: a consistent copy while the server runs, checked for integrity
   * before it is reported.
   */
  async backup(file: string): Promise<BackupResult> {
    ownerOnly(file);
    const { totalPages } = await this.db.$client.backup(file);
    const check = new Database(file, { readonly: true });
    try {
      const integrity = String(check.pragma('integrity_check', { simple: true }));
      if (integrity !== 'ok') throw new Error(`the backup failed its integrity check: ${integrity}`);
      return { file, pages: totalPages, integrity };
    } finally {
      check.close();
    }
  }

  /** Queued refresh rows commit before the database closes. */
  async close(): Promise<void> {
    await this.tokens.flushRefresh();
    this.db.$client.close();
  }
}

/** Opens (creating if need be) and migrates the SQLite database at `path`. */
export function openSqliteStore(path: string, opts: LockoutStoreOptions = {}): SqliteStore {
  const db = openDatabase(path);
  migrateDatabase(db);
  return new SqliteStore(db, opts);
}
