// npm run bench: Tollgate measured against what users would pick instead (node-oidc-provider),
// against the floor (the irreducible work of the same request) and against the ceiling (an empty
// Fastify server answering a GET), all in one run, alternating round by round, at equal
// resources: first every server as one process pinned to one core (the load generator on the
// other), then every server at all cores (Tollgate WORKERS=cores, the others under node:cluster).
// Results go to bench/results/ as JSON and Markdown. See bench/README.md.
import { spawn, spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');
const DIST = join(ROOT, 'dist/src');
const AUTOCANNON = join(ROOT, 'node_modules/autocannon/autocannon.js');
/** Seven: the same code measured an hour apart moved by up to ±0.3 against the peer over five. */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 2);
/**
 * Warm-up before anything counts, in rounds of SECONDS: every server at the start of a scale
 * (node-oidc-provider needs about 15 s under load before its JIT settles: its first 2 s answered
 * 0.4× of its steady rate here), then each door again before its rounds.
 */
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 20);
const DOOR_WARMUP_SECONDS = Number(process.env.BENCH_DOOR_WARMUP_SECONDS ?? 6);
const CONNECTIONS = 32;
const CLIENTS = 10_000;
const CORES = cpus().length;
/** Doors to run (names as in the table), plus `stores` and `memory`; all by default. */
const ONLY = process.env.BENCH_ONLY?.split(',');
/** `one`, `all` or both (default): one process each, all cores each. */
const SCALES = (process.env.BENCH_SCALES ?? 'one,all').split(',');
const wanted = (name) => !ONLY || ONLY.includes(name);

const dir = mkdtempSync(join(tmpdir(), 'tollgate-bench-'));
const dbPath = join(dir, 'tollgate.db');
const serverEnv = {
  PATH: process.env.PATH,
  NODE_ENV: 'production',
  LOG_LEVEL: 'warn',
  DATABASE_PATH: dbPath,
  TOLLGATE_MASTER_KEY: 'bench-master-key-0123456789abcdefghijklmnop',
  ISSUER: 'http://127.0.0.1:4400',
};

// ---- seed: 10,000 clients, written through the real code's hashing and ids --------------------
const { loadConfig } = await import(join(DIST, 'config.js'));
const { openServices } = await import(join(DIST, 'services.js'));
const { createClient } = await import(join(DIST, 'usecases/clients/manage.js'));
const { hashGeneratedSecret } = await import(join(DIST, 'domain/secrets.js'));
const { newClientId, newClientSecret } = await import(join(DIST, 'domain/ids.js'));
const { randomBytes } = await import('node:crypto');
// Tollgate runs as `npm start` runs it, with its V8 flags.
const { SERVER_NODE_FLAGS } = await import(join(DIST, 'infra/heap.js'));
const TOLLGATE = [...SERVER_NODE_FLAGS, join(DIST, 'server.js')];

const { openSqliteStore } = await import(join(DIST, 'infra/db/sqlite/store.js'));
const seedStore = openSqliteStore(dbPath);
const services = await openServices(loadConfig({ ...serverEnv, PORT: '4400' }), { store: seedStore });
const sqlite = seedStore.db.$client;
const insert = sqlite.prepare(
  `INSERT INTO clients (id, name, mode, scopes, org_id, allowed_ips, enabled, secret_generation, secret_hash, created_at, updated_at)
   VALUES (?, ?, 'live', 'read write', NULL, '', 1, 1, ?, ?, ?)`,
);
sqlite.transaction(() => {
  const now = Date.now();
  for (let i = 0; i < CLIENTS - 1; i++) {
    insert.run(newClientId('live', randomBytes(16)), `bench ${i}`, hashGeneratedSecret(newClientSecret('live', randomBytes(32))), now, now);
  }
})();
const made = await createClient(services.deps, { name: 'bench', mode: 'live', scopes: ['read', 'write'] });
await services.close();
const client = { id: made.client.id, secret: made.clientSecret };

// ---- processes and measurement -----------------------------------------------------------------
const children = new Set();
const LAST_CORE = String(CORES - 1);
const ALL_CORES = `0-${LAST_CORE}`;
const PIN = process.env.BENCH_PIN !== '0' && CORES > 1 && spawnSync('taskset', ['-c', '0', 'true']).status === 0;
const pinned = (cmd, args, core) => (PIN && core ? ['taskset', ['-c', core, cmd, ...args]] : [cmd, args]);

