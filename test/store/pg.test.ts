import { openPgStore } from '../../src/infra/db/pg/store.js';
import { freshDatabase } from '../support/pg.js';
import { describeStoreContract } from './contract.js';

describeStoreContract({
  name: 'PostgreSQL',
  open: async () => openPgStore(await freshDatabase(), { migrate: false }),
  backup: 'refused',
});
