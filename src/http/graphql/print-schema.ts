import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { printSdl } from './schema.js';

/** `npm run schema:print`: writes `schema/schema.graphql` at the project root (from src/ or dist/src/). */
let root = dirname(fileURLToPath(import.meta.url));
while (!existsSync(join(root, 'package.json'))) {
  const up = dirname(root);
  if (up === root) throw new Error('package.json not found above ' + fileURLToPath(import.meta.url));
  root = up;
}
const out = resolve(root, 'schema/schema.graphql');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, printSdl());
process.stdout.write(`wrote ${out}\n`);
