import { getTableColumns, getTableName, type Column, type Table } from 'drizzle-orm';
import type { Api, Grant } from '../../domain/api.js';
import type { AuditAction, AuditRecord } from '../../domain/audit.js';
import type { Client } from '../../domain/client.js';
import type { CounterState } from '../../domain/lockout.js';
import type { Operator, Session } from '../../domain/operator.js';
import { takeToken, type QuotaRule } from '../../domain/quota.js';
import type { RefreshRecord } from '../../domain/refresh.js';
import type { JwtAlg } from '../../domain/token.js';
import type { Door, UsageCount, UsageKind } from '../../domain/usage.js';
import type { ClientPatch, OperatorPatch, PatchFor, SetupToken, StoredSigningKey } from '../../usecases/ports.js';

/*
 * What both stores share: the rows of their tables as the domain sees them, the codecs between
 * rows and domain objects, the column lists read off a Drizzle table, and the stores' options.
 * Neither store imports the other; both import this. A row here is a table's `$inferSelect`
 * (each schema checks its tables against these types in its store's columns.ts): property keys,
 * values as the domain holds them (booleans, numbers, parsed JSON); how a value travels to its
 * database is the column's business.
 */

// ---- Columns, from the Drizzle tables

/** A table's columns as [property key, column], in declaration order. */
export const columnsOf = (table: Table): Array<[string, Column]> => Object.entries(getTableColumns(table));

/** A table's property keys, in declaration order. */
export const keysOf = (table: Table): string[] => Object.keys(getTableColumns(table));

/**
 * `p.sql_name AS "asKey"` for each column, in declaration order: a row under the table's property
 * keys (prefix `p` a join's alias such as `c.`, `as` a prefix of the names in a join).
 */
export const selectList = (table: Table, p = '', as = ''): string =>
  columnsOf(table)
    .map(([key, column]) => `${p}${column.name} AS "${as}${key}"`)
    .join(', ');

/** `ON CONFLICT (pk) DO UPDATE SET col = excluded.col, …`: a whole row's INSERT that replaces its key's row. */
export function replaceOnConflict(table: Table): string {
  const columns = columnsOf(table).map(([, c]) => c);
  const key = columns.filter((c) => c.primary).map((c) => c.name);
  const rest = columns.filter((c) => !c.primary).map((c) => `${c.name} = excluded.${c.name}`);
  return `ON CONFLICT (${key.join(', ')}) DO UPDATE SET ${rest.join(', ')}`;
}

/**
 * `ON CONFLICT (key…) DO UPDATE SET n = t.n + excluded.n`: an INSERT of counts that adds each to
 * its key's row (`key` the table's primary key, as its dialect's getTableConfig gives it).
 */
export function addOnConflict(table: Table, key: readonly Column[], count: Column): string {
  const t = getTableName(table);
  const set = `${count.name} = ${t}.${count.name} + excluded.${count.name}`;
  return `ON CONFLICT (${key.map((c) => c.name).join(', ')}) DO UPDATE SET ${set}`;
}

/** A row of exactly these keys, from a wider one (a join's). */
export function rowPicker<R>(keys: readonly string[]): (wide: object) => R {
  return (wide) => {
    const row: Record<string, unknown> = {};
    for (const k of keys) row[k] = (wide as Record<string, unknown>)[k];
    return row as R;
  };
}

// ---- Rows and their codecs

/** Lists (scopes, allowlists) are stored space-separated: they hold no spaces themselves. */
export const splitList = (s: string): string[] => (s === '' ? [] : s.split(' '));
export const joinList = (list: readonly string[]): string => list.join(' ');

/** Lower-cases ASCII letters only, as SQLite's `lower()` and `lower(… COLLATE "C")` do (every list search). */
export const asciiLower = (s: string): string => s.replace(/[A-Z]/g, (c) => c.toLowerCase());

/** `clients`: the Client, its lists joined. */
export type ClientRow = Omit<Client, 'scopes' | 'allowedIps'> & { scopes: string; allowedIps: string };

