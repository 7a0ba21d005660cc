import type { DomainErrorCode } from './errors.js';

/*
 * Usage (spec §11): per client, per hour, per door, how many tokens were issued, how many
 * attempts failed (by domain code) and how many protected-endpoint checks its tokens met.
 * Counted in memory and written as hourly rows; here are the rows, their sums and what they say.
 */

/** The front doors, as usage rows and metrics name them. */
export const DOORS = ['v1', 'v2', 'oauth2', 'common', 'forward-auth', 'graphql'] as const;
export type Door = (typeof DOORS)[number];

/** What a usage row counts: tokens issued, protected-endpoint checks, or failures of one code. */
export type UsageKind = 'issued' | 'checks' | DomainErrorCode;

/** One stored count: the client, the hour it began (epoch ms, UTC), the door and what is counted. */
export interface UsageCount {
  clientId: string;
  hour: number;
  door: Door;
  kind: UsageKind;
  count: number;
}

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/** The start of the UTC hour holding `at`. */
export const hourOf = (at: number): number => at - (((at % HOUR_MS) + HOUR_MS) % HOUR_MS);

export type Granularity = 'hour' | 'day';

/** What one period at one door came to. */
export interface UsageBucket {
  /** The period's start, epoch ms (UTC). */
  start: number;
  door: Door;
  issued: number;
  /** Failed attempts by domain code; only codes that occurred. */
  failures: Partial<Record<DomainErrorCode, number>>;
  checks: number;
}

const periodOf = (hour: number, granularity: Granularity): number =>
  granularity === 'hour' ? hour : hour - (((hour % DAY_MS) + DAY_MS) % DAY_MS);

/**
 * The rows summed per period (an hour, or a UTC day) and door, in order of start, then of door
 * as DOORS lists them. Periods with nothing counted are absent.
 */
export function usageBuckets(rows: readonly UsageCount[], granularity: Granularity): UsageBucket[] {
  const byKey = new Map<string, UsageBucket>();
  for (const row of rows) {
    const start = periodOf(row.hour, granularity);
    const key = `${start} ${row.door}`;
    let bucket = byKey.get(key);
    if (!bucket) {
      bucket = { start, door: row.door, issued: 0, failures: {}, checks: 0 };
      byKey.set(key, bucket);
    }
    if (row.kind === 'issued') bucket.issued += row.count;
    else if (row.kind === 'checks') bucket.checks += row.count;
    else bucket.failures[row.kind] = (bucket.failures[row.kind] ?? 0) + row.count;
  }
  return [...byKey.values()].sort((a, b) => a.start - b.start || DOORS.indexOf(a.door) - DOORS.indexOf(b.door));
}

/** Tokens in one hour at one door below which a client is never told it does not cache. */
export const NO_CACHE_MIN_TOKENS = 360;
/** How many times what its token lifetime needs a client must ask for before it is told. */
export const NO_CACHE_FACTOR = 20;

/** A client that asks for far more tokens than their lifetime needs (it does not cache them). */
export interface CachingWarning {
  /** The busiest such hour's start (epoch ms). */
  hour: number;
  door: Door;
  /** Tokens issued at that door in that hour. */
  issued: number;
  /** The door's token lifetime then in force, in seconds; null for tokens without `exp`. */
  ttlSeconds: number | null;
}

/**
 * Does this client cache its tokens? A client that reuses each token until shortly before it
 * expires needs about 3600 / ttl tokens an hour per running copy; one that asks at least
 * NO_CACHE_FACTOR times that, and at least NO_CACHE_MIN_TOKENS in an hour, asks for a token per
 * call. The busiest hour of `rows` that says so, or null. `ttlOf` gives each door's lifetime.
 */
export function cachingWarning(
  rows: readonly UsageCount[],
  ttlOf: (door: Door) => number | null,
): CachingWarning | null {
  let worst: CachingWarning | null = null;
  for (const b of usageBuckets(rows, 'hour')) {
    const ttl = ttlOf(b.door);
    const needed = ttl === null ? 1 : Math.max(1, 3600 / ttl);
    if (b.issued < NO_CACHE_MIN_TOKENS || b.issued < NO_CACHE_FACTOR * needed) continue;
    if (!worst || b.issued > worst.issued) worst = { hour: b.start, door: b.door, issued: b.issued, ttlSeconds: ttl };
  }
  return worst;
}
