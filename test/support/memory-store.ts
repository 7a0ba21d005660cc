import type { Api, Grant, Target } from '../../src/domain/api.js';
import type { AuditEvent, AuditRecord } from '../../src/domain/audit.js';
import type { Client } from '../../src/domain/client.js';
import {
  lockoutKeyId,
  settleLockout,
  type CounterState,
  type LockoutKeys,
  type LockoutPolicy,
  type LockoutRead,
  type LockoutVerdict,
} from '../../src/domain/lockout.js';
import type { Mode } from '../../src/domain/mode.js';
import type { Operator, Session } from '../../src/domain/operator.js';
import { takeToken, type QuotaRule } from '../../src/domain/quota.js';
import type { RefreshRecord } from '../../src/domain/refresh.js';
import type { UsageCount } from '../../src/domain/usage.js';
import type {
  ApiDeletion,
  ApiPatch,
  ApiRef,
  ApiStore,
  AuditLog,
  BackupResult,
  ClientPatch,
  ClientStore,
  DeleteAudit,
  IdempotencyStore,
  InsertAudit,
  KeyInsertAudit,
  KeyRemoval,
  KeyRemoveAudit,
  LockoutStore,
  OperatorAudit,
  OperatorPatch,
  OperatorStore,
  PatchFor,
  QuotaStore,
  Retention,
  RotateAudit,
  SecretChange,
  SessionStore,
  SetupToken,
  SigningKeyStore,
  Store,
  StoredIdempotency,
  StoredSigningKey,
  TokenStore,
  UpdateAudit,
  UsageStore,
} from '../../src/usecases/ports.js';
import {
  clientToRow,
  grantToRow,
  patchAgainst,
  refreshToRow,
  refusedWait,
  toUsage,
  type IdempotencyRow,
  type LockoutRow,
  type QuotaRow,
  type RevokedRow,
  type UsageRow,
} from '../../src/infra/db/rows.js';

/*
 * Every storage port in memory, for unit tests and the store contract suite. Honestly atomic:
 * each method that checks and writes does both synchronously, with no await between, so no other
 * call can run in the middle (what a transaction does for a real store). Every value crosses the
 * port as a copy, as it would through a database. What it keeps is what the tables hold:
 * `MemoryStore.tableRows()` shows it as their rows, through the real stores' codecs, and
 * test/store/memory-tables.test.ts holds every table of the schemas to a home here.
 */

const copy = <T>(value: T): T => structuredClone(value);

/** The audit trail, oldest first; read newest first like the real stores. */
export class MemoryAuditLog implements AuditLog {
  readonly events: AuditRecord[] = [];

  /** Appends events; called by the memory stores inside their atomic steps. */
  append(events: readonly AuditEvent[]): void {
    for (const e of events) this.events.push(copy({ ...e, id: this.events.length + 1 }));
  }

  async record(events: readonly AuditEvent[]): Promise<void> {
    this.append(events);
  }

  purge(before: number): number {
    const kept = this.events.filter((e) => e.at >= before);
    const dropped = this.events.length - kept.length;
    this.events.splice(0, this.events.length, ...kept);
    return dropped;
  }

  async list(query: { clientId?: string; limit: number }): Promise<AuditRecord[]> {
    return this.events
      .filter((e) => query.clientId === undefined || e.clientId === query.clientId)
      .sort((a, b) => b.at - a.at || b.id - a.id)
      .slice(0, query.limit)
      .map(copy);
  }
}

/**
 * Clients in a map. Each write and its audit events land together: the new row and the events
 * are built first, then both are stored, so a throwing event builder leaves nothing behind.
 */
export class MemoryClientStore implements ClientStore {
  readonly rows = new Map<string, Client>();
  /** The lockout store whose counters findForCheck reads (set by MemoryStore). */
  lockout?: MemoryLockoutStore;
  /** The API store whose grants findForCheck reads and a deletion removes (set by MemoryStore). */
  apis?: MemoryApiStore;
  /** The usage and quota stores whose rows a deletion removes (set by MemoryStore). */
  usage?: MemoryUsageStore;
  quotas?: MemoryQuotaStore;
  constructor(private readonly audit: MemoryAuditLog) {}

