import { hkdfSync } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { IdempotencyRecord, IdempotencyStore } from '../../usecases/create-client-idempotent.js';
import type { ClientWithSecret } from '../../usecases/manage-clients.js';
import { decrypt, encrypt } from '../keys/master-key.js';
import type { Db } from './connection.js';

const PURGE_BATCH = 100;

interface Row {
  request_hash: string;
  result_enc: string | null;
}

/** What is sealed: the answer, bound to the row it belongs to so that a copied row does not open elsewhere. */
interface Sealed {
  callerId: string;
  key: string;
  result: ClientWithSecret;
}

/**
 * Drops expired idempotency keys, one small batch per call, and returns how many went; for the
 * server's housekeeping timer, which has the database but no store (the store lives with
 * GraphQL). Needs no master key: it only deletes.
 */
export function prepareIdempotencyPurge(db: Db): (now: number) => number {
  const purge = db.$client.prepare<[number]>(
    `DELETE FROM idempotency_keys WHERE rowid IN (SELECT rowid FROM idempotency_keys WHERE expires_at <= ? LIMIT ${PURGE_BATCH})`,
  );
  return (now) => purge.run(now).changes;
}

/**
 * Idempotency keys in SQLite. The stored answer holds a client secret, so it is sealed with
 * AES-256-GCM under a key derived from the master key for this purpose alone (HKDF, its own
 * label), never written in the clear. Expired rows are ignored on read and purged, a batch at
 * a time, whenever a key is claimed (and by the server's timer, through prepareIdempotencyPurge).
 */
export class SqliteIdempotencyStore implements IdempotencyStore {
  private readonly key: Buffer;
  private readonly claimTx: (callerId: string, key: string, hash: string, now: number, expiresAt: number) => { state: 'claimed' } | IdempotencyRecord;
  private readonly completeStmt: Database.Statement;
  private readonly releaseStmt: Database.Statement;
  private readonly purge: (now: number) => number;

  constructor(db: Db, masterKey: Buffer) {
    this.key = Buffer.from(hkdfSync('sha256', masterKey, 'tollgate', 'idempotency-result-encryption', 32));
    const sqlite = db.$client;
    const dropExpired = sqlite.prepare('DELETE FROM idempotency_keys WHERE caller_id = ? AND key = ? AND expires_at <= ?');
    this.purge = prepareIdempotencyPurge(db);
    const read = sqlite.prepare('SELECT request_hash, result_enc FROM idempotency_keys WHERE caller_id = ? AND key = ?');
    const insert = sqlite.prepare(
      'INSERT INTO idempotency_keys (caller_id, key, request_hash, result_enc, created_at, expires_at) VALUES (?, ?, ?, NULL, ?, ?)',
    );
    this.completeStmt = sqlite.prepare('UPDATE idempotency_keys SET result_enc = ? WHERE caller_id = ? AND key = ?');
    this.releaseStmt = sqlite.prepare('DELETE FROM idempotency_keys WHERE caller_id = ? AND key = ? AND result_enc IS NULL');
    // IMMEDIATE: the read and the insert hold the write lock together, across processes too.
    const tx = sqlite.transaction((callerId: string, key: string, hash: string, now: number, expiresAt: number) => {
      dropExpired.run(callerId, key, now);
      this.purge(now);
      const row = read.get(callerId, key) as Row | undefined;
      if (row) return this.record(callerId, key, row);
      insert.run(callerId, key, hash, now, expiresAt);
      return { state: 'claimed' as const };
    });
    this.claimTx = (...args) => tx.immediate(...args);
  }

  async claim(callerId: string, key: string, requestHash: string, now: number, expiresAt: number): Promise<{ state: 'claimed' } | IdempotencyRecord> {
    return this.claimTx(callerId, key, requestHash, now, expiresAt);
  }

  async complete(callerId: string, key: string, result: ClientWithSecret): Promise<void> {
    const sealed: Sealed = { callerId, key, result };
    this.completeStmt.run(encrypt(this.key, JSON.stringify(sealed)), callerId, key);
  }

  async release(callerId: string, key: string): Promise<void> {
    this.releaseStmt.run(callerId, key);
  }

  /** Drops expired keys; returns how many went. */
  purgeExpired(now: number): number {
    return this.purge(now);
  }

  private record(callerId: string, key: string, row: Row): IdempotencyRecord {
    if (row.result_enc === null) return { state: 'pending', requestHash: row.request_hash };
    const sealed = JSON.parse(decrypt(this.key, row.result_enc)) as Sealed;
    if (sealed.callerId !== callerId || sealed.key !== key) throw new Error('Idempotency record does not belong to its row');
    return { state: 'done', requestHash: row.request_hash, result: sealed.result };
  }
}
