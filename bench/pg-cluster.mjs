// A throw-away PostgreSQL cluster for the bench, as test/support/pg-cluster.ts makes for the
// tests: initdb into a temp folder (as `postgres` when root), a free port, removed by destroy().
// Unlike the tests' cluster it keeps fsync on: the bench measures what production would do.
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function binDir() {
  const c = spawnSync('pg_config', ['--bindir'], { encoding: 'utf8' });
  if (c.status === 0 && existsSync(join(c.stdout.trim(), 'initdb'))) return c.stdout.trim();
  const root = '/usr/lib/postgresql';
  const v = existsSync(root)
    ? readdirSync(root)
        .filter((d) => existsSync(join(root, d, 'bin/initdb')))
        .sort((a, b) => b - a)
    : [];
  if (!v.length)
    throw new Error('PostgreSQL is not installed (Debian: apt-get install postgresql); the bench compares both stores');
  return join(root, v[0], 'bin');
}

const freePort = () =>
  new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });

/** `pin`: a taskset CPU list for the server and every backend it forks (they inherit it). */
export async function startCluster({ pin } = {}) {
  const bin = binDir();
  const root = process.getuid?.() === 0;
  const run = (cmd, args) => {
    const argv = [...(pin ? ['taskset', '-c', pin] : []), cmd, ...args];
    const [c, a] = root ? ['runuser', ['-u', 'postgres', '--', ...argv]] : [argv[0], argv.slice(1)];
    execFileSync(c, a, { stdio: ['ignore', 'pipe', 'pipe'], cwd: '/' });
  };
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-bench-pg-'));
  if (root)
    chownSync(
      dir,
      Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' })),
      Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' })),
    );
  const data = join(dir, 'data');
  run(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-instructions']);
  const port = await freePort();
  const opts = `-c listen_addresses=127.0.0.1 -c port=${port} -c unix_socket_directories=${dir} -c shared_buffers=128MB -c max_connections=100`;
  run(join(bin, 'pg_ctl'), ['start', '-w', '-D', data, '-l', join(dir, 'server.log'), '-o', opts]);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    destroy() {
      try {
        run(join(bin, 'pg_ctl'), ['stop', '-w', '-m', 'fast', '-D', data]);
      } catch {
        // Already stopped.
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
