import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { getTableName, is } from 'drizzle-orm';
import { PgTable } from 'drizzle-orm/pg-core';
import { getTableConfig, type SQLiteTable } from 'drizzle-orm/sqlite-core';
import type { PoolClient } from 'pg';
import { isPostgresUrl } from '../../config.js';
import { decrypt, encrypt, loadMasterKey } from '../keys/master-key.js';
import { IDEMPOTENCY_PURPOSE, MasterKeySealer, TOTP_PURPOSE } from '../keys/sealer.js';
import { rowInsert } from './pg/columns.js';
import * as pg from './pg/schema.js';
import { openPgStore, type PgStore } from './pg/store.js';
import { columnsOf, selectList } from './rows.js';
import { insertSql, rowReader, rowWriter } from './sqlite/columns.js';
import * as sqlite from './sqlite/schema.js';
import { openSqliteStore, type SqliteStore } from './sqlite/store.js';

type Row = Record<string, unknown>;

/**
 * Every table db copy copies, in an order that needs nothing before it (a foreign key points at
 * a table earlier in the list; test/store/copy-tables.test.ts holds it to that, and to naming
 * every table of both schemas here or in NOT_COPIED). Each is copied column for column as its
 * Drizzle tables state them: rows travel under the tables' property keys, with booleans as
 * booleans and JSON parsed, each end reading and writing them through its own columns.
 */
const COPIED = [
  sqlite.clients,
  sqlite.signingKeys,
  sqlite.revokedTokens,
  sqlite.refreshTokens,
  sqlite.lockouts,
  sqlite.idempotencyKeys,
  sqlite.auditEvents,
  sqlite.operators,
  // After operators: each link names one (or none, the first admin's).
  sqlite.setupTokens,
  sqlite.apis,
  // After clients and APIs: each grant names one of each.
  sqlite.grants,
  sqlite.usageHours,
  // After clients: each instant is a client's.
  sqlite.quotaBuckets,
];

/**
 * Not copied: panel sessions, so everyone signs in to the panel again on the new database. Setup
 * links are copied (only their hashes are stored), so a link sent before the move still works
 * after it, until it expires.
 */
export const NOT_COPIED: readonly SQLiteTable[] = [sqlite.sessions];

interface Table {
  name: string;
  sqlite: SQLiteTable;
  pg: PgTable;
  /** The primary key's property keys and SQL names, for paging in a stable order. */
  key: readonly string[];
  keyColumns: readonly string[];
}

const pgTables: PgTable[] = Object.values(pg as Record<string, unknown>).filter((t): t is PgTable => is(t, PgTable));

function describeTable(table: SQLiteTable): Table {
  const name = getTableName(table);
  const twin = pgTables.find((t) => getTableName(t) === name);
  if (!twin) throw new Error(`db copy: table ${name} has no PostgreSQL twin in pg/schema.ts`);
  const composite = getTableConfig(table).primaryKeys[0]?.columns;
  const primary =
    composite ??
    columnsOf(table)
      .filter(([, c]) => c.primary)
      .map(([, c]) => c);
  const keyOf = new Map(columnsOf(table).map(([k, c]) => [c, k] as const));
  const key = primary.map((c) => keyOf.get(c)!);
  return { name, sqlite: table, pg: twin, key, keyColumns: primary.map((c) => c.name) };
}

/** Every copied table, in COPIED's order. */
export const TABLES: readonly Table[] = COPIED.map(describeTable);

const PAGE = 1000;

/** One end of a copy: a store's tables, read in pages inside one snapshot, written in one transaction. */
interface Side {
  label: string;
  count(table: Table): Promise<number>;
  /** Rows after `after` (the key's values), in key order, under the property keys; booleans and JSON as such. */
  page(table: Table, after: unknown[] | undefined): Promise<Row[]>;
  begin(): Promise<void>;
  insert(table: Table, rows: Row[]): Promise<void>;
  finish(ok: boolean): Promise<void>;
  close(): Promise<void>;
}

const keyOf = (t: Table, r: Row): unknown[] => t.key.map((k) => r[k]);
const q = (c: string): string => `"${c}"`;
/** `WHERE (key…) > (after…)` and `ORDER BY key…`, the placeholders numbered by `param`. */
const after = (t: Table, param: (i: number) => string): string =>
  `WHERE (${t.keyColumns.map(q).join(', ')}) > (${t.key.map((_, i) => param(i)).join(', ')})`;
const order = (t: Table): string => `ORDER BY ${t.keyColumns.map(q).join(', ')} LIMIT ${PAGE}`;

