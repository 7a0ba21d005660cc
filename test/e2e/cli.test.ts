import { readdirSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCli } from '../../src/cli/main.js';
import { openSqliteStore } from '../../src/infra/db/sqlite/store.js';
import { cli, ROOT, run, startServer, tempDir, type RunningServer } from '../support/process.js';

const flat = (text: string): string => text.replace(/\s+/g, ' ');

/** Every command of the tree, as the words that call it: ['clients', 'create'], … */
function commandPaths(cmd: Command, prefix: string[] = []): Array<{ path: string[]; cmd: Command }> {
  return cmd.commands.flatMap((c) => [
    { path: [...prefix, c.name()], cmd: c },
    ...commandPaths(c, [...prefix, c.name()]),
  ]);
}

// Each case spawns the real bin many times (about 1 s each on a loaded 2-core machine).
const SLOW = 120_000;

describe('tollgate help', () => {
  const env = { DATABASE_PATH: join(tempDir(), 'never-opened.db') };
  const all = commandPaths(buildCli());

  it(
    'describes every command and every option',
    async () => {
      expect(all.map((c) => c.path.join(' '))).toEqual(
        expect.arrayContaining([
          'clients create',
          'clients delete',
          'clients list',
          'keys rotate',
          'keys retire',
          'backup',
          'audit',
          'serve',
          'migrate',
        ]),
      );
      for (const { path, cmd } of all) {
        expect(cmd.description(), path.join(' ')).not.toBe('');
        for (const o of cmd.options) expect(o.description, `${path.join(' ')} ${o.flags}`).not.toBe('');
      }
    },
    SLOW,
  );

  it(
    "prints each command's help through the real bin, with its description, options and subcommands",
    async () => {
      const root = await cli(['--help'], env);
      expect(root.status).toBe(0);
      expect(root.stdout).toMatch(/^Usage: tollgate \[options\] \[command\]/);
      expect(flat(root.stdout)).toContain('npx tollgate help clients create');
      for (const { path, cmd } of all) {
        const r = await cli([...path, '--help'], env);
        expect(r.status, path.join(' ')).toBe(0);
        expect(r.stderr).toBe('');
        expect(r.stdout.startsWith(`Usage: tollgate ${path.join(' ')}`), r.stdout).toBe(true);
        const text = flat(r.stdout);
        expect(text).toContain(flat(cmd.description()));
        for (const o of cmd.options) expect(text, o.flags).toContain(`${o.flags} ${flat(o.description)}`);
        for (const sub of cmd.commands) expect(text).toContain(flat(sub.description()).slice(0, 40));
      }
    },
    SLOW,
  );

  it(
    'says that clients create defaults to live mode',
    async () => {
      const text = flat((await cli(['clients', 'create', '--help'], env)).stdout);
      expect(text).toContain('in live mode unless --mode test');
      expect(text).toContain('(choices: "live", "test", default: "live")');
    },
    SLOW,
  );

  it(
    'answers `help …`, `… help sub` and `-- --help` as --help',
    async () => {
      const want = async (args: string[]) => (await cli([...args, '--help'], env)).stdout;
      for (const [asked, same] of [
        [['help'], []],
        [['help', 'clients'], ['clients']],
        [
          ['help', 'clients', 'create'],
          ['clients', 'create'],
        ],
        [
          ['clients', 'help', 'delete'],
          ['clients', 'delete'],
        ],
        [
          ['help', 'keys', 'retire'],
          ['keys', 'retire'],
        ],
        [['--', '--help'], []],
        [
          ['--', 'clients', 'list', '--help'],
          ['clients', 'list'],
        ],
      ] as const) {
        const r = await cli([...asked], env);
        expect(r.status, asked.join(' ')).toBe(0);
        expect(r.stdout, asked.join(' ')).toBe(await want([...same]));
      }
    },
    SLOW,
  );

  it(
    'works through npx as the README says: `npx tollgate help …`, `npx tollgate --help` and `npx tollgate -- --help`',
    async () => {
      const npx = (args: string[]) =>
        run('npx', ['--no-install', 'tollgate', ...args], {
          cwd: ROOT,
          env: { ...process.env, ...env },
          timeoutMs: 60_000,
        });
      for (const args of [['help'], ['--help'], ['--', '--help']]) {
        const r = await npx(args);
        expect(r.status, `${args.join(' ')}: ${r.stderr}`).toBe(0);
        expect(r.stdout).toMatch(/^Usage: tollgate \[options\] \[command\]/);
      }
      expect((await npx(['help', 'keys', 'retire'])).stdout).toMatch(/^Usage: tollgate keys retire/);
    },
    SLOW,
  );
});

