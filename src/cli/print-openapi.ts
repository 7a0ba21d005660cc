import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../config.js';
import { openServices } from '../services.js';
import { buildApp } from '../http/app.js';
import { openapiText } from '../http/openapi.js';

/**
 * `npm run schema:openapi`: builds the app on a throwaway database and writes its OpenAPI
 * document to `schema/openapi.json` at the project root (from src/ or dist/src/).
 */
let root = dirname(fileURLToPath(import.meta.url));
while (!existsSync(join(root, 'package.json'))) {
  const up = dirname(root);
  if (up === root) throw new Error('package.json not found above ' + fileURLToPath(import.meta.url));
  root = up;
}
const dir = mkdtempSync(join(tmpdir(), 'tollgate-openapi-'));
try {
  const config = loadConfig({
    DATABASE_PATH: join(dir, 'tollgate.db'),
    TOLLGATE_MASTER_KEY: randomBytes(32).toString('hex'),
    LOG_LEVEL: 'silent',
  });
  const services = await openServices(config);
  const app = buildApp(services, config);
  await app.ready();
  const out = resolve(root, 'schema/openapi.json');
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, openapiText(app));
  await app.close();
  services.close();
  process.stdout.write(`wrote ${out}\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
