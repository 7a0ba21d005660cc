import { spawn } from 'node:child_process';
import { chmodSync, chownSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli, ROOT, tempDir, type Ran } from '../support/process.js';
import { freePort } from '../support/sdk.js';

/** Issue 29, trap 5: the CLI's and the server's messages name what to change, through the real processes. */

const SLOW = 120_000;
const fresh = (): Record<string, string> => ({ DATABASE_PATH: join(tempDir(), 'tollgate.db') });
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

describe('tollgate --version', () => {
  it('prints the package version', async () => {
    for (const flag of ['--version', '-V']) {
      const r = await cli([flag], fresh());
      expect([r.status, r.stdout, r.stderr]).toEqual([0, `${VERSION}\n`, '']);
    }
  }, 60_000);
});

describe('a bad list entry names the entry and the flag, in the domain’s words', () => {
  it(
    '--allow-ip and --scope on create and update; nothing is created or changed',
    async () => {
      const env = fresh();
      const bad = await cli(
        ['clients', 'create', '--name', 'x', '--allow-ip', '10.0.0.0/8', '--allow-ip', '10.0.0.0/33'],
        env,
      );
      expect([bad.status, bad.stderr]).toEqual([
        1,
        'tollgate: --allow-ip 10.0.0.0/33: the prefix length must be 0–32\n',
      ]);
      const v6 = await cli(['clients', 'create', '--name', 'x', '--allow-ip', '2001:db8::/129'], env);
      expect(v6.stderr).toBe('tollgate: --allow-ip 2001:db8::/129: the prefix length must be 0–128\n');
      const json = await cli(['clients', 'create', '--name', 'x', '--allow-ip', 'example.com', '--json'], env);
      expect([json.status, JSON.parse(json.stderr)]).toEqual([
        1,
        {
          error: 'invalid_request',
          message:
            '--allow-ip example.com: not an IPv4 or IPv6 address or CIDR (for example 10.0.0.0/8 or 2001:db8::/32)',
        },
      ]);
      const scope = await cli(['clients', 'create', '--name', 'x', '--scope', 'read wr"ite'], env);
      expect([scope.status, scope.stderr]).toEqual([
        1,
        'tollgate: --scope wr"ite: a scope is printable ASCII without spaces, " or \\\n',
      ]);
      const long = await cli(['clients', 'create', '--name', 'x', '--scope', 'a'.repeat(201)], env);
      expect(long.stderr).toBe(`tollgate: --scope ${'a'.repeat(201)}: a scope is at most 200 characters\n`);
      expect((await cli(['clients', 'list', '--json'], env)).stdout).toBe('[]\n');

      const made = JSON.parse((await cli(['clients', 'create', '--name', 'x', '--json'], env)).stdout);
      const update = await cli(['clients', 'update', made.clientId, '--allow-ip', '300.0.0.1'], env);
      expect([update.status, update.stderr]).toEqual([
        1,
        'tollgate: --allow-ip 300.0.0.1: not an IPv4 or IPv6 address or CIDR (for example 10.0.0.0/8 or 2001:db8::/32)\n',
      ]);
      const badScope = await cli(['clients', 'update', made.clientId, '--scope', 'ok bad\\scope'], env);
      expect(badScope.stderr).toBe(
        'tollgate: --scope bad\\scope: a scope is printable ASCII without spaces, " or \\\n',
      );
      const after = JSON.parse((await cli(['clients', 'show', made.clientId, '--json'], env)).stdout);
      expect([after.allowedIps, after.scopes]).toEqual([[], []]);
    },
    SLOW,
  );
});

