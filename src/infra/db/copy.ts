import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type pg from 'pg';
import { isPostgresUrl } from '../../config.js';
import { decrypt, encrypt, loadMasterKey } from '../keys/master-key.js';
import { IDEMPOTENCY_PURPOSE, MasterKeySealer, TOTP_PURPOSE } from '../keys/sealer.js';
import { openPgStore, type PgStore } from './pg/store.js';
import { openSqliteStore, type SqliteStore } from './sqlite/store.js';

type Row = Record<string, unknown>;

interface Table {
  name: string;
  columns: readonly string[];
  /** Primary key, for paging in a stable order. */
  key: readonly string[];
  booleans?: readonly string[];
  json?: readonly string[];
  /** Lists of text: a JSON array in SQLite, `text[]` in PostgreSQL. */
  arrays?: readonly string[];
}

/**
 * Every table, in an order that needs nothing before it; both stores use the same column names.
 * Panel sessions (`sessions`) are not copied: everyone signs in to the panel again on the new
 * database. Setup links are copied (only their hashes are stored), so a link sent before the move
 * still works after it, until it expires.
 */
export const TABLES: readonly Table[] = [
  {
    name: 'clients',
    columns: [
      'id',
      'name',
      'mode',
      'scopes',
      'org_id',
      'allowed_ips',
      'enabled',
      'secret_generation',
      'secret_hash',
      'previous_secret_hash',
      'grace_until',
      'created_at',
      'updated_at',
      'last_used_at',
    ],
    key: ['id'],
    booleans: ['enabled'],
  },
  { name: 'signing_keys', columns: ['kid', 'mode', 'alg', 'public_jwk', 'private_jwk_enc', 'current', 'created_at'], key: ['kid'], booleans: ['current'] },
  { name: 'revoked_tokens', columns: ['jti', 'client_id', 'expires_at', 'revoked_at'], key: ['jti'] },
  { name: 'refresh_tokens', columns: ['hash', 'client_id', 'mode', 'generation', 'scope', 'expires_at', 'created_at'], key: ['hash'] },
  { name: 'lockouts', columns: ['key', 'failures', 'window_start', 'locked_until'], key: ['key'] },
  { name: 'idempotency_keys', columns: ['caller_id', 'key', 'request_hash', 'result_enc', 'created_at', 'expires_at'], key: ['caller_id', 'key'] },
  { name: 'audit_events', columns: ['id', 'at', 'actor', 'action', 'client_id', 'source_ip', 'detail'], key: ['id'], json: ['detail'] },
  {
    name: 'operators',
    columns: [
      'id',
      'email',
      'role',
      'org_id',
      'enabled',
      'password_hash',
      'totp_secret_sealed',
      'totp_enabled',
      'totp_last_step',
      'recovery_code_hashes',
      'created_at',
      'updated_at',
    ],
    key: ['id'],
    booleans: ['enabled', 'totp_enabled'],
    arrays: ['recovery_code_hashes'],
  },
  // After operators: each link names one (or none, the first admin's).
  { name: 'setup_tokens', columns: ['hash', 'operator_id', 'created_at', 'expires_at'], key: ['hash'] },
];

const PAGE = 1000;

/** One end of a copy: a store's tables, read in pages inside one snapshot, written in one transaction. */
interface Side {
  label: string;
  count(table: Table): Promise<number>;
  /** Rows after `after` (the key's values), in key order; booleans as booleans, JSON parsed. */
  page(table: Table, after: unknown[] | undefined): Promise<Row[]>;
  begin(): Promise<void>;
  insert(table: Table, rows: Row[]): Promise<void>;
  finish(ok: boolean): Promise<void>;
  close(): Promise<void>;
}

const keyOf = (t: Table, r: Row): unknown[] => t.key.map((k) => r[k]);
const q = (c: string): string => `"${c}"`;

function sqliteSide(store: SqliteStore, label: string): Side {
  const db = store.db.$client;
  return {
    label,
    async count(t) {
      return (db.prepare(`SELECT count(*) AS n FROM ${t.name}`).get() as { n: number }).n;
    },
    async page(t, after) {
      // One read transaction: every page comes from the same snapshot of the file.
      if (!db.inTransaction) db.exec('BEGIN');
      const where = after ? `WHERE (${t.key.map(q).join(', ')}) > (${t.key.map(() => '?').join(', ')})` : '';
      const rows = db.prepare(`SELECT ${t.columns.map(q).join(', ')} FROM ${t.name} ${where} ORDER BY ${t.key.map(q).join(', ')} LIMIT ${PAGE}`).all(...(after ?? [])) as Row[];
      for (const r of rows) {
        for (const b of t.booleans ?? []) r[b] = r[b] === 1;
        for (const j of [...(t.json ?? []), ...(t.arrays ?? [])]) r[j] = JSON.parse(r[j] as string);
      }
      return rows;
    },
    async begin() {
      db.exec('BEGIN IMMEDIATE');
    },
    async insert(t, rows) {
      const stmt = db.prepare(`INSERT INTO ${t.name} (${t.columns.map(q).join(', ')}) VALUES (${t.columns.map(() => '?').join(', ')})`);
      for (const r of rows) {
        stmt.run(
          ...t.columns.map((c) => {
            const v = r[c];
            if (t.booleans?.includes(c)) return v ? 1 : 0;
            if (t.json?.includes(c) || t.arrays?.includes(c)) return JSON.stringify(v);
            return v;
          }),
        );
      }
    },
    async finish(ok) {
      if (db.inTransaction) db.exec(ok ? 'COMMIT' : 'ROLLBACK');
    },
    close: () => store.close(),
  };
}

