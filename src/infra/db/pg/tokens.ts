import { eq, sql } from 'drizzle-orm';
import type { Client } from '../../../domain/client.js';
import type { RefreshRecord } from '../../../domain/refresh.js';
import type { Target } from '../../../domain/api.js';
import type { ApiRef, TokenStore } from '../../../usecases/ports.js';
import { TARGET_SELECT, targetJoin, targetOf, type TargetColumns } from './apis.js';
import { refreshToRow, toRefresh, type ClientRow, type RefreshRow } from '../rows.js';
import { clientOf, clientSelect } from './clients.js';
import { arraysInsert } from './columns.js';
import { ReadBatcher } from './batch.js';
import { guard, type Db } from './connection.js';
import { refreshTokens, revokedTokens } from './schema.js';

const PURGE_BATCH = 1000;
/** Rows per INSERT, so one bad batch retries a bounded number of rows alone. */
const MAX_BATCH = 500;

interface PendingRefresh {
  record: RefreshRecord;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * Two primary-key lookups, the read a Bearer verification costs, for every verification of the
 * batch in one statement (ReadBatcher).
 */
const BEARER_STATE = `SELECT k.n, EXISTS (SELECT 1 FROM revoked_tokens r
 WHERE r.jti = k.jti) AS revoked, ${clientSelect('c.')}
  FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS k(id, jti, n) LEFT JOIN clients c ON c.id = k.id COLLATE "C"`;

/** The same read for tokens of a named API: the API and the client's grant come with it. */
const BEARER_STATE_TARGET = `SELECT k.n, EXISTS (SELECT 1 FROM revoked_tokens r WHERE r.jti = k.jti) AS revoked,
    ${clientSelect('c.')}, ${TARGET_SELECT}
  FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS k(id, jti, tm, ti, n)
  LEFT JOIN clients c ON c.id = k.id COLLATE "C" ${targetJoin('k.tm', 'k.ti', 'k.id')}`;

/** Refresh rows as one array per column. */
const INSERT_REFRESH = arraysInsert<RefreshRow>(refreshTokens);

type BearerState = { client: Client | undefined; revoked: boolean; target?: Target | undefined };

/** Revocations and refresh tokens in PostgreSQL. No row is ever written for an issued access token. */
export class PgTokenStore implements TokenStore {
  private readonly refreshByHash;
  private readonly state: ReadBatcher<[string, string], BearerState>;
  private readonly stateTarget: ReadBatcher<[string, string, string, string], BearerState>;
  private pending: PendingRefresh[] = [];
  private flushing: Promise<void> = Promise.resolve();

  constructor(private readonly db: Db) {
    this.state = new ReadBatcher(async (keys) => {
      const { rows } = await guard(() =>
        db.$client.query<ClientRow & { n: number; revoked: boolean }>({
          name: 'tg_bearer_state',
          text: BEARER_STATE,
          values: [keys.map((k) => k[0]), keys.map((k) => k[1])],
        }),
      );
      const out = new Array<BearerState>(keys.length);
      for (const r of rows) out[r.n - 1] = { client: r.id === null ? undefined : clientOf(r), revoked: r.revoked };
      return out;
    });
    this.stateTarget = new ReadBatcher(async (keys) => {
      const values = [0, 1, 2, 3].map((i) => keys.map((k) => k[i]));
      const query = { name: 'tg_bearer_state_target', text: BEARER_STATE_TARGET, values };
      const { rows } = await guard(() =>
        db.$client.query<ClientRow & TargetColumns & { n: number; revoked: boolean }>(query),
      );
      const out = new Array<BearerState>(keys.length);
      for (const r of rows)
        out[r.n - 1] = { client: r.id === null ? undefined : clientOf(r), revoked: r.revoked, target: targetOf(r) };
      return out;
    });
    this.refreshByHash = db
      .select()
      .from(refreshTokens)
      .where(eq(refreshTokens.hash, sql.placeholder('hash')))
      .prepare('tg_refresh_by_hash');
  }

  async bearerState(clientId: string, jti: string, target?: ApiRef): Promise<BearerState> {
    if (target === undefined) return this.state.read([clientId, jti]);
    return this.stateTarget.read([clientId, jti, target.mode, target.identifier]);
  }

  async revokeAccessToken(jti: string, clientId: string, expiresAt: number | null, now: number): Promise<void> {
    await guard(() =>
      this.db
        .insert(revokedTokens)
        .values({ jti, clientId, expiresAt, revokedAt: now })
        .onConflictDoNothing()
        .execute(),
    );
  }

  /**
   * One row per oauth2 issuance, so this write is on that door's hot path. Rows that arrive in
   * the same turn of the event loop go to the database as one multi-row INSERT (one round trip,
   * one commit), and each caller's promise settles only after that commit. The commit is
   * synchronous, like every other write here: PostgreSQL's own group commit shares the flush
   * between connections, so durability costs no more than today's SQLite trade-off allows. If the
   * batch fails, each row is tried alone so one bad row fails only its own caller.
   */
  saveRefreshToken(record: RefreshRecord): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.pending.push({ record, resolve, reject }) === 1) setImmediate(() => void this.flushRefresh());
    });
  }

  /** Commits what is queued now; close() waits for it. */
  flushRefresh(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return this.flushing;
    const run = (async () => {
      for (let i = 0; i < batch.length; i += MAX_BATCH) await this.commitBatch(batch.slice(i, i + MAX_BATCH));
    })();
    this.flushing = Promise.all([this.flushing, run]).then(() => undefined);
    return this.flushing;
  }

  private async commitBatch(batch: PendingRefresh[]): Promise<void> {
    try {
      await this.insertRows(batch.map((p) => p.record));
      for (const p of batch) p.resolve();
    } catch (err) {
      if (batch.length === 1) return batch[0]!.reject(err);
      // One bad row (a duplicate hash) failed the whole statement: commit each alone.
      await Promise.all(
        batch.map((p) =>
          this.insertRows([p.record]).then(
            () => p.resolve(),
            (e: unknown) => p.reject(e),
          ),
        ),
      );
    }
  }

  /** One prepared statement whatever the batch's size: the rows travel as one array per column. */
  private insertRows(records: RefreshRecord[]): Promise<unknown> {
    return guard(() =>
      this.db.$client.query({
        name: 'tg_refresh_insert',
        text: INSERT_REFRESH.text,
        values: INSERT_REFRESH.values(records.map(refreshToRow)),
      }),
    );
  }

  async findRefreshToken(hash: string): Promise<RefreshRecord | undefined> {
    const [row] = await guard(() => this.refreshByHash.execute({ hash }));
    return row && toRefresh(row);
  }

  async deleteRefreshToken(hash: string): Promise<void> {
    await guard(() => this.db.delete(refreshTokens).where(eq(refreshTokens.hash, hash)).execute());
  }

  /** Small batches, so a purge never holds many row locks at once. */
  async purgeExpired(now: number): Promise<number> {
    return guard(async () => {
      const a = await this.db.$client.query(
        `DELETE FROM refresh_tokens WHERE ctid IN (SELECT ctid FROM refresh_tokens WHERE expires_at <= $1 LIMIT ` +
          `${PURGE_BATCH})`,
        [now],
      );
      const b = await this.db.$client.query(
        `DELETE FROM revoked_tokens WHERE ctid IN (SELECT ctid FROM revoked_tokens WHERE expires_at IS NOT NULL ` +
          `AND expires_at <= $1 LIMIT ${PURGE_BATCH})`,
        [now],
      );
      return (a.rowCount ?? 0) + (b.rowCount ?? 0);
    });
  }
}
