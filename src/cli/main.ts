import { Command } from 'commander';
import { ConfigError, loadConfig, startupFailureText } from '../config.js';
import { isDomainError } from '../domain/errors.js';
import { packageVersion } from '../infra/package-version.js';
import { addApisCommands } from './apis.js';
import { addAuditCommand } from './audit.js';
import { addClientsCommands } from './clients.js';
import { quietOnClosedPipes } from './context.js';
import { addDbCommands } from './db.js';
import { addKeysCommands } from './keys.js';
import { addUsersCommands } from './users.js';

const HELP_FOOTER = `
Every command and subcommand takes --help, or ask with \`tollgate help <command> [subcommand]\`
(through npx: \`npx tollgate help clients create\`). Settings (DATABASE_PATH, TOLLGATE_MASTER_KEY,
token lifetimes…) come from the environment, as for the server: see README, "Configuration".
Add --json where offered for machine-readable output; errors then come as one JSON object on stderr.`;

/** The whole command tree. The groups register in the order `tollgate --help` lists them. */
export function buildCli(): Command {
  const program = new Command('tollgate')
    .description(
      'Tollgate: client credentials in, access tokens out. ' +
        'Manages the clients, signing keys and database the server runs on.',
    )
    .version(packageVersion(), '-V, --version', 'print the version of Tollgate')
    .showHelpAfterError()
    .exitOverride()
    .addHelpText('after', HELP_FOOTER);

  program
    .command('serve')
    .description('start the HTTP server (migrates first); settings from the environment')
    .action(async () => {
      const { runServer } = await import('../server.js');
      const config = loadConfig();
      try {
        await runServer(config);
      } catch (e) {
        // A port in use, a privileged port, a database folder it may not write: the setting to change.
        const text = startupFailureText(e, config);
        throw text === undefined ? e : new Error(`failed to start: ${text}`);
      }
    });

  addDbCommands(program);
  addClientsCommands(program);
  addAuditCommand(program);
  addKeysCommands(program);
  addUsersCommands(program);
  addApisCommands(program);

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
  if (rest[0] === 'help' && rest.length > 1 && rest.slice(1).every((a) => !a.startsWith('-'))) {
    return [node, script, ...rest.slice(1), '--help'];
  }
  // A kid is a base64url thumbprint and may begin with "-": passed as it is, commander would read
  // it as an option. It goes after the options, behind "--", where it is only ever an operand.
  const kid =
    rest[0] === 'keys' && rest[1] === 'retire'
      ? rest.findIndex((a, i) => i > 1 && KID_SHAPE.test(a) && a.startsWith('-'))
      : -1;
  if (kid > 1) return [node, script, ...rest.filter((_, i) => i !== kid), '--', rest[kid]!];
  return [node, script, ...rest];
}

/** An RFC 7638 SHA-256 thumbprint, base64url: the shape of every kid Tollgate makes. */
const KID_SHAPE = /^[A-Za-z0-9_-]{43}$/;

/** A database folder this user may not write (or a port, for `serve`), as the setting to change. */
function settingToChange(e: unknown): string | undefined {
  try {
    return startupFailureText(e, loadConfig());
  } catch {
    return undefined;
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
    const message = settingToChange(e) ?? (e instanceof Error ? e.message : String(e));
    if (json) process.stderr.write(JSON.stringify({ error: code, message }) + '\n');
    else process.stderr.write(`tollgate: ${message}\n`);
    process.exitCode = 1;
  }
}
