import { execFileSync } from 'node:child_process';
import { cpSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, tempDir } from '../support/process.js';

describe('drizzle/ migrations', () => {
  it('match src/infra/db/sqlite/schema.ts: drizzle-kit generates nothing new', () => {
    const out = join(tempDir(), 'drizzle');
    cpSync(join(ROOT, 'drizzle'), out, { recursive: true });
    const before = readdirSync(out).sort();
    const log = execFileSync(join(ROOT, 'node_modules/.bin/drizzle-kit'), ['generate'], {
      cwd: ROOT,
      // drizzle-kit reads `out` as relative to the project root.
      env: { ...process.env, DRIZZLE_OUT: relative(ROOT, out) },
      encoding: 'utf8',
    });
    expect(log).toContain('No schema changes');
    expect(readdirSync(out).sort(), `schema.ts changed without a migration; run npm run db:generate\n${log}`).toEqual(before);
  });
});
