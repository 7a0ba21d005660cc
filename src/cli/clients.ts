import { Option, type Command } from 'commander';
import type { Mode } from '../domain/mode.js';
import {
  createClient,
  deleteClient,
  getClient,
  listClients,
  rotateSecret,
  updateClient,
} from '../usecases/clients/manage.js';
import { allowlistEntryProblem } from '../domain/ip.js';
import { scopeTokenProblem } from '../domain/scopes.js';
import { checkEntries, collect, namingClient, operator, print, printJson, withServices } from './context.js';
import { clientUsage } from '../usecases/clients/usage.js';
import { clientJson, clientText, parseDuration, usageJson, usageText } from './output.js';

interface CreateOptions {
  name: string;
  mode: Mode;
  scope: string;
  allowIp: string[];
  org?: string;
  secret?: string;
  json?: boolean;
}

interface UpdateOptions {
  name?: string;
  tokensPerMinute?: number | null;
  burst?: number | null;
  scope?: string;
  allowIp?: string[];
  clearAllowIp?: boolean;
  json?: boolean;
}

/** `--tokens-per-minute 600` as a number for the domain to judge; `none` as null (removed). */
const quotaNumber =
  (flag: string) =>
  (text: string): number | null => {
    if (text === 'none') return null;
    if (!/^\d{1,9}$/.test(text)) throw new Error(`${flag} takes a whole number or none, not ${JSON.stringify(text)}`);
    return Number(text);
  };

/** `--scope "a b"` as scopes, each checked by the domain's rule: a bad one is named with the flag. */
function scopesOf(text: string): string[] {
  const scopes = text.split(' ').filter(Boolean);
  checkEntries('--scope', scopes, scopeTokenProblem);
  return scopes;
}

