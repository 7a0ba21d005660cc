import { getTableName } from 'drizzle-orm';
import type pg from 'pg';
import type { Target } from '../../../domain/api.js';
import type { Client } from '../../../domain/client.js';
import { lockoutKeyId, type LockoutKeys, type LockoutRead } from '../../../domain/lockout.js';
import type {
  ApiRef,
  ClientPatch,
  ClientStore,
  DeleteAudit,
  PatchFor,
  InsertAudit,
  RotateAudit,
  SecretChange,
  UpdateAudit,
} from '../../../usecases/ports.js';
import { TARGET_SELECT, targetJoin, targetOf, type TargetColumns } from './apis.js';
import { insertAudit } from './audit.js';
import { guard, transaction, type Db } from './connection.js';
import { ReadBatcher } from './batch.js';
import { BOTH_COUNTERS, bothCounters, type BothCounters } from './lockout.js';
import {
  asciiLower,
  clientPatchRow,
  clientToRow,
  keysOf,
  patchAgainst,
  rowPicker,
  selectList,
  toClient,
} from '../rows.js';
import type { ClientRow } from '../rows.js';
import { rowInsert, setClause } from './columns.js';
import { clients, usageHours } from './schema.js';

/** A client's columns under its row's property keys (prefix `c.` where joined). */
export const clientSelect = (p = ''): string => selectList(clients, p);

/** The Client of a row that holds its columns, in a join's wider row or alone. */
const clientRow = rowPicker<ClientRow>(keysOf(clients));
export const clientOf = (r: object): Client => toClient(clientRow(r));

const insertClient = rowInsert<ClientRow>(clients);

type ListPage = { limit: number; afterId?: string; orgId?: string; search?: string };

/**
 * The list query for one combination of filters, a named prepared statement each. Byte order: the
 * id column is COLLATE "C", so `>` and ORDER BY agree with SQLite and the cursor. The search is
 * `strpos` on `lower(… COLLATE "C")` (ASCII case folding whatever the database's locale, as in
 * SQLite), so `%`, `_` and `\` are plain characters.
 */
function listQuery(page: ListPage): { name: string; text: string; values: unknown[] } {
  const values: unknown[] = [page.limit];
  const where: string[] = [];
  let name = 'tg_client_list';
  if (page.afterId !== undefined) {
    values.push(page.afterId);
    where.push(`id > $${values.length}`);
    name += '_after';
  }
  if (page.orgId !== undefined) {
    values.push(page.orgId);
    where.push(`org_id = $${values.length}`);
    name += '_org';
  }
  if (page.search !== undefined) {
    values.push(asciiLower(page.search));
    where.push(`(strpos(lower(id), $${values.length}) > 0 OR strpos(lower(name COLLATE "C"), $${values.length}) > 0)`);
    name += '_search';
  }
  return {
    name,
    text:
      `SELECT ${clientSelect()} FROM clients${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY id ` +
      `LIMIT $1`,
    values,
  };
}

/** Advisory lock class of the first-start client. */
const FIRST_CLIENT_LOCK = 74_002;

const BY_ID = `SELECT ${clientSelect()} FROM clients WHERE id = $1`;

/**
 * The hot read of every issuance: each check's client and both lockout counters (three
 * primary-key lookups), for every check of the batch in one statement (ReadBatcher). The keys
 * are compared as COLLATE "C", the columns' own collation, so the primary keys serve them.
 */
const FOR_CHECK = `SELECT k.n, ${clientSelect('c.')}, ${BOTH_COUNTERS}
  FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS k(id, pk, ik, n)
  LEFT JOIN clients c ON c.id = k.id COLLATE "C"
  LEFT JOIN lockouts p ON p.key = k.pk COLLATE "C"
  LEFT JOIN lockouts i ON i.key = k.ik COLLATE "C"`;

type ForCheckRow = (ClientRow | { [K in keyof ClientRow]: null }) & BothCounters & { n: number };

/** The same read for token requests naming an API: the API and the client's grant come with it. */
const FOR_CHECK_TARGET = `SELECT k.n, ${clientSelect('c.')}, ${BOTH_COUNTERS}, ${TARGET_SELECT}
  FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]) WITH ORDINALITY AS k(id, pk, ik, tm, ti, n)
  LEFT JOIN clients c ON c.id = k.id COLLATE "C"
  LEFT JOIN lockouts p ON p.key = k.pk COLLATE "C"
  LEFT JOIN lockouts i ON i.key = k.ik COLLATE "C"
  ${targetJoin('k.tm', 'k.ti', 'k.id')}`;

type ForCheck = { client: Client | undefined; lockout: LockoutRead; target?: Target | undefined };

/**
 * Clients in PostgreSQL. Reads are prepared statements on the pool, no transaction; every write
 * commits with its audit events in one transaction (synchronous commit), so a change is never
 * stored without its audit row, nor a row for a change that did not happen.
 */
export class PgClientStore implements ClientStore {
  private readonly forCheck: ReadBatcher<[string, string, string], ForCheck>;
  private readonly forCheckTarget: ReadBatcher<[string, string, string, string, string], ForCheck>;

