import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { BUSY_TIMEOUT_MS } from './busy.js';
import { migrationsFolder } from '../migrations.js';
import * as schema from './schema.js';

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

/** Upper bounds, per connection: SQLite's page cache in KiB, and the memory-mapped span of the file. */
export const PAGE_CACHE_KIB = 8 * 1024;
export const MMAP_BYTES = 256 * 1024 * 1024;

/**
 * Opens the database with the settings its guarantees rest on: WAL so readers never wait on the
 * writer (and the CLI can change clients under a running server), `synchronous=FULL` so an
 * acknowledged rotation survives power loss, a short busy timeout (writes retry off the event loop),
 * and a page cache and memory map sized for the hot path.
 */
export function openDatabase(path: string): Db {
  if (path !== ':memory:') {
    mkdirSync(dirname(resolve(path)), { recursive: true });
    ownerOnly(path);
  }
  const sqlite = new Database(path);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = FULL');
  // Short: better-sqlite3 waits on the event loop. Writes retry asynchronously (see busy.ts).
  sqlite.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  sqlite.pragma('foreign_keys = ON');
  // SQLite's default page cache is 2 MB and reads go through read(2). With 10,000 clients and a
  // day of refresh rows the hot b-trees outgrow that, and every oauth2 issuance inserts into a
  // random leaf of the refresh-token index. Memory-mapped reads (pages shared with the other
  // workers through the OS cache) with a larger cache took the oauth2 bench from 0.83-0.86 to
  // 1.12-1.14 of the floor in alternating runs. The cache holds the pages a write touched, so
  // under oauth2 load it fills to its cap: 8 MiB answered as fast as 64 MiB (alternating runs)
  // and keeps each process's resident memory about 55 MiB lower. Both are ceilings.
  sqlite.pragma(`cache_size = -${PAGE_CACHE_KIB}`);
  sqlite.pragma(`mmap_size = ${MMAP_BYTES}`);
  return drizzle(sqlite, { schema }) as Db;
}

/**
 * Creates the file readable by its owner alone, or narrows an existing one: the database holds
 * the scrypt hashes of imported secrets and sealed keys. SQLite gives its -wal and -shm files
 * the mode of the database file; older ones are narrowed too.
 */
export function ownerOnly(path: string): void {
  closeSync(openSync(path, 'a', 0o600));
  for (const file of [path, `${path}-wal`, `${path}-shm`]) if (existsSync(file)) chmodSync(file, 0o600);
}

export function migrateDatabase(db: Db): void {
  migrate(db, { migrationsFolder: migrationsFolder('drizzle') });
}