  async findForCheck(
    id: string,
    keys: LockoutKeys,
    target?: ApiRef,
  ): Promise<{ client: Client | undefined; lockout: LockoutRead; target?: Target | undefined }> {
    const client = await this.findById(id);
    const lockout = this.lockout ? await this.lockout.read(keys) : { pair: undefined, ip: undefined };
    if (target === undefined) return { client, lockout };
    return { client, lockout, target: this.apis?.lookup(id, target) };
  }

  async findById(id: string): Promise<Client | undefined> {
    const c = this.rows.get(id);
    return c && copy(c);
  }
  async insert(client: Client, audit: InsertAudit): Promise<void> {
    if (this.rows.has(client.id)) throw new Error('duplicate id');
    this.commit(copy(client), audit(copy(client)));
  }
  async insertFirst(client: Client, audit: InsertAudit): Promise<boolean> {
    if (this.rows.size > 0) return false;
    await this.insert(client, audit);
    return true;
  }
  async update(
    id: string,
    given: ClientPatch | PatchFor,
    now: number,
    audit: UpdateAudit,
  ): Promise<Client | undefined> {
    const before = this.rows.get(id);
    if (!before) return undefined;
    const { endTokens, ...fields } = patchAgainst(given, copy(before));
    const after: Client = { ...copy(before), ...copy(fields), updatedAt: now };
    if (endTokens)
      Object.assign(after, {
        secretGeneration: before.secretGeneration + 1,
        previousSecretHash: null,
        graceUntil: null,
      });
    this.commit(after, audit(copy(before), copy(after)));
    return copy(after);
  }
  async rotateSecret(id: string, change: SecretChange, now: number, audit: RotateAudit): Promise<Client | undefined> {
    const c = this.rows.get(id);
    if (!c) return undefined;
    const rotated: Client = {
      ...copy(c),
      previousSecretHash: change.graceUntil === null ? null : c.secretHash,
      secretHash: change.secretHash,
      graceUntil: change.graceUntil,
      secretGeneration: c.secretGeneration + 1,
      updatedAt: now,
    };
    this.commit(rotated, audit(copy(rotated)));
    return copy(rotated);
  }
  async delete(id: string, _now: number, audit: DeleteAudit): Promise<Client | undefined> {
    const c = this.rows.get(id);
    if (!c) return undefined;
    const events = audit(copy(c));
    this.rows.delete(id);
    this.apis?.forgetClient(id);
    this.usage?.forgetClient(id);
    this.quotas?.rows.delete(id);
    this.audit.append(events);
    return copy(c);
  }
  private commit(row: Client, events: readonly AuditEvent[]): void {
    this.rows.set(row.id, row);
    this.audit.append(events);
  }
  async list(page: { limit: number; afterId?: string; orgId?: string; search?: string }): Promise<Client[]> {
    // ASCII case folding, as SQLite's lower() and PostgreSQL's lower(… COLLATE "C").
    const fold = (s: string): string => s.replace(/[A-Z]/g, (c) => c.toLowerCase());
    const search = page.search === undefined ? undefined : fold(page.search);
    return [...this.rows.values()]
      .filter((c) => page.afterId === undefined || c.id > page.afterId)
      .filter((c) => page.orgId === undefined || c.orgId === page.orgId)
      .filter((c) => search === undefined || fold(c.id).includes(search) || fold(c.name).includes(search))
      .sort((a, b) => (a.id < b.id ? -1 : 1))
      .slice(0, page.limit)
      .map(copy);
  }
  async count(): Promise<number> {
    return this.rows.size;
  }
  async markUsed(id: string, at: number): Promise<void> {
    const c = this.rows.get(id);
    if (c) c.lastUsedAt = Math.max(c.lastUsedAt ?? 0, at);
  }
}

/**
 * Operators and their setup links in maps. Like the clients, a change and its audit events are
 * built first and stored together, so a throwing event builder leaves nothing behind.
 */
export class MemoryOperatorStore implements OperatorStore {
  readonly rows = new Map<string, Operator>();
  readonly setupTokens = new Map<string, SetupToken>();
  constructor(
    private readonly audit: MemoryAuditLog,
    private readonly sessions: MemorySessionStore,
  ) {}

