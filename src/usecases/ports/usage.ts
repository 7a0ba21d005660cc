import type { QuotaRule } from '../../domain/quota.js';
import type { UsageCount } from '../../domain/usage.js';

/**
 * Hourly usage rows (spec §11). Counts arrive from each process's meter at most once a minute,
 * summed into their row: two instances adding to the same hour add up.
 */
export interface UsageStore {
  /**
   * Adds each count to its row (client, hour, door, kind), making the row when there is none, all
   * in one transaction: every count is added, or none.
   */
  add(counts: readonly UsageCount[]): Promise<void>;
  /**
   * The rows of these clients whose hour is in [from, to), in order of client, hour, door and
   * kind (byte order). Rows of clients that no longer exist may remain until retention drops them.
   */
  forClients(clientIds: readonly string[], from: number, to: number): Promise<UsageCount[]>;
}

/**
 * Token quotas (spec §11): one instant per client that has a quota, taken in one atomic
 * statement, so any number of instances share it exactly.
 */
export interface QuotaStore {
  /**
   * Takes a token for the client under `rule` at `now` (GCRA, see domain/quota.ts `takeToken`):
   * 0 when given, else the milliseconds until one would be (nothing written then).
   */
  take(clientId: string, rule: QuotaRule, now: number): Promise<number>;
}
