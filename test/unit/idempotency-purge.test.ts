import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../../src/infra/db/sqlite/connection.js';
import { openSqliteStore, type SqliteStore } from '../../src/infra/db/sqlite/store.js';
import { tempDir } from '../support/process.js';

const T0 = Date.UTC(2026, 0, 1);

/** The housekeeping purge of idempotency keys in SQLite. */
describe('idempotency purge', () => {
  let dir: string;
  let store: SqliteStore;
  let db: Db;

  const keys = () =>
    (db.$client.prepare('SELECT key FROM idempotency_keys ORDER BY key').all() as { key: string }[]).map((r) => r.key);
  const insert = (key: string, expiresAt: number) =>
    db.$client
      .prepare(
        "INSERT INTO idempotency_keys (caller_id, key, request_hash, result_enc, created_at, expires_at) VALUES ('cl_live_c', ?, 'h', NULL, ?, ?)",
      )
      .run(key, T0, expiresAt);

  beforeEach(() => {
    dir = tempDir();
    store = openSqliteStore(join(dir, 'tollgate.db'));
    db = store.db;
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('drops keys expired at `now` and keeps the rest', () => {
    insert('expired', T0 + 1000);
    insert('expires-now', T0 + 2000);
    insert('alive', T0 + 2001);
    const purge = (now: number) => store.idempotency.purgeExpired(now);
    expect(purge(T0)).toBe(0);
    expect(purge(T0 + 2000)).toBe(2);
    expect(keys()).toEqual(['alive']);
  });

  it('works through a backlog one batch per call', () => {
    const insertMany = db.$client.transaction(() => {
      for (let i = 0; i < 150; i++) insert(`k${i}`, T0);
    });
    insertMany();
    const purge = (now: number) => store.idempotency.purgeExpired(now);
    expect(purge(T0)).toBe(100);
    expect(purge(T0)).toBe(50);
    expect(keys()).toEqual([]);
  });
});
