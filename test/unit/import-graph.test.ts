import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The house's floors, held by a walk of `src/`'s import graph (docs/architecture.md): no file
 * imports, directly or round a loop, one that imports it back; and no floor imports a higher
 * one. Type-only imports count too: a loop of types is still two files that cannot be read
 * apart.
 */

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../../src');

/** The floors, lowest first; a file may import its own floor and those below. */
const FLOORS = ['domain', 'usecases', 'config', 'infra', 'http', 'server', 'cli'] as const;
type Floor = (typeof FLOORS)[number];

/** Which floor a file of src/ stands on. */
export function floorOf(file: string): Floor {
  const path = relative(SRC, file).split('\\').join('/');
  const top = path.split('/')[0]!;
  if (top === 'domain' || top === 'usecases' || top === 'infra' || top === 'http' || top === 'cli') return top;
  // Environment → typed settings, read by the stores and the doors alike: it knows the domain's
  // facts (algorithms, lockout policy) and nothing made real.
  if (path === 'config.ts') return 'config';
  // The composition root and the process: above every door, below the command line.
  if (path === 'services.ts' || path === 'server.ts') return 'server';
  throw new Error(`src/${path} stands on no floor: name it in test/unit/import-graph.test.ts and docs/architecture.md`);
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

const IMPORT =
  /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|(?:^|\n)\s*import\s*['"]([^'"]+)['"]/g;

/** The files of src/ that `file` imports (relative specifiers only; packages are not ours). */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(IMPORT)) {
    const spec = m[1] ?? m[2] ?? m[3]!;
    if (!spec.startsWith('.')) continue;
    const base = resolve(dirname(file), spec);
    const candidates = [base.replace(/\.js$/, '.ts'), base.replace(/\.js$/, '.tsx'), base, join(base, 'index.ts')];
    const found = candidates.find((c) => {
      try {
        return statSync(c).isFile();
      } catch {
        return false;
      }
    });
    if (!found) throw new Error(`${relative(SRC, file)} imports ${spec}, which is no file`);
    out.push(found);
  }
  return out;
}

/** Strongly connected components of more than one file, or of one importing itself (Tarjan). */
export function cycles(graph: Map<string, string[]>): string[][] {
  let index = 0;
  const stack: string[] = [];
  const on = new Set<string>();
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(scc.sort());
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) visit(v);
  return found;
}

const graph = new Map(sourceFiles(SRC).map((f) => [f, importsOf(f)]));
const name = (f: string): string => relative(SRC, f).split('\\').join('/');

describe('the import graph of src/', () => {
  it('has no cycle', () => {
    expect(cycles(graph).map((scc) => scc.map(name))).toEqual([]);
  });

  it('has no import from a lower floor into a higher one', () => {
    const upward: string[] = [];
    for (const [file, imports] of graph) {
      const from = FLOORS.indexOf(floorOf(file));
      for (const target of imports) {
        if (FLOORS.indexOf(floorOf(target)) > from)
          upward.push(`${name(file)} (${floorOf(file)}) → ${name(target)} (${floorOf(target)})`);
      }
    }
    expect(upward).toEqual([]);
  });

  it('finds what it looks for: a loop and an upward import in a graph made to have them', () => {
    const made = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a']],
      ['d', ['d']],
      ['e', ['a']],
    ]);
    expect(cycles(made)).toEqual([['a', 'b', 'c'], ['d']]);
    expect(floorOf(join(SRC, 'domain/client.ts'))).toBe('domain');
    expect(floorOf(join(SRC, 'http/graphql/yoga.ts'))).toBe('http');
    expect(() => floorOf(join(SRC, 'stray.ts'))).toThrow(/stands on no floor/);
    // Imports of every kind are read: static, type-only and side-effect ones.
    expect(graph.get(join(SRC, 'server.ts'))).toContain(join(SRC, 'services.ts'));
    expect(graph.get(join(SRC, 'usecases/verify-bearer.ts'))).toContain(join(SRC, 'usecases/deps.ts'));
    expect(graph.get(join(SRC, 'http/graphql/schema.ts'))).toContain(join(SRC, 'http/graphql/schema/client.ts'));
  });
});
