import { Option, type Command } from 'commander';
import type { Api, Target } from '../domain/api.js';
import { type Mode, modeOfClientId } from '../domain/mode.js';
import {
  createApi,
  deleteApi,
  getApi,
  grantsOf,
  listApis,
  removeGrant,
  setGrant,
  updateApi,
} from '../usecases/apis/manage.js';
import { collect, namingClient, operator, print, printJson, withServices } from './context.js';

const MODES = ['live', 'test'];
const ALGS = ['ES256', 'RS256', 'EdDSA'];

/** `name` or `name=description` (the description may hold spaces). */
const permissionOf = (entry: string) => {
  const at = entry.indexOf('=');
  return at === -1 ? { name: entry, description: '' } : { name: entry.slice(0, at), description: entry.slice(at + 1) };
};

/** `--permissions "a b"` (names) and `--permission "a=What a allows"` (repeatable), in that order. */
const permissionsOf = (names: string | undefined, described: readonly string[] | undefined) => [
  ...(names ?? '').split(' ').filter(Boolean).map(permissionOf),
  ...(described ?? []).map(permissionOf),
];

const seconds =
  (flag: string) =>
  (text: string): number => {
    if (!/^\d{1,9}$/.test(text)) throw new Error(`${flag} ${text}: a whole number of seconds`);
    return Number(text);
  };

export const apiJson = (a: Api): Record<string, unknown> => ({
  identifier: a.identifier,
  name: a.name,
  mode: a.mode,
  permissions: a.permissions,
  tokenTtlSeconds: a.tokenTtlSeconds,
  alg: a.alg,
  createdAt: new Date(a.createdAt).toISOString(),
  updatedAt: new Date(a.updatedAt).toISOString(),
});

export function apiText(a: Api): string {
  const permissions = a.permissions.map((p) => `    ${p.name}${p.description ? `  ${p.description}` : ''}`);
  return [
    `${a.identifier}  ${a.name}`,
    `  mode:        ${a.mode}`,
    `  token ttl:   ${a.tokenTtlSeconds === null ? "(each door's own)" : `${a.tokenTtlSeconds}s`}`,
    `  algorithm:   ${a.alg ?? '(JWT_ALG)'}`,
    `  permissions:${permissions.length === 0 ? ' (none)' : ''}`,
    ...permissions,
  ].join('\n');
}

const grantJson = (t: Target): Record<string, unknown> => ({
  clientId: t.grant.clientId,
  api: t.api.identifier,
  permissions: t.grant.permissions,
  updatedAt: new Date(t.grant.updatedAt).toISOString(),
});

const grantText = (t: Target): string => `${t.api.identifier}  ${t.grant.permissions.join(' ') || '(no permissions)'}`;

