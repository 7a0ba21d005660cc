import type { IdempotencyStore, StoredIdempotency } from '../../../usecases/ports.js';
import { whenFree } from './busy.js';
import type { Db } from './connection.js';
import type { IdempotencyRow } from '../rows.js';
import { insertSql } from './columns.js';
import { idempotencyKeys } from './schema.js';

const PURGE_BATCH = 100;

interface Row {
  request_hash: string;
  result_enc: string | null;
}

/**
 * Idempotency keys in SQLite. Answers arrive sealed (they hold client secrets) and are stored as
 * given. Expired rows are ignored on read and purged, a batch at a time, whenever a key is
 * claimed, and by the store's housekeeping.
 */
export class SqliteIdempotencyStore implements IdempotencyStore {
  private readonly claimTx: (
    callerId: string,
    key: string,
    hash: string,
    now: number,
    expiresAt: number,
  ) => { state: 'claimed' } | StoredIdempotency;
  private readonly completeStmt;
  private readonly releaseStmt;
  private readonly purgeStmt;

  constructor(db: Db) {
    const sqlite = db.$client;
    const dropExpired = sqlite.prepare<[string, string, number]>(
      'DELETE FROM idempotency_keys WHERE caller_id = ? AND key = ? AND expires_at <= ?',
    );
    this.purgeStmt = sqlite.prepare<[number]>(
      `DELETE FROM idempotency_keys WHERE rowid IN (SELECT rowid FROM idempotency_keys WHERE expires_at <= ? LIMIT ` +
        `${PURGE_BATCH})`,
    );
    const read = sqlite.prepare<[string, string], Row>(
      'SELECT request_hash, result_enc FROM idempotency_keys WHERE caller_id = ? AND key = ?',
    );
    const insert = sqlite.prepare<[IdempotencyRow]>(insertSql(idempotencyKeys));
    this.completeStmt = sqlite.prepare<[string, string, string]>(
      'UPDATE idempotency_keys SET result_enc = ? WHERE caller_id = ? AND key = ?',
    );
    this.releaseStmt = sqlite.prepare<[string, string]>(
      'DELETE FROM idempotency_keys WHERE caller_id = ? AND key = ? AND result_enc IS NULL',
    );
    // IMMEDIATE: the read and the insert hold the write lock together, across processes too.
    const tx = sqlite.transaction(
      (
        callerId: string,
        key: string,
        hash: string,
        now: number,
        expiresAt: number,
      ): { state: 'claimed' } | StoredIdempotency => {
        dropExpired.run(callerId, key, now);
        this.purgeExpired(now);
        const row = read.get(callerId, key);
        if (row) {
          return row.result_enc === null
            ? { state: 'pending', requestHash: row.request_hash }
            : { state: 'done', requestHash: row.request_hash, sealed: row.result_enc };
        }
        insert.run({ callerId, key, requestHash: hash, resultEnc: null, createdAt: now, expiresAt });
        return { state: 'claimed' };
      },
    );
    this.claimTx = (...args) => tx.immediate(...args);
  }

  claim(
    callerId: string,
    key: string,
    requestHash: string,
    now: number,
    expiresAt: number,
  ): Promise<{ state: 'claimed' } | StoredIdempotency> {
    return whenFree(() => this.claimTx(callerId, key, requestHash, now, expiresAt));
  }

  async complete(callerId: string, key: string, sealed: string): Promise<void> {
    await whenFree(() => this.completeStmt.run(sealed, callerId, key));
  }

  async release(callerId: string, key: string): Promise<void> {
    await whenFree(() => this.releaseStmt.run(callerId, key));
  }

  /** Drops one batch of expired keys; returns how many went. */
  purgeExpired(now: number): number {
    return this.purgeStmt.run(now).changes;
  }
}
