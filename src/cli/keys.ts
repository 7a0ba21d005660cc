import { Option, type Command } from 'commander';
import type { Mode } from '../domain/mode.js';
import { retireSigningKey, retirementNotice, rotateSigningKey } from '../usecases/manage-keys.js';
import { operator, print, printJson, withServices } from './context.js';
import { retirementJson, retirementText } from './output.js';

/** `tollgate keys …`: the signing keys the tokens are signed with. */
export function addKeysCommands(program: Command): void {
  const keys = program.command('keys').description('list, rotate and retire the token signing keys');
  keys
    .command('list')
    .description('list every signing key: mode, algorithm, kid, current or retired, created')
    .option('--json', 'print a JSON array')
    .action((o: { json?: boolean }) =>
      withServices(async ({ deps }) => {
        const all = (await deps.keys.publicKeys()).map(({ kid, mode, alg, current, createdAt }) => ({
          kid,
          mode,
          alg,
          current,
          createdAt: new Date(createdAt).toISOString(),
        }));
        const line = (k: (typeof all)[number]): string =>
          `${k.mode}  ${k.alg}  ${k.kid}  ${k.current ? 'current' : 'retired'}  ${k.createdAt}`;
        if (o.json) printJson(all);
        else print(all.map(line).join('\n'));
      }),
    );
  keys
    .command('rotate')
    .description('make a new current signing key; old keys stay published, their tokens stay good (audited)')
    .addOption(new Option('--mode <mode>', 'live or test (default: both)').choices(['live', 'test']))
    .option('--json', 'print a JSON array')
    .action((o: { mode?: Mode; json?: boolean }) =>
      withServices(async ({ deps }) => {
        const made = [];
        for (const mode of o.mode ? [o.mode] : (['live', 'test'] as const)) {
          made.push(await rotateSigningKey(deps, mode, operator()));
        }
        const out = made.map(({ kid, mode, alg }) => ({ kid, mode, alg }));
        if (o.json) printJson(out);
        else print(out.map((k) => `${k.mode}: new current key ${k.kid} (${k.alg})`).join('\n'));
      }),
    );

  keys
    .command('retire <kid>')
    .description(
      'delete a retired (no longer current) key: it leaves the JWKS and every token it signed dies, ' +
        'non-expiring common-door tokens included. Without --yes it only says what would die (audited)',
    )
    .option('--yes', 'retire it: without this, nothing changes and the command exits 1')
    .option('--json', 'print JSON; without --yes the notice comes as a JSON error on stderr')
    .action((kid: string, o: { yes?: boolean; json?: boolean }) =>
      withServices(async ({ deps }, config) => {
        const notice = await retirementNotice(deps, kid, config.ttl);
        const now = deps.clock.now();
        if (!o.yes) {
          if (o.json) {
            const error = { error: 'confirmation_required', message: 'Run again with --yes to retire the key' };
            process.stderr.write(JSON.stringify({ ...error, ...retirementJson(notice, now) }) + '\n');
          } else {
            const text = retirementText(notice, now);
            process.stderr.write(`${text}\nNothing was changed. Run again with --yes to retire it.\n`);
          }
          process.exitCode = 1;
          return;
        }
        if (!o.json) process.stderr.write(retirementText(notice, now) + '\n');
        const key = await retireSigningKey(deps, kid, operator());
        if (o.json) printJson({ ...retirementJson(notice, now), retired: true });
        else {
          print(
            `retired ${key.mode} key ${key.kid}: gone from the JWKS; ` +
              'tokens it signed are refused (by running servers within a second)',
          );
        }
      }),
    );
}
