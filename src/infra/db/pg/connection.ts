import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import pg from 'pg';
import { unavailable } from '../../../domain/errors.js';
import { migrationsFolder } from '../migrations.js';
import * as schema from './schema.js';

export type Db = NodePgDatabase<typeof schema> & { $client: pg.Pool };

export interface PgOptions {
  /** Connections this process may hold (`DATABASE_POOL_SIZE`). */
  poolSize?: number;
}

/** Bounds that keep a lost or stuck database from hanging a request (milliseconds). */
export const CONNECT_TIMEOUT_MS = 3000;
export const STATEMENT_TIMEOUT_MS = 5000;
export const LOCK_TIMEOUT_MS = 3000;
const QUERY_TIMEOUT_MS = 10_000;

/**
 * int8 (times in milliseconds, generations, counters) as JS numbers, for this pool only: every
 * stored value is below 2^53. Numbers, not strings, so raw rows and drizzle's agree.
 */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === pg.types.builtins.INT8 && format !== 'binary'
      ? (v: string) => Number(v)
      : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

function connectionConfig(url: string): pg.PoolConfig {
  return {
    connectionString: url,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    statement_timeout: STATEMENT_TIMEOUT_MS,
    lock_timeout: LOCK_TIMEOUT_MS,
    idle_in_transaction_session_timeout: STATEMENT_TIMEOUT_MS * 2,
    query_timeout: QUERY_TIMEOUT_MS,
    application_name: 'tollgate',
    // Every statement is a handful of primary-key lookups: the generic plan is the plan, and
    // re-planning each execution (PostgreSQL's default while custom plans look no dearer)
    // doubled the hot read's time (388 µs against 187 µs measured for findForCheck).
    options: '-c plan_cache_mode=force_generic_plan',
    types,
  };
}

/**
 * One pool per process. A connection the server drops (restart, failover) is discarded by the
 * pool and the next checkout opens a fresh one, so service resumes by itself once the database
 * answers again; idle connections that die in between are only logged by no one (never a crash).
 */
export function openPool(url: string, opts: PgOptions = {}): Db {
  const pool = new pg.Pool({ ...connectionConfig(url), max: opts.poolSize ?? 10, idleTimeoutMillis: 30_000 });
  // An idle client losing its server emits 'error' on the pool; unhandled, it would end the process.
  pool.on('error', () => {});
  return drizzle(pool, { schema }) as Db;
}

/** Advisory lock key for migrations: any fixed 64-bit number no other application uses. */
const MIGRATION_LOCK = '7354001920173340193';

/**
 * Applies the migrations once, however many instances start together: each takes a session
 * advisory lock on a dedicated connection (never a pooled one, nor through a transaction pooler,
 * where the lock would not belong to this session), migrates, and releases it; the others wait,
 * then find nothing left to apply.
 */
export async function migrateDatabase(url: string): Promise<void> {
  const client = new pg.Client({
    ...connectionConfig(url),
    statement_timeout: 0,
    lock_timeout: 0,
    query_timeout: undefined,
  });
  client.on('error', () => {});
  await connectOrExplain(client, url);
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      await migrate(drizzle(client), { migrationsFolder: migrationsFolder('drizzle-pg') });
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
    }
  } finally {
    await client.end();
  }
}

/**
 * With MIGRATE_ON_START=false: stops start-up when migrations are pending, rather than failing
 * later on a missing table or column.
 */
export async function checkMigrated(db: Db): Promise<void> {
  const journalFile = resolve(migrationsFolder('drizzle-pg'), 'meta/_journal.json');
  const journal = JSON.parse(readFileSync(journalFile, 'utf8')) as { entries: unknown[] };
  const table = await db.$client.query<{ t: string | null }>(
    `SELECT to_regclass('drizzle.__drizzle_migrations')::text AS t`,
  );
  const applied =
    table.rows[0]?.t == null
      ? 0
      : (await db.$client.query<{ n: number }>('SELECT count(*)::int AS n FROM drizzle.__drizzle_migrations')).rows[0]!
          .n;
  if (applied < journal.entries.length) {
    throw new Error(
      `the database at DATABASE_URL lacks ${journal.entries.length - applied} of ${journal.entries.length} ` +
        `migrations: run \`tollgate migrate\` (MIGRATE_ON_START=false leaves that to you)`,
    );
  }
}

