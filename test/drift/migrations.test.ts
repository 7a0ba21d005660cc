import { execFileSync } from 'node:child_process';
import { cpSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, tempDir } from '../support/process.js';

/** Each store keeps its own migration history; drizzle-kit must find nothing new in either. */
describe.each([
  {
    folder: 'drizzle',
    config: 'drizzle.config.ts',
    schema: 'src/infra/db/sqlite/schema.ts',
    script: 'npm run db:generate',
  },
  {
    folder: 'drizzle-pg',
    config: 'drizzle.pg.config.ts',
    schema: 'src/infra/db/pg/schema.ts',
    script: 'npm run db:generate:pg',
  },
])('$folder/ migrations', ({ folder, config, schema, script }) => {
  it(`match ${schema}: drizzle-kit generates nothing new`, () => {
    const out = join(tempDir(), folder);
    cpSync(join(ROOT, folder), out, { recursive: true });
    const before = readdirSync(out).sort();
    const log = execFileSync(join(ROOT, 'node_modules/.bin/drizzle-kit'), ['generate', '--config', config], {
      cwd: ROOT,
      // drizzle-kit reads `out` as relative to the project root.
      env: { ...process.env, DRIZZLE_OUT: relative(ROOT, out) },
      encoding: 'utf8',
    });
    expect(log).toContain('No schema changes');
    expect(readdirSync(out).sort(), `${schema} changed without a migration; run ${script}\n${log}`).toEqual(before);
  });
});
