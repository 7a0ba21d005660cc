import { join } from 'node:path';
import { openSqliteStore } from '../../src/infra/db/sqlite/store.js';
import { tempDir } from '../support/process.js';
import { describeStoreContract } from './contract.js';

describeStoreContract({
  name: 'SQLite',
  open: async () => openSqliteStore(join(tempDir(), 'tollgate.db')),
  backup: { reopen: async (file) => openSqliteStore(file) },
});
