import { and, asc, eq, getTableColumns, sql, type Column } from 'drizzle-orm';
import type { Api, Grant, Target } from '../../../domain/api.js';
import type { AuditEvent } from '../../../domain/audit.js';
import type { Mode } from '../../../domain/mode.js';
import type { ApiDeletion, ApiPatch, ApiRef, ApiStore } from '../../../usecases/ports.js';
import { grantToRow, toApi, toGrant, type ApiRow, type GrantRow } from '../rows.js';
import { prepareAuditInsert } from './audit.js';
import { whenFree } from './busy.js';
import type { Db } from './connection.js';
import { apis, grants } from './schema.js';

const apiRow = (api: Api): ApiRow => api;
const grantRow = grantToRow;

const API_COLUMNS = Object.entries(getTableColumns(apis)) as Array<[keyof ApiRow, Column]>;
const GRANT_COLUMNS = Object.entries(getTableColumns(grants)) as Array<[keyof GrantRow, Column]>;

/** The columns of a target read, API first, for the raw statements of the hot path. */
export const TARGET_COLUMNS = [
  ...API_COLUMNS.map(([, c]) => `a.${c.name}`),
  ...GRANT_COLUMNS.map(([, c]) => `g.${c.name}`),
];

/** A target from a raw row selected as TARGET_COLUMNS; undefined when the API's id is null (no match). */
export function targetFromArray(r: readonly unknown[]): Target | undefined {
  if (r[0] === null || r[0] === undefined) return undefined;
  const api: Record<string, unknown> = {};
  for (const [i, [key, column]] of API_COLUMNS.entries())
    api[key] = r[i] === null ? null : column.mapFromDriverValue(r[i]);
  const grant: Record<string, unknown> = {};
  GRANT_COLUMNS.forEach(([key, column], i) => {
    const v = r[API_COLUMNS.length + i];
    grant[key] = v === null ? null : column.mapFromDriverValue(v);
  });
  if (grant.clientId === null) return undefined;
  return { api: toApi(api as ApiRow), grant: toGrant(grant as GrantRow) };
}

/**
 * The join a credential or Bearer check adds to its one statement: `@targetMode`, `@targetIdentifier`, and the client
 * id.
 */
export const targetJoin = (clientIdParam: string): string =>
  `LEFT JOIN apis a ON a.mode = @targetMode AND a.identifier = @targetIdentifier LEFT JOIN grants g ON g.api_id = ` +
  `a.id AND g.client_id = ${clientIdParam}`;

/**
 * APIs and grants in SQLite. Writes run in `BEGIN IMMEDIATE` transactions with their audit
 * events; a grant's read by a token check is part of that check's one statement (clients.ts,
 * tokens.ts), the reads here serve administration and the refresh grant.
 */
export class SqliteApiStore implements ApiStore {
  private readonly byRef;
  private readonly targetStmt;
  private readonly insertTx;
  private readonly updateTx;
  private readonly deleteTx;
  private readonly setGrantTx;
  private readonly removeGrantTx;

