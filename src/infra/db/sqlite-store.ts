import { asc, eq, gt, sql } from 'drizzle-orm';
import { lockoutEvent, type AuditEvent } from '../../domain/audit.js';
import type { Client } from '../../domain/client.js';
import { afterFailure, retryAfterSeconds, type CounterState, type LockoutKeys, type LockoutPolicy } from '../../domain/lockout.js';
import type { ClientPatch, ClientStore, LockoutStore, RotateAudit, SecretChange, SettleResult, UpdateAudit } from '../../usecases/ports.js';
import { prepareAuditInsert } from './audit-store.js';
import type { Db } from './connection.js';
import { clients } from './schema.js';

type ClientRow = typeof clients.$inferSelect;

const splitList = (s: string): string[] => (s === '' ? [] : s.split(' '));

function toClient(row: ClientRow): Client {
  return { ...row, scopes: splitList(row.scopes), allowedIps: splitList(row.allowedIps) };
}

/** The client columns in the order `arrayToClient` reads them, for hot statements in plain SQL. */
export const CLIENT_COLUMNS =
  'id, name, mode, scopes, org_id, allowed_ips, enabled, secret_generation, secret_hash, previous_secret_hash, grace_until, created_at, updated_at';

/** A client from a raw row selected as CLIENT_COLUMNS (better-sqlite3 `.raw(true)`). */
export function arrayToClient(r: readonly unknown[]): Client {
  return {
    id: r[0] as string,
    name: r[1] as string,
    mode: r[2] as Client['mode'],
    scopes: splitList(r[3] as string),
    orgId: r[4] as string | null,
    allowedIps: splitList(r[5] as string),
    enabled: r[6] === 1,
    secretGeneration: r[7] as number,
    secretHash: r[8] as string,
    previousSecretHash: r[9] as string | null,
    graceUntil: r[10] as number | null,
    createdAt: r[11] as number,
    updatedAt: r[12] as number,
  };
}

function toRow(c: Client): ClientRow {
  return { ...c, scopes: c.scopes.join(' '), allowedIps: c.allowedIps.join(' ') };
}

function patchToSet(patch: ClientPatch, now: number): Partial<ClientRow> {
  const set: Partial<ClientRow> = { updatedAt: now };
  if (patch.name !== undefined) set.name = patch.name;
  if (patch.scopes !== undefined) set.scopes = patch.scopes.join(' ');
  if (patch.allowedIps !== undefined) set.allowedIps = patch.allowedIps.join(' ');
  if (patch.orgId !== undefined) set.orgId = patch.orgId;
  if (patch.enabled !== undefined) set.enabled = patch.enabled;
  return set;
}

/**
 * Clients in SQLite. The hot-path read is prepared once; nothing is cached between requests.
 * Every write commits with its audit events in one `BEGIN IMMEDIATE` transaction (synchronous=FULL),
 * so a crash never leaves a change without its audit row, nor a row for a change that did not happen.
 */
export class SqliteClientStore implements ClientStore {
  private readonly byId;
  private readonly insertTx;
  private readonly updateTx;
  private readonly rotateTx;

