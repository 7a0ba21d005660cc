import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { copyDatabase, TABLES } from '../../src/infra/db/copy.js';
import { openPgStore } from '../../src/infra/db/pg/store.js';
import { openSqliteStore } from '../../src/infra/db/sqlite/store.js';
import { loadMasterKey } from '../../src/infra/keys/master-key.js';
import { freshDatabase, TEST_MASTER_KEY } from '../support/pg.js';
import { tempDir } from '../support/process.js';
import { dumpCopiedTables, fillEveryTable } from './copy-fixture.js';
import { describeStoreContract } from './contract.js';

describeStoreContract({
  name: 'PostgreSQL',
  open: async () => openPgStore(await freshDatabase(), { migrate: false }),
  backup: 'refused',
});

/** Every table through PostgreSQL and back: what comes home is what left, value for value. */
describe('db copy through PostgreSQL', () => {
  it('copies every row of every table into PostgreSQL and back into SQLite unchanged', async () => {
    const from = join(tempDir(), 'from.db');
    const source = openSqliteStore(from);
    await fillEveryTable(source, loadMasterKey(TEST_MASTER_KEY, from).key);
    const before = dumpCopiedTables(source);
    await source.close();

    const url = await freshDatabase();
    const there = await copyDatabase(from, url, TEST_MASTER_KEY);
    expect(there.rows).toEqual(Object.fromEntries(TABLES.map((t) => [t.name, before[t.name]!.length])));
    const back = join(tempDir(), 'back.db');
    await copyDatabase(url, back, TEST_MASTER_KEY);
    const home = openSqliteStore(back);
    try {
      expect(dumpCopiedTables(home)).toEqual(before);
    } finally {
      await home.close();
    }
    // The identity goes on after the copied ids.
    const pg = await openPgStore(url, { migrate: false });
    try {
      await pg.audit.record([
        { at: 1, actor: 'system:tollgate', action: 'lockout', clientId: null, sourceIp: null, detail: {} },
      ]);
      const ids = (await pg.audit.list({ limit: 10 })).map((e) => e.id);
      expect(new Set(ids).size).toBe(ids.length);
    } finally {
      await pg.close();
    }
  });
});