  async findById(id: string): Promise<Operator | undefined> {
    const o = this.rows.get(id);
    return o && copy(o);
  }
  async findByEmail(email: string): Promise<Operator | undefined> {
    const o = [...this.rows.values()].find((r) => r.email === email);
    return o && copy(o);
  }
  async list(): Promise<Operator[]> {
    return [...this.rows.values()].sort((a, b) => (a.email < b.email ? -1 : a.email > b.email ? 1 : 0)).map(copy);
  }
  async count(): Promise<number> {
    return this.rows.size;
  }
  async insert(operator: Operator, audit: OperatorAudit): Promise<boolean> {
    if ([...this.rows.values()].some((r) => r.email === operator.email)) return false;
    if (this.rows.has(operator.id)) throw new Error('duplicate id');
    const events = audit(undefined, copy(operator));
    this.rows.set(operator.id, copy(operator));
    this.audit.append(events);
    return true;
  }
  async insertFirst(operator: Operator, audit: OperatorAudit): Promise<boolean> {
    if (this.rows.size > 0) return false;
    return this.insert(operator, audit);
  }
  async update(
    id: string,
    patch: OperatorPatch,
    now: number,
    audit: OperatorAudit,
    opts: { endSessions?: boolean } = {},
  ): Promise<Operator | undefined> {
    const before = this.rows.get(id);
    if (!before) return undefined;
    const after: Operator = { ...copy(before), ...copy(patch), updatedAt: now };
    const events = audit(copy(before), copy(after));
    this.rows.set(id, after);
    if (opts.endSessions)
      for (const [h, s] of this.sessions.rows) if (s.operatorId === id) this.sessions.rows.delete(h);
    this.audit.append(events);
    return copy(after);
  }
  async advanceTotpStep(id: string, step: number): Promise<boolean> {
    const o = this.rows.get(id);
    if (!o || o.totpLastStep >= step) return false;
    o.totpLastStep = step;
    return true;
  }
  async useRecoveryCode(id: string, codeHash: string): Promise<boolean> {
    const o = this.rows.get(id);
    if (!o?.recoveryCodeHashes.includes(codeHash)) return false;
    o.recoveryCodeHashes = o.recoveryCodeHashes.filter((h) => h !== codeHash);
    return true;
  }
  async putSetupToken(token: SetupToken): Promise<void> {
    if (this.setupTokens.has(token.hash)) throw new Error('duplicate setup token');
    if (token.operatorId !== null)
      for (const [h, t] of this.setupTokens) if (t.operatorId === token.operatorId) this.setupTokens.delete(h);
    this.setupTokens.set(token.hash, copy(token));
  }
  async takeSetupToken(hash: string, now: number): Promise<SetupToken | undefined> {
    const t = this.setupTokens.get(hash);
    if (!t || t.expiresAt <= now) return undefined;
    this.setupTokens.delete(hash);
    return copy(t);
  }
  purge(now: number): number {
    let n = 0;
    for (const [h, t] of this.setupTokens) if (t.expiresAt <= now && this.setupTokens.delete(h)) n++;
    return n;
  }
}

/** Panel sessions in a map; `find` reads the operator too, as the real stores' join does. */
export class MemorySessionStore implements SessionStore {
  readonly rows = new Map<string, Session>();
  /** The operators a session names (set by MemoryStore). */
  operators?: MemoryOperatorStore;

  async insert(session: Session): Promise<void> {
    if (this.rows.has(session.idHash)) throw new Error('duplicate session');
    if (!this.operators?.rows.has(session.operatorId)) throw new Error('no such operator');
    this.rows.set(session.idHash, copy(session));
  }
  async find(idHash: string): Promise<{ session: Session; operator: Operator } | undefined> {
    const s = this.rows.get(idHash);
    const o = s && this.operators?.rows.get(s.operatorId);
    return s && o ? { session: copy(s), operator: copy(o) } : undefined;
  }
  async touch(idHash: string, lastSeenAt: number): Promise<void> {
    const s = this.rows.get(idHash);
    if (s) s.lastSeenAt = Math.max(s.lastSeenAt, lastSeenAt);
  }
  async delete(idHash: string): Promise<void> {
    this.rows.delete(idHash);
  }
  purge(now: number): number {
    let n = 0;
    for (const [h, s] of this.rows) if (s.expiresAt <= now && this.rows.delete(h)) n++;
    return n;
  }
}

/** Lockout counters in a map, settled by the domain's `settleLockout` like every store. */
export class MemoryLockoutStore implements LockoutStore {
  readonly rows = new Map<string, CounterState>();
  constructor(
    private readonly audit: MemoryAuditLog,
    private readonly onLock?: (kind: 'pair' | 'ip') => void,
  ) {}

