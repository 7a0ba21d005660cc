// npm run bench:profile: a CPU profile of one Tollgate process per door, under the bench's load
// (wrk, 32 connections), summarised by where the time goes. One server per door, started with
// --cpu-prof and stopped after PROFILE_SECONDS (default 6), so each profile holds one door only.
//   PROFILE_ONLY=v1,/auth/verify npm run bench:profile
// Profiles land in bench/results/profiles/<door>.cpuprofile (open them in Chrome DevTools) and the
// summary in bench/results/profiles/summary.md.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadRunner, tokenFrom, tollgateDoors } from './lib/load.mjs';
import { ROOT, start, stop, TOLLGATE, waitFor } from './lib/procs.mjs';
import { BENCH_API, createClient, seedApi } from './lib/seed.mjs';

const SECONDS = Number(process.env.PROFILE_SECONDS ?? 6);
/** Load before the profile counts: the JIT settles in about 10 s (bench/run.mjs). */
const WARMUP = Number(process.env.PROFILE_WARMUP_SECONDS ?? 10);
const ONLY = process.env.PROFILE_ONLY?.split(',');
const OUT = join(process.env.BENCH_RESULTS ?? join(ROOT, 'bench/results'), 'profiles');
mkdirSync(OUT, { recursive: true });
if (spawnSync('wrk', ['--version']).error) {
  throw new Error('bench:profile drives the load with wrk (Debian: apt-get install wrk)');
}

const dir = mkdtempSync(join(tmpdir(), 'tollgate-profile-'));
const PORT = 4490;
const env = {
  PATH: process.env.PATH,
  NODE_ENV: 'production',
  LOG_LEVEL: 'warn',
  WORKERS: '1',
  DATABASE_PATH: join(dir, 'tollgate.db'),
  TOLLGATE_MASTER_KEY: 'bench-master-key-0123456789abcdefghijklmnop',
  ISSUER: `http://127.0.0.1:${PORT}`,
};
// One client, made as an operator would: `tollgate clients create` (bench/lib/seed.mjs).
const client = createClient(env, { name: 'profile', scopes: ['read', 'write'] });
// The API the named-API doors ask for, and the client's grant to it (`tollgate apis create`, `grants set`).
seedApi(env, client);
const { run } = loadRunner({ dir, seconds: SECONDS });
// The bench's doors but the one that needs a second server.
const doors = (token) => tollgateDoors(client, token, BENCH_API.identifier).filter((d) => !d.server);

/** Where a function's own time goes, by what it is (the buckets of the notes in bench/README.md). */
function bucket(frame) {
  const { functionName: fn, url } = frame;
  const has = (...parts) => parts.some((p) => url.includes(p));
  const crypto = url === '' || has('crypto');
  if (fn === '(garbage collector)') return 'garbage collection';
  if (fn === '(idle)' || fn === '(program)') return fn.slice(1, -1);
  if (/^(signOneShot|sign)$/.test(fn) && crypto) return 'ES256 signature (node:crypto)';
  if (/^(verifyOneShot|verify)$/.test(fn) && crypto) return 'ES256 verification (node:crypto)';
  if (/^(Hash|digest|update|oneShotDigest|randomFillSync|timingSafeEqual)$/.test(fn) && crypto) {
    return 'hashing and randomness (node:crypto)';
  }
  // better-sqlite3's native calls are sampled as the JS function that makes them.
  const sqliteRead =
    has('/dist/src/infra/db/sqlite/') && /^(findForCheck|bearerState|flushRefresh|readNow|findById)$/.test(fn);
  if (sqliteRead || has('better-sqlite3', '/dist/src/infra/db/sqlite/tokens')) {
    return 'SQLite';
  }
  if (/^(writev|writeBuffer|writeUtf8String|writeLatin1String|writeGeneric)$/.test(fn) || has('stream_base_commons')) {
    return 'socket writes';
  }
  if (fn === 'onStreamRead' || has('_http_server', '_http_outgoing', '_http_common')) return 'node:http';
  if (has('/fastify/', '/find-my-way/', '/avvio/', '/light-my-request/', 'fast-json-stringify')) return 'Fastify';
  if (has('/graphql/', 'graphql-yoga', '@envelop', '@whatwg-node', '@pothos', 'graphql-armor', '@graphql-tools')) {
    return 'GraphQL (graphql-js, yoga, envelop, Pothos)';
  }
  if (has('/prom-client/')) return 'metrics (prom-client)';
  if (has('/dist/src/')) return 'Tollgate';
  if (has('node_modules')) return 'other libraries';
  if (url.startsWith('node:')) return 'other node internals';
  return url === '' ? 'other native' : 'other';
}

