import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../..');
const SERVER = join(ROOT, 'dist/src/server.js');
const CLI = join(ROOT, 'bin/tollgate.js');

export interface RunningServer {
  url: string;
  proc: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export function ensureBuilt(): void {
  if (!existsSync(SERVER)) throw new Error('dist/ is missing: run `npm run build` (npm test does it first)');
}

const madeHere: string[] = [];

/** A fresh folder, removed after the test file by `removeTempDirs` (test/support/cleanup.ts). */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-e2e-'));
  madeHere.push(dir);
  return dir;
}

/** Removes every folder `tempDir` made in this test file; one that will not go is left, never failing the file. */
export function removeTempDirs(): void {
  for (const dir of madeHere.splice(0)) {
    try {
      rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
    } catch {
      // A process the file started may still hold it; the OS's temp cleaning will take it.
    }
  }
}

/** Starts the compiled server on a free port and waits for it to listen (under `ulimit -n fileLimit` when given). */
export async function startServer(
  env: Record<string, string>,
  opts: { fileLimit?: number } = {},
): Promise<RunningServer> {
  ensureBuilt();
  const [cmd, args] =
    opts.fileLimit === undefined
      ? [process.execPath, [SERVER]]
      : ['bash', ['-c', `ulimit -n ${opts.fileLimit} && exec "$0" "$1"`, process.execPath, SERVER]];
  const proc = spawn(cmd, args, {
    env: { PATH: process.env.PATH ?? '', PORT: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const url = await new Promise<string>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`server did not start:\n${out}\n${err}`)), 20_000);
    const check = () => {
      const m = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        ok(m[1]!);
      }
    };
    proc.stdout!.on('data', check);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`server exited with ${code}:\n${out}\n${err}`));
    });
  });
  return {
    url,
    proc,
    stdout: () => out,
    stderr: () => err,
    stop: (signal = 'SIGTERM') =>
      new Promise((ok) => {
        if (proc.exitCode !== null) return ok(proc.exitCode);
        proc.once('exit', (code) => ok(code));
        proc.kill(signal);
      }),
  };
}

export interface Ran {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs a command to its end without blocking this process: vitest's worker answers its runner
 * over the event loop, and a run of synchronous spawns starves it ("Timeout calling onTaskUpdate").
 */
export function run(
  cmd: string,
  args: string[],
  opts: { env: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number; input?: string },
): Promise<Ran> {
  return new Promise((ok, fail) => {
    const proc = spawn(cmd, args, {
      env: opts.env,
      cwd: opts.cwd,
      stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      timeout: opts.timeoutMs ?? 30_000,
    });
    if (opts.input !== undefined) proc.stdin!.end(opts.input);
    let stdout = '';
    let stderr = '';
    proc.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    proc.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    proc.once('error', fail);
    proc.once('close', (status) => ok({ status, stdout, stderr }));
  });
}

/** Runs `tollgate …` as a user would, through the bin script; `input` is written to its stdin. */
export function cli(args: string[], env: Record<string, string>, input?: string): Promise<Ran> {
  return run(process.execPath, [CLI, ...args], {
    env: { PATH: process.env.PATH ?? '', ...env },
    ...(input !== undefined ? { input } : {}),
  });
}

export interface HttpAnswer {
  status: number;
  headers: import('node:http').IncomingHttpHeaders;
  body: string;
}

/**
 * One HTTP request from a chosen local address (anything in 127.0.0.0/8 works on loopback), so
 * tests can present many real, distinct source addresses to the server.
 */
export async function request(
  url: string,
  opts: { method?: string; headers?: Record<string, string>; body?: string; localAddress?: string } = {},
): Promise<HttpAnswer> {
  const { request: send } = await import('node:http');
  return new Promise((ok, fail) => {
    const req = send(
      url,
      { method: opts.method ?? 'POST', headers: opts.headers, localAddress: opts.localAddress, agent: false },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => ok({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', fail);
    req.end(opts.body);
  });
}

/**
 * The database an end-to-end server and its CLI run on: a SQLite file in a new temp folder, or
 * (TEST_STORE=pg, the vitest project "pg") a fresh PostgreSQL database and the master key it needs.
 */
export async function storeEnv(): Promise<Record<string, string>> {
  const { freshDatabase, testStore, TEST_MASTER_KEY } = await import('./pg.js');
  if (testStore() === 'pg') return { DATABASE_URL: await freshDatabase(), TOLLGATE_MASTER_KEY: TEST_MASTER_KEY };
  return { DATABASE_PATH: join(tempDir(), 'tollgate.db') };
}