  private readNow(keys: LockoutKeys): LockoutRead {
    const pair = this.rows.get(lockoutKeyId(keys.pair));
    const ip = this.rows.get(lockoutKeyId(keys.ip));
    return { pair: pair && copy(pair), ip: ip && copy(ip) };
  }
  async read(keys: LockoutKeys): Promise<LockoutRead> {
    return this.readNow(keys);
  }
  async settle(
    keys: LockoutKeys,
    succeeded: boolean,
    now: number,
    policy: LockoutPolicy,
    seen?: LockoutRead,
  ): Promise<LockoutVerdict> {
    // A decision on what the caller saw that writes nothing stands, as in the real stores.
    if (seen) {
      const first = settleLockout(keys, seen, succeeded, now, policy);
      if (first.writes.length === 0) return first.verdict;
    }
    // Read, decide and write in one synchronous step.
    const decision = settleLockout(keys, this.readNow(keys), succeeded, now, policy);
    for (const w of decision.writes) {
      if (w.state === null) this.rows.delete(w.id);
      else this.rows.set(w.id, copy(w.state));
    }
    this.audit.append(decision.events);
    for (const kind of decision.began) this.onLock?.(kind);
    return decision.verdict;
  }
  purge(now: number, policy: LockoutPolicy): number {
    let n = 0;
    for (const [id, s] of this.rows) {
      if (s.windowStart < now - policy.windowSeconds * 1000 && s.lockedUntil <= now && this.rows.delete(id)) n++;
    }
    return n;
  }
}

export class MemoryTokenStore implements TokenStore {
  readonly revoked = new Map<string, RevokedRow>();
  readonly refresh = new Map<string, RefreshRecord>();
  /** The API store whose grants a token check reads (set by MemoryStore). */
  apis?: MemoryApiStore;
  constructor(private readonly clients: MemoryClientStore) {}

  async bearerState(
    clientId: string,
    jti: string,
    target?: ApiRef,
  ): Promise<{ client: Client | undefined; revoked: boolean; target?: Target | undefined }> {
    const state = { client: await this.clients.findById(clientId), revoked: this.revoked.has(jti) };
    if (target === undefined) return state;
    return { ...state, target: this.apis?.lookup(clientId, target) };
  }
  async revokeAccessToken(jti: string, clientId: string, expiresAt: number | null, now = 0): Promise<void> {
    if (!this.revoked.has(jti)) this.revoked.set(jti, { jti, clientId, expiresAt, revokedAt: now });
  }
  async saveRefreshToken(r: RefreshRecord): Promise<void> {
    if (this.refresh.has(r.hash)) throw new Error('duplicate refresh token');
    this.refresh.set(r.hash, copy(r));
  }
  async findRefreshToken(hash: string): Promise<RefreshRecord | undefined> {
    const r = this.refresh.get(hash);
    return r && copy(r);
  }
  async deleteRefreshToken(hash: string): Promise<void> {
    this.refresh.delete(hash);
  }
  purge(now: number): number {
    let n = 0;
    for (const [h, r] of this.refresh) if (r.expiresAt <= now && this.refresh.delete(h)) n++;
    for (const [j, { expiresAt }] of this.revoked)
      if (expiresAt !== null && expiresAt <= now && this.revoked.delete(j)) n++;
    return n;
  }
}

export class MemoryIdempotencyStore implements IdempotencyStore {
  readonly rows = new Map<string, IdempotencyRow>();
  private readonly id = (callerId: string, key: string): string => JSON.stringify([callerId, key]);

  async claim(
    callerId: string,
    key: string,
    requestHash: string,
    now: number,
    expiresAt: number,
  ): Promise<{ state: 'claimed' } | StoredIdempotency> {
    const id = this.id(callerId, key);
    const row = this.rows.get(id);
    if (row && row.expiresAt > now) {
      return row.resultEnc === null
        ? { state: 'pending', requestHash: row.requestHash }
        : { state: 'done', requestHash: row.requestHash, sealed: row.resultEnc };
    }
    this.rows.set(id, { callerId, key, requestHash, resultEnc: null, createdAt: now, expiresAt });
    return { state: 'claimed' };
  }
  async complete(callerId: string, key: string, sealed: string): Promise<void> {
    const row = this.rows.get(this.id(callerId, key));
    if (row) row.resultEnc = sealed;
  }
  async release(callerId: string, key: string): Promise<void> {
    const id = this.id(callerId, key);
    if (this.rows.get(id)?.resultEnc === null) this.rows.delete(id);
  }
  purge(now: number): number {
    let n = 0;
    for (const [id, row] of this.rows) if (row.expiresAt <= now && this.rows.delete(id)) n++;
    return n;
  }
}

