import { Command, Option } from 'commander';
import { userInfo } from 'node:os';
import { ConfigError, describeDatabase, loadConfig, type Config } from '../config.js';
import type { Actor } from '../domain/audit.js';
import { isDomainError } from '../domain/errors.js';
import type { Mode } from '../domain/mode.js';
import { copyDatabase, openServices, openStore, type Services } from '../services.js';
import { createClient, deleteClient, getClient, listClients, rotateSecret, updateClient } from '../usecases/clients/manage.js';
import { retireSigningKey, retirementNotice, rotateSigningKey } from '../usecases/manage-keys.js';
import { addUsersCommands } from './users.js';
import { auditJson, auditText, clientJson, clientText, parseDuration, retirementJson, retirementText } from './output.js';

/**
 * Whether stdout's reader has gone (`tollgate clients list --json | head -1`). Then the rest of
 * the output is dropped and the command ends as it would have, quietly: a closed pipe is the
 * reader's choice, not a failure of the command.
 */
let stdoutClosed = false;

const print = (text: string): void => {
  if (!stdoutClosed) process.stdout.write(text + '\n');
};
const printJson = (value: unknown): void => print(JSON.stringify(value, null, 2));
const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** The operator, for the audit trail: the login name running the command. */
function operator(): Actor {
  let id: string;
  try {
    id = userInfo().username;
  } catch {
    // No passwd entry for the uid (some containers): fall back to the environment, then the uid.
    id = process.env.USER ?? process.env.LOGNAME ?? `uid-${process.getuid?.() ?? 'unknown'}`;
  }
  return { kind: 'cli', id };
}

const AUDIT_LIMIT_DEFAULT = 1000;

/** Runs a command on freshly opened services and closes them, whatever happens. */
async function withServices<T>(fn: (s: Services, config: Config) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const services = await openServices(config);
  try {
    return await fn(services, config);
  } finally {
    await services.close();
  }
}

const HELP_FOOTER = `
Every command and subcommand takes --help, or ask with \`tollgate help <command> [subcommand]\`
(through npx: \`npx tollgate help clients create\`). Settings (DATABASE_PATH, TOLLGATE_MASTER_KEY,
token lifetimes…) come from the environment, as for the server: see README, "Configuration".
Add --json where offered for machine-readable output; errors then come as one JSON object on stderr.`;