function start(label, args, env, port, core) {
  const [cmd, argv] = pinned(process.execPath, args, core);
  const proc = spawn(cmd, argv, { env: { ...serverEnv, ...env, PORT: String(port) }, stdio: ['ignore', 'ignore', 'pipe'] });
  children.add(proc);
  let err = '';
  proc.stderr.on('data', (d) => (err += d));
  proc.on('exit', (code) => children.delete(proc) && code && console.error(`${label} exited ${code}: ${err}`));
  return { proc, url: `http://127.0.0.1:${port}`, label };
}
const stop = (s) =>
  new Promise((ok) => {
    if (s.proc.exitCode !== null) return ok();
    s.proc.once('exit', ok);
    s.proc.kill('SIGTERM');
  });
process.on('exit', () => children.forEach((c) => c.kill('SIGKILL')));
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(130));

async function waitFor(url) {
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
function processTree(root) {
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
function cpuSeconds(pids) {
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
const rssBytes = (pids, field = 'VmRSS') =>
  pids.reduce((sum, pid) => {
    try {
      return sum + Number(new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;
    } catch {
      return sum;
    }
  }, 0);

// The load generator: wrk (C, one thread) when installed, as it needs a fraction of the core that
// autocannon needs (at these rates autocannon itself is most of a core, which would cap the empty
// server's ceiling and starve a second worker on 2 cores). Debian: apt-get install wrk.
const WRK = process.env.BENCH_WRK !== '0' && spawnSync('wrk', ['--version']).error === undefined;
let scriptN = 0;

function wrk(url, { method = 'POST', headers = {}, body }, core) {
  const script = join(dir, `wrk-${scriptN++}.lua`);
  const lines = [`wrk.method = ${JSON.stringify(method)}`];
  if (body !== undefined) lines.push(`wrk.body = ${JSON.stringify(body)}`);
  for (const [k, v] of Object.entries(headers)) lines.push(`wrk.headers[${JSON.stringify(k)}] = ${JSON.stringify(v)}`);
  lines.push(
    'done = function(summary, latency, requests)',
    '  local bad = summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout',
    '  io.write(string.format(\'{"rps":%f,"p50":%f,"p99":%f,"total":%d,"bad":%d}\\n\', summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000, summary.requests, bad))',
    'end',
  );
  writeFileSync(script, lines.join('\n'));
  const [cmd, argv] = PIN && core ? ['taskset', ['-c', core, 'wrk']] : ['wrk', []];
  const r = spawnSync(cmd, [...argv, '-t1', `-c${CONNECTIONS}`, `-d${SECONDS}s`, '--latency', '-s', script, url], { encoding: 'utf8' });
  const out = JSON.parse(r.stdout.trim().split('\n').at(-1));
  return { rps: out.rps, p50: out.p50, p99: out.p99, total: out.total, ok: out.total ? (out.total - out.bad) / out.total : 0 };
}

function autocannon(url, { method = 'POST', headers = {}, body }, core) {
  const args = [AUTOCANNON, '-c', String(CONNECTIONS), '-d', String(SECONDS), '-m', method, '--json'];
  for (const [k, v] of Object.entries(headers)) args.push('-H', `${k}=${v}`);
  if (body !== undefined) args.push('-b', body);
  args.push(url);
  const [cmd, argv] = pinned(process.execPath, args, core);
  const out = JSON.parse(spawnSync(cmd, argv, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }).stdout);
  const total = out['1xx'] + out['2xx'] + out['3xx'] + out['4xx'] + out['5xx'];
  return { rps: out.requests.average, p50: out.latency.p50, p99: out.latency.p99, total, ok: total ? out['2xx'] / total : 0 };
}

/**
 * One run against a server, with the CPU time its whole process tree spent per answered request:
 * time the hypervisor steals is not in it, so it compares two servers fairly even when
 * throughput swings with the neighbours' load.
 */
function measure(server, target, core) {
  const pids = processTree(server.proc.pid);
  const before = cpuSeconds(pids);
  const m = (WRK ? wrk : autocannon)(`${server.url}${target.path}`, target, core);
  m.cpuUs = m.total ? ((cpuSeconds(pids) - before) * 1e6) / m.total : null;
  return m;
}

/** Load, not counted, for `seconds`: the server's JIT settles before its rounds. */
function warm(server, target, seconds, core) {
  for (let t = 0; t < seconds; t += SECONDS) measure(server, target, core);
}

/** Jiffies of all CPUs from /proc/stat: [total, steal]. */
function cpuTimes() {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  return [f.reduce((a, b) => a + b, 0), f[7] ?? 0];
}
const median = (xs) => {
  const s = xs.filter((x) => x !== null && Number.isFinite(x)).sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)] : null;
};
const fileBytes = (p) => (existsSync(p) ? statSync(p).size : 0);
const dbBytes = () => fileBytes(dbPath) + fileBytes(`${dbPath}-wal`);

// ---- what is asked of each server ------------------------------------------------------------
const form = (o) => new URLSearchParams(o).toString();
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const JSONH = { 'content-type': 'application/json' };
const v2Body = JSON.stringify({ clientId: client.id, clientSecret: client.secret });
const floorJwk = JSON.stringify(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' }));
const peerJwk = JSON.stringify(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' }));

const TARGETS = {
  v1: { floor: 0.8, peer: 1.8 },
  v2: { floor: 0.8, peer: 1.8 },
  common: { floor: 0.8, peer: 1.8 },
  'graphql issueToken': { peer: 1.3 },
  oauth2: { peer: 1.4 },
  '/auth/verify': { empty: 0.2 },
  introspection: { empty: 0.15 },
};

const issueDoors = (token) => [
  { name: 'v1', kind: 'issue', path: '/v1/auth/token', headers: FORM, body: form({ client_id: client.id, client_secret: client.secret }) },
  { name: 'v2', kind: 'issue', path: '/v2/credentials/oauth/token', headers: JSONH, body: v2Body },
  { name: 'common', kind: 'issue', path: '/api/v1/client/token', headers: JSONH, body: JSON.stringify({ client_id: client.id, client_secret: client.secret }) },
  {
    name: 'graphql issueToken',
    kind: 'issue',
    path: '/graphql',
    headers: JSONH,
    body: JSON.stringify({
      query: 'mutation($i: IssueTokenInput!) { issueToken(input: $i) { __typename ... on TokenGrant { accessToken } } }',
      variables: { i: { clientId: client.id, clientSecret: client.secret } },
    }),
  },
  { name: '/auth/verify', kind: 'verify', path: '/auth/verify', method: 'GET', headers: { authorization: `Bearer ${token}` } },
  // The same door with the verified-signature cache off (VERIFY_CACHE_ENTRIES=0): what the cache buys. One process only.
  { name: '/auth/verify, cache off', kind: 'verify', server: 'noCache', path: '/auth/verify', method: 'GET', headers: { authorization: `Bearer ${token}` } },
  { name: 'introspection', kind: 'verify', path: '/api/v1/oauth2/introspect', headers: FORM, body: form({ client_id: client.id, client_secret: client.secret, token }) },
  // Last: seed 001 makes this door write a refresh-token row per issuance.
  { name: 'oauth2', kind: 'issue', path: '/api/v1/oauth2/token', headers: FORM, body: form({ grant_type: 'client_credentials', client_id: client.id, client_secret: client.secret }) },
];

/** Every server of one scale: one process pinned to the last core, or WORKERS=cores unpinned. */
async function startScale(scale, base) {
  const workers = scale === 'one' ? '1' : String(CORES);
  const core = scale === 'one' ? LAST_CORE : undefined;
  const s = {
    tollgate: start(`tollgate (${scale})`, TOLLGATE, { WORKERS: workers }, base, core),
    peer: start(`oidc-provider (${scale})`, [join(ROOT, 'bench/peer/oidc-provider.mjs')], { WORKERS: workers, PEER_CLIENT_ID: client.id, PEER_CLIENT_SECRET: client.secret, PEER_JWK: peerJwk, NODE_ENV: 'production' }, base + 1, core),
    issueFloor: start(`issue floor (${scale})`, [join(ROOT, 'bench/floor/issue.mjs')], { WORKERS: workers, FLOOR_DB: dbPath, FLOOR_JWK: floorJwk }, base + 2, core),
    verifyFloor: start(`verify floor (${scale})`, [join(ROOT, 'bench/floor/verify.mjs')], { WORKERS: workers, FLOOR_DB: dbPath, FLOOR_JWK: floorJwk }, base + 3, core),
    empty: start(`empty server (${scale})`, [join(ROOT, 'bench/floor/empty.mjs')], { WORKERS: workers }, base + 4, core),
    ...(scale === 'one' && wanted('/auth/verify, cache off')
      ? { noCache: start('tollgate, verify cache off', TOLLGATE, { WORKERS: workers, VERIFY_CACHE_ENTRIES: '0' }, base + 5, core) }
      : {}),
  };
  await Promise.all(Object.values(s).map((x) => waitFor(`${x.url}/`)));
  return s;
}

async function runScale(scale, base) {
  const servers = await startScale(scale, base);
  const loadCore = scale === 'one' ? '0' : undefined;
  const token = (await (await fetch(`${servers.tollgate.url}/v2/credentials/oauth/token`, { method: 'POST', headers: JSONH, body: v2Body })).json()).accessToken;
  const floorToken = (await (await fetch(`${servers.verifyFloor.url}/token?client_id=${client.id}`)).json()).token;
  const refs = {
    peer: { server: servers.peer, path: '/token', headers: FORM, body: form({ grant_type: 'client_credentials', client_id: client.id, client_secret: client.secret, scope: 'read write' }) },
    floor: { server: servers.issueFloor, path: '/token', headers: JSONH, body: JSON.stringify({ client_id: client.id, client_secret: client.secret }) },
    verifyFloor: { server: servers.verifyFloor, path: '/verify', method: 'GET', headers: { authorization: `Bearer ${floorToken}` } },
    empty: { server: servers.empty, path: '/', method: 'GET', headers: {} },
  };
  // Warm-ups, not counted: every process's JIT, the peer's and Tollgate's caches.
  for (const r of Object.values(refs)) warm(r.server, r, WARMUP_SECONDS, loadCore);
  const v2Door = issueDoors(token).find((d) => d.name === 'v2');
  for (const tollgate of [servers.tollgate, servers.noCache].filter(Boolean)) warm(tollgate, v2Door, WARMUP_SECONDS, loadCore);

  const rows = [];
  let issued = 0;
  let dbAccessBefore;
  let dbAccessAfter;
  for (const door of issueDoors(token)) {
    if (!wanted(door.name)) continue;
    const server = servers[door.server ?? 'tollgate'];
    if (!server) continue;
    if (door.name === 'oauth2') dbAccessAfter = dbBytes();
    dbAccessBefore ??= dbBytes();
    warm(server, door, DOOR_WARMUP_SECONDS, loadCore);
    const refNames = door.kind === 'issue' ? ['peer', 'floor'] : ['verifyFloor', 'empty'];
    const runs = { door: [], ...Object.fromEntries(refNames.map((n) => [n, []])) };
    for (let r = 0; r < ROUNDS; r++) {
      for (const n of refNames) runs[n].push(measure(refs[n].server, refs[n], loadCore));
      runs.door.push(measure(server, door, loadCore));
    }
    if (door.kind === 'issue' && door.name !== 'oauth2') issued += runs.door.reduce((s, x) => s + x.total, 0);
    const row = {
      door: door.name,
      rps: median(runs.door.map((x) => x.rps)),
      p50: median(runs.door.map((x) => x.p50)),
      p99: median(runs.door.map((x) => x.p99)),
      cpuUs: median(runs.door.map((x) => x.cpuUs)),
      ok: Math.min(...runs.door.map((x) => x.ok)),
      refs: Object.fromEntries(
        refNames.map((n) => [
          n,
          {
            rps: median(runs[n].map((x) => x.rps)),
            cpuUs: median(runs[n].map((x) => x.cpuUs)),
            p99: median(runs[n].map((x) => x.p99)),
            ok: Math.min(...runs[n].map((x) => x.ok)),
            // The median of the per-round ratios: each round's door against the same round's reference.
            ratio: median(runs.door.map((d, i) => d.rps / runs[n][i].rps)),
            cpuRatio: median(runs.door.map((d, i) => runs[n][i].cpuUs / d.cpuUs)),
          },
        ]),
      ),
      targets: TARGETS[door.name],
      rounds: runs.door.map((d, i) => ({
        door: Math.round(d.rps),
        doorCpuUs: Math.round(d.cpuUs),
        ...Object.fromEntries(refNames.flatMap((n) => [[n, Math.round(runs[n][i].rps)], [`${n}CpuUs`, Math.round(runs[n][i].cpuUs)]])),
      })),
    };
    rows.push(row);
    const refText = refNames.map((n) => `${n} ${Math.round(row.refs[n].rps)} (×${row.refs[n].ratio.toFixed(2)})`).join('  ');
    console.log(`[${scale}] ${row.door.padEnd(20)} ${Math.round(row.rps)} req/s  ${refText}  cpu ${Math.round(row.cpuUs)} µs/req  p50 ${row.p50} ms  p99 ${row.p99} ms  2xx ${(row.ok * 100).toFixed(1)}%`);
  }
  dbAccessAfter ??= dbBytes();

  // Resident memory with every cache full: as many distinct tokens verified as the verified-
  // signature cache holds (10,000 by default), then the server's (or its workers') RSS.
  let memory = null;
  if (scale === 'one' && wanted('memory')) {
    const n = 10_000;
    let next = 0;
    // A connection the server closes under us (idle keep-alive) is retried, a few times.
    const retried = async (f) => {
      for (let attempt = 1; ; attempt++) {
        try {
          return await f();
        } catch (e) {
          if (attempt === 3) throw e;
        }
      }
    };
    const fill = async () => {
      while (next++ < n) {
        const t = await retried(async () => (await (await fetch(`${servers.tollgate.url}/v2/credentials/oauth/token`, { method: 'POST', headers: JSONH, body: v2Body })).json()).accessToken);
        const status = await retried(async () => (await fetch(`${servers.tollgate.url}/auth/verify`, { headers: { authorization: `Bearer ${t}` } })).status);
        if (status !== 200) throw new Error(`filling the cache: /auth/verify answered ${status}`);
      }
    };
    await Promise.all(Array.from({ length: 8 }, fill));
    const tree = processTree(servers.tollgate.proc.pid);
    const mib = (field) => Math.round(rssBytes(tree, field) / 2 ** 20);
    // Anonymous memory (heaps, SQLite's page cache) apart from file-backed pages: the node binary
    // and the database file SQLite maps (mmap_size), which grows with the refresh rows written.
    memory = { tokensVerified: n, rssMiB: mib('VmRSS'), anonMiB: mib('RssAnon'), fileMiB: mib('RssFile') };
    console.log(`[${scale}] resident memory after ${n} distinct tokens verified: ${memory.rssMiB} MiB (anonymous ${memory.anonMiB}, file-backed ${memory.fileMiB})`);
  }
  // At all cores, each process of the cluster after the doors: the primary, which only forks, and
  // the workers (no cache filled here).
  if (scale === 'all' && wanted('memory')) {
    const [primary, ...workers] = processTree(servers.tollgate.proc.pid);
    const mib = (pid) => Math.round(rssBytes([pid]) / 2 ** 20);
    memory = { primaryMiB: mib(primary), workersMiB: workers.map(mib) };
    console.log(`[${scale}] resident memory: primary ${memory.primaryMiB} MiB, workers ${memory.workersMiB.join(', ')} MiB`);
  }
  await Promise.all(Object.values(servers).map(stop));
  return { scale, workers: scale === 'one' ? 1 : CORES, rows, issued, dbAccessBefore, dbAccessAfter, memory };
}

const stealBefore = cpuTimes();
const scales = [];
if (SCALES.includes('one')) scales.push(await runScale('one', 4400));
if (SCALES.includes('all')) scales.push(await runScale('all', 4410));
const stealAfter = cpuTimes();
const stealShare = (stealAfter[1] - stealBefore[1]) / Math.max(1, stealAfter[0] - stealBefore[0]);

// ---- the two stores: the same doors on PostgreSQL against SQLite, as ratios --------------------
// A throw-away cluster (fsync on), its server and backends pinned to the core Tollgate runs on,
// as SQLite's work is (it runs inside the Tollgate process). The 10,000 clients, keys and tokens
// move in with `db copy`; Tollgate on PostgreSQL and on SQLite are measured alternately.
const STORE_TARGETS = { v1: 0.7, '/auth/verify': 0.5 };
const storeRuns = [];
if (wanted('stores')) {
  const { startCluster } = await import('./pg-cluster.mjs');
  const { copyDatabase } = await import(join(DIST, 'infra/db/copy.js'));
  const cluster = await startCluster({ pin: PIN ? LAST_CORE : undefined });
  try {
    const pgUrl = cluster.url.replace(/\/postgres$/, '/tollgate');
    const admin = new (await import('pg')).default.Client({ connectionString: cluster.url });
    await admin.connect();
    await admin.query('CREATE DATABASE tollgate');
    await admin.end();
    await copyDatabase(dbPath, pgUrl, serverEnv.TOLLGATE_MASTER_KEY);
    const onSqlite = start('tollgate on SQLite', TOLLGATE, { WORKERS: '1' }, 4420, LAST_CORE);
    const onPg = start('tollgate on PostgreSQL', TOLLGATE, { WORKERS: '1', DATABASE_URL: pgUrl }, 4421, LAST_CORE);
    await Promise.all([waitFor(`${onSqlite.url}/`), waitFor(`${onPg.url}/`)]);
    const token = (await (await fetch(`${onSqlite.url}/v2/credentials/oauth/token`, { method: 'POST', headers: JSONH, body: v2Body })).json()).accessToken;
    for (const name of ['v1', 'oauth2', '/auth/verify']) {
      const door = issueDoors(token).find((d) => d.name === name);
      warm(onPg, door, name === 'v1' ? WARMUP_SECONDS : DOOR_WARMUP_SECONDS, '0');
      warm(onSqlite, door, name === 'v1' ? WARMUP_SECONDS : DOOR_WARMUP_SECONDS, '0');
      const sqliteRuns = [];
      const pgRuns = [];
      for (let r = 0; r < ROUNDS; r++) {
        sqliteRuns.push(measure(onSqlite, door, '0'));
        pgRuns.push(measure(onPg, door, '0'));
      }
      const row = {
        door: name,
        sqliteRps: median(sqliteRuns.map((x) => x.rps)),
        pgRps: median(pgRuns.map((x) => x.rps)),
        ratio: median(pgRuns.map((p, i) => p.rps / sqliteRuns[i].rps)),
        target: STORE_TARGETS[name] ?? null,
        pgP99: median(pgRuns.map((x) => x.p99)),
        sqliteP99: median(sqliteRuns.map((x) => x.p99)),
        // Tollgate's own CPU per request; PostgreSQL's backends are not in it.
        pgCpuUs: median(pgRuns.map((x) => x.cpuUs)),
        sqliteCpuUs: median(sqliteRuns.map((x) => x.cpuUs)),
        ok: Math.min(...pgRuns.map((x) => x.ok)),
      };
      storeRuns.push(row);
      console.log(`${`PostgreSQL ${name}`.padEnd(24)} ${Math.round(row.pgRps)} req/s  SQLite ${Math.round(row.sqliteRps)}  ratio ${row.ratio.toFixed(2)}  p99 ${row.pgP99} ms  2xx ${(row.ok * 100).toFixed(1)}%`);
    }
    await Promise.all([stop(onSqlite), stop(onPg)]);
  } finally {
    cluster.destroy();
  }
}

// ---- the report ----------------------------------------------------------------------------------
const summary = {
  date: new Date().toISOString(),
  machine: { cores: CORES, cpu: cpus()[0]?.model, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version },
  settings: { connections: CONNECTIONS, seconds: SECONDS, rounds: ROUNDS, clients: CLIENTS, pinned: PIN, loadGenerator: WRK ? 'wrk' : 'autocannon' },
  scales,
  stores: storeRuns,
  stealShare,
};
mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
writeFileSync(join(ROOT, 'bench/results/latest.json'), JSON.stringify(summary, null, 2) + '\n');

const x = (v) => (v === null || v === undefined ? '—' : `${v.toFixed(2)}×`);
const met = (ratio, target) => (target === undefined ? '' : ratio >= target ? ` (≥ ${target} ✓)` : ` (≥ ${target} ✗)`);
const scaleTable = (s) => [
  s.workers === 1
    ? `**One process each** (Tollgate \`WORKERS=1\`, each server pinned to core ${LAST_CORE}, the load generator to core 0):`
    : `**All ${s.workers} cores each** (Tollgate \`WORKERS=${s.workers}\`, the others under node:cluster; nothing pinned, the load generator shares the cores):`,
  '',
  '| door | req/s | × peer (target) | × issuance floor (target) | × verify floor | × empty GET (target) | p50 / p99 ms | CPU µs/req (peer / floor / empty) | 2xx |',
  '|---|---|---|---|---|---|---|---|---|',
  ...s.rows.map((r) => {
    const ref = (n) => r.refs[n];
    const cpuRefs = ['peer', 'floor', 'verifyFloor', 'empty'].filter((n) => ref(n)).map((n) => Math.round(ref(n).cpuUs)).join(' / ');
    return `| ${r.door} | ${Math.round(r.rps)} | ${ref('peer') ? x(ref('peer').ratio) + met(ref('peer').ratio, r.targets?.peer) : '—'} | ${ref('floor') ? x(ref('floor').ratio) + met(ref('floor').ratio, r.targets?.floor) : '—'} | ${ref('verifyFloor') ? x(ref('verifyFloor').ratio) : '—'} | ${ref('empty') ? x(ref('empty').ratio) + met(ref('empty').ratio, r.targets?.empty) : '—'} | ${r.p50.toFixed(1)} / ${r.p99.toFixed(1)} | ${Math.round(r.cpuUs)} (${cpuRefs}) | ${(r.ok * 100).toFixed(1)}% |`;
  }),
  '',
  'References, medians of the same rounds: ' +
    ['peer', 'floor', 'verifyFloor', 'empty']
      .map((n) => {
        const hit = s.rows.find((r) => r.refs[n]);
        const name = { peer: 'node-oidc-provider', floor: 'issuance floor', verifyFloor: 'verification floor', empty: 'empty GET' }[n];
        return hit ? `${name} ${Math.round(median(s.rows.filter((r) => r.refs[n]).map((r) => r.refs[n].rps)))} req/s (p99 ${median(s.rows.filter((r) => r.refs[n]).map((r) => r.refs[n].p99)).toFixed(1)} ms)` : null;
      })
      .filter(Boolean)
      .join(', ') +
    '.',
  '',
];
const md = [
  `# Benchmark ${summary.date}`,
  '',
  `${CORES} cores (${summary.machine.cpu}), Node ${process.version}; ${CONNECTIONS} connections from ${summary.settings.loadGenerator}, ${SECONDS} s per run, ${ROUNDS} alternating rounds per door; ${CLIENTS} clients in the database. Ratios are medians of per-round ratios (each round: the references, then the door); CPU µs/req is the server's (all its processes') CPU time per answered request.`,
  '',
  ...scales.flatMap(scaleTable),
  ...(storeRuns.length
    ? [
        'PostgreSQL against SQLite: the same server (`WORKERS=1`) on each store, measured alternately; a throw-away local cluster with fsync on, pinned to the server\'s core.',
        '',
        '| door | PostgreSQL req/s | SQLite req/s | ratio (target) | p99 ms PostgreSQL / SQLite | Tollgate CPU µs/req PostgreSQL / SQLite | 2xx |',
        '|---|---|---|---|---|---|---|',
        ...storeRuns.map(
          (r) =>
            `| ${r.door} | ${Math.round(r.pgRps)} | ${Math.round(r.sqliteRps)} | ${x(r.ratio)}${r.target === null ? '' : met(r.ratio, r.target)} | ${r.pgP99.toFixed(1)} / ${r.sqliteP99.toFixed(1)} | ${Math.round(r.pgCpuUs)} / ${Math.round(r.sqliteCpuUs)} | ${(r.ok * 100).toFixed(1)}% |`,
        ),
        '',
      ]
    : []),
  ...scales
    .filter((s) => s.dbAccessBefore !== undefined)
    .map((s) => `${s.workers === 1 ? 'One process' : 'All cores'}: ${s.issued} access tokens issued by doors that write no rows; database + WAL bytes before ${s.dbAccessBefore}, after ${s.dbAccessAfter}.`),
  ...scales.filter((s) => s.memory?.rssMiB).map((s) => `Resident memory of the server (one process) after the run and ${s.memory.tokensVerified} distinct tokens verified (the verified-signature cache full): ${s.memory.rssMiB} MiB, of which ${s.memory.anonMiB} MiB anonymous (heaps, SQLite's page cache) and ${s.memory.fileMiB} MiB file-backed (the node binary, the mapped database file).`),
  ...scales.filter((s) => s.memory?.primaryMiB).map((s) => `Resident memory at all cores after the doors: the primary (it only forks) ${s.memory.primaryMiB} MiB, each worker ${s.memory.workersMiB.join(' and ')} MiB.`),
  `CPU time taken by the hypervisor (steal) while the doors ran: ${(stealShare * 100).toFixed(0)}%.`,
  '',
].join('\n');
writeFileSync(join(ROOT, 'bench/results/latest.md'), md);
console.log(`\n${md}`);
process.exit(0);
