// The bench's processes: starting and stopping the servers (Tollgate, the peer, the floors), pinning
// them to a core, and what /proc says about them (CPU time, resident memory, the machine's steal).
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../..');
export const CORES = cpus().length;
export const LAST_CORE = String(CORES - 1);
/** Pinning with taskset, unless BENCH_PIN=0, on one core, or where taskset cannot run. */
export const PIN = process.env.BENCH_PIN !== '0' && CORES > 1 && spawnSync('taskset', ['-c', '0', 'true']).status === 0;
export const pinned = (cmd, args, core) => (PIN && core ? ['taskset', ['-c', core, cmd, ...args]] : [cmd, args]);

/**
 * Tollgate's server as `npm start` runs it: the node flags of package.json's start script
 * (`node --max-semi-space-size=8 dist/src/server.js`), so the bench measures what production runs.
 */
function tollgateArgs() {
  const start = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts.start;
  const m = /\bnode((?:\s+--\S+)*)\s+(dist\/src\/server\.js)\b/.exec(start);
  if (!m) throw new Error(`package.json's start script does not run dist/src/server.js with node: ${start}`);
  return [...m[1].trim().split(/\s+/).filter(Boolean), join(ROOT, m[2])];
}
export const TOLLGATE = tollgateArgs();

const children = new Set();
process.on('exit', () => {
  for (const c of children) c.kill('SIGKILL');
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(130));

/**
 * A node process listening on `port` (env PORT), pinned to `core` when given; stderr is kept and
 * printed if it exits with an error. `stderr: 'inherit'` passes it through instead.
 */
export function start(label, args, env, port, core, { stderr = 'pipe' } = {}) {
  const [cmd, argv] = pinned(process.execPath, args, core);
  const proc = spawn(cmd, argv, { env: { ...env, PORT: String(port) }, stdio: ['ignore', 'ignore', stderr] });
  children.add(proc);
  let err = '';
  proc.stderr?.on('data', (d) => (err += d));
  proc.on('exit', (code) => children.delete(proc) && code && console.error(`${label} exited ${code}: ${err}`));
  return { proc, url: `http://127.0.0.1:${port}`, label };
}

export const stop = (s) =>
  new Promise((ok) => {
    if (s.proc.exitCode !== null) return ok();
    s.proc.once('exit', ok);
    s.proc.kill('SIGTERM');
  });

export async function waitFor(url) {
  for (let i = 0; i < 150; i++) {
    try {
      await fetch(url);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`nothing listening at ${url}`);
}

const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout) || 100;

/** A process and its descendants (cluster workers): parent links from /proc. */
export function processTree(root) {
  const parent = new Map();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      parent.set(Number(d), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone meanwhile
    }
  }
  const tree = [root];
  for (let i = 0; i < tree.length; i++) for (const [pid, ppid] of parent) if (ppid === tree[i]) tree.push(pid);
  return tree;
}

/** CPU seconds (user + system, all threads) of a process tree; steal is not counted in them. */
export function cpuSeconds(pids) {
  let total = 0;
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      total += (Number(f[11]) + Number(f[12])) / CLK_TCK;
    } catch {
      // gone meanwhile
    }
  }
  return total;
}

/** A /proc/<pid>/status field (VmRSS, RssAnon, RssFile) in bytes, summed over the processes. */
export const rssBytes = (pids, field = 'VmRSS') =>
  pids.reduce((sum, pid) => {
    try {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      return sum + Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0) * 1024;
    } catch {
      return sum;
    }
  }, 0);

/** Jiffies of all CPUs from /proc/stat: [total, steal]. */
export function cpuTimes() {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  return [f.reduce((a, b) => a + b, 0), f[7] ?? 0];
}