/** Connects, or fails naming DATABASE_URL (without its password) and what went wrong. */
async function connectOrExplain(client: pg.Client, url: string): Promise<void> {
  try {
    await client.connect();
  } catch (e) {
    throw new Error(`cannot connect to PostgreSQL at DATABASE_URL (${redactUrl(url)}): ${describe(e)}`);
  }
}

/** Checks the database answers, naming DATABASE_URL when it does not. */
export async function checkReachable(db: Db, url: string): Promise<void> {
  try {
    await db.$client.query('SELECT 1');
  } catch (e) {
    throw new Error(`cannot connect to PostgreSQL at DATABASE_URL (${redactUrl(url)}): ${describe(e)}`);
  }
}

/** The URL without its password, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'an unparsable URL';
  }
}

const describe = (e: unknown): string => {
  const err = e as { code?: string; message?: string };
  const text = err.message || err.code || String(e);
  return err.code && !text.includes(err.code) ? `${text} (${err.code})` : text;
};

/**
 * Whether an error means the database is unreachable or too busy to answer now, as opposed to a
 * refused statement (a duplicate key, a bad value): connection-level failures, server shutdown
 * (class 57, e.g. 57P01), connection exceptions (08), too many connections (53300), lock and
 * statement timeouts (55P03, 57014), and serialization failures or deadlocks (40001, 40P01) once
 * their retries are spent.
 */
export function isUnavailable(e: unknown): boolean {
  if (!(e instanceof Error)) return false;
  // drizzle wraps a driver's error in its own ("Failed query: …") with the original as `cause`:
  // judge the original (the key ring's prepared reads go through drizzle).
  if (e.cause instanceof Error && !(e instanceof pg.DatabaseError)) return isUnavailable(e.cause);
  const code = (e as { code?: unknown }).code;
  if (e instanceof pg.DatabaseError) {
    return typeof code === 'string' && /^(08|53|57|40001|40P01|55P03|58)/.test(code);
  }
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return true; // ECONNREFUSED, ECONNRESET, EPIPE, ETIMEDOUT…
  const lost = [
    'connection terminated',
    'timeout exceeded when trying to connect',
    'not queryable',
    'query read timeout',
    'connection ended',
    'connection error',
  ];
  const message = e.message.toLowerCase();
  return lost.some((m) => message.includes(m));
}

/** Deadlocks and serialization failures: safe to run the whole transaction again. */
const isRetryable = (e: unknown): boolean =>
  e instanceof pg.DatabaseError && (e.code === '40001' || e.code === '40P01');

/** Runs `fn`, turning a lost or busy database into `unavailable` (503 + Retry-After at every door). */
export async function guard<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (isUnavailable(e)) throw unavailable();
    throw e;
  }
}

const TX_ATTEMPTS = 3;

/**
 * One transaction on one pooled connection, retried (a bounded number of times) on deadlock or
 * serialization failure; a lost database answers `unavailable`. `fn` may run more than once.
 */
export async function transaction<T>(db: Db, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  return guard(async () => {
    for (let attempt = 1; ; attempt++) {
      const c = await db.$client.connect();
      let broken = false;
      try {
        await c.query('BEGIN');
        const result = await fn(c);
        await c.query('COMMIT');
        return result;
      } catch (e) {
        try {
          await c.query('ROLLBACK');
        } catch {
          broken = true;
        }
        if (attempt < TX_ATTEMPTS && isRetryable(e)) continue;
        throw e;
      } finally {
        // A connection that could not roll back is destroyed, never handed to the next request.
        c.release(broken ? true : undefined);
      }
    }
  });
}
