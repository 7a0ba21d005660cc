#!/usr/bin/env node
// Builds the developer panel into dist/panel with Vite, unless its inputs are unchanged since the
// last build: every file under panel/ and the lockfile (which pins React and Vite) are hashed, and
// the hash is kept beside the output. `npm start` on an unchanged tree then skips the panel's
// build entirely; `--force` builds regardless.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const root = fileURLToPath(new URL('..', import.meta.url));
const outDir = join(root, 'dist/panel');
// Beside dist/panel, not in it: nothing under the served folder but the build's own files.
const stamp = join(root, 'dist/.panel-inputs.sha256');

function* files(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* files(path);
    else if (entry.isFile()) yield path;
  }
}

function inputsHash() {
  const hash = createHash('sha256');
  const inputs = [...files(join(root, 'panel')), join(root, 'package-lock.json')].sort();
  for (const path of inputs) {
    hash.update(relative(root, path)).update('\0').update(readFileSync(path)).update('\0');
  }
  return hash.digest('hex');
}

const wanted = inputsHash();
const force = process.argv.includes('--force');
if (!force && existsSync(join(outDir, 'index.html')) && existsSync(stamp) && readFileSync(stamp, 'utf8') === wanted) {
  process.stdout.write('panel: inputs unchanged, dist/panel kept\n');
} else {
  await build({ configFile: join(root, 'panel/vite.config.ts'), logLevel: 'warn' });
  writeFileSync(stamp, wanted);
}
