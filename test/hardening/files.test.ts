import { existsSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/infra/db/sqlite/store.js';
import { tempDir } from '../support/process.js';

const mode = (file: string): number => statSync(file).mode & 0o777;

/** Issue 16 item 10: the database holds hashes of imported secrets; nobody but its owner reads it. */
describe('database files are readable by their owner only', () => {
  it('creates the database, its -wal and -shm, and backups with mode 0600 whatever the umask', async () => {
    const old = process.umask(0o022);
    try {
      const dir = tempDir();
      const path = join(dir, 'tollgate.db');
      const store = openSqliteStore(path);
      await store.clients.count();
      for (const file of [path, `${path}-wal`, `${path}-shm`]) {
        expect(existsSync(file), file).toBe(true);
        expect(mode(file), file).toBe(0o600);
      }
      const backup = join(dir, 'backup.db');
      await store.backup(backup);
      expect(mode(backup)).toBe(0o600);
      await store.close();
    } finally {
      process.umask(old);
    }
  });

  it('narrows a database an earlier version left world-readable', async () => {
    const path = join(tempDir(), 'tollgate.db');
    const first = openSqliteStore(path);
    await first.close();
    chmodSync(path, 0o644);
    writeFileSync(`${path}-shm`, '');
    chmodSync(`${path}-shm`, 0o644);
    const again = openSqliteStore(path);
    expect(mode(path)).toBe(0o600);
    expect(mode(`${path}-shm`)).toBe(0o600);
    await again.close();
  });
});
