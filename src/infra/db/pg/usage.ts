import { getTableName } from 'drizzle-orm';
import { getTableConfig } from 'drizzle-orm/pg-core';
import pg from 'pg';
import type { QuotaRule } from '../../../domain/quota.js';
import type { UsageCount } from '../../../domain/usage.js';
import type { QuotaStore, UsageStore } from '../../../usecases/ports.js';
import { addOnConflict, refusedWait, selectList, sumByKey, toUsage, type UsageRow } from '../rows.js';
import { arraysInsert } from './columns.js';
import { guard, type Db } from './connection.js';
import { quotaBuckets, usageHours } from './schema.js';

const PURGE_BATCH = 1000;

const USAGE = getTableName(usageHours);
const USAGE_KEY = getTableConfig(usageHours).primaryKeys[0]!.columns;
const insertUsage = arraysInsert<UsageRow>(usageHours);

/**
 * A flush: every count in one statement (an array per column), added to its row. The rows are
 * summed by key first, since one INSERT … ON CONFLICT may touch a row only once, and sorted, so
 * two instances flushing the same rows lock them in the same order.
 */
const ADD = `${insertUsage.text} ${addOnConflict(usageHours, USAGE_KEY, usageHours.count)}`;

/** Byte order throughout: the text columns are COLLATE "C". */
const FOR_CLIENTS = `SELECT ${selectList(usageHours)} FROM ${USAGE}
  WHERE ${usageHours.clientId.name} = ANY($1::text[]) AND ${usageHours.hour.name} >= $2 AND ${usageHours.hour.name} < $3
  ORDER BY ${USAGE_KEY.map((c) => c.name).join(', ')}`;

/** Hourly usage rows in PostgreSQL, summed across instances by the upsert itself. */
export class PgUsageStore implements UsageStore {
  constructor(private readonly db: Db) {}

  async add(counts: readonly UsageCount[]): Promise<void> {
    const rows = sumByKey(counts);
    if (rows.length === 0) return;
    await guard(() => this.db.$client.query({ name: 'tg_usage_add', text: ADD, values: insertUsage.values(rows) }));
  }

  async forClients(clientIds: readonly string[], from: number, to: number): Promise<UsageCount[]> {
    if (clientIds.length === 0) return [];
    const { rows } = await guard(() =>
      this.db.$client.query<UsageRow>({
        name: 'tg_usage_for_clients',
        text: FOR_CLIENTS,
        values: [clientIds, from, to],
      }),
    );
    return rows.map(toUsage);
  }

  /** Drops rows whose hour began before `before`, a batch at a time. */
  async purge(before: number): Promise<number> {
    const { rowCount } = await guard(() =>
      this.db.$client.query(
        `DELETE FROM ${USAGE} WHERE ctid IN (SELECT ctid FROM ${USAGE} WHERE ${usageHours.hour.name} < $1 ` +
          `LIMIT ${PURGE_BATCH})`,
        [before],
      ),
    );
    return rowCount ?? 0;
  }
}

const QUOTA = getTableName(quotaBuckets);
const QUOTA_ID = quotaBuckets.clientId.name;
const INSTANT = quotaBuckets.instant.name;

/**
 * A take (GCRA, domain/quota.ts `takeToken`, in SQL): the upsert's row lock orders concurrent
 * takes of one client, and each judges the instant the one before it left. No row: the bucket is
 * full, so the first token sets the instant to now + interval. Float8 throughout: the same
 * arithmetic as takeToken's, so the same answer to the bit.
 */
const TAKE = `INSERT INTO ${QUOTA} AS q (${QUOTA_ID}, ${INSTANT}) VALUES ($1, $2::float8 + $3::float8)
  ON CONFLICT (${QUOTA_ID}) DO UPDATE SET ${INSTANT} = GREATEST(q.${INSTANT}, $2::float8) + $3::float8
  WHERE GREATEST(q.${INSTANT}, $2::float8) - $2::float8 <= $4::float8
  RETURNING ${INSTANT}`;

/** Token quotas in PostgreSQL, shared exactly by every instance. A refusal writes nothing. */
export class PgQuotaStore implements QuotaStore {
  constructor(private readonly db: Db) {}

  async take(clientId: string, rule: QuotaRule, now: number): Promise<number> {
    const values = [clientId, now, rule.intervalMs, rule.toleranceMs];
    let given: number;
    try {
      given = (await guard(() => this.db.$client.query({ name: 'tg_quota_take', text: TAKE, values }))).rowCount ?? 0;
    } catch (e) {
      // The client is gone (deleted since it was read): nothing holds its instant, and its
      // request fails on its own; the token is not what refuses it.
      if (e instanceof pg.DatabaseError && e.code === '23503') return 0;
      throw e;
    }
    if (given > 0) return 0;
    const { rows } = await guard(() =>
      this.db.$client.query<{ instant: number }>({
        name: 'tg_quota_read',
        text: `SELECT ${INSTANT} AS instant FROM ${QUOTA} WHERE ${QUOTA_ID} = $1`,
        values: [clientId],
      }),
    );
    return refusedWait(rows[0]?.instant, rule, now);
  }

  /** Drops instants already past: a full bucket needs no row. */
  async purge(now: number): Promise<number> {
    const { rowCount } = await guard(() =>
      this.db.$client.query(
        `DELETE FROM ${QUOTA} WHERE ctid IN (SELECT ctid FROM ${QUOTA} WHERE ${INSTANT} < $1 LIMIT ${PURGE_BATCH})`,
        [now],
      ),
    );
    return rowCount ?? 0;
  }
}