/** `tollgate clients …`: the machine clients that take tokens. */
export function addClientsCommands(program: Command): void {
  const clients = program.command('clients').description('create, list, change, rotate, disable and delete clients');
  clients
    .command('create')
    .description('create a client, in live mode unless --mode test; prints its secret once')
    .requiredOption('--name <name>', 'display name')
    .addOption(
      new Option('--mode <mode>', 'live or test: the tokens, keys and addresses it belongs to')
        .choices(['live', 'test'])
        .default('live'),
    )
    .addOption(new Option('--scope <scopes>', 'space-separated scopes').default('', 'none'))
    .addOption(
      new Option('--allow-ip <cidr>', 'allowed source address or CIDR (repeatable)')
        .argParser(collect)
        .default([], 'any address'),
    )
    .option('--org <id>', 'organisation id (default: none)')
    .option('--secret <secret>', 'import an existing secret (10–255 chars) instead of generating one')
    .option('--json', 'print JSON (with clientSecret)')
    .action((o: CreateOptions) =>
      withServices(async ({ deps }) => {
        const now = deps.clock.now();
        const scopes = scopesOf(o.scope);
        checkEntries('--allow-ip', o.allowIp, allowlistEntryProblem);
        const made = await createClient(
          deps,
          {
            name: o.name,
            mode: o.mode,
            scopes,
            allowedIps: o.allowIp,
            orgId: o.org ?? null,
            secret: o.secret,
          },
          operator(),
        );
        if (o.json) printJson(clientJson(made.client, now, made.clientSecret));
        else print(clientText(made.client, now, made.clientSecret));
      }),
    );

  clients
    .command('list')
    .description('list every client, in byte order of ids (never a secret)')
    .option('--json', 'print a JSON array')
    .action((o: { json?: boolean }) =>
      withServices(async ({ deps }) => {
        const now = deps.clock.now();
        const all = [];
        for (let page = await listClients(deps, { limit: 500 }); page.length > 0; ) {
          all.push(...page);
          page = await listClients(deps, { limit: 500, afterId: page[page.length - 1]!.id });
        }
        if (o.json) printJson(all.map((c) => clientJson(c, now)));
        else print(all.length === 0 ? 'no clients' : all.map((c) => clientText(c, now)).join('\n'));
      }),
    );

  clients
    .command('show <id>')
    .description('show one client (never its secret)')
    .option('--json', 'print JSON')
    .action((id: string, o: { json?: boolean }) =>
      withServices(async ({ deps }) => {
        const now = deps.clock.now();
        const c = await namingClient(id, () => getClient(deps, id));
        if (o.json) printJson(clientJson(c, now));
        else print(clientText(c, now));
      }),
    );

  clients
    .command('rotate-secret <id>')
    .description('replace the secret, printed once; every token of the old one dies on its next use')
    .option(
      '--grace <duration>',
      'keep the old secret and its tokens alive this long (e.g. 90s, 15m, 1h, 2d; at most 30d)',
    )
    .option('--json', 'print JSON (with clientSecret)')
    .action((id: string, o: { grace?: string; json?: boolean }) =>
      withServices(async ({ deps }) => {
        const now = deps.clock.now();
        const grace = o.grace === undefined ? 0 : parseDuration(o.grace);
        const rotated = await namingClient(id, () => rotateSecret(deps, id, grace, operator()));
        if (o.json) printJson(clientJson(rotated.client, now, rotated.clientSecret));
        else print(clientText(rotated.client, now, rotated.clientSecret, true));
      }),
    );

  clients
    .command('update <id>')
    .description("change a client's name, scopes or allowlist; what is not given stays")
    .option('--name <name>', 'display name')
    .option('--scope <scopes>', 'space-separated scopes (replaces them)')
    .option('--allow-ip <cidr>', 'allowed source address or CIDR (repeatable; replaces the list)', collect)
    .option('--clear-allow-ip', 'remove the allowlist: any address may call')
    .option(
      '--tokens-per-minute <n>',
      'token quota: at most n tokens a minute, every door (none: no quota)',
      quotaNumber('--tokens-per-minute'),
    )
    .option(
      '--burst <n>',
      'tokens at once under the quota (none: as many as --tokens-per-minute)',
      quotaNumber('--burst'),
    )
    .option('--json', 'print JSON')
    .action((id: string, o: UpdateOptions) =>
      withServices(async ({ deps }) => {
        const now = deps.clock.now();
        if (o.allowIp && o.clearAllowIp) throw new Error('--allow-ip and --clear-allow-ip cannot be used together');
        const scopes = o.scope === undefined ? undefined : scopesOf(o.scope);
        checkEntries('--allow-ip', o.allowIp ?? [], allowlistEntryProblem);
        const c = await namingClient(id, () =>
          updateClient(
            deps,
            id,
            {
              name: o.name,
              scopes,
              allowedIps: o.clearAllowIp ? [] : o.allowIp,
              tokensPerMinute: o.tokensPerMinute,
              burst: o.burst,
            },
            operator(),
          ),
        );
        if (o.json) printJson(clientJson(c, now));
        else print(clientText(c, now));
      }),
    );

  const toggles = [
    [
      'disable',
      false,
      'refuse the client and end every token it holds (an enable does not bring them back); ' +
        'on a disabled client, nothing changes',
    ],
    ['enable', true, 'accept a disabled client again; it needs new tokens; on an enabled client, nothing changes'],
  ] as const;
  for (const [name, enabled, description] of toggles) {
    clients
      .command(`${name} <id>`)
      .description(description)
      .option('--json', 'print JSON')
      .action((id: string, o: { json?: boolean }) =>
        withServices(async ({ deps }) => {
          const now = deps.clock.now();
          const c = await namingClient(id, () => updateClient(deps, id, { enabled }, operator()));
          if (o.json) printJson(clientJson(c, now));
          else print(`${c.id} ${enabled ? 'enabled' : 'disabled'}`);
        }),
      );
  }

  clients
    .command('usage <id>')
    .description('tokens issued, failures by code and checks, per hour and door (the current hour included)')
    .option('--since <duration>', 'how far back: 90m, 24h, 7d (at most 92d)', '24h')
    .option('--json', 'print a JSON array')
    .action((id: string, o: { since: string; json?: boolean }) =>
      withServices(async ({ deps }) => {
        const now = deps.clock.now();
        const since = parseDuration(o.since);
        if (since === 0) throw new Error('--since must be longer than 0s');
        const buckets = await namingClient(id, async () => {
          await getClient(deps, id);
          return clientUsage(deps, id, now - since * 1000, now + 1, 'hour');
        });
        if (o.json) printJson(buckets.map(usageJson));
        else print(buckets.length === 0 ? `${id}: no usage since ${o.since} ago` : buckets.map(usageText).join('\n'));
      }),
    );

  clients
    .command('delete <id>')
    .description('delete a client for good, named by its exact id; its tokens are refused at once (audited)')
    .option('--json', 'print the deleted client as JSON')
    .action((id: string, o: { json?: boolean }) =>
      withServices(async ({ deps }) => {
        const now = deps.clock.now();
        const c = await namingClient(id, () => deleteClient(deps, id, operator()));
        if (o.json) printJson({ ...clientJson(c, now), deleted: true });
        else print(`${c.id} deleted (${c.name}, ${c.mode}); its tokens are refused from now on`);
      }),
    );
}
