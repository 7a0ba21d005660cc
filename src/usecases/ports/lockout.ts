import type { LockoutKeys, LockoutPolicy, LockoutRead, LockoutVerdict } from '../../domain/lockout.js';

/* The lockout counters, read and written atomically by the store. */

/**
 * Lockout counters. `settle` is atomic across requests and processes: it reads both counters
 * under the store's lock, lets `settleLockout` (src/domain/lockout.ts) decide, writes the rows it
 * returns and commits the audit events of the locks that begin with them, so parallel wrong
 * attempts never get more verdicts than the limit.
 */
export interface LockoutStore {
  /** The two counters as stored now: a read, no lock, no write. */
  read(keys: LockoutKeys): Promise<LockoutRead>;
  /**
   * `seen`: the counters as the caller already read them (findForCheck), for the fast path only: a
   * decision that writes nothing on them stands (as it would on a fresh read an instant earlier);
   * anything to write is decided again under the lock.
   */
  settle(
    keys: LockoutKeys,
    succeeded: boolean,
    now: number,
    policy: LockoutPolicy,
    seen?: LockoutRead,
  ): Promise<LockoutVerdict>;
}
