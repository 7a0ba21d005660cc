import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * The panel's folders (docs/architecture.md): one folder per page under panel/src/pages/, shared
 * pieces in panel/src/components/ (or a module beside api.ts), and a page imports no sibling
 * page. Nothing but App.tsx, the router's table of pages, imports a page either, or a shared
 * piece would tie two pages together again. Imports are read by TypeScript's own scanner
 * (`preProcessFile`): static, re-exports, type-only and dynamic `import()` alike.
 */

const PANEL_SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../../panel/src');
const PAGES = join(PANEL_SRC, 'pages');
/** The one file outside pages/ that may import a page: the table of routes. */
const ROUTES = join(PANEL_SRC, 'App.tsx');

const rel = (file: string): string => relative(PANEL_SRC, file).split(sep).join('/');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

const isFile = (p: string): boolean => {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
};

/** The panel files `file` imports (relative specifiers only; packages are not ours). */
export function importsOf(file: string, text = readFileSync(file, 'utf8')): string[] {
  const { importedFiles } = ts.preProcessFile(text, true, true);
  const out: string[] = [];
  for (const { fileName: spec } of importedFiles) {
    if (!spec.startsWith('.')) continue;
    const base = resolve(dirname(file), spec);
    const candidates = [base, `${base}.ts`, `${base}.tsx`, join(base, 'index.ts'), join(base, 'index.tsx')];
    const found = candidates.find(isFile);
    if (!found) throw new Error(`${rel(file)} imports ${spec}, which is no file`);
    out.push(found);
  }
  return out;
}

/** The page folder a file stands in (`clients` for pages/clients/ClientList.tsx), or null outside pages/. */
export function pageOf(file: string): string | null {
  const path = relative(PAGES, file);
  if (path.startsWith('..') || path === '') return null;
  const parts = path.split(sep);
  return parts.length > 1 ? parts[0]! : null;
}

/** Every import that breaks the rule, as `from → to` lines. */
export function violations(files: readonly string[], read: (f: string) => string[] = importsOf): string[] {
  const out: string[] = [];
  for (const file of files) {
    const page = pageOf(file);
    for (const target of read(file)) {
      const other = pageOf(target);
      if (other === null) continue;
      if (page === null ? file === ROUTES : page === other) continue;
      out.push(`${rel(file)} → ${rel(target)}`);
    }
  }
  return out;
}

describe('panel/src imports', () => {
  const files = sourceFiles(PANEL_SRC);

  it('finds the pages and the imports between files', () => {
    const pages = new Set(files.map(pageOf).filter((p) => p !== null));
    expect(pages.size).toBeGreaterThanOrEqual(10);
    expect(importsOf(ROUTES).filter((f) => pageOf(f) !== null).length).toBeGreaterThanOrEqual(10);
  });

  it('every file under pages/ stands in a page folder', () => {
    const loose = files.filter((f) => !relative(PAGES, f).startsWith('..') && pageOf(f) === null);
    expect(loose.map(rel)).toEqual([]);
  });

  it('no page imports another page, and nothing but App.tsx imports a page', () => {
    expect(violations(files), 'move what two pages share to panel/src/components/ or panel/src/').toEqual([]);
  });

  it('catches a page importing a sibling page, and a shared piece importing a page', () => {
    const clientPage = join(PAGES, 'client/ClientPage.tsx');
    const link = join(PANEL_SRC, 'components/Link.tsx');
    const texts = new Map([
      [clientPage, `import { ClientList } from '../clients/ClientList';\nimport { AuditTrail } from './AuditTrail';`],
      [link, `export type { Rotated } from '../pages/client/RotateDialog';`],
      [ROUTES, `const page = import('./pages/client/ClientPage');`],
    ]);
    const fake = (f: string): string[] => importsOf(f, texts.get(f) ?? '');
    expect(violations([clientPage, link, ROUTES], fake)).toEqual([
      'pages/client/ClientPage.tsx → pages/clients/ClientList.tsx',
      'components/Link.tsx → pages/client/RotateDialog.tsx',
    ]);
  });
});
