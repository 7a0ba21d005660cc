import Database from 'better-sqlite3';
import { existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { DAY_MS } from '../../../domain/usage.js';
import type { BackupResult, Retention, Store } from '../../../usecases/ports.js';
import { SqliteApiStore } from './apis.js';
import { SqliteAuditLog } from './audit.js';
import { BackgroundCheckpointer } from './checkpointer.js';
import { SqliteClientStore } from './clients.js';
import { migrateDatabase, openDatabase, ownerOnly, type Db } from './connection.js';
import { SqliteIdempotencyStore } from './idempotency.js';
import { SqliteSigningKeyStore } from './keys.js';
import { SqliteLockoutStore } from './lockout.js';
import type { LockoutStoreOptions } from '../rows.js';
import { SqliteOperatorStore } from './operators.js';
import { SqliteSessionStore } from './sessions.js';
import { SqliteTokenStore } from './tokens.js';
import { SqliteQuotaStore, SqliteUsageStore } from './usage.js';

const LOCKOUT_PURGE_BATCH = 1000;

/**
 * Every port on one SQLite file (WAL). The server, its workers and the CLI each open their own;
 * cross-process decisions (lockout, rotation, idempotency claims) are write transactions.
 */
export class SqliteStore implements Store {
  readonly clients: SqliteClientStore;
  readonly apis: SqliteApiStore;
  readonly lockout: SqliteLockoutStore;
  readonly tokens: SqliteTokenStore;
  readonly audit: SqliteAuditLog;
  readonly idempotency: SqliteIdempotencyStore;
  readonly keys: SqliteSigningKeyStore;
  readonly operators: SqliteOperatorStore;
  readonly sessions: SqliteSessionStore;
  readonly usage: SqliteUsageStore;
  readonly quotas: SqliteQuotaStore;
  private readonly pingStmt;
  private readonly purgeLockouts;
  private readonly purgeAudit;

  /**
   * `db` is public for SQLite's own tests and tools (bench seeding); nothing above infra sees it.
   * `checkpointer`, when given, runs the WAL checkpoints and is stopped by `close()`.
   */
  constructor(
    readonly db: Db,
    opts: LockoutStoreOptions = {},
    readonly checkpointer?: BackgroundCheckpointer,
  ) {
    this.clients = new SqliteClientStore(db);
    this.apis = new SqliteApiStore(db);
    this.lockout = new SqliteLockoutStore(db, opts);
    this.tokens = new SqliteTokenStore(db);
    this.audit = new SqliteAuditLog(db);
    this.idempotency = new SqliteIdempotencyStore(db);
    this.keys = new SqliteSigningKeyStore(db);
    this.operators = new SqliteOperatorStore(db);
    this.sessions = new SqliteSessionStore(db);
    this.usage = new SqliteUsageStore(db);
    this.quotas = new SqliteQuotaStore(db);
    this.pingStmt = db.$client.prepare('SELECT 1');
    this.purgeLockouts = db.$client.prepare<[number, number]>(
      `DELETE FROM lockouts WHERE rowid IN (SELECT rowid FROM lockouts WHERE window_start < ? AND locked_until <= ` +
        `? LIMIT ${LOCKOUT_PURGE_BATCH})`,
    );
    this.purgeAudit = db.$client.prepare<[number]>(
      `DELETE FROM audit_events WHERE id IN (SELECT id FROM audit_events WHERE at < ? LIMIT ${LOCKOUT_PURGE_BATCH})`,
    );
  }

  async ping(): Promise<void> {
    this.pingStmt.get();
  }

  async purgeExpired(now: number, { lockout, auditRetentionDays, usageRetentionDays }: Retention): Promise<number> {
    return (
      this.tokens.purgeExpired(now) +
      this.idempotency.purgeExpired(now) +
      this.purgeLockouts.run(now - lockout.windowSeconds * 1000, now).changes +
      this.purgeAudit.run(now - auditRetentionDays * 86_400_000).changes +
      this.sessions.purgeExpired(now) +
      this.operators.purgeExpired(now) +
      this.usage.purge(now - usageRetentionDays * DAY_MS) +
      this.quotas.purge(now)
    );
  }

  /**
   * SQLite's online backup: a consistent copy while the server runs, made beside `file` under a
   * temporary name, switched out of WAL (the copy inherits the mode, and opening it would leave
   * -wal and -shm files beside it) so it is one self-contained file, checked for integrity, then
   * renamed into place: `file` is a whole, checked backup or untouched. Missing folders are made.
   */
  async backup(file: string): Promise<BackupResult> {
    const target = resolve(file);
    backupFolder(target);
    const partial = join(dirname(target), `.${basename(target)}.partial-${process.pid}`);
    const drop = (path: string): void => {
      for (const f of [path, `${path}-wal`, `${path}-shm`, `${path}-journal`]) rmSync(f, { force: true });
    };
    try {
      ownerOnly(partial);
      const { totalPages } = await this.db.$client.backup(partial);
      const copy = new Database(partial);
      let integrity: string;
      try {
        copy.pragma('journal_mode = DELETE');
        integrity = String(copy.pragma('integrity_check', { simple: true }));
      } finally {
        copy.close();
      }
      if (integrity !== 'ok') throw new Error(`the backup failed its integrity check: ${integrity}`);
      renameSync(partial, target);
      return { file, pages: totalPages, integrity };
    } catch (e) {
      drop(partial);
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS')
        throw new Error(
          `cannot write the backup in ${dirname(target)}: ` +
            `${code === 'EROFS' ? 'read-only file system' : 'permission denied'}`,
        );
      throw e;
    }
  }

  /** Queued refresh rows commit before the database closes; the checkpoint thread ends first. */
  async close(): Promise<void> {
    await this.tokens.flushRefresh();
    await this.checkpointer?.stop();
    this.db.$client.close();
  }
}

/**
 * Makes the backup's folder, or says exactly what stands in the way: the first folder that could
 * not be made, and the existing one above it that is a file or cannot be written.
 */
function backupFolder(target: string): void {
  if (existsSync(target) && statSync(target).isDirectory())
    throw new Error(`cannot back up to ${target}: it is a folder; name a file inside it`);
  const dir = dirname(target);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    let missing = dir;
    while (!existsSync(dirname(missing)) && dirname(missing) !== missing) missing = dirname(missing);
    const parent = dirname(missing);
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOTDIR' || code === 'EEXIST') {
      // Something on the way is a file: name it.
      let file = dir;
      while (!(existsSync(file) && !statSync(file).isDirectory()) && dirname(file) !== file) file = dirname(file);
      throw new Error(`cannot create the folder ${dir} for the backup: ${file} is a file, not a folder`);
    }
    if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
      throw new Error(`cannot create the folder ${missing} for the backup: ${parent} is not writable (${code})`);
    }
    throw new Error(`cannot create the folder ${dir} for the backup: ${(e as Error).message}`);
  }
}

export interface SqliteStoreOptions extends LockoutStoreOptions {
  /**
   * WAL checkpoints on a thread of their own (see checkpointer.ts): for a long-running server,
   * not for a CLI command that opens the file for a moment. Ignored for `:memory:`.
   */
  checkpointInBackground?: boolean;
}

/** Opens (creating if need be) and migrates the SQLite database at `path`. */
export function openSqliteStore(path: string, opts: SqliteStoreOptions = {}): SqliteStore {
  const db = openDatabase(path);
  migrateDatabase(db);
  const checkpointer =
    opts.checkpointInBackground && path !== ':memory:'
      ? new BackgroundCheckpointer(db.$client, path, (err) =>
          process.emitWarning(
            `SQLite's WAL checkpoints are back on the serving thread: ` +
              `${err instanceof Error ? err.message : String(err)}`,
          ),
        )
      : undefined;
  return new SqliteStore(db, opts, checkpointer);
}