  constructor(private readonly db: Db) {
    const sqlite = db.$client;
    this.byRef = db
      .select()
      .from(apis)
      .where(and(eq(apis.mode, sql.placeholder('mode')), eq(apis.identifier, sql.placeholder('identifier'))))
      .prepare();
    this.targetStmt = sqlite
      .prepare<Record<string, string>, unknown[]>(
        `SELECT ${TARGET_COLUMNS.join(', ')} FROM (SELECT 1) ${targetJoin('@clientId')}`,
      )
      .raw(true);
    const audit = prepareAuditInsert(sqlite);
    const record = (events: readonly AuditEvent[]): void => {
      for (const e of events) audit(e);
    };
    const grantOf = (clientId: string, apiId: string): Grant | undefined => {
      const row = db
        .select()
        .from(grants)
        .where(and(eq(grants.clientId, clientId), eq(grants.apiId, apiId)))
        .get();
      return row ? toGrant(row) : undefined;
    };
    this.insertTx = sqlite.transaction((api: Api, events: (api: Api) => readonly AuditEvent[]): boolean => {
      const inserted = db.insert(apis).values(apiRow(api)).onConflictDoNothing().returning({ id: apis.id }).get();
      if (!inserted) return false;
      record(events(api));
      return true;
    });
    this.updateTx = sqlite.transaction(
      (ref: ApiRef, patch: ApiPatch, now: number, events: (b: Api, a: Api) => readonly AuditEvent[]) => {
        const before = this.byRef.get({ mode: ref.mode, identifier: ref.identifier });
        if (!before) return undefined;
        const set: Partial<ApiRow> = { updatedAt: now };
        if (patch.name !== undefined) set.name = patch.name;
        if (patch.permissions !== undefined) set.permissions = patch.permissions;
        if (patch.tokenTtlSeconds !== undefined) set.tokenTtlSeconds = patch.tokenTtlSeconds;
        const after = toApi(db.update(apis).set(set).where(eq(apis.id, before.id)).returning().get()!);
        record(events(toApi(before), after));
        return after;
      },
    );
    this.deleteTx = sqlite.transaction(
      (
        ref: ApiRef,
        force: boolean,
        events: (api: Api, grants: readonly Grant[]) => readonly AuditEvent[],
      ): ApiDeletion => {
        const row = this.byRef.get({ mode: ref.mode, identifier: ref.identifier });
        if (!row) return { outcome: 'not_found' };
        const held = db.select().from(grants).where(eq(grants.apiId, row.id)).all().map(toGrant);
        if (held.length > 0 && !force) return { outcome: 'has_grants', grants: held.length };
        db.delete(grants).where(eq(grants.apiId, row.id)).run();
        db.delete(apis).where(eq(apis.id, row.id)).run();
        const api = toApi(row);
        record(events(api, held));
        return { outcome: 'deleted', api, grants: held };
      },
    );
    this.setGrantTx = sqlite.transaction(
      (grant: Grant, events: (before: Grant | undefined, after: Grant) => readonly AuditEvent[]): Grant => {
        const before = grantOf(grant.clientId, grant.apiId);
        const after: Grant = before ? { ...grant, createdAt: before.createdAt } : grant;
        db.insert(grants)
          .values(grantRow(after))
          .onConflictDoUpdate({
            target: [grants.clientId, grants.apiId],
            set: { permissions: grantRow(after).permissions, updatedAt: after.updatedAt },
          })
          .run();
        record(events(before, after));
        return after;
      },
    );
    this.removeGrantTx = sqlite.transaction(
      (clientId: string, apiId: string, events: (removed: Grant) => readonly AuditEvent[]) => {
        const row = db
          .delete(grants)
          .where(and(eq(grants.clientId, clientId), eq(grants.apiId, apiId)))
          .returning()
          .get();
        if (!row) return undefined;
        const removed = toGrant(row);
        record(events(removed));
        return removed;
      },
    );
  }

  async listApis(mode?: Mode): Promise<Api[]> {
    const query = this.db.select().from(apis);
    const rows =
      mode === undefined
        ? query.orderBy(asc(apis.identifier), asc(apis.mode)).all()
        : query.where(eq(apis.mode, mode)).orderBy(asc(apis.identifier)).all();
    return rows.map(toApi);
  }

  async findApi(ref: ApiRef): Promise<Api | undefined> {
    const row = this.byRef.get({ mode: ref.mode, identifier: ref.identifier });
    return row ? toApi(row) : undefined;
  }

  insertApi(api: Api, audit: (api: Api) => readonly AuditEvent[]): Promise<boolean> {
    return whenFree(() => this.insertTx.immediate(api, audit));
  }

  updateApi(
    ref: ApiRef,
    patch: ApiPatch,
    now: number,
    audit: (before: Api, after: Api) => readonly AuditEvent[],
  ): Promise<Api | undefined> {
    return whenFree(() => this.updateTx.immediate(ref, patch, now, audit));
  }

  deleteApi(
    ref: ApiRef,
    force: boolean,
    audit: (api: Api, grants: readonly Grant[]) => readonly AuditEvent[],
  ): Promise<ApiDeletion> {
    return whenFree(() => this.deleteTx.immediate(ref, force, audit));
  }

  async grantsOf(clientId: string): Promise<Target[]> {
    const rows = this.db
      .select()
      .from(grants)
      .innerJoin(apis, eq(grants.apiId, apis.id))
      .where(eq(grants.clientId, clientId))
      .orderBy(asc(apis.identifier))
      .all();
    return rows.map((r) => ({ api: toApi(r.apis), grant: toGrant(r.grants) }));
  }

  async grantsFor(apiId: string): Promise<Grant[]> {
    return this.db
      .select()
      .from(grants)
      .where(eq(grants.apiId, apiId))
      .orderBy(asc(grants.clientId))
      .all()
      .map(toGrant);
  }

  async target(clientId: string, ref: ApiRef): Promise<Target | undefined> {
    return targetFromArray(this.targetStmt.get({ clientId, targetMode: ref.mode, targetIdentifier: ref.identifier })!);
  }

  setGrant(grant: Grant, audit: (before: Grant | undefined, after: Grant) => readonly AuditEvent[]): Promise<Grant> {
    return whenFree(() => this.setGrantTx.immediate(grant, audit));
  }

  removeGrant(
    clientId: string,
    apiId: string,
    audit: (removed: Grant) => readonly AuditEvent[],
  ): Promise<Grant | undefined> {
    return whenFree(() => this.removeGrantTx.immediate(clientId, apiId, audit));
  }
}