describe('tollgate against a running server: delete, keys rotate and retire, backup', () => {
  let server: RunningServer;
  let env: Record<string, string>;
  const operator = `cli:${userInfo().username}`;
  const json = async (...args: string[]) => {
    const r = await cli([...args, '--json'], env);
    expect(r.status, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as Record<string, unknown>;
  };
  const auditOf = async (...args: string[]) =>
    JSON.parse((await cli(['audit', ...args, '--json'], env)).stdout) as Array<Record<string, unknown>>;
  const commonToken = async (id: string, secret: string): Promise<string> => {
    const res = await fetch(`${server.url}/api/v1/client/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ client_id: id, client_secret: secret }),
    });
    expect(res.status).toBe(200);
    return ((await res.json()) as { data: { access_token: string } }).data.access_token;
  };
  const v2Token = async (id: string, secret: string) =>
    fetch(`${server.url}/v2/credentials/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ clientId: id, clientSecret: secret }),
    });
  const me = async (token: string) =>
    (await fetch(`${server.url}/api/v1/client/me`, { headers: { authorization: `Bearer ${token}` } })).status;
  const verify = async (token: string) =>
    (await fetch(`${server.url}/auth/verify`, { headers: { authorization: `Bearer ${token}` } })).status;
  const jwksKids = async () =>
    ((await (await fetch(`${server.url}/.well-known/jwks.json`)).json()) as { keys: Array<{ kid: string }> }).keys.map(
      (k) => k.kid,
    );
  const eventually = async (check: () => Promise<boolean>) => {
    for (let i = 0; i < 40 && !(await check()); i++) await new Promise((r) => setTimeout(r, 100));
    return check();
  };

  beforeAll(async () => {
    env = { DATABASE_PATH: join(tempDir(), 'tollgate.db') };
    server = await startServer(env);
  });
  afterAll(async () => {
    await server?.stop();
  });

  it(
    'deletes a client by its exact id, audited, and its tokens are refused at once, non-expiring ones included',
    async () => {
      const made = await json('clients', 'create', '--name', 'doomed', '--scope', 'read');
      const id = made.clientId as string;
      const secret = made.clientSecret as string;
      const common = await commonToken(id, secret); // no exp: lives until the client changes
      const v2 = ((await (await v2Token(id, secret)).json()) as { accessToken: string }).accessToken;
      expect(await me(common)).toBe(200);
      expect(await verify(v2)).toBe(200);

      // Only the exact id: a prefix or other case names no client, and nothing is deleted.
      for (const wrong of [id.slice(0, -1), id.toUpperCase()]) {
        const r = await cli(['clients', 'delete', wrong, '--json'], env);
        expect(r.status).toBe(1);
        expect(JSON.parse(r.stderr)).toEqual({ error: 'not_found', message: `No such client: ${wrong}` });
      }
      expect(await me(common)).toBe(200);

      const text = await cli(['clients', 'delete', id], env);
      expect(text.status, text.stderr).toBe(0);
      expect(text.stdout).toBe(`${id} deleted (doomed, live); its tokens are refused from now on\n`);
      expect(text.stdout + text.stderr).not.toContain(secret);
      expect(await me(common)).toBe(401);
      expect(await verify(v2)).toBe(401);
      expect((await v2Token(id, secret)).status).toBe(401);
      expect((await cli(['clients', 'show', id], env)).status).toBe(1);
      const [deleted] = await auditOf('--client', id);
      expect(deleted).toMatchObject({
        action: 'client.deleted',
        actor: operator,
        clientId: id,
        detail: { name: 'doomed', mode: 'live', secretGeneration: 1 },
      });
      const again = await cli(['clients', 'delete', id], env);
      expect([again.status, again.stderr]).toEqual([1, `tollgate: No such client: ${id}\n`]);
    },
    SLOW,
  );

  it(
    'rotates keys audited, refuses to retire a current key, warns without --yes, and retires with it',
    async () => {
      const made = await json('clients', 'create', '--name', 'keys');
      const id = made.clientId as string;
      const secret = made.clientSecret as string;
      const oldToken = await commonToken(id, secret);
      const oldKid = decodeProtectedHeader(oldToken).kid!;

      const current = await cli(['keys', 'retire', oldKid], env);
      expect(current.status).toBe(1);
      expect(current.stderr).toContain(`key ${oldKid} is the current live key`);
      expect(current.stderr).toContain('tollgate keys rotate --mode live');

      const rotated = JSON.parse((await cli(['keys', 'rotate', '--mode', 'live', '--json'], env)).stdout) as Array<{
        kid: string;
        mode: string;
      }>;
      const newKid = rotated[0]!.kid;
      const [rotation] = await auditOf('--limit', '1');
      expect(rotation).toMatchObject({
        action: 'key.rotated',
        actor: operator,
        clientId: null,
        detail: { kid: newKid, mode: 'live', alg: 'ES256', replaced: oldKid },
      });
      // The server signs with the new key within a second; the old key's tokens stay good.
      expect(await eventually(async () => decodeProtectedHeader(await commonToken(id, secret)).kid === newKid)).toBe(
        true,
      );
      expect(await me(oldToken)).toBe(200);

      const warned = await cli(['keys', 'retire', oldKid], env);
      expect(warned.status).toBe(1);
      expect(warned.stdout).toBe('');
      expect(warned.stderr).toContain(`Retiring live key ${oldKid}`);
      expect(flat(warned.stderr)).toContain(`when key ${newKid} replaced it`);
      expect(flat(warned.stderr)).toContain(
        'common-door tokens (/api/v1/client/...) never expire (CLIENT_ACCESS_TOKEN_EXPIRE_MINUTES is unset): EVERY one issued in that span dies',
      );
      expect(warned.stderr).toContain('Nothing was changed. Run again with --yes to retire it.');
      const warnedJson = await cli(['keys', 'retire', oldKid, '--json'], env);
      expect(warnedJson.status).toBe(1);
      expect(JSON.parse(warnedJson.stderr)).toMatchObject({
        error: 'confirmation_required',
        kid: oldKid,
        replacedBy: newKid,
        tokensThatDie: { commonDoorWithoutExpiry: 'all issued in the span' },
      });
      expect(await jwksKids()).toContain(oldKid);
      expect(await me(oldToken)).toBe(200);
      expect((await auditOf('--limit', '1'))[0]).toMatchObject({ action: 'key.rotated' });

      const retired = await cli(['keys', 'retire', oldKid, '--yes'], env);
      expect(retired.status, retired.stderr).toBe(0);
      expect(retired.stdout).toContain(`retired live key ${oldKid}`);
      expect(await jwksKids()).not.toContain(oldKid);
      expect(
        (JSON.parse((await cli(['keys', 'list', '--json'], env)).stdout) as Array<{ kid: string }>).map((k) => k.kid),
      ).not.toContain(oldKid);
      // The running server drops the key within a second: its token is refused, however it is presented.
      expect(await eventually(async () => (await me(oldToken)) === 401)).toBe(true);
      expect(await verify(oldToken)).toBe(401);
      expect(await me(await commonToken(id, secret))).toBe(200);
      expect((await auditOf('--limit', '1'))[0]).toMatchObject({
        action: 'key.retired',
        actor: operator,
        clientId: null,
        detail: { kid: oldKid, mode: 'live', alg: 'ES256' },
      });
      const unknown = await cli(['keys', 'retire', oldKid, '--yes'], env);
      expect([unknown.status, unknown.stderr]).toEqual([1, 'tollgate: No such signing key\n']);
    },
    SLOW,
  );

  it(
    'backs up into folders that do not exist yet, as one file; or names what is in the way',
    async () => {
      const dir = join(tempDir(), 'backups', '2026', 'jan');
      const file = join(dir, 'tollgate.db');
      expect(await json('backup', file)).toMatchObject({ file, integrity: 'ok' });
      expect(readdirSync(dir)).toEqual(['tollgate.db']);

      const root = tempDir();
      writeFileSync(join(root, 'backups'), '');
      const blocked = await cli(['backup', join(root, 'backups', 'jan', 'tollgate.db')], env);
      expect(blocked.status).toBe(1);
      expect(blocked.stderr).toBe(
        `tollgate: cannot create the folder ${join(root, 'backups', 'jan')} for the backup: ${join(root, 'backups')} is a file, not a folder\n`,
      );
      expect(readdirSync(root)).toEqual(['backups']);
    },
    SLOW,
  );
});