function sqliteSide(store: SqliteStore, label: string): Side {
  const db = store.db.$client;
  return {
    label,
    async count(t) {
      return (db.prepare(`SELECT count(*) AS n FROM ${t.name}`).get() as { n: number }).n;
    },
    async page(t, from) {
      // One read transaction: every page comes from the same snapshot of the file.
      if (!db.inTransaction) db.exec('BEGIN');
      const where = from ? after(t, () => '?') : '';
      const select = db.prepare(`SELECT ${selectList(t.sqlite)} FROM ${t.name} ${where} ${order(t)}`);
      const rows = select.all(...(from ?? []));
      return rows.map(rowReader<Row>(t.sqlite));
    },
    async begin() {
      db.exec('BEGIN IMMEDIATE');
    },
    async insert(t, rows) {
      const stmt = db.prepare(insertSql(t.sqlite));
      const bind = rowWriter<Row>(t.sqlite);
      for (const r of rows) stmt.run(bind(r));
    },
    async finish(ok) {
      if (db.inTransaction) db.exec(ok ? 'COMMIT' : 'ROLLBACK');
    },
    close: () => store.close(),
  };
}

function pgSide(store: PgStore, label: string): Side {
  let conn: PoolClient | undefined;
  let snapshot = false;
  const client = async (): Promise<PoolClient> => (conn ??= await store.db.$client.connect());
  return {
    label,
    async count(t) {
      return Number((await (await client()).query<{ n: string }>(`SELECT count(*) AS n FROM ${t.name}`)).rows[0]!.n);
    },
    async page(t, from) {
      const c = await client();
      if (!snapshot) {
        // One snapshot for every page of every table.
        snapshot = true;
        await c.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      }
      const where = from ? after(t, (i) => `$${i + 1}`) : '';
      return (await c.query<Row>(`SELECT ${selectList(t.pg)} FROM ${t.name} ${where} ${order(t)}`, from ?? [])).rows;
    },
    async begin() {
      await (await client()).query('BEGIN');
    },
    async insert(t, rows) {
      if (rows.length === 0) return;
      const insert = rowInsert<Row>(t.pg);
      await (await client()).query(insert.text(rows.length), insert.values(rows));
      // Identity columns go on from the highest value copied.
      for (const [, c] of columnsOf(t.pg)) {
        if (!(c as { generatedIdentity?: unknown }).generatedIdentity) continue;
        const sequence = `pg_get_serial_sequence('${t.name}', '${c.name}')`;
        await (await client()).query(`SELECT setval(${sequence}, (SELECT max(${c.name}) FROM ${t.name}))`);
      }
    },
    async finish(ok) {
      if (conn) await conn.query(ok ? 'COMMIT' : 'ROLLBACK').catch(() => undefined);
    },
    async close() {
      conn?.release();
      await store.close();
    },
  };
}

/** Where a database is: a `postgres://` URL, or a SQLite file path. */
const describeLocation = (where: string): string => {
  if (!isPostgresUrl(where)) return where;
  const u = new URL(where);
  if (u.password) u.password = '***';
  return u.toString();
};

async function openSide(where: string, role: 'source' | 'target'): Promise<Side> {
  const label = describeLocation(where);
  if (isPostgresUrl(where)) return pgSide(await openPgStore(where), label);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(where))
    throw new Error(`${label} is neither a SQLite file path nor a postgres:// URL`);
  if (role === 'source' && !existsSync(where)) throw new Error(`no SQLite database at ${where}`);
  return sqliteSide(openSqliteStore(where), label);
}

/**
 * The master key each end is sealed under: TOLLGATE_MASTER_KEY when set, else (SQLite only) the
 * key file beside the database. PostgreSQL requires TOLLGATE_MASTER_KEY.
 */
function masterKeyFor(where: string, envKey: string | undefined): Buffer {
  if (isPostgresUrl(where) && (envKey === undefined || envKey === '')) {
    throw new Error('TOLLGATE_MASTER_KEY is required to copy to or from PostgreSQL (signing keys are sealed under it)');
  }
  return loadMasterKey(envKey, where).key;
}

/**
 * The source's master key: the one its signing keys open under, of TOLLGATE_MASTER_KEY and (for
 * a SQLite file) the key file beside it, so a deployment that ran on its key file can move to a
 * TOLLGATE_MASTER_KEY target.
 */
