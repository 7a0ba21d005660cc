import Database from 'better-sqlite3';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RefreshRecord } from '../../src/domain/refresh.js';
import { harness, type Harness } from '../support/harness.js';

describe('SQLite token store: refresh rows', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness();
  });
  afterAll(() => h.close());

  const synchronous = () => h.sqlite.db.$client.pragma('synchronous', { simple: true });

  it('writes a refresh row and leaves the connection at synchronous=FULL for everything else', async () => {
    const c = await h.client();
    expect(synchronous()).toBe(2);
    const now = Date.now();
    const record = {
      hash: 'h'.repeat(43),
      clientId: c.id,
      mode: 'live' as const,
      generation: 1,
      audience: null,
      scopes: ['read'],
      expiresAt: now + 60_000,
      createdAt: now,
    };
    await h.services.deps.tokenStore.saveRefreshToken(record);
    expect(await h.services.deps.tokenStore.findRefreshToken(record.hash)).toEqual(record);
    expect(synchronous()).toBe(2);
  });

  it('is back at FULL even when the insert fails', async () => {
    const c = await h.client();
    const now = Date.now();
    const record = {
      hash: 'x'.repeat(43),
      clientId: c.id,
      mode: 'live' as const,
      generation: 1,
      audience: null,
      scopes: [],
      expiresAt: now + 60_000,
      createdAt: now,
    };
    await h.services.deps.tokenStore.saveRefreshToken(record);
    await expect(h.services.deps.tokenStore.saveRefreshToken(record)).rejects.toThrow(/UNIQUE/);
    expect(synchronous()).toBe(2);
  });

  const record = (clientId: string, hash: string): RefreshRecord => {
    const now = Date.now();
    return {
      hash: hash.padEnd(43, '.'),
      clientId,
      mode: 'live',
      generation: 1,
      audience: null,
      scopes: ['read'],
      expiresAt: now + 60_000,
      createdAt: now,
    };
  };
  /** WAL frames written since the log was last reset. */
  const walFrames = () => (h.sqlite.db.$client.pragma('wal_checkpoint(PASSIVE)') as { log: number }[])[0]!.log;
  const resetWal = () => h.sqlite.db.$client.pragma('wal_checkpoint(TRUNCATE)');

  it('commits the rows of one turn of the event loop together, answering each only after its commit', async () => {
    const c = await h.client();
    const store = h.services.deps.tokenStore;
    resetWal();
    const rows = Array.from({ length: 50 }, (_, i) => record(c.id, `group-${i}`));
    const saved = rows.map((r) => store.saveRefreshToken(r));
    // Queued, not yet written: nothing may answer before the commit.
    expect(await Promise.race([Promise.all(saved).then(() => 'settled'), Promise.resolve('pending')])).toBe('pending');
    expect(
      h.sqlite.db.$client.prepare('SELECT count(*) AS n FROM refresh_tokens WHERE hash LIKE ?').get('group-%'),
    ).toEqual({ n: 0 });
    await Promise.all(saved);
    for (const r of rows) expect(await store.findRefreshToken(r.hash)).toEqual(r);
    // One commit of the batch: a few pages, not four pages (table and three indexes) per row.
    const grouped = walFrames();
    expect(grouped).toBeLessThan(20);

    resetWal();
    for (let i = 0; i < 10; i++) await store.saveRefreshToken(record(c.id, `alone-${i}`));
    expect(walFrames()).toBeGreaterThanOrEqual(20);
    expect(synchronous()).toBe(2);
  });

  it('fails only the bad row of a batch; the others commit', async () => {
    const c = await h.client();
    const store = h.services.deps.tokenStore;
    await store.saveRefreshToken(record(c.id, 'taken'));
    const [first, dup, last] = await Promise.allSettled([
      store.saveRefreshToken(record(c.id, 'batch-first')),
      store.saveRefreshToken(record(c.id, 'taken')),
      store.saveRefreshToken(record(c.id, 'batch-last')),
    ]);
    expect(first.status).toBe('fulfilled');
    expect(dup).toMatchObject({
      status: 'rejected',
      reason: expect.objectContaining({ message: expect.stringMatching(/UNIQUE/) }),
    });
    expect(last.status).toBe('fulfilled');
    expect(await store.findRefreshToken(record(c.id, 'batch-first').hash)).toBeDefined();
    expect(await store.findRefreshToken(record(c.id, 'batch-last').hash)).toBeDefined();
    expect(synchronous()).toBe(2);
  });
});

describe('SQLite token store: closing', () => {
  it('commits queued refresh rows before the database closes', async () => {
    const h = await harness();
    const c = await h.client();
    const path = join(h.dir, 'tollgate.db');
    const now = Date.now();
    const saved = h.services.deps.tokenStore.saveRefreshToken({
      hash: 'q'.repeat(43),
      clientId: c.id,
      mode: 'live',
      generation: 1,
      audience: null,
      scopes: [],
      expiresAt: now + 60_000,
      createdAt: now,
    });
    await h.app.close();
    await h.services.close();
    await saved;
    const db = new Database(path, { readonly: true });
    try {
      expect(db.prepare('SELECT client_id FROM refresh_tokens WHERE hash = ?').get('q'.repeat(43))).toEqual({
        client_id: c.id,
      });
    } finally {
      db.close();
    }
    rmSync(h.dir, { recursive: true, force: true });
  });

  it('answers a queued caller even when the database is gone before the batch commits', async () => {
    const h = await harness();
    const c = await h.client();
    const now = Date.now();
    const saved = h.services.deps.tokenStore.saveRefreshToken({
      hash: 'z'.repeat(43),
      clientId: c.id,
      mode: 'live',
      generation: 1,
      audience: null,
      scopes: [],
      expiresAt: now + 60_000,
      createdAt: now,
    });
    await h.app.close();
    h.sqlite.db.$client.close(); // the raw connection, without the store's flush
    await expect(saved).rejects.toThrow(/not open/);
    rmSync(h.dir, { recursive: true, force: true });
  });
});
