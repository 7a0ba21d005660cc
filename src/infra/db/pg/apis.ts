import type pg from 'pg';
import type { Api, Grant, Target } from '../../../domain/api.js';
import type { AuditEvent } from '../../../domain/audit.js';
import type { Mode } from '../../../domain/mode.js';
import type { ApiDeletion, ApiPatch, ApiRef, ApiStore } from '../../../usecases/ports.js';
import type { Table } from 'drizzle-orm';
import { joinList, keysOf, selectList, toApi, toGrant, type ApiRow, type GrantRow } from '../rows.js';
import { insertAudit } from './audit.js';
import { guard, transaction, type Db } from './connection.js';
import { apis, grants } from './schema.js';

/** An API's columns under its property keys (prefix `a.` where joined). */
export const apiSelect = (p = ''): string => selectList(apis, p);

/**
 * An API's (`a.`) and a grant's (`g.`) columns under prefixed keys (`a_…`, `g_…`), so they sit
 * beside a client's in one row of a token check.
 */
export const TARGET_SELECT = `${selectList(apis, 'a.', 'a_')}, ${selectList(grants, 'g.', 'g_')}`;

/**
 * The columns of TARGET_SELECT: an API's row under `a_…` and a grant's under `g_…`, all null when
 * either did not match.
 */
export type TargetColumns = { [K in keyof ApiRow as `a_${K}`]: ApiRow[K] | null } & {
  [K in keyof GrantRow as `g_${K}`]: GrantRow[K] | null;
};

/** [property key, its name in TARGET_SELECT] of each table. */
const prefixed = (table: Table, as: string): Array<[string, string]> => keysOf(table).map((k) => [k, as + k]);
const API_KEYS = prefixed(apis, 'a_');
const GRANT_KEYS = prefixed(grants, 'g_');

function unprefix<R>(wide: object, keys: ReadonlyArray<[string, string]>): R {
  const row: Record<string, unknown> = {};
  for (const [key, as] of keys) row[key] = (wide as Record<string, unknown>)[as];
  return row as R;
}

/** An API and a grant from one joined row (TARGET_SELECT); undefined when either did not match. */
export function targetOf(r: TargetColumns): Target | undefined {
  if (r.a_id === null || r.g_clientId === null) return undefined;
  return { api: toApi(unprefix<ApiRow>(r, API_KEYS)), grant: toGrant(unprefix<GrantRow>(r, GRANT_KEYS)) };
}

const GRANT_COLUMNS = selectList(grants);
const BY_REF = `SELECT ${apiSelect()} FROM apis WHERE mode = $1 AND identifier = $2`;

/** The join a credential or Bearer check adds: `$mode`, `$identifier` and the client id are SQL expressions. */
export const targetJoin = (mode: string, identifier: string, clientId: string): string =>
  `LEFT JOIN apis a ON a.mode = ${mode} AND a.identifier = ${identifier} COLLATE "C" LEFT JOIN grants g ON ` +
  `g.api_id = a.id AND g.client_id = ${clientId} COLLATE "C"`;

const TARGET = `SELECT ${TARGET_SELECT} FROM (SELECT 1) AS one ${targetJoin('$2', '$3', '$1')}`;

/**
 * APIs and grants in PostgreSQL. Every write commits with its audit events in one transaction; a
 * grant's read by a token check is part of that check's one statement (clients.ts, tokens.ts).
 */
export class PgApiStore implements ApiStore {
  constructor(private readonly db: Db) {}

  async listApis(mode?: Mode): Promise<Api[]> {
    const { rows } = await guard(() =>
      mode === undefined
        ? this.db.$client.query<ApiRow>(`SELECT ${apiSelect()} FROM apis ORDER BY identifier, mode`)
        : this.db.$client.query<ApiRow>(`SELECT ${apiSelect()} FROM apis WHERE mode = $1 ORDER BY identifier`, [mode]),
    );
    return rows.map(toApi);
  }

  async findApi(ref: ApiRef): Promise<Api | undefined> {
    const { rows } = await guard(() =>
      this.db.$client.query<ApiRow>({ name: 'tg_api_by_ref', text: BY_REF, values: [ref.mode, ref.identifier] }),
    );
    return rows[0] && toApi(rows[0]);
  }

  async insertApi(api: Api, audit: (api: Api) => readonly AuditEvent[]): Promise<boolean> {
    return transaction(this.db, async (c) => {
      const { rowCount } = await c.query(
        `INSERT INTO apis (id, identifier, mode, name, permissions, token_ttl_seconds, alg, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (mode, identifier) DO NOTHING`,
        [
          api.id,
          api.identifier,
          api.mode,
          api.name,
          JSON.stringify(api.permissions),
          api.tokenTtlSeconds,
          api.alg,
          api.createdAt,
          api.updatedAt,
        ],
      );
      if (!rowCount) return false;
      await insertAudit(c, audit(api));
      return true;
    });
  }