  constructor(private readonly db: Db) {
    const sqlite = db.$client;
    // The hottest read of all (every issuance): plain prepared SQL returning an array, which
    // better-sqlite3 builds in half the time of a 13-key object (21 µs → 10 µs measured).
    this.byId = sqlite.prepare<[string], unknown[]>(`SELECT ${CLIENT_COLUMNS} FROM clients WHERE id = ?`).raw(true);
    const audit = prepareAuditInsert(sqlite);
    const record = (events: readonly AuditEvent[]): void => {
      for (const e of events) audit(e);
    };
    this.insertTx = sqlite.transaction((client: Client, events: readonly AuditEvent[]): void => {
      this.db.insert(clients).values(toRow(client)).run();
      record(events);
    });
    this.updateTx = sqlite.transaction((id: string, patch: ClientPatch, now: number, events: UpdateAudit): Client | undefined => {
      // Read in the transaction, so the events describe exactly the change that commits.
      const before = this.byId.get(id);
      if (!before) return undefined;
      const after = toClient(this.db.update(clients).set(patchToSet(patch, now)).where(eq(clients.id, id)).returning().get()!);
      record(events(arrayToClient(before), after));
      return after;
    });
    this.rotateTx = sqlite.transaction((id: string, change: SecretChange, now: number, events: RotateAudit): Client | undefined => {
      // One statement, so the generation bump and the new hash go together; the previous hash is
      // read by the UPDATE itself.
      const row = this.db
        .update(clients)
        .set({
          previousSecretHash: change.graceUntil === null ? null : sql.raw('"secret_hash"'),
          secretHash: change.secretHash,
          graceUntil: change.graceUntil,
          secretGeneration: sql.raw('"secret_generation" + 1'),
          updatedAt: now,
        })
        .where(eq(clients.id, id))
        .returning()
        .get();
      if (!row) return undefined;
      const rotated = toClient(row);
      record(events(rotated));
      return rotated;
    });
  }

  async findById(id: string): Promise<Client | undefined> {
    const row = this.byId.get(id);
    return row ? arrayToClient(row) : undefined;
  }

  async insert(client: Client, events: readonly AuditEvent[]): Promise<void> {
    this.insertTx.immediate(client, events);
  }

  async update(id: string, patch: ClientPatch, now: number, audit: UpdateAudit): Promise<Client | undefined> {
    return this.updateTx.immediate(id, patch, now, audit);
  }

  async rotateSecret(id: string, change: SecretChange, now: number, audit: RotateAudit): Promise<Client | undefined> {
    return this.rotateTx.immediate(id, change, now, audit);
  }

  async list(page: { limit: number; afterId?: string }): Promise<Client[]> {
    const query = this.db.select().from(clients);
    const rows = (page.afterId === undefined ? query : query.where(gt(clients.id, page.afterId)))
      .orderBy(asc(clients.id))
      .limit(page.limit)
      .all();
    return rows.map(toClient);
  }

  async count(): Promise<number> {
    return this.db.$count(clients);
  }
}

/** Which counter a lock began on: the (client id, address) pair, or the address across ids. */
export type LockKind = 'pair' | 'ip';

export interface LockoutStoreOptions {
  /** Told after the transaction commits, once per lock that began (for metrics); must be cheap. */
  onLock?: (kind: LockKind) => void;
}

const NO_LOCKS: readonly LockKind[] = [];

/**
 * Lockout counters in SQLite, shared by every process on the file and kept across restarts.
 * Failures are settled inside `BEGIN IMMEDIATE`, so counting is serialised across processes; a
 * success on a clean pair only reads. A lock that begins is written to the audit trail in the
 * same transaction, so exactly one process records it.
 */
export class SqliteLockoutStore implements LockoutStore {
  private readonly onLock: ((kind: LockKind) => void) | undefined;
  private readonly audit: (event: AuditEvent) => void;
  private readonly read;
  private readonly lockedUntil;
  private readonly upsert;
  private readonly remove;
  private readonly settleTx;
  private readonly purgeStale;