/**
 * Busy time (idle excluded) by bucket and the top self-time functions, from a .cpuprofile, counting
 * only samples taken `fromUs` or later after the profile began (start-up and warm-up left out).
 */
function summarise(profile, fromUs) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  let t = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i];
    if (t < fromUs) continue;
    const dt = profile.timeDeltas[i + 1] ?? 0;
    self.set(profile.samples[i], (self.get(profile.samples[i]) ?? 0) + dt);
  }
  const buckets = new Map();
  const fns = new Map();
  let busy = 0;
  for (const [nodeId, t] of self) {
    const frame = byId.get(nodeId).callFrame;
    if (frame.functionName === '(idle)') continue;
    busy += t;
    const b = bucket(frame);
    buckets.set(b, (buckets.get(b) ?? 0) + t);
    const where = frame.url.replace(/^.*\/(node_modules|dist)\//, '$1/');
    const name = `${frame.functionName || '(anonymous)'} ${where}:${frame.lineNumber + 1}`;
    fns.set(name, (fns.get(name) ?? 0) + t);
  }
  const share = (t) => `${((t / busy) * 100).toFixed(1)}%`;
  return {
    busyMs: busy / 1000,
    buckets: [...buckets].sort((a, b) => b[1] - a[1]).map(([k, t]) => [k, share(t)]),
    top: [...fns]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 15)
      .map(([k, t]) => [k, share(t)]),
  };
}

const lines = [
  `# CPU profiles, ${new Date().toISOString()}`,
  '',
  `One Tollgate process (WORKERS=1) per door, Node ${process.version}, wrk at 32 connections for ${SECONDS} s ` +
    `after a ${WARMUP} s warm-up (start-up and warm-up are not counted). Shares are of busy time (idle excluded), ` +
    "by the function that was running (self time); better-sqlite3's native calls count as the JS function that " +
    'makes them.',
  '',
];
for (const door of doors('')) {
  if (ONLY && !ONLY.includes(door.name)) continue;
  const profDir = mkdtempSync(join(dir, 'prof-'));
  const spawnedAt = performance.now();
  const args = ['--cpu-prof', '--cpu-prof-dir', profDir, ...TOLLGATE];
  const server = start(`tollgate (${door.name})`, args, env, PORT, undefined, { stderr: 'inherit' });
  await waitFor(`${server.url}/`);
  const d = doors(await tokenFrom(server.url, client)).find((x) => x.name === door.name);
  run(`${server.url}${d.path}`, d, undefined, WARMUP); // warm-up: JIT, caches
  // The profile begins a little after the spawn, so this cuts at most that little of the load.
  const loadFromUs = (performance.now() - spawnedAt) * 1000;
  const rps = run(`${server.url}${d.path}`, d).rps.toFixed(2);
  await stop(server);
  const file = readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'));
  const raw = readFileSync(join(profDir, file), 'utf8');
  const safe = door.name.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '');
  writeFileSync(join(OUT, `${safe}.cpuprofile`), raw);
  const s = summarise(JSON.parse(raw), loadFromUs);
  lines.push(
    `## ${door.name} (${rps} req/s under the profiler)`,
    '',
    `By kind: ${s.buckets.map(([k, v]) => `${k} ${v}`).join(', ')}.`,
    '',
    'Top functions by self time:',
    '',
    ...s.top.map(([k, v]) => `- ${v} ${k}`),
    '',
  );
  console.log(
    `${door.name}: ${s.buckets
      .slice(0, 8)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
  );
}
writeFileSync(join(OUT, 'summary.md'), lines.join('\n'));
rmSync(dir, { recursive: true, force: true });
console.log(`\n${lines.join('\n')}`);
