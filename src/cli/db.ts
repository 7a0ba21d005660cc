import type { Command } from 'commander';
import { describeDatabase, loadConfig } from '../config.js';
import { copyDatabase, openStore } from '../services.js';
import { print, printJson } from './context.js';

/** `tollgate migrate`, `tollgate db copy` and `tollgate backup`: the database itself. */
export function addDbCommands(program: Command): void {
  program
    .command('migrate')
    .description('apply database migrations (with MIGRATE_ON_START=false, as a separate step before starting)')
    .action(async () => {
      const config = loadConfig();
      const store = await openStore(config, { migrate: true });
      await store.close();
      print(`migrations applied to ${describeDatabase(config)}`);
    });

  const db = program.command('db').description('move data between databases');
  db.command('copy <from> <to>')
    .description(
      'copy everything from one database into another, empty one; each a SQLite file path or a postgres:// URL',
    )
    .option('--json', 'print JSON')
    .action(async (from: string, to: string, o: { json?: boolean }) => {
      const report = await copyDatabase(from, to, process.env.TOLLGATE_MASTER_KEY);
      if (o.json) printJson(report);
      else {
        const counts = Object.entries(report.rows)
          .map(([table, n]) => `${table} ${n}`)
          .join(', ');
        const resealed = report.resealed
          ? `; ${report.resealed} sealed values sealed again under the target's master key`
          : '';
        print(`copied ${report.from} to ${report.to}: ${counts}${resealed}`);
      }
    });

  program
    .command('backup <file>')
    .description(
      'copy the database to FILE while the server runs (SQLite online backup): one self-contained file, ' +
        'integrity-checked; missing folders are created',
    )
    .option('--json', 'print JSON: file, pages, integrity')
    .action(async (file: string, o: { json?: boolean }) => {
      const store = await openStore(loadConfig());
      try {
        const { pages, integrity } = await store.backup(file);
        if (o.json) printJson({ file, pages, integrity });
        else print(`backed up ${pages} pages to ${file} (integrity ok)`);
      } finally {
        await store.close();
      }
    });
}
