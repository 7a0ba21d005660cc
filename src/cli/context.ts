/**
 * What every command group shares: printing to stdout, the operator for the audit trail, and
 * services opened for one command. The formats of what is printed live in output.ts.
 */
import { userInfo } from 'node:os';
import { loadConfig, type Config } from '../config.js';
import { noSuchClient } from '../domain/access.js';
import type { Actor } from '../domain/audit.js';
import { DomainError, isDomainError } from '../domain/errors.js';
import { openServices, type Services } from '../services.js';

/**
 * Whether stdout's reader has gone (`tollgate clients list --json | head -1`). Then the rest of
 * the output is dropped and the command ends as it would have, quietly: a closed pipe is the
 * reader's choice, not a failure of the command.
 */
let stdoutClosed = false;

export const print = (text: string): void => {
  if (!stdoutClosed) process.stdout.write(text + '\n');
};
export const printJson = (value: unknown): void => print(JSON.stringify(value, null, 2));

/** An option's argParser for a repeatable option: each use adds one value. */
export const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** A value typed by the operator, as a message shows it: as it is, or quoted when it holds anything unprintable. */
const shown = (value: string): string => (/^[\x21-\x7E]+$/.test(value) ? value : JSON.stringify(value));

/**
 * Each entry of a list option checked by the domain's own rule before anything changes; a bad
 * one is named with its flag and the domain's reason: `--allow-ip 10.0.0.0/33: the prefix length
 * must be 0–32`. (The HTTP doors never echo a value back; here the operator typed it.)
 */
export function checkEntries(
  flag: string,
  entries: readonly string[],
  problem: (entry: string) => string | undefined,
): void {
  for (const entry of entries) {
    const reason = problem(entry);
    if (reason !== undefined)
      throw new DomainError('invalid_request', `${flag} ${shown(entry)}: ${reason}`, { field: flag });
  }
}

/** Runs a command on the client named `id`; "No such client" then repeats the id asked for. */
export async function namingClient<T>(id: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    if (isDomainError(e) && e.code === 'not_found' && e.message === noSuchClient().message)
      throw new DomainError('not_found', `${e.message}: ${shown(id)}`, e.details);
    throw e;
  }
}

/** A closed stdout (or stderr) pipe ends the output quietly instead of crashing with EPIPE. */
export function quietOnClosedPipes(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code !== 'EPIPE' && e.code !== 'ERR_STREAM_DESTROYED') throw e;
      if (stream === process.stdout) stdoutClosed = true;
    });
  }
}

/** The operator, for the audit trail: the login name running the command. */
export function operator(): Actor {
  let id: string;
  try {
    id = userInfo().username;
  } catch {
    // No passwd entry for the uid (some containers): fall back to the environment, then the uid.
    id = process.env.USER ?? process.env.LOGNAME ?? `uid-${process.getuid?.() ?? 'unknown'}`;
  }
  return { kind: 'cli', id };
}

/** Runs a command on freshly opened services and closes them, whatever happens. */
export async function withServices<T>(fn: (s: Services, config: Config) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const services = await openServices(config);
  try {
    return await fn(services, config);
  } finally {
    await services.close();
  }
}
