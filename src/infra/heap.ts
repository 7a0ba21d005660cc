/**
 * The V8 flags Tollgate's server processes run with. V8 sizes the young generation from the heap
 * limit, so on a large machine Node 24 lets each semi-space grow to 64 MiB: 128 MiB of resident
 * memory for objects that live one request. Capped at 8 MiB the server answers as fast (the same
 * req/s and CPU per request in alternating runs against 16 and 64 MiB; bench/README.md) and holds
 * about 115 MiB less than uncapped.
 * `npm start` passes them; node:cluster workers are forked with them (`workerExecArgv`).
 */
export const SERVER_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=8'];

const flagName = (flag: string): string => flag.replace(/^--/, '').split('=')[0]!.replaceAll('_', '-');

/**
 * The arguments a worker is forked with: the primary's own, plus each of SERVER_NODE_FLAGS the
 * operator did not set (on the command line or in NODE_OPTIONS): a size chosen on purpose wins.
 */
export function workerExecArgv(execArgv: readonly string[], nodeOptions = ''): string[] {
  const chosen = new Set([...execArgv, ...nodeOptions.split(/\s+/)].filter((a) => a.startsWith('--')).map(flagName));
  return [...execArgv, ...SERVER_NODE_FLAGS.filter((f) => !chosen.has(flagName(f)))];
}