  async updateApi(
    ref: ApiRef,
    patch: ApiPatch,
    now: number,
    audit: (before: Api, after: Api) => readonly AuditEvent[],
  ): Promise<Api | undefined> {
    return transaction(this.db, async (c) => {
      const before = (await c.query<ApiRow>(`${BY_REF} FOR UPDATE`, [ref.mode, ref.identifier])).rows[0];
      if (!before) return undefined;
      const set: string[] = ['updated_at = $2'];
      const values: unknown[] = [before.id, now];
      const add = (column: string, value: unknown): void => {
        values.push(value);
        set.push(`${column} = $${values.length}`);
      };
      if (patch.name !== undefined) add('name', patch.name);
      if (patch.permissions !== undefined) add('permissions', JSON.stringify(patch.permissions));
      if (patch.tokenTtlSeconds !== undefined) add('token_ttl_seconds', patch.tokenTtlSeconds);
      const after = toApi(
        (await c.query<ApiRow>(`UPDATE apis SET ${set.join(', ')} WHERE id = $1 RETURNING ${apiSelect()}`, values))
          .rows[0]!,
      );
      await insertAudit(c, audit(toApi(before), after));
      return after;
    });
  }

  async deleteApi(
    ref: ApiRef,
    force: boolean,
    audit: (api: Api, grants: readonly Grant[]) => readonly AuditEvent[],
  ): Promise<ApiDeletion> {
    return transaction(this.db, async (c): Promise<ApiDeletion> => {
      const row = (await c.query<ApiRow>(`${BY_REF} FOR UPDATE`, [ref.mode, ref.identifier])).rows[0];
      if (!row) return { outcome: 'not_found' };
      const held = (
        await c.query<GrantRow>(`SELECT ${GRANT_COLUMNS} FROM grants WHERE api_id = $1 ORDER BY client_id FOR UPDATE`, [
          row.id,
        ])
      ).rows.map(toGrant);
      if (held.length > 0 && !force) return { outcome: 'has_grants', grants: held.length };
      await c.query('DELETE FROM grants WHERE api_id = $1', [row.id]);
      await c.query('DELETE FROM apis WHERE id = $1', [row.id]);
      const api = toApi(row);
      await insertAudit(c, audit(api, held));
      return { outcome: 'deleted', api, grants: held };
    });
  }

  async grantsOf(clientId: string): Promise<Target[]> {
    const { rows } = await guard(() =>
      this.db.$client.query<TargetColumns>(
        `SELECT ${TARGET_SELECT} FROM grants g JOIN apis a ON a.id = g.api_id WHERE g.client_id = $1 ORDER BY ` +
          `a.identifier`,
        [clientId],
      ),
    );
    return rows.map((r) => targetOf(r)!);
  }

  async grantsFor(apiId: string): Promise<Grant[]> {
    const { rows } = await guard(() =>
      this.db.$client.query<GrantRow>(`SELECT ${GRANT_COLUMNS} FROM grants WHERE api_id = $1 ORDER BY client_id`, [
        apiId,
      ]),
    );
    return rows.map(toGrant);
  }

  async target(clientId: string, ref: ApiRef): Promise<Target | undefined> {
    const { rows } = await guard(() =>
      this.db.$client.query<TargetColumns>({
        name: 'tg_api_target',
        text: TARGET,
        values: [clientId, ref.mode, ref.identifier],
      }),
    );
    return rows[0] && targetOf(rows[0]);
  }

  async setGrant(
    grant: Grant,
    audit: (before: Grant | undefined, after: Grant) => readonly AuditEvent[],
  ): Promise<Grant> {
    return transaction(this.db, async (c: pg.PoolClient) => {
      const prior = (
        await c.query<GrantRow>(`SELECT ${GRANT_COLUMNS} FROM grants WHERE client_id = $1 AND api_id = $2 FOR UPDATE`, [
          grant.clientId,
          grant.apiId,
        ])
      ).rows[0];
      const before = prior && toGrant(prior);
      const after: Grant = before ? { ...grant, createdAt: before.createdAt } : grant;
      await c.query(
        `INSERT INTO grants (client_id, api_id, permissions, created_at, updated_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (client_id, api_id)
          DO UPDATE SET permissions = EXCLUDED.permissions, updated_at = EXCLUDED.updated_at`,
        [after.clientId, after.apiId, joinList(after.permissions), after.createdAt, after.updatedAt],
      );
      await insertAudit(c, audit(before, after));
      return after;
    });
  }

  async removeGrant(
    clientId: string,
    apiId: string,
    audit: (removed: Grant) => readonly AuditEvent[],
  ): Promise<Grant | undefined> {
    return transaction(this.db, async (c) => {
      const { rows } = await c.query<GrantRow>(
        `DELETE FROM grants WHERE client_id = $1 AND api_id = $2 RETURNING ${GRANT_COLUMNS}`,
        [clientId, apiId],
      );
      if (!rows[0]) return undefined;
      const removed = toGrant(rows[0]);
      await insertAudit(c, audit(removed));
      return removed;
    });
  }
}