async function sourceMasterKey(from: string, source: Side, envKey: string | undefined): Promise<Buffer> {
  const candidates: Buffer[] = [];
  if (envKey) candidates.push(loadMasterKey(envKey, from).key);
  if (!isPostgresUrl(from) && existsSync(join(dirname(resolve(from)), 'tollgate.master.key')))
    candidates.push(loadMasterKey(undefined, from).key);
  if (candidates.length === 0) return masterKeyFor(from, envKey);
  const [sample] = await source.page(TABLES.find((t) => t.sqlite === sqlite.signingKeys)!, undefined);
  if (!sample) return candidates[0]!;
  for (const key of candidates) {
    try {
      decrypt(key, sample.privateJwkEnc as string);
      return key;
    } catch {
      // Not this one.
    }
  }
  throw new Error(
    `the signing keys of ${source.label} open under neither TOLLGATE_MASTER_KEY nor a key file beside it: set the ` +
      `master key they were sealed with`,
  );
}

export interface CopyReport {
  from: string;
  to: string;
  rows: Record<string, number>;
  /**
   * Sealed values (private signing keys, idempotent answers, TOTP secrets) sealed again for the target's master key.
   */
  resealed: number;
}

/**
 * `tollgate db copy FROM TO`: every table of one store into another, empty one (both migrated
 * first): clients with their hashes, generations and grace periods, signing keys, revocations,
 * refresh tokens, lockout counters, idempotency keys, the audit trail with its ids, usage rows and
 * quota instants, and the panel's operators and setup links (not its sessions: see TABLES). The source
 * is read in one snapshot; the target is written in one transaction, so a failed copy leaves it
 * empty. Sealed values move as they are when both ends use the same master key, and are opened
 * and sealed again when they do not (a SQLite key file moving to TOLLGATE_MASTER_KEY), so every
 * secret and token of the old deployment works on the new one.
 */
export async function copyDatabase(from: string, to: string, envMasterKey: string | undefined): Promise<CopyReport> {
  if (from === to) throw new Error('db copy needs two different databases');
  for (const end of [from, to]) if (isPostgresUrl(end)) masterKeyFor(end, envMasterKey);
  const source = await openSide(from, 'source');
  let target: Side | undefined;
  try {
    const sourceKey = await sourceMasterKey(from, source, envMasterKey);
    target = await openSide(to, 'target');
    const targetKey = masterKeyFor(to, envMasterKey);
    for (const t of TABLES) {
      if ((await target.count(t)) > 0)
        throw new Error(`refusing to copy into ${target.label}: it is not empty (table ${t.name} has rows)`);
    }
    const same = sourceKey.equals(targetKey);
    const sealers = {
      from: new MasterKeySealer(sourceKey, IDEMPOTENCY_PURPOSE),
      to: new MasterKeySealer(targetKey, IDEMPOTENCY_PURPOSE),
    };
    const totp = {
      from: new MasterKeySealer(sourceKey, TOTP_PURPOSE),
      to: new MasterKeySealer(targetKey, TOTP_PURPOSE),
    };
    const report: CopyReport = { from: source.label, to: target.label, rows: {}, resealed: 0 };
    await target.begin();
    let ok = false;
    try {
      for (const t of TABLES) {
        let n = 0;
        for (
          let rows = await source.page(t, undefined);
          rows.length > 0;
          rows = rows.length < PAGE ? [] : await source.page(t, keyOf(t, rows[rows.length - 1]!))
        ) {
          if (t.sqlite === sqlite.signingKeys) {
            for (const r of rows) {
              // Opening it proves the master key is the right one, before anything is committed.
              const plain = decrypt(sourceKey, r.privateJwkEnc as string);
              if (!same) {
                r.privateJwkEnc = encrypt(targetKey, plain);
                report.resealed++;
              }
            }
          }
          if (t.sqlite === sqlite.idempotencyKeys && !same) {
            for (const r of rows) {
              if (r.resultEnc === null) continue;
              r.resultEnc = sealers.to.seal(sealers.from.open(r.resultEnc as string));
              report.resealed++;
            }
          }
          if (t.sqlite === sqlite.operators && !same) {
            // Operators' TOTP secrets are sealed under the master key too (their own purpose).
            for (const r of rows) {
              if (r.totpSecretSealed === null) continue;
              r.totpSecretSealed = totp.to.seal(totp.from.open(r.totpSecretSealed as string));
              report.resealed++;
            }
          }
          await target.insert(t, rows);
          n += rows.length;
        }
        report.rows[t.name] = n;
      }
      ok = true;
    } finally {
      await target.finish(ok);
      await source.finish(true);
    }
    return report;
  } finally {
    await source.close();
    await target?.close();
  }
}
