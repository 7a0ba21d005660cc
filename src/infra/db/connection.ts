import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as schema from './schema.js';

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

/** `drizzle/` at the project root, found from `src/infra/db` and `dist/src/infra/db` alike. */
function migrationsFolder(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    dir = dirname(dir);
    if (existsSync(resolve(dir, 'package.json')) && existsSync(resolve(dir, 'drizzle/meta/_journal.json'))) {
      return resolve(dir, 'drizzle');
    }
  }
  throw new Error('drizzle/ migrations folder not found');
}

/**
 * Opens the database with the settings its guarantees rest on: WAL so readers never wait on the
 * writer (and the CLI can change clients under a running server), `synchronous=FULL` so an
 * acknowledged rotation survives power loss, a busy timeout so processes queue instead of failing.
 */
export function openDatabase(path: string): Db {
  if (path !== ':memory:') mkdirSync(dirname(resolve(path)), { recursive: true });
  const sqlite = new Database(path);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('foreign_keys = ON');
  return drizzle(sqlite, { schema }) as Db;
}

export function migrateDatabase(db: Db): void {
  migrate(db, { migrationsFolder: migrationsFolder() });
}
