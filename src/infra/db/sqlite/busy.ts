import { setTimeout as sleep } from 'node:timers/promises';
import { unavailable } from '../../../domain/errors.js';

/**
 * How long one attempt may wait for SQLite's write lock. better-sqlite3 waits synchronously,
 * on the event loop, so this bounds how long a lock held by another process (a CLI command, a
 * backup, another worker) can stall every request of this one.
 */
export const BUSY_TIMEOUT_MS = 20;

/** How long a write keeps trying, asynchronously, before the store answers `unavailable`. */
export const BUSY_DEADLINE_MS = 2000;

const isBusy = (e: unknown): boolean => {
  const code = (e as { code?: unknown }).code;
  return typeof code === 'string' && (code === 'SQLITE_BUSY' || code.startsWith('SQLITE_BUSY_'));
};

/**
 * Runs a write (a statement, or a transaction that rolls back whole when it cannot begin),
 * retrying while the database is locked, with the event loop free between attempts. Still
 * locked at the deadline, it fails with `unavailable` (503, Retry-After): a credential failure
 * that cannot be counted is refused, never answered as an ordinary failure.
 */
export async function whenFree<T>(write: () => T, deadlineMs = BUSY_DEADLINE_MS): Promise<T> {
  const deadline = Date.now() + deadlineMs;
  for (let delay = 5; ; delay = Math.min(delay * 2, 100)) {
    try {
      return write();
    } catch (e) {
      if (!isBusy(e)) throw e;
      if (Date.now() + delay > deadline) throw unavailable();
      await sleep(delay);
    }
  }
}
