import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../support/process.js';

/**
 * The modules `src/server.ts` loads before it decides whether it is a primary that only forks
 * workers: its static imports and theirs, type-only imports left out (they vanish when compiled).
 * Returns the packages reached and the project files walked.
 */
function staticGraph(entry: string): { packages: Set<string>; files: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const walk = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    const source = readFileSync(file, 'utf8');
    for (const m of source.matchAll(/^import\s+(?:(type\s+)?[^'"]*?from\s+)?'([^']+)';/gm)) {
      const [, typeOnly, spec] = m as unknown as [string, string | undefined, string];
      if (typeOnly) continue;
      if (spec.startsWith('.')) walk(resolve(dirname(file), spec.replace(/\.js$/, '.ts')));
      else if (!spec.startsWith('node:'))
        packages.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!);
    }
  };
  walk(entry);
  return { packages, files };
}

describe('the cluster primary', () => {
  it('loads no HTTP stack, GraphQL or panel before it forks: those are imported where a process serves', () => {
    const { packages, files } = staticGraph(join(ROOT, 'src/server.ts'));
    // The walk is real: it reaches the store and the keys that prepare() needs.
    expect(packages).toContain('better-sqlite3');
    expect([...files].some((f) => f.endsWith('src/services.ts'))).toBe(true);
    for (const serving of ['fastify', 'graphql', 'graphql-yoga', '@pothos/core', '@fastify/static'])
      expect(packages).not.toContain(serving);
    expect([...files].filter((f) => f.includes('/src/http/'))).toEqual([]);
  });
});
