import { settleLockout, lockoutKeyId } from '../../../domain/lockout.js';
import type { LockoutKeys, LockoutPolicy, LockoutRead, LockoutVerdict } from '../../../domain/lockout.js';
import type { LockoutStore } from '../../../usecases/ports.js';
import { prepareAuditInsert } from './audit.js';
import { whenFree } from './busy.js';
import type { Db } from './connection.js';
import { counterOf, replaceOnConflict, type LockKind, type LockoutRow, type LockoutStoreOptions } from '../rows.js';
import { insertSql } from './columns.js';
import { lockouts } from './schema.js';

export type { LockKind, LockoutStoreOptions };

/**
 * Lockout counters in SQLite, shared by every process on the file and kept across restarts.
 * A check that has something to write settles inside `BEGIN IMMEDIATE` (re-reading both
 * counters there), so counting is serialised across processes; a success on a clean pair is one
 * read. What to write is `settleLockout`'s decision; the audit rows of the locks that begin
 * commit with the counters, so exactly one process records each lock.
 */
export class SqliteLockoutStore implements LockoutStore {
  private readonly onLock: ((kind: LockKind) => void) | undefined;
  private readonly readBoth;
  private readonly upsert;
  private readonly remove;
  private readonly settleTx;

  constructor(db: Db, opts: LockoutStoreOptions = {}) {
    const sqlite = db.$client;
    this.onLock = opts.onLock;
    const audit = prepareAuditInsert(sqlite);
    // One statement, two primary-key lookups: the pair's row, then the address's (either may be absent).
    this.readBoth = sqlite
      .prepare<
        [string, string],
        [number | null, number | null, number | null, number | null, number | null, number | null]
      >(
        `SELECT p.failures, p.window_start, p.locked_until, i.failures, i.window_start, i.locked_until
         FROM (SELECT 1) LEFT JOIN lockouts p ON p.key = ? LEFT JOIN lockouts i ON i.key = ?`,
      )
      .raw(true);
    this.upsert = sqlite.prepare<[LockoutRow]>(`${insertSql(lockouts)} ${replaceOnConflict(lockouts)}`);
    this.remove = sqlite.prepare<[string]>('DELETE FROM lockouts WHERE key = ?');
    this.settleTx = sqlite.transaction((keys: LockoutKeys, succeeded: boolean, now: number, policy: LockoutPolicy) => {
      const decision = settleLockout(keys, this.readNow(keys), succeeded, now, policy);
      for (const w of decision.writes) {
        if (w.state === null) this.remove.run(w.id);
        else this.upsert.run({ key: w.id, ...w.state });
      }
      for (const e of decision.events) audit(e);
      return decision;
    });
  }

  private readNow(keys: LockoutKeys): LockoutRead {
    const r = this.readBoth.get(lockoutKeyId(keys.pair), lockoutKeyId(keys.ip))!;
    return { pair: counterOf(r[0], r[1], r[2]), ip: counterOf(r[3], r[4], r[5]) };
  }

  async read(keys: LockoutKeys): Promise<LockoutRead> {
    return this.readNow(keys);
  }

  async settle(
    keys: LockoutKeys,
    succeeded: boolean,
    now: number,
    policy: LockoutPolicy,
    seen?: LockoutRead,
  ): Promise<LockoutVerdict> {
    // Decided first on a plain read: when that decision writes nothing (a success on a clean
    // pair, or a refusal), it stands, and no write lock is taken. Otherwise it is decided again
    // under the lock, on what the counters hold then.
    const first = settleLockout(keys, seen ?? this.readNow(keys), succeeded, now, policy);
    if (first.writes.length === 0) return first.verdict;
    const { verdict, began } = await whenFree(() => this.settleTx.immediate(keys, succeeded, now, policy));
    for (const kind of began) {
      try {
        this.onLock?.(kind);
      } catch {
        // A metrics hook must never turn a settled, committed verdict into a failed request.
      }
    }
    return verdict;
  }
}
