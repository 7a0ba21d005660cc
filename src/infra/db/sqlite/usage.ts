import { getTableName } from 'drizzle-orm';
import { getTableConfig } from 'drizzle-orm/sqlite-core';
import type { QuotaRule } from '../../../domain/quota.js';
import type { UsageCount } from '../../../domain/usage.js';
import type { QuotaStore, UsageStore } from '../../../usecases/ports.js';
import { addOnConflict, refusedWait, selectList, sumByKey, toUsage, type UsageRow } from '../rows.js';
import { whenFree } from './busy.js';
import { insertSql } from './columns.js';
import type { Db } from './connection.js';
import { quotaBuckets, usageHours } from './schema.js';

const PURGE_BATCH = 1000;

const USAGE = getTableName(usageHours);
const USAGE_KEY = getTableConfig(usageHours).primaryKeys[0]!.columns;
const ORDER = USAGE_KEY.map((c) => c.name).join(', ');

/** Hourly usage rows in SQLite: a flush is one `BEGIN IMMEDIATE` transaction of upserts. */
export class SqliteUsageStore implements UsageStore {
  private readonly addTx;
  private readonly forClientsStmt;
  private readonly purgeStmt;

  constructor(db: Db) {
    const sqlite = db.$client;
    const upsert = sqlite.prepare<[UsageRow]>(
      `${insertSql(usageHours)} ${addOnConflict(usageHours, USAGE_KEY, usageHours.count)}`,
    );
    this.addTx = sqlite.transaction((rows: readonly UsageRow[]) => {
      for (const row of rows) upsert.run(row);
    });
    // The ids travel as one JSON array, so one prepared statement serves any number of them.
    this.forClientsStmt = sqlite.prepare<[string, number, number], UsageRow>(
      `SELECT ${selectList(usageHours)} FROM ${USAGE}
       WHERE ${usageHours.clientId.name} IN (SELECT value FROM json_each(?))
         AND ${usageHours.hour.name} >= ? AND ${usageHours.hour.name} < ?
       ORDER BY ${ORDER}`,
    );
    this.purgeStmt = sqlite.prepare<[number]>(
      `DELETE FROM ${USAGE} WHERE rowid IN (SELECT rowid FROM ${USAGE} WHERE ${usageHours.hour.name} < ? ` +
        `LIMIT ${PURGE_BATCH})`,
    );
  }

  async add(counts: readonly UsageCount[]): Promise<void> {
    const rows = sumByKey(counts);
    if (rows.length === 0) return;
    await whenFree(() => this.addTx.immediate(rows));
  }

  async forClients(clientIds: readonly string[], from: number, to: number): Promise<UsageCount[]> {
    if (clientIds.length === 0) return [];
    return this.forClientsStmt.all(JSON.stringify(clientIds), from, to).map(toUsage);
  }

  /** Drops rows whose hour began before `before`, a batch at a time. */
  purge(before: number): number {
    return this.purgeStmt.run(before).changes;
  }
}

const QUOTA = getTableName(quotaBuckets);

type TakeParams = { clientId: string; now: number; interval: number; tolerance: number };
const QUOTA_ID = quotaBuckets.clientId.name;
const INSTANT = quotaBuckets.instant.name;

/**
 * Token quotas in SQLite: a take is one upsert (GCRA, domain/quota.ts `takeToken`, in SQL), so
 * processes sharing the file share each client's instant exactly. A refusal writes nothing; its
 * wait is read after it.
 */
export class SqliteQuotaStore implements QuotaStore {
  private readonly takeSync: (params: TakeParams) => number | undefined;
  private readonly readStmt;
  private readonly purgeStmt;

  constructor(db: Db) {
    const sqlite = db.$client;
    // No row: the bucket is full, so the first token sets the instant to now + interval.
    const take = sqlite
      .prepare<TakeParams, number>(
        `INSERT INTO ${QUOTA} (${QUOTA_ID}, ${INSTANT}) VALUES (@clientId, @now + @interval)
         ON CONFLICT (${QUOTA_ID}) DO UPDATE SET ${INSTANT} = max(${QUOTA}.${INSTANT}, @now) + @interval
         WHERE max(${QUOTA}.${INSTANT}, @now) - @now <= @tolerance
         RETURNING ${INSTANT}`,
      )
      .pluck();
    const normal = sqlite.prepare('PRAGMA synchronous = NORMAL');
    const full = sqlite.prepare('PRAGMA synchronous = FULL');
    // A quota's instant need not survive power loss (a lost one is a full bucket again), so its
    // commit skips the fsync that synchronous=FULL gives every other write: in WAL mode NORMAL
    // stays consistent. With it, a quota'd token cost 0.28x of an unquota'd one on the bench.
    // better-sqlite3 is synchronous: nothing else runs on this connection in between.
    this.takeSync = (params) => {
      normal.run();
      try {
        return take.get(params);
      } finally {
        full.run();
      }
    };
    this.readStmt = sqlite.prepare<[string], number>(`SELECT ${INSTANT} FROM ${QUOTA} WHERE ${QUOTA_ID} = ?`).pluck();
    this.purgeStmt = sqlite.prepare<[number]>(
      `DELETE FROM ${QUOTA} WHERE rowid IN (SELECT rowid FROM ${QUOTA} WHERE ${INSTANT} < ? LIMIT ${PURGE_BATCH})`,
    );
  }

  async take(clientId: string, rule: QuotaRule, now: number): Promise<number> {
    const params = { clientId, now, interval: rule.intervalMs, tolerance: rule.toleranceMs };
    let given: number | undefined;
    try {
      given = await whenFree(() => this.takeSync(params));
    } catch (e) {
      // The client is gone (deleted since it was read): nothing holds its instant, and its
      // request fails on its own; the token is not what refuses it.
      if ((e as { code?: unknown }).code === 'SQLITE_CONSTRAINT_FOREIGNKEY') return 0;
      throw e;
    }
    if (given !== undefined) return 0;
    return refusedWait(this.readStmt.get(clientId), rule, now);
  }

  /** Drops instants already past: a full bucket needs no row. */
  purge(now: number): number {
    return this.purgeStmt.run(now).changes;
  }
}
