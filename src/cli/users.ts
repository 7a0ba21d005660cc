import { Option, type Command } from 'commander';
import { OPERATOR_ROLES, type OperatorView } from '../domain/operator.js';
import {
  createOperator,
  disableOperator,
  listOperators,
  resetOperator,
  type SetupLink,
} from '../usecases/operators.js';
import { operator, print, printJson, withServices } from './context.js';

const operatorJson = (o: OperatorView, setup?: SetupLink): Record<string, unknown> => ({
  id: o.id,
  email: o.email,
  role: o.role,
  orgId: o.orgId,
  enabled: o.enabled,
  totpEnabled: o.totpEnabled,
  createdAt: new Date(o.createdAt).toISOString(),
  ...(setup ? { setupLink: setup.link, setupLinkExpiresAt: new Date(setup.expiresAt).toISOString() } : {}),
});

const operatorText = (o: OperatorView): string =>
  `${o.email}  ${o.role}${o.orgId ? `  org ${o.orgId}` : ''}` +
  `${o.enabled ? '' : '  DISABLED'}${o.totpEnabled ? '  totp' : ''}`;

const setupText = (s: SetupLink): string =>
  `one-time setup link (valid until ${new Date(s.expiresAt).toISOString()}, works once; send it privately):\n` +
  `  ${s.link}`;

/** The password on stdin, as `--password-stdin` asks (docker login's convention): one trailing newline dropped. */
async function readPassword(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

/** `tollgate users …`: the developer panel's operators (spec §6, §7). */
export function addUsersCommands(program: Command): void {
  const users = program.command('users').description('manage the people who sign in to the developer panel (/panel)');
  users
    .command('create')
    .description('create an operator; prints a one-time setup link (24 h) unless --password-stdin')
    .requiredOption('--email <email>', 'the email they sign in with')
    .addOption(
      new Option('--role <role>', 'admin: everything; developer: its organisation’s clients; viewer: read-only')
        .choices([...OPERATOR_ROLES])
        .makeOptionMandatory(),
    )
    .option('--org <id>', 'organisation (required for a developer)')
    .option('--password-stdin', 'read the password (at least 12 characters) from stdin instead of making a setup link')
    .option('--json', 'print JSON (with setupLink when one was made)')
    .action((o: { email: string; role: string; org?: string; passwordStdin?: boolean; json?: boolean }) =>
      withServices(async ({ deps }) => {
        const password = o.passwordStdin ? await readPassword() : undefined;
        const made = await createOperator(
          deps,
          { email: o.email, role: o.role, orgId: o.org ?? null, ...(password !== undefined ? { password } : {}) },
          operator(),
        );
        if (o.json) printJson(operatorJson(made.operator, made.setup));
        else print(`created ${operatorText(made.operator)}${made.setup ? `\n${setupText(made.setup)}` : ''}`);
      }),
    );
  users
    .command('list')
    .description('list every operator (never a password)')
    .option('--json', 'print a JSON array')
    .action((o: { json?: boolean }) =>
      withServices(async ({ deps }) => {
        const all = await listOperators(deps);
        if (o.json) printJson(all.map((u) => operatorJson(u)));
        else print(all.length === 0 ? 'no operators' : all.map(operatorText).join('\n'));
      }),
    );
  users
    .command('disable <email>')
    .description('disable an operator: every session ends, sign-in is refused')
    .option('--json', 'print JSON')
    .action((email: string, o: { json?: boolean }) =>
      withServices(async ({ deps }) => {
        const done = await disableOperator(deps, email, operator());
        if (o.json) printJson(operatorJson(done));
        else print(`disabled ${done.email}; every session of theirs has ended`);
      }),
    );
  users
    .command('reset <email>')
    .description('clear the password and TOTP, end every session, and print a new one-time setup link')
    .option('--json', 'print JSON (with setupLink)')
    .action((email: string, o: { json?: boolean }) =>
      withServices(async ({ deps }) => {
        const done = await resetOperator(deps, email, operator());
        if (o.json) printJson(operatorJson(done.operator, done.setup));
        else print(`reset ${done.operator.email}; every session of theirs has ended\n${setupText(done.setup)}`);
      }),
    );
}