function pgSide(store: PgStore, label: string): Side {
  let conn: pg.PoolClient | undefined;
  let snapshot = false;
  const client = async (): Promise<pg.PoolClient> => (conn ??= await store.db.$client.connect());
  return {
    label,
    async count(t) {
      return Number((await (await client()).query<{ n: string }>(`SELECT count(*) AS n FROM ${t.name}`)).rows[0]!.n);
    },
    async page(t, after) {
      const c = await client();
      if (!snapshot) {
        // One snapshot for every page of every table.
        snapshot = true;
        await c.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      }
      const where = after ? `WHERE (${t.key.map(q).join(', ')}) > (${t.key.map((_, i) => `$${i + 1}`).join(', ')})` : '';
      return (await c.query<Row>(`SELECT ${t.columns.map(q).join(', ')} FROM ${t.name} ${where} ORDER BY ${t.key.map(q).join(', ')} LIMIT ${PAGE}`, after ?? [])).rows;
    },
    async begin() {
      await (await client()).query('BEGIN');
    },
    async insert(t, rows) {
      if (rows.length === 0) return;
      const values: unknown[] = [];
      const tuples = rows.map((r) => `(${t.columns.map((c) => {
        const v = r[c];
        values.push(t.json?.includes(c) ? JSON.stringify(v) : v);
        return `$${values.length}${t.json?.includes(c) ? '::jsonb' : t.arrays?.includes(c) ? '::text[]' : ''}`;
      }).join(', ')})`);
      await (await client()).query(`INSERT INTO ${t.name} (${t.columns.map(q).join(', ')}) VALUES ${tuples.join(', ')}`, values);
      if (t.name === 'audit_events') {
        await (await client()).query(`SELECT setval(pg_get_serial_sequence('audit_events', 'id'), (SELECT max(id) FROM audit_events))`);
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
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(where)) throw new Error(`${label} is neither a SQLite file path nor a postgres:// URL`);
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
  if (!isPostgresUrl(from) && existsSync(join(dirname(resolve(from)), 'tollgate.master.key'))) candidates.push(loadMasterKey(undefined, from).key);
  if (candidates.length === 0) return masterKeyFor(from, envKey);
  const [sample] = await source.page(TABLES[1]!, undefined);
  if (!sample) return candidates[0]!;
  for (const key of candidates) {
    try {
      decrypt(key, sample.private_jwk_enc as string);
      return key;
    } catch {
      // Not this one.
    }
  }
  throw new Error(`the signing keys of ${source.label} open under neither TOLLGATE_MASTER_KEY nor a key file beside it: set the master key they were sealed with`);
}

export interface CopyReport {
  from: string;
  to: string;
  rows: Record<string, number>;
  /** Sealed values (private signing keys, idempotent answers, TOTP secrets) sealed again for the target's master key. */
  resealed: number;
}

/**
 * `tollgate db copy FROM TO`: every table of one store into another, empty one (both migrated
 * first): clients with their hashes, generations and grace periods, signing keys, revocations,
 * refresh tokens, lockout counters, idempotency keys, the audit trail with its ids, and the panel's
 * operators and setup links (not its sessions: see TABLES). The source
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
      if ((await target.count(t)) > 0) throw new Error(`refusing to copy into ${target.label}: it is not empty (table ${t.name} has rows)`);
    }
    const same = sourceKey.equals(targetKey);
    const sealers = { from: new MasterKeySealer(sourceKey, IDEMPOTENCY_PURPOSE), to: new MasterKeySealer(targetKey, IDEMPOTENCY_PURPOSE) };
    const totp = { from: new MasterKeySealer(sourceKey, TOTP_PURPOSE), to: new MasterKeySealer(targetKey, TOTP_PURPOSE) };
    const report: CopyReport = { from: source.label, to: target.label, rows: {}, resealed: 0 };
    await target.begin();
    let ok = false;
    try {
      for (const t of TABLES) {
        let n = 0;
        for (let rows = await source.page(t, undefined); rows.length > 0; rows = rows.length < PAGE ? [] : await source.page(t, keyOf(t, rows[rows.length - 1]!))) {
          if (t.name === 'signing_keys') {
            for (const r of rows) {
              // Opening it proves the master key is the right one, before anything is committed.
              const plain = decrypt(sourceKey, r.private_jwk_enc as string);
              if (!same) {
                r.private_jwk_enc = encrypt(targetKey, plain);
                report.resealed++;
              }
            }
          }
          if (t.name === 'idempotency_keys' && !same) {
            for (const r of rows) {
              if (r.result_enc === null) continue;
              r.result_enc = sealers.to.seal(sealers.from.open(r.result_enc as string));
              report.resealed++;
            }
          }
          if (t.name === 'operators' && !same) {
            // Operators' TOTP secrets are sealed under the master key too (their own purpose).
            for (const r of rows) {
              if (r.totp_secret_sealed === null) continue;
              r.totp_secret_sealed = totp.to.seal(totp.from.open(r.totp_secret_sealed as string));
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