/** `tollgate apis …` and `tollgate grants …`: the APIs tokens are for, and who may ask for what (spec §8). */
export function addApisCommands(program: Command): void {
  const apis = program
    .command('apis')
    .description('the APIs (resource servers) a token may be for, and their permissions');
  const mode = () => new Option('--mode <mode>', 'live or test').choices(MODES).default('live');
  apis
    .command('create')
    .description("create an API: its identifier becomes the token's aud")
    .requiredOption('--identifier <uri>', 'an absolute URI without fragment, e.g. https://billing.example.com/api')
    .requiredOption('--name <name>', 'display name')
    .option('--permissions <names>', 'space-separated permission names')
    .option('--permission <name=description>', 'a permission with its description (repeatable)', collect)
    .addOption(mode())
    .addOption(
      new Option('--ttl <seconds>', 'cap every token for it at this lifetime, on every door').argParser(
        seconds('--ttl'),
      ),
    )
    .addOption(new Option('--alg <alg>', 'sign its tokens with this algorithm (default: JWT_ALG)').choices(ALGS))
    .option('--json', 'print JSON')
    .action(
      (o: {
        identifier: string;
        name: string;
        permissions?: string;
        permission?: string[];
        mode: Mode;
        ttl?: number;
        alg?: string;
        json?: boolean;
      }) =>
        withServices(async ({ deps }) => {
          const permissions = permissionsOf(o.permissions, o.permission);
          const input = {
            identifier: o.identifier,
            name: o.name,
            mode: o.mode,
            permissions,
            tokenTtlSeconds: o.ttl ?? null,
            alg: o.alg ?? null,
          };
          const api = await createApi(deps, input, operator());
          if (o.json) printJson(apiJson(api));
          else print(`created ${apiText(api)}`);
        }),
    );
  apis
    .command('list')
    .description('list the APIs, by identifier')
    .addOption(new Option('--mode <mode>', 'only this mode').choices(MODES))
    .option('--json', 'print a JSON array')
    .action((o: { mode?: Mode; json?: boolean }) =>
      withServices(async ({ deps }) => {
        const all = await listApis(deps, o.mode);
        if (o.json) printJson(all.map(apiJson));
        else print(all.length === 0 ? 'no APIs' : all.map(apiText).join('\n'));
      }),
    );
  apis
    .command('show <identifier>')
    .description('show one API')
    .addOption(mode())
    .option('--json', 'print JSON')
    .action((identifier: string, o: { mode: Mode; json?: boolean }) =>
      withServices(async ({ deps }) => {
        const api = await getApi(deps, { mode: o.mode, identifier });
        if (o.json) printJson(apiJson(api));
        else print(apiText(api));
      }),
    );
  apis
    .command('update <identifier>')
    .description(
      "change an API's name, permissions or lifetime cap; a permission taken away ends the tokens that carry it",
    )
    .addOption(mode())
    .option('--name <name>', 'display name')
    .option('--permissions <names>', 'space-separated permission names (with --permission: the whole new list)')
    .option('--permission <name=description>', 'a permission with its description (repeatable)', collect)
    .addOption(
      new Option('--ttl <seconds>', 'cap every token at this lifetime')
        .argParser(seconds('--ttl'))
        .conflicts('clearTtl'),
    )
    .option('--clear-ttl', "lift the cap: each door's own lifetime")
    .option('--json', 'print JSON')
    .action(
      (
        identifier: string,
        o: {
          mode: Mode;
          name?: string;
          permissions?: string;
          permission?: string[];
          ttl?: number;
          clearTtl?: boolean;
          json?: boolean;
        },
      ) =>
        withServices(async ({ deps }) => {
          const listed = o.permissions !== undefined || o.permission !== undefined;
          const change = {
            ...(o.name === undefined ? {} : { name: o.name }),
            ...(listed ? { permissions: permissionsOf(o.permissions, o.permission) } : {}),
            ...(o.clearTtl ? { tokenTtlSeconds: null } : o.ttl === undefined ? {} : { tokenTtlSeconds: o.ttl }),
          };
          const api = await updateApi(deps, { mode: o.mode, identifier }, change, operator());
          if (o.json) printJson(apiJson(api));
          else print(`updated ${apiText(api)}`);
        }),
    );
  apis
    .command('delete <identifier>')
    .description('delete an API; refused while clients hold grants for it, unless --force; its tokens die')
    .addOption(mode())
    .option('--force', 'delete its grants with it')
    .option('--json', 'print JSON')
    .action((identifier: string, o: { mode: Mode; force?: boolean; json?: boolean }) =>
      withServices(async ({ deps }) => {
        const api = await deleteApi(deps, { mode: o.mode, identifier }, o.force ?? false, operator());
        if (o.json) printJson({ ...apiJson(api), deleted: true });
        else print(`deleted ${api.identifier} (${api.mode}); its tokens are refused from now on`);
      }),
    );

  const grants = program.command('grants').description('what each client may ask for at each API');
  grants
    .command('set <clientId> <identifier>')
    .description(
      "set the client's permissions at the API (replaces them); permissions taken away end the tokens that carry them",
    )
    .requiredOption('--permissions <names>', 'space-separated permissions of the API')
    .option('--json', 'print JSON')
    .action((clientId: string, identifier: string, o: { permissions: string; json?: boolean }) =>
      withServices(async ({ deps }) => {
        const ref = { mode: modeOfClientId(clientId), identifier };
        const permissions = o.permissions.split(' ').filter(Boolean);
        const target = await namingClient(clientId, () => setGrant(deps, clientId, ref, permissions, operator()));
        if (o.json) printJson(grantJson(target));
        else print(`${clientId} may ask ${grantText(target)}`);
      }),
    );
  grants
    .command('remove <clientId> <identifier>')
    .description("remove the client's grant for the API; its tokens for it die")
    .option('--json', 'print JSON')
    .action((clientId: string, identifier: string, o: { json?: boolean }) =>
      withServices(async ({ deps }) => {
        const ref = { mode: modeOfClientId(clientId), identifier };
        const target = await namingClient(clientId, () => removeGrant(deps, clientId, ref, operator()));
        if (o.json) printJson({ ...grantJson(target), removed: true });
        else
          print(`removed ${clientId}'s grant for ${target.api.identifier}; its tokens for it are refused from now on`);
      }),
    );
  grants
    .command('list <clientId>')
    .description("list the client's grants, by API (its scopes are its grant for the default API)")
    .option('--json', 'print a JSON array')
    .action((clientId: string, o: { json?: boolean }) =>
      withServices(async ({ deps }) => {
        const all = await namingClient(clientId, () => grantsOf(deps, clientId));
        if (o.json) printJson(all.map(grantJson));
        else print(all.length === 0 ? `${clientId} holds no grants` : all.map(grantText).join('\n'));
      }),
    );
}
