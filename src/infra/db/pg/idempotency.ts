import type { IdempotencyStore, StoredIdempotency } from '../../../usecases/ports.js';
import { guard, transaction, type Db } from './connection.js';
import type { IdempotencyRow } from '../rows.js';
import { rowInsert } from './columns.js';
import { idempotencyKeys } from './schema.js';

const insertKey = rowInsert<IdempotencyRow>(idempotencyKeys);

const PURGE_BATCH = 100;

interface Row {
  request_hash: string;
  result_enc: string | null;
}

/**
 * Idempotency keys in PostgreSQL. A claim is one transaction: the key's expired record goes, then
 * `INSERT … ON CONFLICT DO NOTHING` decides the winner (a racing insert waits for the first to
 * commit or roll back), and a loser reads the record that won. Answers arrive sealed.
 */
export class PgIdempotencyStore implements IdempotencyStore {
  constructor(private readonly db: Db) {}

  async claim(
    callerId: string,
    key: string,
    requestHash: string,
    now: number,
    expiresAt: number,
  ): Promise<{ state: 'claimed' } | StoredIdempotency> {
    return transaction(this.db, async (c) => {
      await c.query('DELETE FROM idempotency_keys WHERE caller_id = $1 AND key = $2 AND expires_at <= $3', [
        callerId,
        key,
        now,
      ]);
      const inserted = await c.query(
        `${insertKey.text()} ON CONFLICT (caller_id, key) DO NOTHING`,
        insertKey.values([{ callerId, key, requestHash, resultEnc: null, createdAt: now, expiresAt }]),
      );
      if (inserted.rowCount === 1) {
        await this.purgeWith((text, values) => c.query(text, values), now);
        return { state: 'claimed' };
      }
      const row = (
        await c.query<Row>('SELECT request_hash, result_enc FROM idempotency_keys WHERE caller_id = $1 AND key = $2', [
          callerId,
          key,
        ])
      ).rows[0];
      // Gone between the conflict and the read (released by its owner): claim it afresh next time.
      if (!row) return { state: 'pending', requestHash };
      return row.result_enc === null
        ? { state: 'pending', requestHash: row.request_hash }
        : { state: 'done', requestHash: row.request_hash, sealed: row.result_enc };
    });
  }

  async complete(callerId: string, key: string, sealed: string): Promise<void> {
    await guard(() =>
      this.db.$client.query('UPDATE idempotency_keys SET result_enc = $1 WHERE caller_id = $2 AND key = $3', [
        sealed,
        callerId,
        key,
      ]),
    );
  }

  async release(callerId: string, key: string): Promise<void> {
    await guard(() =>
      this.db.$client.query('DELETE FROM idempotency_keys WHERE caller_id = $1 AND key = $2 AND result_enc IS NULL', [
        callerId,
        key,
      ]),
    );
  }

  /** Drops one batch of expired keys; returns how many went. */
  async purgeExpired(now: number): Promise<number> {
    return guard(() => this.purgeWith((text, values) => this.db.$client.query(text, values), now));
  }

  private async purgeWith(
    query: (text: string, values: unknown[]) => Promise<{ rowCount: number | null }>,
    now: number,
  ): Promise<number> {
    const r = await query(
      `DELETE FROM idempotency_keys WHERE ctid IN (SELECT ctid FROM idempotency_keys WHERE expires_at <= $1 LIMIT ` +
        `${PURGE_BATCH})`,
      [now],
    );
    return r.rowCount ?? 0;
  }
}
