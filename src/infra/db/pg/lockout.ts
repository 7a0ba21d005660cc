import type pg from 'pg';
import {
  settleLockout,
  lockoutKeyId,
  type CounterState,
  type LockoutKeys,
  type LockoutPolicy,
  type LockoutRead,
  type LockoutVerdict,
} from '../../../domain/lockout.js';
import type { LockoutStore } from '../../../usecases/ports.js';
import { counterOf, replaceOnConflict, type LockoutRow, type LockoutStoreOptions } from '../rows.js';
import { rowInsert } from './columns.js';
import { lockouts } from './schema.js';
import { insertAudit } from './audit.js';
import { guard, transaction, type Db } from './connection.js';

/**
 * A counter from its three columns; a row of zero failures is no counter (the lock below inserts
 * one as a placeholder to have a row to lock, and leaves it only when nothing else was written).
 */
export const counterFrom = (
  failures: number | null,
  windowStart: number | null,
  lockedUntil: number | null,
): CounterState | undefined => (failures === 0 ? undefined : counterOf(failures, windowStart, lockedUntil));

/** Both counters' columns, from `lockouts p` (the pair's) and `lockouts i` (the address's) of a join. */
export const BOTH_COUNTERS = `p.failures AS pf, p.window_start AS pw, p.locked_until AS pl,
    i.failures AS i_f, i.window_start AS iw, i.locked_until AS il`;

/** A row selected with BOTH_COUNTERS (null: no such counter). */
export interface BothCounters {
  pf: number | null;
  pw: number | null;
  pl: number | null;
  i_f: number | null;
  iw: number | null;
  il: number | null;
}

export const bothCounters = (r: BothCounters): LockoutRead => ({
  pair: counterFrom(r.pf, r.pw, r.pl),
  ip: counterFrom(r.i_f, r.iw, r.il),
});

const READ_BOTH = `SELECT ${BOTH_COUNTERS}
  FROM (SELECT 1) one LEFT JOIN lockouts p ON p.key = $1 LEFT JOIN lockouts i ON i.key = $2`;

/**
 * Inserts a placeholder for each key that has no row and locks both rows, in one statement: the
 * no-op DO UPDATE takes each row's lock (waiting for a concurrent settle to commit) and RETURNING
 * hands back the row as it is once locked. The keys come sorted in byte order, the column is
 * COLLATE "C": every process locks in the same order, so two settles never deadlock.
 */
const LOCK_BOTH = `INSERT INTO lockouts (key, failures, window_start, locked_until)
  SELECT k, 0, 0, 0 FROM unnest($1::text[]) WITH ORDINALITY AS t(k, n) ORDER BY n
  ON CONFLICT (key) DO UPDATE SET key = excluded.key
  RETURNING key, failures, window_start AS "windowStart", locked_until AS "lockedUntil"`;

const insertLockout = rowInsert<LockoutRow>(lockouts);
const UPSERT = `${insertLockout.text()} ${replaceOnConflict(lockouts)}`;

const byteOrder = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));

/**
 * Lockout counters in PostgreSQL, shared by every instance. A check that has something to write
 * settles in one transaction holding both counters' row locks (taken in one fixed order), reading
 * them as locked, so counting is serialised across instances; a success on a clean pair decides
 * on the read it was handed (or one plain read) and opens no transaction.
 */
export class PgLockoutStore implements LockoutStore {
  private readonly onLock: LockoutStoreOptions['onLock'];

  constructor(
    private readonly db: Db,
    opts: LockoutStoreOptions = {},
  ) {
    this.onLock = opts.onLock;
  }

  async read(keys: LockoutKeys): Promise<LockoutRead> {
    const { rows } = await guard(() =>
      this.db.$client.query<BothCounters>({
        name: 'tg_lockout_read',
        text: READ_BOTH,
        values: [lockoutKeyId(keys.pair), lockoutKeyId(keys.ip)],
      }),
    );
    return bothCounters(rows[0]!);
  }

  async settle(
    keys: LockoutKeys,
    succeeded: boolean,
    now: number,
    policy: LockoutPolicy,
    seen?: LockoutRead,
  ): Promise<LockoutVerdict> {
    // Decided first on a plain read: when that decision writes nothing (a success on a clean
    // pair, or a refusal), it stands and no lock is taken. Otherwise it is decided again under
    // the row locks, on what the counters hold then.
    const first = settleLockout(keys, seen ?? (await this.read(keys)), succeeded, now, policy);
    if (first.writes.length === 0) return first.verdict;
    const decision = await transaction(this.db, (c) => this.settleLocked(c, keys, succeeded, now, policy));
    for (const kind of decision.began) {
      try {
        this.onLock?.(kind);
      } catch {
        // A metrics hook must never turn a settled, committed verdict into a failed request.
      }
    }
    return decision.verdict;
  }

  private async settleLocked(
    c: pg.PoolClient,
    keys: LockoutKeys,
    succeeded: boolean,
    now: number,
    policy: LockoutPolicy,
  ) {
    const pairId = lockoutKeyId(keys.pair);
    const ipId = lockoutKeyId(keys.ip);
    const ids = [pairId, ipId].sort(byteOrder);
    const { rows } = await c.query<{ key: string; failures: number; windowStart: number; lockedUntil: number }>({
      name: 'tg_lockout_lock',
      text: LOCK_BOTH,
      values: [ids],
    });
    const state = (id: string) => {
      const r = rows.find((x) => x.key === id);
      return r ? counterFrom(r.failures, r.windowStart, r.lockedUntil) : undefined;
    };
    const decision = settleLockout(keys, { pair: state(pairId), ip: state(ipId) }, succeeded, now, policy);
    const written = new Set<string>();
    for (const w of decision.writes) {
      written.add(w.id);
      if (w.state === null)
        await c.query({ name: 'tg_lockout_delete', text: 'DELETE FROM lockouts WHERE key = $1', values: [w.id] });
      else {
        const row: LockoutRow = { key: w.id, ...w.state };
        await c.query({ name: 'tg_lockout_upsert', text: UPSERT, values: insertLockout.values([row]) });
      }
    }
    // Placeholders this settle created and did not fill go again.
    const unused = rows.filter((r) => r.failures === 0 && !written.has(r.key)).map((r) => r.key);
    if (unused.length > 0) await c.query('DELETE FROM lockouts WHERE key = ANY($1::text[]) AND failures = 0', [unused]);
    await insertAudit(c, decision.events);
    return decision;
  }
}
