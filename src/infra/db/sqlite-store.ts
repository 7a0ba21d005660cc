import { asc, eq, gt, sql } from 'drizzle-orm';
import type { Client } from '../../domain/client.js';
import { afterFailure, retryAfterSeconds, type CounterState, type LockoutKeys, type LockoutPolicy } from '../../domain/lockout.js';
import type { ClientPatch, ClientStore, LockoutStore, SecretChange, SettleResult } from '../../usecases/ports.js';
import type { Db } from './connection.js';
import { clients } from './schema.js';

type ClientRow = typeof clients.$inferSelect;

const splitList = (s: string): string[] => (s === '' ? [] : s.split(' '));

function toClient(row: ClientRow): Client {
  return { ...row, scopes: splitList(row.scopes), allowedIps: splitList(row.allowedIps) };
}

/** A client from a raw (snake_case) row, for statements written in plain SQL. */
export function rowToClient(r: Record<string, unknown>): Client {
  return toClient({
    id: r.id as string,
    name: r.name as string,
    mode: r.mode as Client['mode'],
    scopes: r.scopes as string,
    orgId: r.org_id as string | null,
    allowedIps: r.allowed_ips as string,
    enabled: r.enabled === 1,
    secretGeneration: r.secret_generation as number,
    secretHash: r.secret_hash as string,
    previousSecretHash: r.previous_secret_hash as string | null,
    graceUntil: r.grace_until as number | null,
    createdAt: r.created_at as number,
    updatedAt: r.updated_at as number,
  });
}

function toRow(c: Client): ClientRow {
  return { ...c, scopes: c.scopes.join(' '), allowedIps: c.allowedIps.join(' ') };
}

/** Clients in SQLite. The hot-path read is prepared once; nothing is cached between requests. */
export class SqliteClientStore implements ClientStore {
  private readonly byId;

  constructor(private readonly db: Db) {
    // The hottest read of all (every issuance): plain prepared SQL, no query-builder mapping.
    this.byId = db.$client.prepare<[string], Record<string, unknown>>('SELECT * FROM clients WHERE id = ?');
  }

  async findById(id: string): Promise<Client | undefined> {
    const row = this.byId.get(id);
    return row ? rowToClient(row) : undefined;
  }

  async insert(client: Client): Promise<void> {
    this.db.insert(clients).values(toRow(client)).run();
  }

  async update(id: string, patch: ClientPatch, now: number): Promise<Client | undefined> {
    const set: Partial<ClientRow> = { updatedAt: now };
    if (patch.name !== undefined) set.name = patch.name;
    if (patch.scopes !== undefined) set.scopes = patch.scopes.join(' ');
    if (patch.allowedIps !== undefined) set.allowedIps = patch.allowedIps.join(' ');
    if (patch.orgId !== undefined) set.orgId = patch.orgId;
    if (patch.enabled !== undefined) set.enabled = patch.enabled;
    const row = this.db.update(clients).set(set).where(eq(clients.id, id)).returning().get();
    return row ? toClient(row) : undefined;
  }

  async rotateSecret(id: string, change: SecretChange, now: number): Promise<Client | undefined> {
    // One statement, so the generation bump and the new hash commit together (synchronous=FULL).
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
    return row ? toClient(row) : undefined;
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

/**
 * Lockout counters in SQLite, shared by every process on the file and kept across restarts.
 * Failures are settled inside `BEGIN IMMEDIATE`, so counting is serialised across processes; a
 * success on a clean pair only reads.
 */
export class SqliteLockoutStore implements LockoutStore {
  private readonly read;
  private readonly lockedUntil;
  private readonly upsert;
  private readonly remove;
  private readonly settleTx;
  private readonly purgeStale;

  constructor(db: Db) {
    const sqlite = db.$client;
    this.read = sqlite.prepare<[string], CounterRow>(
      'SELECT failures, window_start AS windowStart, locked_until AS lockedUntil FROM lockouts WHERE key = ?',
    );
    // The hot path: one read answers "is either key locked, and has the pair failed before?".
    this.lockedUntil = sqlite.prepare<[string, string, string], { until: number | null; pairRows: number | null }>(
      'SELECT max(locked_until) AS until, sum(key = ?) AS pairRows FROM lockouts WHERE key IN (?, ?)',
    );
    this.upsert = sqlite.prepare(
      `INSERT INTO lockouts (key, failures, window_start, locked_until) VALUES (?, ?, ?, ?)
       ON CONFLICT(key) DO UPDATE SET failures = excluded.failures, window_start = excluded.window_start, locked_until = excluded.locked_until`,
    );
    this.remove = sqlite.prepare('DELETE FROM lockouts WHERE key = ?');
    this.purgeStale = sqlite.prepare('DELETE FROM lockouts WHERE window_start < ? AND locked_until <= ?');
    this.settleTx = sqlite.transaction(
      (keys: LockoutKeys, succeeded: boolean, now: number, policy: LockoutPolicy): SettleResult => {
        const pair = this.read.get(keys.pair);
        const ip = this.read.get(keys.ip);
        const wait = Math.max(retryAfterSeconds(pair, now), retryAfterSeconds(ip, now));
        if (wait > 0) return { locked: true, retryAfterSeconds: wait };
        if (succeeded) {
          this.remove.run(keys.pair);
          return { locked: false };
        }
        this.save(keys.pair, afterFailure(pair, now, policy.maxFailures, policy));
        this.save(keys.ip, afterFailure(ip, now, policy.maxFailuresPerIp, policy));
        return { locked: false };
      },
    );
  }

  private save(key: string, s: CounterState): void {
    this.upsert.run(key, s.failures, s.windowStart, s.lockedUntil);
  }

  private snapshot(keys: LockoutKeys, now: number): { wait: number; pairSeen: boolean } {
    const row = this.lockedUntil.get(keys.pair, keys.pair, keys.ip)!;
    const until = row.until ?? 0;
    return { wait: until > now ? Math.ceil((until - now) / 1000) : 0, pairSeen: (row.pairRows ?? 0) > 0 };
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
    return this.settleTx.immediate(keys, succeeded, now, policy);
  }

  /** Drops counters whose window and lock are both over. */
  purge(now: number, policy: LockoutPolicy): number {
    return this.purgeStale.run(now - policy.windowSeconds * 1000, now).changes;
  }
}

interface CounterRow {
  failures: number;
  windowStart: number;
  lockedUntil: number;
}
