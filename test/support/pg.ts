import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inject } from 'vitest';
import { adminQuery, databaseUrl } from './pg-cluster.js';
import { ROOT } from './process.js';

/**
 * A new database on the suite's PostgreSQL server (test/support/pg-global.ts): migrated (a copy
 * of the template) unless `empty`, in which case nothing at all is in it yet.
 */
export async function freshDatabase(opts: { empty?: boolean } = {}): Promise<string> {
  const admin = inject('pgAdminUrl');
  if (!admin) throw new Error('no PostgreSQL for this test: run it in the vitest project "pg" (npm test does)');
  const name = `${inject('pgPrefix')}${randomBytes(6).toString('hex')}`;
  await adminQuery(admin, `CREATE DATABASE ${name} TEMPLATE ${opts.empty ? 'template0' : inject('pgTemplate')}`);
  return databaseUrl(admin, name);
}

/** The store the http and e2e suites run on: `TEST_STORE=pg` (the vitest project "pg") or SQLite. */
export const testStore = (): 'pg' | 'sqlite' => (process.env.TEST_STORE === 'pg' ? 'pg' : 'sqlite');

/** A master key for PostgreSQL tests (it is required there). */
export const TEST_MASTER_KEY = 'test-master-key-that-is-long-enough-0123456789';

/** How many migrations drizzle-pg/ holds: what a fully migrated database has applied. */
export const PG_MIGRATIONS: number = (
  JSON.parse(readFileSync(join(ROOT, 'drizzle-pg/meta/_journal.json'), 'utf8')) as { entries: unknown[] }
).entries.length;