export class MemorySigningKeyStore implements SigningKeyStore {
  readonly rows: StoredSigningKey[] = [];
  constructor(private readonly audit: MemoryAuditLog = new MemoryAuditLog()) {}

  async currentKid(mode: Mode, alg: string): Promise<string | undefined> {
    return this.rows.find((k) => k.mode === mode && k.alg === alg && k.current)?.kid;
  }
  async current(mode: Mode, alg: string): Promise<StoredSigningKey | undefined> {
    const k = this.rows.find((r) => r.mode === mode && r.alg === alg && r.current);
    return k && copy(k);
  }
  async list(mode?: Mode): Promise<StoredSigningKey[]> {
    return this.rows
      .filter((k) => mode === undefined || k.mode === mode)
      .sort((a, b) => a.createdAt - b.createdAt)
      .map(copy);
  }
  async insertCurrent(key: StoredSigningKey, onlyReplacing?: string | null, audit?: KeyInsertAudit): Promise<boolean> {
    const current = this.rows.find((k) => k.mode === key.mode && k.alg === key.alg && k.current);
    const replaced = current?.kid ?? null;
    if (onlyReplacing !== undefined && replaced !== onlyReplacing) return false;
    if (this.rows.some((k) => k.kid === key.kid)) throw new Error('duplicate kid');
    // Events first: a throwing builder leaves nothing changed.
    const events = audit ? audit({ ...copy(key), current: true }, replaced) : [];
    for (const k of this.rows) if (k.mode === key.mode && k.alg === key.alg) k.current = false;
    this.rows.push({ ...copy(key), current: true });
    this.audit.append(events);
    return true;
  }
  async remove(kid: string, audit: KeyRemoveAudit): Promise<KeyRemoval> {
    const i = this.rows.findIndex((k) => k.kid === kid);
    if (i < 0) return { outcome: 'not_found' };
    const row = this.rows[i]!;
    if (row.current) return { outcome: 'current' };
    const events = audit(copy(row));
    this.rows.splice(i, 1);
    this.audit.append(events);
    return { outcome: 'removed', key: copy(row) };
  }
}

/**
 * APIs and grants in maps. A grant goes with its client (the client store calls `forgetClient`)
 * or its API, as the databases' ON DELETE CASCADE does.
 */
export class MemoryApiStore implements ApiStore {
  readonly apis = new Map<string, Api>();
  readonly grants = new Map<string, Grant>();
  constructor(private readonly audit: MemoryAuditLog) {}

  private byRef(ref: ApiRef): Api | undefined {
    return [...this.apis.values()].find((a) => a.mode === ref.mode && a.identifier === ref.identifier);
  }
  private static key = (clientId: string, apiId: string): string => JSON.stringify([clientId, apiId]);