describe('"No such client" repeats the id', () => {
  it(
    'in show, rotate-secret, update, disable, enable, delete and grants, as text and JSON',
    async () => {
      const env = fresh();
      const id = 'cl_live_doesnotexist0000';
      for (const args of [
        ['clients', 'show', id],
        ['clients', 'rotate-secret', id],
        ['clients', 'update', id, '--name', 'n'],
        ['clients', 'disable', id],
        ['clients', 'enable', id],
        ['clients', 'delete', id],
        ['grants', 'list', id],
      ]) {
        const r = await cli(args, env);
        expect([r.status, r.stderr], args.join(' ')).toEqual([1, `tollgate: No such client: ${id}\n`]);
      }
      const json = await cli(['clients', 'show', id, '--json'], env);
      expect(JSON.parse(json.stderr)).toEqual({ error: 'not_found', message: `No such client: ${id}` });
    },
    SLOW,
  );
});

/** Runs the server or the CLI to its end, as another user when this one is root (who may do anything). */
function runAs(args: string[], env: Record<string, string>, unprivileged: boolean): Promise<Ran> {
  const asNobody = unprivileged && process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
  return new Promise((ok, fail) => {
    const proc = spawn(process.execPath, args, {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 30_000,
      ...asNobody,
    });
    let stdout = '';
    let stderr = '';
    proc.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    proc.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    proc.once('error', fail);
    proc.once('close', (status) => ok({ status, stdout, stderr }));
  });
}

const SERVER = join('dist', 'src', 'server.js');
const BIN = join('bin', 'tollgate.js');

/** A folder the (unprivileged) server may write. */
function writableDir(): string {
  const dir = tempDir();
  if (process.getuid?.() === 0) chownSync(dir, 65534, 65534);
  return dir;
}

describe('start-up failures say which setting to change: a short line, exit 1, no stack', () => {
  const held: Server[] = [];
  afterAll(async () => {
    await Promise.all(held.map((s) => new Promise((ok) => s.close(ok))));
  });

  it(
    'EADDRINUSE names HOST:PORT and PORT, from the server and from `tollgate serve`',
    async () => {
      const port = await freePort();
      const taken = createServer();
      held.push(taken);
      await new Promise<void>((ok) => taken.listen(port, '127.0.0.1', ok));
      const line =
        `tollgate: failed to start: 127.0.0.1:${port} is already in use (another Tollgate, or another program, ` +
        'listens there): stop it, or set PORT to a free port\n';
      for (const args of [[SERVER], [BIN, 'serve']]) {
        const r = await runAs(args, { ...fresh(), PORT: String(port) }, false);
        expect([r.status, r.stderr], args.join(' ')).toEqual([1, line]);
      }
    },
    SLOW,
  );

  it(
    'EACCES on a privileged port names PORT',
    async () => {
      const env = { DATABASE_PATH: join(writableDir(), 'tollgate.db'), PORT: '80' };
      const r = await runAs([SERVER], env, true);
      expect([r.status, r.stderr]).toEqual([
        1,
        'tollgate: failed to start: may not listen on 127.0.0.1:80: ports below 1024 need privileges; set PORT to 1024 ' +
          'or above (the default is 3000), or put a proxy in front\n',
      ]);
    },
    SLOW,
  );

  it(
    'EACCES on the database file or folder names DATABASE_PATH',
    async () => {
      const locked = writableDir();
      chmodSync(locked, 0o555);
      for (const path of [join(locked, 'tollgate.db'), join(locked, 'sub', 'tollgate.db')]) {
        for (const args of [[SERVER], [BIN, 'serve'], [BIN, 'clients', 'list']]) {
          const r = await runAs(args, { DATABASE_PATH: path, PORT: '0' }, true);
          expect(r.status, `${args.join(' ')} ${path}`).toBe(1);
          expect(r.stderr).toMatch(
            new RegExp(
              `^tollgate: (failed to start: )?the database \\S+ \\(or its folder\\) is not writable by this user: ` +
                `set DATABASE_PATH to a file in a folder this user may write \\(now ${path.replace(/[/.]/g, '\\$&')}\\), ` +
                'or give this user write access there\\n$',
            ),
          );
        }
      }
    },
    SLOW,
  );
});
