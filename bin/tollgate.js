#!/usr/bin/env node
// The `tollgate` command runs the compiled CLI; `npm install` builds it (the `prepare` script).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = fileURLToPath(new URL('../dist/src/cli/main.js', import.meta.url));
if (!existsSync(entry)) {
  process.stderr.write('tollgate: not built yet; run `npm run build` in the project root\n');
  process.exit(1);
}
const { runCli } = await import(entry);
await runCli(process.argv);