  forgetClient(clientId: string): void {
    for (const [k, g] of this.grants) if (g.clientId === clientId) this.grants.delete(k);
  }
  async listApis(mode?: Mode): Promise<Api[]> {
    return [...this.apis.values()]
      .filter((a) => mode === undefined || a.mode === mode)
      .sort((a, b) => (a.identifier < b.identifier ? -1 : a.identifier > b.identifier ? 1 : a.mode < b.mode ? -1 : 1))
      .map(copy);
  }
  async findApi(ref: ApiRef): Promise<Api | undefined> {
    const a = this.byRef(ref);
    return a && copy(a);
  }
  async insertApi(api: Api, audit: (api: Api) => readonly AuditEvent[]): Promise<boolean> {
    if (this.byRef(api)) return false;
    const events = audit(copy(api));
    this.apis.set(api.id, copy(api));
    this.audit.append(events);
    return true;
  }
  async updateApi(
    ref: ApiRef,
    patch: ApiPatch,
    now: number,
    audit: (before: Api, after: Api) => readonly AuditEvent[],
  ): Promise<Api | undefined> {
    const before = this.byRef(ref);
    if (!before) return undefined;
    const after: Api = { ...copy(before), ...copy(patch), updatedAt: now };
    const events = audit(copy(before), copy(after));
    this.apis.set(after.id, after);
    this.audit.append(events);
    return copy(after);
  }
  async deleteApi(
    ref: ApiRef,
    force: boolean,
    audit: (api: Api, grants: readonly Grant[]) => readonly AuditEvent[],
  ): Promise<ApiDeletion> {
    const api = this.byRef(ref);
    if (!api) return { outcome: 'not_found' };
    const held = [...this.grants.values()]
      .filter((g) => g.apiId === api.id)
      .sort((a, b) => (a.clientId < b.clientId ? -1 : 1));
    if (held.length > 0 && !force) return { outcome: 'has_grants', grants: held.length };
    const events = audit(copy(api), copy(held));
    for (const g of held) this.grants.delete(MemoryApiStore.key(g.clientId, g.apiId));
    this.apis.delete(api.id);
    this.audit.append(events);
    return { outcome: 'deleted', api: copy(api), grants: copy(held) };
  }
  async grantsOf(clientId: string): Promise<Target[]> {
    return [...this.grants.values()]
      .filter((g) => g.clientId === clientId)
      .map((grant) => ({ api: copy(this.apis.get(grant.apiId)!), grant: copy(grant) }))
      .sort((a, b) => (a.api.identifier < b.api.identifier ? -1 : 1));
  }
  async grantsFor(apiId: string): Promise<Grant[]> {
    return [...this.grants.values()]
      .filter((g) => g.apiId === apiId)
      .sort((a, b) => (a.clientId < b.clientId ? -1 : 1))
      .map(copy);
  }
  async target(clientId: string, ref: ApiRef): Promise<Target | undefined> {
    return this.lookup(clientId, ref);
  }
  /** The target, for the port and for the other stores' one-read checks alike. */
  lookup(clientId: string, ref: ApiRef): Target | undefined {
    const api = this.byRef(ref);
    const grant = api && this.grants.get(MemoryApiStore.key(clientId, api.id));
    return api && grant ? { api: copy(api), grant: copy(grant) } : undefined;
  }
  async setGrant(
    grant: Grant,
    audit: (before: Grant | undefined, after: Grant) => readonly AuditEvent[],
  ): Promise<Grant> {
    const key = MemoryApiStore.key(grant.clientId, grant.apiId);
    const before = this.grants.get(key);
    const after: Grant = before ? { ...copy(grant), createdAt: before.createdAt } : copy(grant);
    const events = audit(before && copy(before), copy(after));
    this.grants.set(key, after);
    this.audit.append(events);
    return copy(after);
  }
  async removeGrant(
    clientId: string,
    apiId: string,
    audit: (removed: Grant) => readonly AuditEvent[],
  ): Promise<Grant | undefined> {
    const key = MemoryApiStore.key(clientId, apiId);
    const g = this.grants.get(key);
    if (!g) return undefined;
    const events = audit(copy(g));
    this.grants.delete(key);
    this.audit.append(events);
    return copy(g);
  }
}

/** Byte order, as the databases compare text (BINARY, COLLATE "C"). */
const byteOrder = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));

/** Usage rows in a map by key; a flush adds each count to its row, all in one synchronous step. */
export class MemoryUsageStore implements UsageStore {
  readonly rows = new Map<string, UsageRow>();
  private static key = (c: UsageCount): string => JSON.stringify([c.clientId, c.hour, c.door, c.kind]);

  async add(counts: readonly UsageCount[]): Promise<void> {
    for (const c of counts) {
      const row = this.rows.get(MemoryUsageStore.key(c));
      if (row) row.count += c.count;
      else this.rows.set(MemoryUsageStore.key(c), { ...c });
    }
  }
  async forClients(clientIds: readonly string[], from: number, to: number): Promise<UsageCount[]> {
    const ids = new Set(clientIds);
    return [...this.rows.values()]
      .filter((r) => ids.has(r.clientId) && r.hour >= from && r.hour < to)
      .sort(
        (a, b) =>
          byteOrder(a.clientId, b.clientId) ||
          a.hour - b.hour ||
          byteOrder(a.door, b.door) ||
          byteOrder(a.kind, b.kind),
      )
      .map((r) => toUsage(copy(r)));
  }
  forgetClient(clientId: string): void {
    for (const [k, r] of this.rows) if (r.clientId === clientId) this.rows.delete(k);
  }
  purge(before: number): number {
    let n = 0;
    for (const [k, r] of this.rows) if (r.hour < before && this.rows.delete(k)) n++;
    return n;
  }
}