  constructor(db: Db, opts: LockoutStoreOptions = {}) {
    const sqlite = db.$client;
    this.onLock = opts.onLock;
    this.audit = prepareAuditInsert(sqlite);
    this.read = sqlite.prepare<[string], CounterRow>(
      'SELECT failures, window_start AS windowStart, locked_until AS lockedUntil FROM lockouts WHERE key = ?',
    );
    // The hot path: one read answers "is either key locked, and has the pair failed before?".
    this.lockedUntil = sqlite
      .prepare<[string, string, string], [number | null, number | null]>('SELECT max(locked_until), sum(key = ?) FROM lockouts WHERE key IN (?, ?)')
      .raw(true);
    this.upsert = sqlite.prepare(
      `INSERT INTO lockouts (key, failures, window_start, locked_until) VALUES (?, ?, ?, ?)
       ON CONFLICT(key) DO UPDATE SET failures = excluded.failures, window_start = excluded.window_start, locked_until = excluded.locked_until`,
    );
    this.remove = sqlite.prepare('DELETE FROM lockouts WHERE key = ?');
    this.purgeStale = sqlite.prepare('DELETE FROM lockouts WHERE window_start < ? AND locked_until <= ?');
    this.settleTx = sqlite.transaction(
      (keys: LockoutKeys, succeeded: boolean, now: number, policy: LockoutPolicy): Settled => {
        const pair = this.read.get(keys.pair);
        const ip = this.read.get(keys.ip);
        const wait = Math.max(retryAfterSeconds(pair, now), retryAfterSeconds(ip, now));
        if (wait > 0) return { result: { locked: true, retryAfterSeconds: wait }, began: NO_LOCKS };
        if (succeeded) {
          this.remove.run(keys.pair);
          return { result: { locked: false }, began: NO_LOCKS };
        }
        // Neither key is locked here (wait is 0), so a lock in the new state is one that begins.
        const pairNext = afterFailure(pair, now, policy.maxFailures, policy);
        const ipNext = afterFailure(ip, now, policy.maxFailuresPerIp, policy);
        this.save(keys.pair, pairNext);
        this.save(keys.ip, ipNext);
        const began: LockKind[] = [];
        if (pairNext.lockedUntil > 0) this.lockBegins(keys.pair, 'pair', pairNext.lockedUntil, now, began);
        if (ipNext.lockedUntil > 0) this.lockBegins(keys.ip, 'ip', ipNext.lockedUntil, now, began);
        return { result: { locked: false }, began };
      },
    );
  }

  private save(key: string, s: CounterState): void {
    this.upsert.run(key, s.failures, s.windowStart, s.lockedUntil);
  }

  /** Inside settleTx: the audit row commits with the counter that locked, or not at all. */
  private lockBegins(key: string, kind: LockKind, lockedUntil: number, now: number, began: LockKind[]): void {
    this.audit(lockoutEvent(key, kind, lockedUntil, now));
    began.push(kind);
  }

  private snapshot(keys: LockoutKeys, now: number): { wait: number; pairSeen: boolean } {
    const [until, pairRows] = this.lockedUntil.get(keys.pair, keys.pair, keys.ip)!;
    return { wait: until !== null && until > now ? Math.ceil((until - now) / 1000) : 0, pairSeen: (pairRows ?? 0) > 0 };
  }

  async peek(keys: LockoutKeys, now: number): Promise<number> {
    return this.snapshot(keys, now).wait;
  }

  async settle(keys: LockoutKeys, succeeded: boolean, now: number, policy: LockoutPolicy): Promise<SettleResult> {
    if (succeeded) {
      // The common case, a success on a pair with no failures, is one read and no write lock.
      const { wait, pairSeen } = this.snapshot(keys, now);
      if (wait > 0) return { locked: true, retryAfterSeconds: wait };
      if (!pairSeen) return { locked: false };
    }
    const { result, began } = this.settleTx.immediate(keys, succeeded, now, policy);
    for (const kind of began) {
      try {
        this.onLock?.(kind);
      } catch {
        // A metrics hook must never turn a settled, committed verdict into a failed request.
      }
    }
    return result;
  }

  /** Drops counters whose window and lock are both over. */
  purge(now: number, policy: LockoutPolicy): number {
    return this.purgeStale.run(now - policy.windowSeconds * 1000, now).changes;
  }
}

interface Settled {
  result: SettleResult;
  /** Locks that began in this transaction, for onLock once it has committed. */
  began: readonly LockKind[];
}

interface CounterRow {
  failures: number;
  windowStart: number;
  lockedUntil: number;
}
