import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BUSY_TIMEOUT_MS } from '../../src/infra/db/sqlite/busy.js';
import { MMAP_BYTES, openDatabase, PAGE_CACHE_KIB } from '../../src/infra/db/sqlite/connection.js';

describe('openDatabase', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-conn-'));
  const db = openDatabase(join(dir, 'tollgate.db'));
  const pragma = (name: string) => db.$client.pragma(name, { simple: true });
  afterAll(() => {
    db.$client.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('holds the durability settings: WAL, synchronous=FULL, a short busy timeout, foreign keys', () => {
    expect(pragma('journal_mode')).toBe('wal');
    expect(pragma('synchronous')).toBe(2);
    expect(pragma('busy_timeout')).toBe(BUSY_TIMEOUT_MS);
    expect(pragma('foreign_keys')).toBe(1);
  });

  it('sizes the page cache and memory map for the hot path, past SQLite’s 2 MB default', () => {
    expect(pragma('cache_size')).toBe(-PAGE_CACHE_KIB);
    expect(PAGE_CACHE_KIB).toBeGreaterThan(2000);
    expect(pragma('mmap_size')).toBe(MMAP_BYTES);
  });
});
