import { join } from 'node:path';
import { expect } from 'vitest';
import { cli, startServer, tempDir, type RunningServer } from './process.js';

/**
 * Helpers for the tests that drive @tollgate/client and the examples against the real server:
 * the server must know its own address (discovery and token `iss` name it), so it gets a port
 * chosen before it starts and `ISSUER` set to match.
 */

import { freePort } from './pg-cluster.js';

export { freePort };

export interface IssuerServer {
  server: RunningServer;
  /** `http://127.0.0.1:<port>`: the live issuer; test mode's is `${url}/test`. */
  url: string;
  env: Record<string, string>;
  stop(): Promise<unknown>;
}

/** The real server on a fresh database, with `ISSUER` equal to the address it listens on. */
export async function startIssuer(extraEnv: Record<string, string> = {}): Promise<IssuerServer> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const env = { DATABASE_PATH: join(tempDir(), 'tollgate.db'), ISSUER: url, ...extraEnv };
  const server = await startServer({ ...env, PORT: String(port) });
  expect(server.url).toBe(url);
  return { server, url, env, stop: () => server.stop() };
}

export interface MadeClient {
  id: string;
  secret: string;
}

/** `tollgate clients create … --json`, as an operator would. */
export async function createClient(env: Record<string, string>, ...args: string[]): Promise<MadeClient> {
  const r = await cli(['clients', 'create', '--name', 'sdk', ...args, '--json'], env);
  expect(r.status, r.stderr).toBe(0);
  const made = JSON.parse(r.stdout) as { clientId: string; clientSecret: string };
  return { id: made.clientId, secret: made.clientSecret };
}

/** Runs a `tollgate` command that must succeed; returns its parsed `--json` output when asked. */
export async function tollgate(env: Record<string, string>, ...args: string[]): Promise<unknown> {
  const r = await cli(args, env);
  expect(r.status, r.stderr).toBe(0);
  return args.includes('--json') ? JSON.parse(r.stdout) : r.stdout;
}

/** The global fetch, with every request's method and path recorded. */
export function countingFetch(): { fetch: typeof globalThis.fetch; calls: string[] } {
  const calls: string[] = [];
  const wrapped = (input: Parameters<typeof globalThis.fetch>[0], init?: RequestInit) => {
    const url = input instanceof Request ? input.url : String(input);
    calls.push(`${init?.method ?? (input instanceof Request ? input.method : 'GET')} ${new URL(url).pathname}`);
    return globalThis.fetch(input, init);
  };
  return { fetch: wrapped as typeof globalThis.fetch, calls };
}

/** One sample of a Prometheus counter from `/metrics`, 0 when absent. */
export async function counter(url: string, name: string, labels: Record<string, string>): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const want = Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .sort();
  for (const line of text.split('\n')) {
    const m = /^(\w+)\{([^}]*)\} (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = m[2]!.split(',').sort();
    if (want.every((w) => have.includes(w))) return Number(m[3]);
  }
  return 0;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
