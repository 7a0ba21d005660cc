import { join } from 'node:path';
import { getTableName, is, type Table } from 'drizzle-orm';
import { PgTable } from 'drizzle-orm/pg-core';
import { getTableConfig, SQLiteTable } from 'drizzle-orm/sqlite-core';
import { describe, expect, it } from 'vitest';
import { copyDatabase, NOT_COPIED, TABLES } from '../../src/infra/db/copy.js';
import * as pg from '../../src/infra/db/pg/schema.js';
import * as sqlite from '../../src/infra/db/sqlite/schema.js';
import { openSqliteStore } from '../../src/infra/db/sqlite/store.js';
import { loadMasterKey } from '../../src/infra/keys/master-key.js';
import { TEST_MASTER_KEY } from '../support/pg.js';
import { tempDir } from '../support/process.js';
import { dumpCopiedTables, fillEveryTable } from './copy-fixture.js';

const names = (schema: Record<string, unknown>, kind: typeof SQLiteTable | typeof PgTable): string[] =>
  Object.values(schema)
    .filter((t): t is Table => is(t, kind))
    .map((t) => getTableName(t))
    .sort();

/** `tollgate db copy` knows every table: a new one is copied, or left out on purpose. */
describe('db copy: the tables it copies', () => {
  const copied = TABLES.map((t) => t.name);
  const left = NOT_COPIED.map((t) => getTableName(t));

  it.each([
    ['SQLite', names(sqlite, SQLiteTable)],
    ['PostgreSQL', names(pg, PgTable)],
  ])('names every table of the %s schema, once: in TABLES or in NOT_COPIED', (_, tables) => {
    expect(
      [...copied, ...left].sort(),
      'add the table to COPIED (or NOT_COPIED, saying why) in src/infra/db/copy.ts',
    ).toEqual(tables);
    expect(new Set([...copied, ...left]).size).toBe(copied.length + left.length);
  });

  it('copies a table only after the tables its foreign keys point at, and none points at one left behind', () => {
    for (const [i, t] of TABLES.entries()) {
      for (const fk of getTableConfig(t.sqlite).foreignKeys) {
        const target = getTableName(fk.reference().foreignTable);
        expect(copied.slice(0, i), `${t.name} references ${target}: copy ${target} first`).toContain(target);
      }
    }
  });

  it('pages each table by its primary key', () => {
    expect(Object.fromEntries(TABLES.map((t) => [t.name, t.keyColumns]))).toMatchObject({
      idempotency_keys: ['caller_id', 'key'],
      audit_events: ['id'],
    });
    for (const t of TABLES) expect(t.key.length, t.name).toBeGreaterThan(0);
  });

  it('copies every row of every table, value for value, and leaves the sessions behind', async () => {
    const dir = tempDir();
    const from = join(dir, 'from.db');
    const to = join(dir, 'to.db');
    const source = openSqliteStore(from);
    await fillEveryTable(source, loadMasterKey(TEST_MASTER_KEY, from).key);
    const before = dumpCopiedTables(source);
    await source.close();
    for (const t of TABLES)
      expect(before[t.name]!.length, `give ${t.name} a row in test/store/copy-fixture.ts`).toBeGreaterThan(0);

    const report = await copyDatabase(from, to, TEST_MASTER_KEY);
    expect(report.rows).toEqual(Object.fromEntries(TABLES.map((t) => [t.name, before[t.name]!.length])));
    expect(Object.keys(report.rows)).toEqual(copied);
    expect(report.resealed).toBe(0);
    const target = openSqliteStore(to);
    try {
      expect(dumpCopiedTables(target)).toEqual(before);
      expect(target.db.$client.prepare('SELECT count(*) AS n FROM sessions').get()).toEqual({ n: 0 });
    } finally {
      await target.close();
    }
  });
});