describe('tollgate output into a closed pipe', () => {
  it('ends quietly when the reader goes away: no EPIPE stack, exit 0', async () => {
    const db = join(tempDir(), 'tollgate.db');
    // Far more output than a pipe buffers (64 KiB), so the writes meet the closed pipe.
    const store = openSqliteStore(db);
    for (let i = 0; i < 800; i++) {
      const id = `cl_live_pipe${String(i).padStart(18, '0')}`;
      await store.clients.insert(
        {
          id,
          name: `client ${i}`,
          mode: 'live',
          scopes: ['read', 'write'],
          orgId: null,
          allowedIps: [],
          enabled: true,
          secretGeneration: 1,
          secretHash: 'x',
          previousSecretHash: null,
          graceUntil: null,
          createdAt: 0,
          updatedAt: 0,
          lastUsedAt: null,
          tokensPerMinute: null,
          burst: null,
        },
        () => [],
      );
    }
    await store.close();
    for (const command of ['clients list --json | head -c 10', 'clients list | head -1']) {
      // pipefail: the status is tollgate's own, not head's.
      const r = await run(
        'bash',
        ['--norc', '--noprofile', '-c', `set -o pipefail; "${process.execPath}" bin/tollgate.js ${command}`],
        {
          cwd: ROOT,
          env: { PATH: process.env.PATH ?? '', DATABASE_PATH: db },
        },
      );
      expect(r.stderr, command).toBe('');
      expect(r.status, command).toBe(0);
      expect(r.stdout.length).toBeGreaterThan(0);
    }
  }, 60_000);
});