/** Each client's GCRA instant; a take decides and writes in one synchronous step (takeToken itself). */
export class MemoryQuotaStore implements QuotaStore {
  readonly rows = new Map<string, number>();
  constructor(private readonly clients: MemoryClientStore) {}

  async take(clientId: string, rule: QuotaRule, now: number): Promise<number> {
    // A client that is gone holds no instant (the databases' foreign key): its token is not refused.
    if (!this.clients.rows.has(clientId)) return 0;
    const decision = takeToken(this.rows.get(clientId), rule, now);
    if (!decision.granted) return refusedWait(this.rows.get(clientId), rule, now);
    this.rows.set(clientId, decision.instant);
    return 0;
  }
  purge(now: number): number {
    let n = 0;
    for (const [id, instant] of this.rows) if (instant < now && this.rows.delete(id)) n++;
    return n;
  }
}

/** Every port in memory; closing it makes every later call of `ping` fail, as a closed database would. */
export class MemoryStore implements Store {
  readonly audit = new MemoryAuditLog();
  readonly clients = new MemoryClientStore(this.audit);
  readonly apis = new MemoryApiStore(this.audit);
  readonly lockout: MemoryLockoutStore;
  readonly tokens = new MemoryTokenStore(this.clients);
  readonly idempotency = new MemoryIdempotencyStore();
  readonly keys = new MemorySigningKeyStore(this.audit);
  readonly sessions = new MemorySessionStore();
  readonly operators = new MemoryOperatorStore(this.audit, this.sessions);
  readonly usage = new MemoryUsageStore();
  readonly quotas = new MemoryQuotaStore(this.clients);
  private closed = false;

  constructor(opts: { onLock?: (kind: 'pair' | 'ip') => void } = {}) {
    this.lockout = new MemoryLockoutStore(this.audit, opts.onLock);
    this.clients.lockout = this.lockout;
    this.clients.apis = this.apis;
    this.clients.usage = this.usage;
    this.clients.quotas = this.quotas;
    this.tokens.apis = this.apis;
    this.sessions.operators = this.operators;
  }

  async ping(): Promise<void> {
    if (this.closed) throw new Error('the store is closed');
  }
  async purgeExpired(now: number, { lockout, auditRetentionDays, usageRetentionDays }: Retention): Promise<number> {
    return (
      this.tokens.purge(now) +
      this.idempotency.purge(now) +
      this.lockout.purge(now, lockout) +
      this.audit.purge(now - auditRetentionDays * 86_400_000) +
      this.sessions.purge(now) +
      this.operators.purge(now) +
      this.usage.purge(now - usageRetentionDays * 86_400_000) +
      this.quotas.purge(now)
    );
  }
  async backup(_file: string): Promise<BackupResult> {
    throw new Error('An in-memory store has nothing on disk to back up');
  }
  /** What it keeps, table by table (SQL names), as the tables' rows (property keys, domain values). */
  tableRows(): Record<string, object[]> {
    return {
      clients: [...this.clients.rows.values()].map(clientToRow),
      signing_keys: this.keys.rows.map(copy),
      lockouts: [...this.lockout.rows].map(([key, state]): LockoutRow => ({ key, ...state })),
      refresh_tokens: [...this.tokens.refresh.values()].map(refreshToRow),
      revoked_tokens: [...this.tokens.revoked.values()].map(copy),
      idempotency_keys: [...this.idempotency.rows.values()].map(copy),
      audit_events: this.audit.events.map(copy),
      operators: [...this.operators.rows.values()].map(copy),
      sessions: [...this.sessions.rows.values()].map(copy),
      setup_tokens: [...this.operators.setupTokens.values()].map(copy),
      apis: [...this.apis.apis.values()].map(copy),
      grants: [...this.apis.grants.values()].map(grantToRow),
      usage_hours: [...this.usage.rows.values()].map(copy),
      quota_buckets: [...this.quotas.rows].map(([clientId, instant]): QuotaRow => ({ clientId, instant })),
    };
  }
  async close(): Promise<void> {
    this.closed = true;
  }
}
