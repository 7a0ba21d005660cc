import { getTableName, type Column, type Table } from 'drizzle-orm';
import { columnsOf } from '../rows.js';
import type { None, RowsUnlike } from '../rows.js';
import type * as schema from './schema.js';

/*
 * Raw statements on PostgreSQL's tables, read off the Drizzle tables. Reads need no mapping:
 * node-postgres hands back booleans, int8 as numbers (see connection.ts), jsonb parsed and text[]
 * as arrays, under the property keys `selectList` (../rows.ts) names them by. Writes send JSON
 * as text and cast it, and cast arrays, so each value is what its column holds.
 */

const isJson = (c: Column): boolean => c.columnType === 'PgJsonb';

/** Parameter `$n`, cast where the value travels as text: JSON, and arrays. */
const param = (c: Column, n: number): string =>
  isJson(c) ? `$${n}::jsonb` : c.columnType === 'PgArray' ? `$${n}::${c.getSQLType()}` : `$${n}`;

/** A row's value for one column, as sent. */
const sent = (c: Column, value: unknown): unknown => (isJson(c) && value !== null ? JSON.stringify(value) : value);

/** An INSERT of whole rows: every column of the table but `skip`'s (generated ones), in declaration order. */
export interface RowInsert<R> {
  /** `INSERT INTO t (…) VALUES ($1, …), …` for `rows` rows. */
  text(rows?: number): string;
  values(rows: readonly R[]): unknown[];
}

export function rowInsert<R extends object>(table: Table, skip: readonly string[] = []): RowInsert<R> {
  const columns = columnsOf(table).filter(([key]) => !skip.includes(key));
  const head = `INSERT INTO ${getTableName(table)} (${columns.map(([, c]) => c.name).join(', ')}) VALUES `;
  const tuple = (row: number): string =>
    `(${columns.map(([, c], i) => param(c, row * columns.length + i + 1)).join(', ')})`;
  const one = head + tuple(0);
  return {
    text: (n = 1) => (n === 1 ? one : head + Array.from({ length: n }, (_, row) => tuple(row)).join(', ')),
    values: (rs) => rs.flatMap((r) => columns.map(([key, c]) => sent(c, (r as Record<string, unknown>)[key]))),
  };
}

/**
 * An INSERT of any number of rows as one array per column (`unnest($1::text[], …)`): one
 * statement, and so one prepared plan, whatever the batch's size.
 */
export function arraysInsert<R extends object>(table: Table): { text: string; values(rows: readonly R[]): unknown[] } {
  const columns = columnsOf(table);
  // An array of the column's type, its collation (byteText's) aside: unnest's values take the column's.
  const arrays = columns.map(([, c], i) => `$${i + 1}::${c.getSQLType().replace(/ COLLATE .*$/, '')}[]`).join(', ');
  return {
    text: `INSERT INTO ${getTableName(table)} (${columns.map(([, c]) => c.name).join(', ')})
  SELECT * FROM unnest(${arrays})`,
    values: (rs) => columns.map(([key]) => rs.map((r) => (r as Record<string, unknown>)[key])),
  };
}

/**
 * `col = $n` for each column of `set` the table has (property keys, in declaration order),
 * numbered after the `values` already bound; the values are pushed onto `values`.
 */
export function setClause(table: Table, set: object, values: unknown[]): string[] {
  const out: string[] = [];
  for (const [key, c] of columnsOf(table)) {
    const value = (set as Record<string, unknown>)[key];
    if (value === undefined) continue;
    values.push(sent(c, value));
    out.push(`${c.name} = ${param(c, values.length)}`);
  }
  return out;
}

/** Compile time: each table's row is its row type in ../rows.ts, key for key and type for type. */
export type RowsMatchSchema = None<RowsUnlike<typeof schema>>;