export function buildCli(): Command {
  const program = new Command('tollgate')
    .description('Tollgate: client credentials in, access tokens out. Manages the clients, signing keys and database the server runs on.')
    .showHelpAfterError()
    .exitOverride()
    .addHelpText('after', HELP_FOOTER);

  program
    .command('serve')
    .description('start the HTTP server (migrates first); settings from the environment')
    .action(async () => {
      const { runServer } = await import('../server.js');
      await runServer(loadConfig());
    });

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
    .description('copy everything from one database into another, empty one; each a SQLite file path or a postgres:// URL')
    .option('--json', 'print JSON')
    .action(async (from: string, to: string, o: { json?: boolean }) => {
      const report = await copyDatabase(from, to, process.env.TOLLGATE_MASTER_KEY);
      if (o.json) printJson(report);
      else {
        const counts = Object.entries(report.rows).map(([table, n]) => `${table} ${n}`).join(', ');
        print(`copied ${report.from} to ${report.to}: ${counts}${report.resealed ? `; ${report.resealed} sealed values sealed again under the target's master key` : ''}`);
      }
    });

  program
    .command('backup <file>')
    .description(
      'copy the database to FILE while the server runs (SQLite online backup): one self-contained file, integrity-checked; missing folders are created',
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

  const clients = program.command('clients').description('create, list, change, rotate, disable and delete clients');
  clients
    .command('create')
    .description('create a client, in live mode unless --mode test; prints its secret once')
    .requiredOption('--name <name>', 'display name')
    .addOption(new Option('--mode <mode>', 'live or test: the tokens, keys and addresses it belongs to').choices(['live', 'test']).default('live'))
    .addOption(new Option('--scope <scopes>', 'space-separated scopes').default('', 'none'))
    .addOption(new Option('--allow-ip <cidr>', 'allowed source address or CIDR (repeatable)').argParser(collect).default([], 'any address'))
    .option('--org <id>', 'organisation id (default: none)')
    .option('--secret <secret>', 'import an existing secret (10–255 chars) instead of generating one')
    .option('--json', 'print JSON (with clientSecret)')
    .action((o: { name: string; mode: Mode; scope: string; allowIp: string[]; org?: string; secret?: string; json?: boolean }) =>
      withServices(async ({ deps }) => {
        const made = await createClient(
          deps,
          {
            name: o.name,
            mode: o.mode,
            scopes: o.scope.split(' ').filter(Boolean),
            allowedIps: o.allowIp,
            orgId: o.org ?? null,
            secret: o.secret,
          },
          operator(),
        );
        if (o.json) printJson(clientJson(made.client, made.clientSecret));
        else print(clientText(made.client, made.clientSecret));
      }),
    );

  clients
    .command('list')
    .description('list every client, in byte order of ids (never a secret)')
    .option('--json', 'print a JSON array')
    .action((o: { json?: boolean }) =>
      withServices(async ({ deps }) => {
        const all = [];
        for (let page = await listClients(deps, { limit: 500 }); page.length > 0; ) {
          all.push(...page);
          page = await listClients(deps, { limit: 500, afterId: page[page.length - 1]!.id });
        }
        if (o.json) printJson(all.map((c) => clientJson(c)));
        else print(all.length === 0 ? 'no clients' : all.map((c) => clientText(c)).join('\n'));
      }),
    );

  clients
    .command('show <id>')
    .description('show one client (never its secret)')
    .option('--json', 'print JSON')
    .action((id: string, o: { json?: boolean }) =>
      withServices(async ({ deps }) => {
        const c = await getClient(deps, id);
        if (o.json) printJson(clientJson(c));
        else print(clientText(c));
      }),
    );

  clients
    .command('rotate-secret <id>')
    .description('replace the secret, printed once; every token of the old one dies on its next use')
    .option('--grace <duration>', 'keep the old secret and its tokens alive this long (e.g. 90s, 15m, 1h, 2d; at most 30d)')
    .option('--json', 'print JSON (with clientSecret)')
    .action((id: string, o: { grace?: string; json?: boolean }) =>
      withServices(async ({ deps }) => {
        const rotated = await rotateSecret(deps, id, o.grace === undefined ? 0 : parseDuration(o.grace), operator());
        if (o.json) printJson(clientJson(rotated.client, rotated.clientSecret));
        else print(clientText(rotated.client, rotated.clientSecret));
      }),
    );

  clients
    .command('update <id>')
    .description('change a client\'s name, scopes or allowlist; what is not given stays')
    .option('--name <name>', 'display name')
    .option('--scope <scopes>', 'space-separated scopes (replaces them)')
    .option('--allow-ip <cidr>', 'allowed source address or CIDR (repeatable; replaces the list)', collect)
    .option('--clear-allow-ip', 'remove the allowlist: any address may call')
    .option('--json', 'print JSON')
    .action((id: string, o: { name?: string; scope?: string; allowIp?: string[]; clearAllowIp?: boolean; json?: boolean }) =>
      withServices(async ({ deps }) => {
        if (o.allowIp && o.clearAllowIp) throw new Error('--allow-ip and --clear-allow-ip cannot be used together');
        const c = await updateClient(
          deps,
          id,
          {
            name: o.name,
            scopes: o.scope === undefined ? undefined : o.scope.split(' ').filter(Boolean),
            allowedIps: o.clearAllowIp ? [] : o.allowIp,
          },
          operator(),
        );
        if (o.json) printJson(clientJson(c));
        else print(clientText(c));
      }),
    );

  const toggles = [
    ['disable', false, 'refuse the client and end every token it holds (an enable does not bring them back)'],
    ['enable', true, 'accept a disabled client again; it needs new tokens'],
  ] as const;
  for (const [name, enabled, description] of toggles) {
    clients
      .command(`${name} <id>`)
      .description(description)
      .option('--json', 'print JSON')
      .action((id: string, o: { json?: boolean }) =>
        withServices(async ({ deps }) => {
          const c = await updateClient(deps, id, { enabled }, operator());
          if (o.json) printJson(clientJson(c));
          else print(`${c.id} ${enabled ? 'enabled' : 'disabled'}`);
        }),
      );
  }

  clients
    .command('delete <id>')
    .description('delete a client for good, named by its exact id; its tokens are refused at once (audited)')
    .option('--json', 'print the deleted client as JSON')
    .action((id: string, o: { json?: boolean }) =>
      withServices(async ({ deps }) => {
        const c = await deleteClient(deps, id, operator());
        if (o.json) printJson({ ...clientJson(c), deleted: true });
        else print(`${c.id} deleted (${c.name}, ${c.mode}); its tokens are refused from now on`);
      }),
    );

  program
    .command('audit')
    .description('show the audit trail, newest first: client changes, key rotations and retirements, lockouts')
    .option('--client <id>', "only this client's events")
    .option('--limit <n>', `at most this many events (default ${AUDIT_LIMIT_DEFAULT})`)
    .option('--json', 'print a JSON array')
    .action((o: { client?: string; limit?: string; json?: boolean }) =>
      withServices(async ({ deps }) => {
        const limit = o.limit === undefined ? AUDIT_LIMIT_DEFAULT : Number(o.limit);
        if (!Number.isInteger(limit) || limit < 1) throw new Error(`--limit must be a positive whole number, not ${JSON.stringify(o.limit)}`);
        const events = await deps.audit.list({ clientId: o.client, limit });
        if (o.json) printJson(events.map(auditJson));
        else print(events.length === 0 ? 'no audit events' : events.map(auditText).join('\n'));
      }),
    );

  const keys = program.command('keys').description('list, rotate and retire the token signing keys');
  keys
    .command('list')
    .description('list every signing key: mode, algorithm, kid, current or retired, created')
    .option('--json', 'print a JSON array')
    .action((o: { json?: boolean }) =>
      withServices(async ({ deps }) => {
        const all = (await deps.keys.publicKeys()).map(({ kid, mode, alg, current, createdAt }) => ({ kid, mode, alg, current, createdAt: new Date(createdAt).toISOString() }));
        if (o.json) printJson(all);
        else print(all.map((k) => `${k.mode}  ${k.alg}  ${k.kid}  ${k.current ? 'current' : 'retired'}  ${k.createdAt}`).join('\n'));
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
        for (const mode of o.mode ? [o.mode] : (['live', 'test'] as const)) made.push(await rotateSigningKey(deps, mode, operator()));
        const out = made.map(({ kid, mode, alg }) => ({ kid, mode, alg }));
        if (o.json) printJson(out);
        else print(out.map((k) => `${k.mode}: new current key ${k.kid} (${k.alg})`).join('\n'));
      }),
    );

  keys
    .command('retire <kid>')
    .description(
      'delete a retired (no longer current) key: it leaves the JWKS and every token it signed dies, non-expiring common-door tokens included. Without --yes it only says what would die (audited)',
    )
    .option('--yes', 'retire it: without this, nothing changes and the command exits 1')
    .option('--json', 'print JSON; without --yes the notice comes as a JSON error on stderr')
    .action((kid: string, o: { yes?: boolean; json?: boolean }) =>
      withServices(async ({ deps }, config) => {
        const notice = await retirementNotice(deps, kid, config.ttl);
        const now = deps.clock.now();
        if (!o.yes) {
          if (o.json) {
            process.stderr.write(
              JSON.stringify({ error: 'confirmation_required', message: 'Run again with --yes to retire the key', ...retirementJson(notice, now) }) + '\n',
            );
          } else {
            process.stderr.write(`${retirementText(notice, now)}\nNothing was changed. Run again with --yes to retire it.\n`);
          }
          process.exitCode = 1;
          return;
        }
        if (!o.json) process.stderr.write(retirementText(notice, now) + '\n');
        const key = await retireSigningKey(deps, kid, operator());
        if (o.json) printJson({ ...retirementJson(notice, now), retired: true });
        else print(`retired ${key.mode} key ${key.kid}: gone from the JWKS; tokens it signed are refused (by running servers within a second)`);
      }),
    );

  addUsersCommands(program, { print, printJson, withServices: (fn) => withServices((s) => fn(s)), operator });

  return program;
}

/**
 * The arguments as commander should see them. npx and `npm exec` pass a `--` through
 * (`npx tollgate -- --help`), which commander would read as "no more options": dropped when it
 * comes first. `help clients create` asks for the subcommand's help, as `clients create --help`
 * (commander's own help command looks one level down only).
 */
export function normaliseArgs(argv: readonly string[]): string[] {
  const [node = '', script = '', ...rest] = argv;
  if (rest[0] === '--') rest.shift();
  if (rest[0] === 'help' && rest.length > 1 && rest.slice(1).every((a) => !a.startsWith('-'))) return [node, script, ...rest.slice(1), '--help'];
  // A kid is a base64url thumbprint and may begin with "-": passed as it is, commander would read
  // it as an option. It goes after the options, behind "--", where it is only ever an operand.
  const kid = rest[0] === 'keys' && rest[1] === 'retire' ? rest.findIndex((a, i) => i > 1 && KID_SHAPE.test(a) && a.startsWith('-')) : -1;
  if (kid > 1) return [node, script, ...rest.filter((_, i) => i !== kid), '--', rest[kid]!];
  return [node, script, ...rest];
}

/** An RFC 7638 SHA-256 thumbprint, base64url: the shape of every kid Tollgate makes. */
const KID_SHAPE = /^[A-Za-z0-9_-]{43}$/;

/** A closed stdout (or stderr) pipe ends the output quietly instead of crashing with EPIPE. */
function quietOnClosedPipes(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code !== 'EPIPE' && e.code !== 'ERR_STREAM_DESTROYED') throw e;
      if (stream === process.stdout) stdoutClosed = true;
    });
  }
}

/** Runs the CLI; expected failures print one line (or one JSON object with --json) and exit 1. */
export async function runCli(argv: string[]): Promise<void> {
  quietOnClosedPipes();
  const args = normaliseArgs(argv);
  const json = args.includes('--json');
  try {
    await buildCli().parseAsync(args);
  } catch (e) {
    const err = e as { code?: string; exitCode?: number; message?: string };
    if (typeof err.code === 'string' && err.code.startsWith('commander.')) {
      process.exitCode = err.exitCode ?? 1;
      return;
    }
    const code = isDomainError(e) ? e.code : e instanceof ConfigError ? 'configuration_error' : 'error';
    const message = e instanceof Error ? e.message : String(e);
    if (json) process.stderr.write(JSON.stringify({ error: code, message }) + '\n');
    else process.stderr.write(`tollgate: ${message}\n`);
    process.exitCode = 1;
  }
}
