import { getTableColumns, getTableName, is, type Column, type Table } from 'drizzle-orm';
import {
  getTableConfig as pgConfig,
  integer as pgInteger,
  pgTable,
  PgTable,
  text as pgText,
} from 'drizzle-orm/pg-core';
import {
  getTableConfig as sqliteConfig,
  index,
  integer,
  SQLiteTable,
  sqliteTable,
  text,
} from 'drizzle-orm/sqlite-core';
import { describe, expect, it } from 'vitest';
import * as pg from '../../src/infra/db/pg/schema.js';
import * as sqlite from '../../src/infra/db/sqlite/schema.js';

/*
 * One shape per table, stated twice (src/infra/db/sqlite/schema.ts and pg/schema.ts, one per
 * dialect) and held together here: the same tables, the same columns under the same property
 * keys and SQL names, in the same order, with the same nullability, defaults, primary keys,
 * foreign keys and indexes. Types differ only as TYPE_MAPPINGS allows, indexes only as
 * INDEX_DIFFERENCES says and why.
 */

/**
 * The accepted type mappings, SQLite column → the PostgreSQL columns that hold the same values
 * (Drizzle's column types; the SQL type in brackets where the column type does not say it).
 *
 * | SQLite                        | PostgreSQL                      | holds                                        |
 * | ----------------------------- | ------------------------------- | -------------------------------------------- |
 * | text                          | text                            | text                                         |
 * | text                          | text COLLATE "C" (customType)   | text compared byte by byte, as SQLite does   |
 * | integer                       | bigint, mode number             | epoch milliseconds, counters, generations    |
 * | integer, mode boolean (0/1)   | boolean                         | booleans                                     |
 * | text, mode json               | jsonb                           | a JSON object (the audit detail)             |
 * | text, mode json               | text[]                          | a list of text (recovery code hashes)        |
 * | real                          | double precision                | fractional epoch ms (quota instants)         |
 */
const TYPE_MAPPINGS: Record<string, readonly string[]> = {
  SQLiteText: ['PgText', 'PgCustomColumn[text COLLATE "C"]'],
  SQLiteInteger: ['PgBigInt53'],
  SQLiteBoolean: ['PgBoolean'],
  SQLiteTextJson: ['PgJsonb', 'PgArray[text[]]'],
  SQLiteReal: ['PgDoublePrecision'],
};

/**
 * Indexes that differ on purpose, by table: each side's, as `describeIndex` writes them.
 * signing_keys: PostgreSQL holds "one current key per mode and algorithm" with a partial unique index, the
 * last word whatever races between instances; SQLite serialises rotations in `BEGIN IMMEDIATE`
 * and only indexes the lookup of the current key.
 */
const INDEX_DIFFERENCES: Record<string, { sqlite: string[]; pg: string[] }> = {
  signing_keys: {
    sqlite: ['signing_keys_mode_current (mode, current)'],
    pg: ['signing_keys_one_current unique (mode, alg) where …'],
  },
};

const typeOf = (c: Column): string =>
  c.columnType === 'PgCustomColumn' || c.columnType === 'PgArray' ? `${c.columnType}[${c.getSQLType()}]` : c.columnType;

/** A column as both dialects can state it, its type apart. */
const describeColumn = (key: string, c: Column) => ({
  key,
  name: c.name,
  notNull: c.notNull,
  primary: c.primary,
  hasDefault: c.hasDefault,
  enumValues: c.enumValues ?? null,
  /** An id the database gives: SQLite's autoincrement, PostgreSQL's identity. */
  generated: Boolean(
    (c as { autoIncrement?: boolean }).autoIncrement || (c as { generatedIdentity?: unknown }).generatedIdentity,
  ),
});

type Config = ReturnType<typeof sqliteConfig> | ReturnType<typeof pgConfig>;
type IndexConfig = { name?: string; unique: boolean; columns: unknown[]; where?: unknown };

const describeIndex = ({ config: i }: { config: IndexConfig }): string =>
  `${i.name}${i.unique ? ' unique' : ''} (${i.columns.map((c) => (c as Column).name).join(', ')})${i.where ? ' where …' : ''}`;

/** Everything of a table both schemas must agree on, and what each column's type is. */
function describeTable(table: Table, config: Config) {
  const columns = Object.entries(getTableColumns(table));
  return {
    shape: {
      name: config.name,
      columns: columns.map(([key, c]) => describeColumn(key, c)),
      primaryKeys: config.primaryKeys.map((k) => k.columns.map((c) => c.name)),
      foreignKeys: config.foreignKeys.map((fk) => {
        const r = fk.reference();
        return {
          columns: r.columns.map((c) => c.name),
          to: getTableName(r.foreignTable),
          toColumns: r.foreignColumns.map((c) => c.name),
          onDelete: fk.onDelete,
        };
      }),
      indexes: (config.indexes as Array<{ config: IndexConfig }>).map(describeIndex).sort(),
    },
    types: Object.fromEntries(columns.map(([, c]) => [c.name, typeOf(c)])),
  };
}

