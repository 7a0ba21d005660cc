import { getTableColumns, getTableName, is, type Table } from 'drizzle-orm';
import { PgTable } from 'drizzle-orm/pg-core';
import { SQLiteTable } from 'drizzle-orm/sqlite-core';
import { describe, expect, it } from 'vitest';
import * as pg from '../../src/infra/db/pg/schema.js';
import * as sqlite from '../../src/infra/db/sqlite/schema.js';
import { MemoryStore } from '../support/memory-store.js';
import { fillEveryTable } from './copy-fixture.js';

/**
 * The in-memory store keeps what the tables keep: a home for every table of both schemas, and
 * in it rows with exactly the table's columns (through the real stores' codecs), so a column or
 * a table added to the schemas is added here too.
 */
describe('the in-memory store and the schemas', () => {
  const tables = [
    ...Object.values(sqlite as Record<string, unknown>),
    ...Object.values(pg as Record<string, unknown>),
  ].filter((t): t is Table => is(t, SQLiteTable) || is(t, PgTable));

  it('keeps every table, each row with exactly its columns', async () => {
    const memory = new MemoryStore();
    await fillEveryTable(memory, Buffer.alloc(32, 1));
    const kept = memory.tableRows();
    for (const table of tables) {
      const name = getTableName(table);
      const rows = kept[name];
      expect(rows, `MemoryStore.tableRows() has no ${name} (test/support/memory-store.ts)`).toBeDefined();
      expect(rows!.length, `the fixture leaves no row in ${name}`).toBeGreaterThan(0);
      const columns = Object.keys(getTableColumns(table)).sort();
      for (const row of rows!) expect(Object.keys(row).sort(), `a ${name} row of the memory store`).toEqual(columns);
    }
    expect(Object.keys(kept).sort()).toEqual([...new Set(tables.map((t) => getTableName(t)))].sort());
  });
});