  constructor(private readonly db: Db) {
    this.forCheck = new ReadBatcher(async (keys) => {
      const { rows } = await guard(() =>
        db.$client.query<ForCheckRow>({
          name: 'tg_client_for_check',
          text: FOR_CHECK,
          values: [keys.map((k) => k[0]), keys.map((k) => k[1]), keys.map((k) => k[2])],
        }),
      );
      const out = new Array<ForCheck>(keys.length);
      for (const r of rows) {
        out[r.n - 1] = {
          client: r.id === null ? undefined : clientOf(r),
          lockout: bothCounters(r),
        };
      }
      return out;
    });
    this.forCheckTarget = new ReadBatcher(async (keys) => {
      const values = [0, 1, 2, 3, 4].map((i) => keys.map((k) => k[i]));
      const query = { name: 'tg_client_for_check_target', text: FOR_CHECK_TARGET, values };
      const { rows } = await guard(() => db.$client.query<ForCheckRow & TargetColumns>(query));
      const out = new Array<ForCheck>(keys.length);
      for (const r of rows) {
        out[r.n - 1] = {
          client: r.id === null ? undefined : clientOf(r),
          lockout: bothCounters(r),
          target: targetOf(r),
        };
      }
      return out;
    });
  }

  async findById(id: string): Promise<Client | undefined> {
    const { rows } = await guard(() =>
      this.db.$client.query<ClientRow>({ name: 'tg_client_by_id', text: BY_ID, values: [id] }),
    );
    return rows[0] && clientOf(rows[0]);
  }

  async findForCheck(id: string, keys: LockoutKeys, target?: ApiRef): Promise<ForCheck> {
    if (target === undefined) return this.forCheck.read([id, lockoutKeyId(keys.pair), lockoutKeyId(keys.ip)]);
    return this.forCheckTarget.read([
      id,
      lockoutKeyId(keys.pair),
      lockoutKeyId(keys.ip),
      target.mode,
      target.identifier,
    ]);
  }

  async insert(client: Client, audit: InsertAudit): Promise<void> {
    await transaction(this.db, (c) => this.insertWith(c, client, audit));
  }

  async insertFirst(client: Client, audit: InsertAudit): Promise<boolean> {
    return transaction(this.db, async (c) => {
      // Every first-start insert takes this lock, so the count below sees any that committed before.
      await c.query('SELECT pg_advisory_xact_lock($1, 0)', [FIRST_CLIENT_LOCK]);
      if ((await c.query('SELECT 1 FROM clients LIMIT 1')).rowCount) return false;
      await this.insertWith(c, client, audit);
      return true;
    });
  }

  private async insertWith(c: pg.PoolClient, client: Client, audit: InsertAudit): Promise<void> {
    await c.query(insertClient.text(), insertClient.values([clientToRow(client)]));
    await insertAudit(c, audit(client));
  }

  async update(
    id: string,
    given: ClientPatch | PatchFor,
    now: number,
    audit: UpdateAudit,
  ): Promise<Client | undefined> {
    return transaction(this.db, async (c) => {
      // The row as it was, locked, so the patch and the events judge exactly the row that changes.
      const row = (await c.query<ClientRow>(`${BY_ID} FOR UPDATE`, [id])).rows[0];
      if (!row) return undefined;
      const before = clientOf(row);
      const patch = patchAgainst(given, before);
      const values: unknown[] = [id];
      const set = setClause(clients, clientPatchRow(patch, now), values);
      // Every token issued so far dies with this write (see ClientPatch.endTokens).
      if (patch.endTokens) set.push('secret_generation = secret_generation + 1');
      const update = `UPDATE clients SET ${set.join(', ')} WHERE id = $1 RETURNING ${clientSelect()}`;
      const after = clientOf((await c.query<ClientRow>(update, values)).rows[0]!);
      await insertAudit(c, audit(before, after));
      return after;
    });
  }

  async rotateSecret(id: string, change: SecretChange, now: number, audit: RotateAudit): Promise<Client | undefined> {
    return transaction(this.db, async (c: pg.PoolClient) => {
      // One statement: the generation bump, the new hash and the previous one (read by the UPDATE
      // itself under its row lock) go together, so concurrent rotations never lose one.
      const { rows } = await c.query<ClientRow>(
        `UPDATE clients SET
           previous_secret_hash = CASE WHEN $3::bigint IS NULL THEN NULL ELSE secret_hash END,
           secret_hash = $2, grace_until = $3, secret_generation = secret_generation + 1, updated_at = $4
         WHERE id = $1 RETURNING ${clientSelect()}`,
        [id, change.secretHash, change.graceUntil, now],
      );
      if (!rows[0]) return undefined;
      const rotated = clientOf(rows[0]);
      await insertAudit(c, audit(rotated));
      return rotated;
    });
  }

  async delete(id: string, _now: number, audit: DeleteAudit): Promise<Client | undefined> {
    return transaction(this.db, async (c) => {
      const { rows } = await c.query<ClientRow>(`DELETE FROM clients WHERE id = $1 RETURNING ${clientSelect()}`, [id]);
      if (!rows[0]) return undefined;
      // Its usage goes with it (no foreign key there: see the table); its quota row cascades.
      await c.query(`DELETE FROM ${getTableName(usageHours)} WHERE ${usageHours.clientId.name} = $1`, [id]);
      const deleted = clientOf(rows[0]);
      await insertAudit(c, audit(deleted));
      return deleted;
    });
  }

  async list(page: ListPage): Promise<Client[]> {
    const { rows } = await guard(() => this.db.$client.query<ClientRow>(listQuery(page)));
    return rows.map(clientOf);
  }

  async count(): Promise<number> {
    const { rows } = await guard(() => this.db.$client.query<{ n: number }>('SELECT count(*)::int AS n FROM clients'));
    return rows[0]!.n;
  }

  async markUsed(id: string, at: number): Promise<void> {
    // The later of the two: a slower instance's older time never moves it back.
    await guard(() =>
      this.db.$client.query({
        name: 'tg_client_mark_used',
        text: 'UPDATE clients SET last_used_at = GREATEST(coalesce(last_used_at, 0), $2) WHERE id = $1',
        values: [id, at],
      }),
    );
  }
}