/** What differs between a SQLite table and its PostgreSQL twin, beyond the accepted mappings: nothing, or a list. */
export function differences(a: SQLiteTable, b: PgTable): string[] {
  const lite = describeTable(a, sqliteConfig(a));
  const post = describeTable(b, pgConfig(b));
  const name = lite.shape.name;
  const accepted = INDEX_DIFFERENCES[name];
  const out: string[] = [];
  if (accepted) {
    for (const [side, have] of [
      ['sqlite', lite],
      ['pg', post],
    ] as const) {
      for (const index of accepted[side]) {
        if (!have.shape.indexes.includes(index))
          out.push(`${name}: INDEX_DIFFERENCES names ${side} index ${index}, which is not there`);
      }
      have.shape.indexes = have.shape.indexes.filter((i) => !accepted[side].includes(i));
    }
  }
  const keys = (t: typeof lite) => t.shape.columns.map((c) => `${c.key} (${c.name})`).join(', ');
  if (keys(lite) !== keys(post))
    out.push(`${name}: columns differ\n  SQLite:     ${keys(lite)}\n  PostgreSQL: ${keys(post)}`);
  for (const [i, x] of lite.shape.columns.entries()) {
    const y = post.shape.columns[i];
    if (!y || y.key !== x.key) continue;
    for (const [prop, value] of Object.entries(x)) {
      const other = y[prop as keyof typeof y];
      if (JSON.stringify(value) !== JSON.stringify(other))
        out.push(
          `${name}.${x.name}: ${prop} ${JSON.stringify(value)} in SQLite, ${JSON.stringify(other)} in PostgreSQL`,
        );
    }
  }
  for (const part of ['primaryKeys', 'foreignKeys', 'indexes'] as const) {
    const x = JSON.stringify(lite.shape[part]);
    const y = JSON.stringify(post.shape[part]);
    if (x !== y) out.push(`${name}: ${part} differ\n  SQLite:     ${x}\n  PostgreSQL: ${y}`);
  }
  for (const [column, type] of Object.entries(lite.types)) {
    const twin = post.types[column];
    if (twin !== undefined && !(TYPE_MAPPINGS[type] ?? []).includes(twin))
      out.push(`${name}.${column}: ${type} in SQLite, ${twin} in PostgreSQL, not in TYPE_MAPPINGS`);
  }
  return out;
}

const tablesOf = <T extends Table>(
  schema: Record<string, unknown>,
  kind: abstract new (...args: never[]) => T,
): Map<string, T> =>
  new Map(
    Object.values(schema)
      .filter((t): t is T => is(t, kind as never))
      .map((t) => [getTableName(t), t]),
  );

describe('the SQLite and PostgreSQL schemas', () => {
  const lite = tablesOf(sqlite, SQLiteTable);
  const post = tablesOf(pg, PgTable);

  it('have the same tables, exported under the same names', () => {
    expect([...post.keys()].sort()).toEqual([...lite.keys()].sort());
    const exported = (schema: Record<string, unknown>) =>
      Object.entries(schema).map(([k, t]) => [k, getTableName(t as Table)]);
    expect(exported(pg)).toEqual(exported(sqlite));
  });

  it.each([...lite.keys()].sort())(
    'agree on %s: columns, nullability, defaults, keys and indexes, types as mapped',
    (name) => {
      expect(differences(lite.get(name)!, post.get(name)!)).toEqual([]);
    },
  );

  it('tell apart what the mappings do not allow (the check checks)', () => {
    const a = sqliteTable('t', { id: text('id').primaryKey(), n: integer('n').notNull(), s: text('s') }, (t) => [
      index('t_n').on(t.n),
    ]);
    const b = pgTable('t', { id: pgText('id').primaryKey(), n: pgInteger('n'), s: pgText('s') });
    const found = differences(a, b);
    expect(found.join('\n')).toMatch(/t\.n: notNull true in SQLite, false in PostgreSQL/);
    expect(found.join('\n')).toMatch(/t\.n: SQLiteInteger in SQLite, PgInteger in PostgreSQL/);
    expect(found.join('\n')).toMatch(/t: indexes differ/);
  });
});