/** The Client of a row holding the table's columns and nothing else. */
export const toClient = (row: ClientRow): Client => ({
  ...row,
  scopes: splitList(row.scopes),
  allowedIps: splitList(row.allowedIps),
});

export const clientToRow = (c: Client): ClientRow => ({
  ...c,
  scopes: joinList(c.scopes),
  allowedIps: joinList(c.allowedIps),
});

/** The patch to write: as given, or decided from the row the writing transaction read. */
export const patchAgainst = (patch: ClientPatch | PatchFor, before: Client): ClientPatch =>
  typeof patch === 'function' ? patch(before) : patch;

/**
 * The columns a patch sets, always `updatedAt`. Ending tokens also clears the previous secret and
 * its grace; the generation bump (`secret_generation + 1`) is SQL, each store's own.
 */
export function clientPatchRow(patch: ClientPatch, now: number): Partial<ClientRow> {
  const set: Partial<ClientRow> = { updatedAt: now };
  if (patch.name !== undefined) set.name = patch.name;
  if (patch.scopes !== undefined) set.scopes = joinList(patch.scopes);
  if (patch.allowedIps !== undefined) set.allowedIps = joinList(patch.allowedIps);
  if (patch.orgId !== undefined) set.orgId = patch.orgId;
  if (patch.enabled !== undefined) set.enabled = patch.enabled;
  if (patch.tokensPerMinute !== undefined) set.tokensPerMinute = patch.tokensPerMinute;
  if (patch.burst !== undefined) set.burst = patch.burst;
  if (patch.endTokens) {
    set.previousSecretHash = null;
    set.graceUntil = null;
  }
  return set;
}

/** `refresh_tokens`: the record, its scopes joined in one `scope`. */
export type RefreshRow = Omit<RefreshRecord, 'scopes'> & { scope: string };

export const refreshToRow = ({ scopes, ...r }: RefreshRecord): RefreshRow => ({ ...r, scope: joinList(scopes) });
export const toRefresh = ({ scope, ...r }: RefreshRow): RefreshRecord => ({ ...r, scopes: splitList(scope) });

/** `revoked_tokens`. */
export interface RevokedRow {
  jti: string;
  clientId: string;
  expiresAt: number | null;
  revokedAt: number;
}

/** `lockouts`: a counter under its key's id. */
export type LockoutRow = CounterState & { key: string };

/** A counter from its three columns, as read through a LEFT JOIN (null: no row). */
export const counterOf = (
  failures: number | null,
  windowStart: number | null,
  lockedUntil: number | null,
): CounterState | undefined =>
  failures === null ? undefined : { failures, windowStart: windowStart!, lockedUntil: lockedUntil! };

/** `idempotency_keys`: `resultEnc` null while the first request still runs. */
export interface IdempotencyRow {
  callerId: string;
  key: string;
  requestHash: string;
  resultEnc: string | null;
  createdAt: number;
  expiresAt: number;
}

/** `audit_events`: the record, its action as stored text. */
export type AuditRow = Omit<AuditRecord, 'action'> & { action: string };

export const toAuditRecord = (row: AuditRow): AuditRecord => ({ ...row, action: row.action as AuditAction });

/** `operators`, `sessions`, `setup_tokens`, `signing_keys`: the domain's objects as they are. */
export type OperatorRow = Operator;
export type SessionRow = Session;
export type SetupTokenRow = SetupToken;
export type SigningKeyRow = StoredSigningKey;

/** The columns an operator patch sets, always `updatedAt`. */
export function operatorPatchRow(patch: OperatorPatch, now: number): Partial<OperatorRow> {
  const set: Partial<OperatorRow> = { updatedAt: now };
  if (patch.role !== undefined) set.role = patch.role;
  if (patch.orgId !== undefined) set.orgId = patch.orgId;
  if (patch.enabled !== undefined) set.enabled = patch.enabled;
  if (patch.passwordHash !== undefined) set.passwordHash = patch.passwordHash;
  if (patch.totpSecretSealed !== undefined) set.totpSecretSealed = patch.totpSecretSealed;
  if (patch.totpEnabled !== undefined) set.totpEnabled = patch.totpEnabled;
  if (patch.recoveryCodeHashes !== undefined) set.recoveryCodeHashes = patch.recoveryCodeHashes;
  return set;
}

