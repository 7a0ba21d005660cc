import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A store's migrations folder at the project root (`drizzle/`, `drizzle-pg/`), found from src/ and dist/src/ alike. */
export function migrationsFolder(folder: 'drizzle' | 'drizzle-pg'): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    dir = dirname(dir);
    const found = existsSync(resolve(dir, 'package.json')) && existsSync(resolve(dir, folder, 'meta/_journal.json'));
    if (found) return resolve(dir, folder);
  }
  throw new Error(`${folder}/ migrations folder not found`);
}
