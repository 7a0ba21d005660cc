import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import Database from 'better-sqlite3';
import { AUTOCHECKPOINT_PAGES, CHECKPOINT_INTERVAL_MS, RESTART_PAGES } from '../../src/infra/db/sqlite/checkpointer.js';
import { openSqliteStore, type SqliteStore } from '../../src/infra/db/sqlite/store.js';
import { tempDir } from '../support/process.js';

const opened: SqliteStore[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const store of opened.splice(0)) if (store.db.$client.open) await store.close();
});

function open(checkpointInBackground: boolean): { store: SqliteStore; file: string } {
  const file = join(tempDir(), 'tollgate.db');
  const store = openSqliteStore(file, { checkpointInBackground });
  opened.push(store);
  return { store, file };
}

const autocheckpoint = (store: SqliteStore): number =>
  store.db.$client.pragma('wal_autocheckpoint', { simple: true }) as number;

/** Refresh rows, `n` of them from number `from` on: 4,000 put a few thousand pages into the WAL. */
async function writeRows(store: SqliteStore, n: number, from = 0): Promise<void> {
  const now = Date.now();
  const rows = Array.from({ length: n }, (_, i) =>
    store.tokens.saveRefreshToken({
      hash: `h${(from + i).toString().padStart(8, '0')}${'x'.repeat(300)}`,
      clientId: 'cl_live_checkpoint',
      mode: 'live',
      generation: 1,
      audience: null,
      scopes: ['read'],
      expiresAt: now + 3_600_000,
      createdAt: now,
    }),
  );
  await Promise.all(rows);
}

async function until(check: () => boolean, ms = 5000): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 25)))
    if (check()) return true;
  return check();
}

describe('SQLite WAL checkpoints on a thread of their own', () => {
  it('a server store never checkpoints on its serving connection; the thread copies the WAL into the file', async () => {
    const { store, file } = open(true);
    expect(autocheckpoint(store)).toBe(0);
    await writeRows(store, 4000);
    // Nothing writes any more: the database file can only grow by another connection's checkpoint.
    const before = statSync(file).size;
    expect(await until(() => statSync(file).size > before)).toBe(true);
    expect(store.checkpointer?.worker.threadId).toBeGreaterThan(0);
  });

  it('under steady writes the WAL starts over from its beginning instead of only growing', async () => {
    const { store, file } = open(true);
    // The WAL header's checkpoint sequence number: one more each time the WAL starts over.
    const restarts = (): number => {
      const fd = openSync(`${file}-wal`, 'r');
      try {
        const header = Buffer.alloc(16);
        return readSync(fd, header, 0, 16, 0) === 16 ? header.readUInt32BE(12) : 0;
      } finally {
        closeSync(fd);
      }
    };
    await writeRows(store, 8);
    const first = restarts();
    // Small batches a millisecond apart, as an oauth2 door under load commits them (about 8,000
    // rows a second, above what the door issues). PASSIVE checkpoints alone did not start the WAL
    // over once in 10 s here; it grew to 400 MB.
    for (let i = 1, end = Date.now() + 10_000; restarts() < first + 2 && Date.now() < end; i++) {
      await writeRows(store, 8, i * 8);
      await new Promise((r) => setTimeout(r, 1));
    }
    expect(restarts()).toBeGreaterThanOrEqual(first + 2);
  });

  it('leaves a WAL that writes no longer outrun alone: no RESTART while nothing is written', async () => {
    const { store, file } = open(true);
    const checkpointer = store.checkpointer!;
    // A connection of the test's own reads the WAL's length (a PASSIVE checkpoint waits for no one).
    const probe = new Database(file);
    const walPages = (): number => (probe.pragma('wal_checkpoint(PASSIVE)') as { log: number }[])[0]!.log;
    try {
      // One transaction puts more than the threshold's pages into the WAL, then nothing more is
      // written: the thread's next RESTART comes after the last write and leaves the WAL that long.
      await writeRows(store, 8);
      probe.exec('CREATE TABLE filler (b BLOB)');
      probe.transaction(() => {
        const insert = probe.prepare('INSERT INTO filler VALUES (randomblob(3900))');
        for (let i = 0; i < RESTART_PAGES + 1000; i++) insert.run();
      })();
      expect(walPages()).toBeGreaterThanOrEqual(RESTART_PAGES);
      const before = checkpointer.restarts;
      expect(await until(() => checkpointer.restarts > before)).toBe(true);
      const settled = checkpointer.restarts;
      await new Promise((r) => setTimeout(r, 10 * CHECKPOINT_INTERVAL_MS));
      expect(checkpointer.restarts).toBe(settled);
      // The next write starts the WAL over from its beginning.
      await writeRows(store, 8, 1_000_000);
      expect(walPages()).toBeLessThan(RESTART_PAGES);
    } finally {
      probe.close();
    }
  });

  it('a store opened without it (the CLI) keeps SQLite checkpointing on its own connection, with no thread', () => {
    const { store } = open(false);
    expect(autocheckpoint(store)).toBe(AUTOCHECKPOINT_PAGES);
    expect(store.checkpointer).toBeUndefined();
  });

  it('if the thread stops on its own, the serving connection checkpoints again and a warning says so', async () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    const { store } = open(true);
    await store.checkpointer!.worker.terminate();
    expect(await until(() => autocheckpoint(store) === AUTOCHECKPOINT_PAGES)).toBe(true);
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/checkpoints are back on the serving thread/));
    await writeRows(store, 10);
    expect(await store.tokens.findRefreshToken(`h${'0'.repeat(8)}${'x'.repeat(300)}`)).toBeDefined();
  });

  it('close() ends the thread before the database closes, so the last connection folds the WAL away', async () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    const { store, file } = open(true);
    await writeRows(store, 500);
    const worker = store.checkpointer!.worker;
    await store.close();
    expect(worker.threadId).toBe(-1);
    expect(existsSync(`${file}-wal`)).toBe(false);
    expect(warn).not.toHaveBeenCalled();
  });
});