/** `apis`: the Api, its algorithm as the column's text (checked when the API is made). */
export type ApiRow = Omit<Api, 'alg'> & { alg: string | null };
export const toApi = (row: ApiRow): Api => ({ ...row, alg: row.alg as JwtAlg | null });

/** `grants`: the Grant, its permissions joined. */
export type GrantRow = Omit<Grant, 'permissions'> & { permissions: string };
export const toGrant = (row: GrantRow): Grant => ({ ...row, permissions: splitList(row.permissions) });
export const grantToRow = (g: Grant): GrantRow => ({ ...g, permissions: joinList(g.permissions) });

/** `usage_hours`: a count, its door and kind as stored text (written only from the domain's). */
export type UsageRow = Omit<UsageCount, 'door' | 'kind'> & { door: string; kind: string };
export const toUsage = (row: UsageRow): UsageCount => ({
  ...row,
  door: row.door as Door,
  kind: row.kind as UsageKind,
});

/**
 * Several counts of one row summed into one (a flush may hold the same key twice): the batch a
 * single INSERT … ON CONFLICT can take, which touches each row at most once.
 */
export function sumByKey(counts: readonly UsageCount[]): UsageRow[] {
  const byKey = new Map<string, UsageRow>();
  for (const c of counts) {
    const key = JSON.stringify([c.clientId, c.hour, c.door, c.kind]);
    const row = byKey.get(key);
    if (row) row.count += c.count;
    else byKey.set(key, { clientId: c.clientId, hour: c.hour, door: c.door, kind: c.kind, count: c.count });
  }
  // In one order every instance agrees on, so two flushes lock shared rows in the same order.
  const order = (a: UsageRow, b: UsageRow): number =>
    cmp(a.clientId, b.clientId) || a.hour - b.hour || cmp(a.door, b.door) || cmp(a.kind, b.kind);
  return [...byKey.values()].sort(order);
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** `quota_buckets`: a client's GCRA instant (epoch ms, fractional). */
export interface QuotaRow {
  clientId: string;
  instant: number;
}

/**
 * The wait of a refused take, from the instant read after the refusal: takeToken's, and at least
 * 1 ms (0 means given). Should the instant have moved between the two statements so that a token
 * would now be given, the answer is still a refusal (nothing was written): try again in 1 ms.
 */
export function refusedWait(instant: number | undefined, rule: QuotaRule, now: number): number {
  const decision = takeToken(instant, rule, now);
  return decision.granted ? 1 : Math.max(1, decision.waitMs);
}

/** Each table's row, under the table's export name in both schemas. */
export interface Rows {
  clients: ClientRow;
  signingKeys: SigningKeyRow;
  lockouts: LockoutRow;
  refreshTokens: RefreshRow;
  revokedTokens: RevokedRow;
  idempotencyKeys: IdempotencyRow;
  auditEvents: AuditRow;
  operators: OperatorRow;
  sessions: SessionRow;
  setupTokens: SetupTokenRow;
  apis: ApiRow;
  grants: GrantRow;
  usageHours: UsageRow;
  quotaBuckets: QuotaRow;
}

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

/**
 * The export names of a schema's tables whose `$inferSelect` is not their row of Rows, or that
 * have none: `never` when the schema and the rows agree. Each store's columns.ts requires it.
 */
export type RowsUnlike<S> =
  | Exclude<keyof S, keyof Rows>
  | { [K in keyof Rows]: K extends keyof S ? (Same<Selected<S[K]>, Rows[K]> extends true ? never : K) : K }[keyof Rows];

type Selected<T> = T extends { $inferSelect: infer R } ? R : never;

/** Compiles only when `T` is `never`. */
export type None<T extends never> = T;

// ---- Options both stores take

/** Which counter a lock began on: the check's own, or the address's across client ids. */
export type LockKind = 'pair' | 'ip';

export interface LockoutStoreOptions {
  /** Told after the transaction commits, once per lock that began (for metrics); must be cheap. */
  onLock?: (kind: LockKind) => void;
}
