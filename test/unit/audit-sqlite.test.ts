import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  lockoutKeys,
  lockoutWait,
  refreshLockoutKeys,
  type LockoutKeys,
  type LockoutPolicy,
} from '../../src/domain/lockout.js';
import { prepareAuditInsert, SqliteAuditLog } from '../../src/infra/db/sqlite/audit.js';
import { migrateDatabase, openDatabase, type Db } from '../../src/infra/db/sqlite/connection.js';
import { SqliteLockoutStore, type LockKind } from '../../src/infra/db/sqlite/lockout.js';
import { tempDir } from '../support/process.js';

const POLICY: LockoutPolicy = { maxFailures: 5, maxFailuresPerIp: 8, windowSeconds: 900, lockSeconds: 900 };
const T0 = Date.UTC(2026, 0, 1);

describe('audit trail in SQLite', () => {
  let dir: string;
  let db: Db;
  let locks: LockKind[];
  let store: SqliteLockoutStore;
  let audit: SqliteAuditLog;
  const peek = async (s: SqliteLockoutStore, keys: LockoutKeys, now: number) => lockoutWait(await s.read(keys), now);

  const rows = () =>
    db.$client.prepare('SELECT actor, action, client_id, source_ip, detail FROM audit_events ORDER BY id').all();
  const changes = () => (db.$client.prepare('SELECT total_changes() AS n').get() as { n: number }).n;

  beforeEach(() => {
    dir = tempDir();
    db = openDatabase(join(dir, 'tollgate.db'));
    migrateDatabase(db);
    locks = [];
    store = new SqliteLockoutStore(db, { onLock: (kind) => locks.push(kind) });
    audit = new SqliteAuditLog(db);
  });
  afterEach(() => {
    db.$client.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes exactly one lockout row, in the settling transaction, when a pair lock begins', async () => {
    const keys = lockoutKeys('cl_live_abc', '127.0.0.9');
    for (let i = 0; i < 4; i++) expect(await store.settle(keys, false, T0 + i, POLICY)).toEqual({ locked: false });
    expect(rows()).toEqual([]);
    expect(locks).toEqual([]);
    expect(await store.settle(keys, false, T0 + 4, POLICY)).toEqual({ locked: false });
    // Refusals while locked, even with the right secret, add nothing.
    for (let i = 0; i < 3; i++) expect((await store.settle(keys, i === 0, T0 + 5 + i, POLICY)).locked).toBe(true);
    expect(rows()).toEqual([
      {
        actor: 'system:tollgate',
        action: 'lockout',
        client_id: 'cl_live_abc',
        source_ip: '127.0.0.9',
        detail: JSON.stringify({ kind: 'pair', lockedUntil: T0 + 4 + 900_000 }),
      },
    ]);
    expect(locks).toEqual(['pair']);
    // Once the lock is over, locking again is a new lockout.
    const later = T0 + 4 + 900_000;
    for (let i = 0; i < 5; i++) await store.settle(keys, false, later + i, POLICY);
    expect(rows()).toHaveLength(2);
    expect(locks).toEqual(['pair', 'pair']);
  });

  it('writes an address lock without a client id, and refresh guessing flagged as such', async () => {
    for (let i = 0; i < 8; i++) await store.settle(lockoutKeys(`cl_live_spray${i}`, '127.0.0.10'), false, T0, POLICY);
    // Refresh guessing is held to the per-address limit (8 here), not the pair limit (5).
    for (let i = 0; i < 8; i++) await store.settle(refreshLockoutKeys('127.0.0.11'), false, T0, POLICY);
    expect(rows()).toEqual([
      {
        actor: 'system:tollgate',
        action: 'lockout',
        client_id: null,
        source_ip: '127.0.0.10',
        detail: JSON.stringify({ kind: 'ip', lockedUntil: T0 + 900_000 }),
      },
      {
        actor: 'system:tollgate',
        action: 'lockout',
        client_id: null,
        source_ip: '127.0.0.11',
        detail: JSON.stringify({ kind: 'pair', lockedUntil: T0 + 900_000, grant: 'refresh_token' }),
      },
      {
        actor: 'system:tollgate',
        action: 'lockout',
        client_id: null,
        source_ip: '127.0.0.11',
        detail: JSON.stringify({ kind: 'ip', lockedUntil: T0 + 900_000 }),
      },
    ]);
    expect(locks).toEqual(['ip', 'pair', 'ip']);
  });

  it('writes nothing on a success, clean pair or not', async () => {
    const keys = lockoutKeys('cl_live_ok', '127.0.0.12');
    let before = changes();
    expect(await store.settle(keys, true, T0, POLICY)).toEqual({ locked: false });
    expect(changes()).toBe(before);
    await store.settle(keys, false, T0, POLICY);
    before = changes();
    await store.settle(keys, true, T0, POLICY);
    expect(changes()).toBe(before + 1); // the pair's counter is cleared, and no audit row is written
    expect(rows()).toEqual([]);
  });

  it('rolls the audit row back with the counters when the transaction fails', async () => {
    const keys = lockoutKeys('cl_live_roll', '127.0.0.13');
    for (let i = 0; i < 4; i++) await store.settle(keys, false, T0, POLICY);
    // A trigger makes the lock's audit insert fail: the fifth failure must not half-commit.
    db.$client.exec(
      "CREATE TRIGGER fail_audit BEFORE INSERT ON audit_events BEGIN SELECT RAISE(ABORT, 'audit down'); END",
    );
    await expect(store.settle(keys, false, T0, POLICY)).rejects.toThrow('audit down');
    expect(await peek(store, keys, T0)).toBe(0);
    expect(locks).toEqual([]);
    db.$client.exec('DROP TRIGGER fail_audit');
    await store.settle(keys, false, T0, POLICY);
    expect(await peek(store, keys, T0)).toBe(900);
    expect(rows()).toHaveLength(1);
  });

  it('keeps committing when the onLock hook throws', async () => {
    const loud = new SqliteLockoutStore(db, {
      onLock: () => {
        throw new Error('metrics down');
      },
    });
    const keys = lockoutKeys('cl_live_loud', '127.0.0.14');
    for (let i = 0; i < 5; i++) expect(await loud.settle(keys, false, T0, POLICY)).toEqual({ locked: false });
    expect(await peek(loud, keys, T0)).toBe(900);
    expect(rows()).toHaveLength(1);
  });

  it('lists events newest first, by client, within the limit', async () => {
    const write = prepareAuditInsert(db.$client);
    const at = async (n: number, clientId: string | null) =>
      write({ at: T0 + n, actor: 'cli:ops', action: 'client.updated', clientId, sourceIp: null, detail: { n } });
    await at(2, 'a');
    await at(1, 'b');
    await at(2, 'b');
    await at(3, null);
    const all = await audit.list({ limit: 10 });
    expect(all.map((e) => [e.clientId, e.detail.n])).toEqual([
      [null, 3],
      ['b', 2],
      ['a', 2],
      ['b', 1],
    ]);
    expect(all[0]).toEqual({
      id: 4,
      at: T0 + 3,
      actor: 'cli:ops',
      action: 'client.updated',
      clientId: null,
      sourceIp: null,
      detail: { n: 3 },
    });
    expect((await audit.list({ clientId: 'b', limit: 10 })).map((e) => e.detail.n)).toEqual([2, 1]);
    expect(await audit.list({ clientId: 'b', limit: 1 })).toHaveLength(1);
  });

  it('reads by client through the (client_id, at) index', () => {
    const plan = db.$client
      .prepare('EXPLAIN QUERY PLAN SELECT * FROM audit_events WHERE client_id = ? ORDER BY at DESC, id DESC LIMIT 5')
      .all('x');
    expect(JSON.stringify(plan)).toContain('audit_events_client_id_at');
  });
});
