// npm run bench: the real server (production settings, a real SQLite file with 10,000 clients)
// driven door by door with autocannon from a separate process at 32 connections, each door
// measured alternately with its floor (floor, door, floor, door, …) so the machine's drift
// cancels. Results go to bench/results/ as JSON and Markdown.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');
const DIST = join(ROOT, 'dist/src');
const AUTOCANNON = join(ROOT, 'node_modules/autocannon/autocannon.js');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 2);
const CONNECTIONS = 32;
const CLIENTS = 10_000;
const ONLY = process.env.BENCH_ONLY?.split(',');

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
const { createClient } = await import(join(DIST, 'usecases/manage-clients.js'));
const { hashGeneratedSecret } = await import(join(DIST, 'domain/secrets.js'));
const { newClientId, newClientSecret } = await import(join(DIST, 'domain/ids.js'));
const { randomBytes } = await import('node:crypto');

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

// ---- processes -----------------------------------------------------------------------------
const children = new Set();
// Per-door ratios compare one server process with one floor process: each runs pinned to the
// last core and the load generator to the first, so the two never fight over a core.
const LAST_CORE = String(cpus().length - 1);
const pinned = (cmd, args, core) => (PIN ? ['taskset', ['-c', core, cmd, ...args]] : [cmd, args]);
const PIN = process.env.BENCH_PIN !== '0' && spawnSync('taskset', ['-c', '0', 'true']).status === 0 && cpus().length > 1;

function start(label, args, env, port, core = LAST_CORE) {
  const [cmd, argv] = pinned(process.execPath, args, core);
  const proc = spawn(cmd, argv, { env: { ...serverEnv, ...env, PORT: String(port) }, stdio: ['ignore', 'ignore', 'pipe'] });
  children.add(proc);
  let err = '';
  proc.stderr.on('data', (d) => (err += d));
  proc.on('exit', (code) => children.delete(proc) && code && console.error(`${label} exited ${code}: ${err}`));
  return { proc, url: `http://127.0.0.1:${port}`, label };
}
process.on('exit', () => children.forEach((c) => c.kill('SIGKILL')));

async function waitFor(url) {
  for (let i = 0; i < 100; i++) {
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
/** CPU seconds (user + system, all threads) a process has used; steal is not counted in them. */
function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

/**
 * One autocannon run. With the serving process's pid, it also reports the server's CPU time per
 * answered request: time the hypervisor steals from the machine is not in it, so it compares
 * two servers fairly even when throughput swings with the neighbours' load.
 */
function autocannon(url, { method = 'POST', headers = {}, body } = {}, core = '0', pid = undefined) {
  const cpuBefore = pid === undefined ? 0 : cpuSeconds(pid);
  const args = [AUTOCANNON, '-c', String(CONNECTIONS), '-d', String(SECONDS), '-m', method, '--json'];
  for (const [k, v] of Object.entries(headers)) args.push('-H', `${k}=${v}`);
  if (body !== undefined) args.push('-b', body);
  args.push(url);
  const [cmd, argv] = pinned(process.execPath, args, core);
  const r = spawnSync(cmd, argv, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const out = JSON.parse(r.stdout);
  const total = out['1xx'] + out['2xx'] + out['3xx'] + out['4xx'] + out['5xx'];
  const cpuUs = pid === undefined || total === 0 ? null : ((cpuSeconds(pid) - cpuBefore) * 1e6) / total;
  return { rps: out.requests.average, p50: out.latency.p50, p99: out.latency.p99, ok: total ? out['2xx'] / total : 0, total, cpuUs };
}

/** Jiffies of all CPUs from /proc/stat: [total, steal] (steal is time the hypervisor took away). */
function cpuTimes() {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  return [f.reduce((a, b) => a + b, 0), f[7] ?? 0];
}
const best = (runs) => Math.max(...runs.map((x) => x.rps));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const rss = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;
const fileBytes = (p) => (existsSync(p) ? statSync(p).size : 0);

// ---- servers -------------------------------------------------------------------------------
const tollgate = start('tollgate', [join(DIST, 'server.js')], { WORKERS: '1', ISSUER: 'http://127.0.0.1:4400' }, 4400);
const floorIssue = start('issue floor', [join(ROOT, 'bench/floor/issue.mjs')], { FLOOR_DB: dbPath }, 4401);
const floorVerify = start('verify floor', [join(ROOT, 'bench/floor/verify.mjs')], { FLOOR_DB: dbPath }, 4402);
const floorIssueNode = start('issue floor (node:crypto)', [join(ROOT, 'bench/floor/issue.mjs')], { FLOOR_DB: dbPath, FLOOR_SIGNER: 'node' }, 4403);
const floorVerifyNode = start('verify floor (node:crypto)', [join(ROOT, 'bench/floor/verify.mjs')], { FLOOR_DB: dbPath, FLOOR_VERIFIER: 'node' }, 4405);
const empty = start('empty server', [join(ROOT, 'bench/floor/empty.mjs')], {}, 4404);
const floors = [floorIssue, floorVerify, floorIssueNode, floorVerifyNode, empty];
await Promise.all([tollgate, ...floors].map((s) => waitFor(`${s.url}/`)));
const stealBefore = cpuTimes();

const form = (o) => new URLSearchParams(o).toString();
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const JSONH = { 'content-type': 'application/json' };
const v2Body = JSON.stringify({ clientId: client.id, clientSecret: client.secret });
const token = (await (await fetch(`${tollgate.url}/v2/credentials/oauth/token`, { method: 'POST', headers: JSONH, body: v2Body })).json()).accessToken;
const floorToken = async (floor) => (await (await fetch(`${floor.url}/token?client_id=${client.id}`)).json()).token;

const floorBody = { headers: JSONH, body: JSON.stringify({ client_id: client.id, client_secret: client.secret }) };
// Every door is measured against two floors: jose's signature or verification (the target's
// floor) and node:crypto's (what Tollgate itself calls, so the door's overhead shows on its own).
const issueFloor = {
  url: `${floorIssue.url}/token`,
  opts: floorBody,
  pid: floorIssue.proc.pid,
  sameSigner: { url: `${floorIssueNode.url}/token`, opts: floorBody, pid: floorIssueNode.proc.pid },
};
const bearer = async (floor) => ({ method: 'GET', headers: { authorization: `Bearer ${await floorToken(floor)}` } });
const verifyFloor = {
  url: `${floorVerify.url}/verify`,
  opts: await bearer(floorVerify),
  pid: floorVerify.proc.pid,
  sameSigner: { url: `${floorVerifyNode.url}/verify`, opts: await bearer(floorVerifyNode), pid: floorVerifyNode.proc.pid },
};

const doors = [
  { name: 'v1', floor: issueFloor, target: 0.85, url: '/v1/auth/token', opts: { headers: FORM, body: form({ client_id: client.id, client_secret: client.secret }) } },
  { name: 'v2', floor: issueFloor, target: 0.85, url: '/v2/credentials/oauth/token', opts: { headers: JSONH, body: v2Body } },
  { name: 'common', floor: issueFloor, target: 0.85, url: '/api/v1/client/token', opts: { headers: JSONH, body: JSON.stringify({ client_id: client.id, client_secret: client.secret }) } },
  {
    name: 'graphql issueToken',
    floor: issueFloor,
    target: 0.6,
    url: '/graphql',
    opts: {
      headers: JSONH,
      body: JSON.stringify({
        query: 'mutation($i: IssueTokenInput!) { issueToken(input: $i) { __typename ... on TokenGrant { accessToken } } }',
        variables: { i: { clientId: client.id, clientSecret: client.secret } },
      }),
    },
  },
  { name: '/auth/verify', floor: verifyFloor, target: 0.85, url: '/auth/verify', opts: { method: 'GET', headers: { authorization: `Bearer ${token}` } } },
  { name: 'introspection', floor: verifyFloor, target: null, url: '/api/v1/oauth2/introspect', opts: { headers: FORM, body: form({ client_id: client.id, client_secret: client.secret, token }) } },
  // Last: seed 001 makes this door write a refresh-token row per issuance.
  { name: 'oauth2', floor: issueFloor, target: 0.85, url: '/api/v1/oauth2/token', opts: { headers: FORM, body: form({ grant_type: 'client_credentials', client_id: client.id, client_secret: client.secret }) } },
];

const results = [];
const dbBefore = fileBytes(dbPath) + fileBytes(`${dbPath}-wal`);
let dbAfterNoRefresh;
let issued = 0;
for (const door of doors) {
  if (ONLY && !ONLY.includes(door.name)) continue;
  if (door.name === 'oauth2') dbAfterNoRefresh = fileBytes(dbPath) + fileBytes(`${dbPath}-wal`);
  const floorRuns = [];
  const sameSignerRuns = [];
  const doorRuns = [];
  autocannon(`${tollgate.url}${door.url}`, door.opts); // warm-up, not counted
  for (let r = 0; r < ROUNDS; r++) {
    floorRuns.push(autocannon(door.floor.url, door.floor.opts, '0', door.floor.pid));
    const same = door.floor.sameSigner;
    if (same) sameSignerRuns.push(autocannon(same.url, same.opts, '0', same.pid));
    doorRuns.push(autocannon(`${tollgate.url}${door.url}`, door.opts, '0', tollgate.proc.pid));
  }
  if (!['/auth/verify', 'introspection', 'oauth2'].includes(door.name)) issued += doorRuns.reduce((s, x) => s + x.total, 0);
  const ratios = doorRuns.map((d, i) => d.rps / floorRuns[i].rps);
  const row = {
    door: door.name,
    rps: median(doorRuns.map((x) => x.rps)),
    floorRps: median(floorRuns.map((x) => x.rps)),
    ratio: median(ratios),
    // The same comparison in CPU time per request (floor's ÷ door's), which steal does not skew.
    cpuUs: median(doorRuns.map((x) => x.cpuUs)),
    floorCpuUs: median(floorRuns.map((x) => x.cpuUs)),
    cpuRatio: median(doorRuns.map((d, i) => floorRuns[i].cpuUs / d.cpuUs)),
    sameSignerCpuRatio: sameSignerRuns.length ? median(doorRuns.map((d, i) => sameSignerRuns[i].cpuUs / d.cpuUs)) : null,
    sameSignerFloorRps: sameSignerRuns.length ? median(sameSignerRuns.map((x) => x.rps)) : null,
    sameSignerRatio: sameSignerRuns.length ? median(doorRuns.map((d, i) => d.rps / sameSignerRuns[i].rps)) : null,
    // Best round against best round: steal only ever slows a run down, so each server's fastest
    // round is its least disturbed one. With heavy steal this is the steadier estimate.
    bestRatio: best(doorRuns) / best(floorRuns),
    sameSignerBestRatio: sameSignerRuns.length ? best(doorRuns) / best(sameSignerRuns) : null,
    target: door.target,
    p50: median(doorRuns.map((x) => x.p50)),
    p99: median(doorRuns.map((x) => x.p99)),
    ok: Math.min(...doorRuns.map((x) => x.ok)),
    rounds: doorRuns.map((d, i) => ({
      door: Math.round(d.rps),
      floor: Math.round(floorRuns[i].rps),
      sameSignerFloor: sameSignerRuns[i] ? Math.round(sameSignerRuns[i].rps) : undefined,
      doorCpuUs: Math.round(d.cpuUs),
      floorCpuUs: Math.round(floorRuns[i].cpuUs),
      sameSignerFloorCpuUs: sameSignerRuns[i] ? Math.round(sameSignerRuns[i].cpuUs) : undefined,
    })),
  };
  results.push(row);
  const same = row.sameSignerRatio === null ? '' : `  (node:crypto floor ${Math.round(row.sameSignerFloorRps)}, ratio ${row.sameSignerRatio.toFixed(2)})`;
  const cpu = `  best÷best ${row.bestRatio.toFixed(2)}${row.sameSignerBestRatio === null ? '' : ` / ${row.sameSignerBestRatio.toFixed(2)}`}  cpu ${Math.round(row.cpuUs)} µs/req`;
  console.log(`${row.door.padEnd(20)} ${Math.round(row.rps)} req/s  floor ${Math.round(row.floorRps)}  ratio ${row.ratio.toFixed(2)}${same}${cpu}  p50 ${row.p50} ms  p99 ${row.p99} ms  2xx ${(row.ok * 100).toFixed(1)}%`);
}
dbAfterNoRefresh ??= fileBytes(dbPath) + fileBytes(`${dbPath}-wal`);

// ---- the two stores: the same doors on PostgreSQL against SQLite, as ratios --------------------
// A throw-away cluster (fsync on), its server and backends pinned to the core Tollgate runs on,
// as SQLite's work is (it runs inside the Tollgate process). The 10,000 clients, keys and tokens
// move in with `db copy`; Tollgate on PostgreSQL and on SQLite are measured alternately.
const storeRuns = [];
if (!ONLY || ONLY.includes('stores')) {
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
    const onPg = start('tollgate on PostgreSQL', [join(DIST, 'server.js')], { WORKERS: '1', DATABASE_URL: pgUrl }, 4420);
    await waitFor(`${onPg.url}/`);
    for (const name of ['v1', 'oauth2', '/auth/verify']) {
      const door = doors.find((d) => d.name === name);
      autocannon(`${onPg.url}${door.url}`, door.opts); // warm-up, not counted
      const sqliteRuns = [];
      const pgRuns = [];
      for (let r = 0; r < ROUNDS; r++) {
        sqliteRuns.push(autocannon(`${tollgate.url}${door.url}`, door.opts, '0', tollgate.proc.pid));
        pgRuns.push(autocannon(`${onPg.url}${door.url}`, door.opts, '0', onPg.proc.pid));
      }
      const row = {
        door: name,
        sqliteRps: median(sqliteRuns.map((x) => x.rps)),
        pgRps: median(pgRuns.map((x) => x.rps)),
        ratio: median(pgRuns.map((p, i) => p.rps / sqliteRuns[i].rps)),
        bestRatio: best(pgRuns) / best(sqliteRuns),
        target: name === 'v1' ? 0.7 : null,
        pgP99: median(pgRuns.map((x) => x.p99)),
        sqliteP99: median(sqliteRuns.map((x) => x.p99)),
        ok: Math.min(...pgRuns.map((x) => x.ok)),
      };
      storeRuns.push(row);
      console.log(`${`PostgreSQL ${name}`.padEnd(24)} ${Math.round(row.pgRps)} req/s  SQLite ${Math.round(row.sqliteRps)}  ratio ${row.ratio.toFixed(2)}  best÷best ${row.bestRatio.toFixed(2)}  p99 ${row.pgP99} ms  2xx ${(row.ok * 100).toFixed(1)}%`);
    }
    await new Promise((ok) => {
      onPg.proc.once('exit', ok);
      onPg.proc.kill('SIGTERM');
    });
  } finally {
    cluster.destroy();
  }
}

// ---- what latency the machine gives a server that does nothing ---------------------------------
const emptyRuns = [];
if (!ONLY || ONLY.includes('empty')) {
  for (let r = 0; r < ROUNDS; r++) emptyRuns.push(autocannon(`${empty.url}/token`, { headers: JSONH, body: '{}' }));
}
const emptyServer = emptyRuns.length
  ? { rps: median(emptyRuns.map((x) => x.rps)), p50: median(emptyRuns.map((x) => x.p50)), p99: median(emptyRuns.map((x) => x.p99)) }
  : null;
const stealAfter = cpuTimes();
const stealShare = (stealAfter[1] - stealBefore[1]) / Math.max(1, stealAfter[0] - stealBefore[0]);
const tollgateRss = rss(tollgate.proc.pid);
tollgate.proc.kill('SIGTERM');

// ---- all cores: the same v1 load against WORKERS=1 and WORKERS=<cores> -------------------------
// autocannon spends about a core of its own at these rates, which on a 2-core machine leaves a
// second worker nothing to run on. wrk (C, Debian package `wrk`) drives the same load for a
// fraction of that, so it is used here when installed; otherwise autocannon, and the table says so.
const WRK = process.env.BENCH_WRK !== '0' && spawnSync('wrk', ['--version']).error === undefined;

function wrk(url, { headers = {}, body } = {}) {
  const script = join(dir, 'wrk.lua');
  const lines = ['wrk.method = "POST"', `wrk.body = ${JSON.stringify(body)}`];
  for (const [k, v] of Object.entries(headers)) lines.push(`wrk.headers[${JSON.stringify(k)}] = ${JSON.stringify(v)}`);
  // Prints what the table needs as JSON once the run is over.
  lines.push(
    'done = function(summary, latency, requests)',
    '  local ok = summary.requests - summary.errors.status - summary.errors.connect - summary.errors.read - summary.errors.write - summary.errors.timeout',
    '  io.write(string.format(\'{"rps":%f,"p50":%f,"p99":%f,"ok":%f}\\n\', summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000, ok / math.max(1, summary.requests)))',
    'end',
  );
  writeFileSync(script, lines.join('\n'));
  const r = spawnSync('wrk', ['-t1', `-c${CONNECTIONS}`, `-d${SECONDS}s`, '-s', script, url], { encoding: 'utf8' });
  return JSON.parse(r.stdout.trim().split('\n').at(-1));
}

const multi = [];
if (!ONLY || ONLY.includes('workers')) {
  const v1 = doors[0];
  const workers = String(cpus().length);
  for (let r = 0; r < ROUNDS; r++) {
    for (const w of ['1', workers]) {
      // Unpinned: the point is to use every core (the load generator shares them).
      const s = start(`tollgate x${w}`, [join(DIST, 'server.js')], { WORKERS: w }, 4410, `0-${LAST_CORE}`);
      await waitFor(`${s.url}/v1`);
      if (WRK) wrk(`${s.url}${v1.url}`, v1.opts); // warm-up: every worker's JIT, not counted
      else autocannon(`${s.url}${v1.url}`, v1.opts, `0-${LAST_CORE}`);
      const m = WRK ? wrk(`${s.url}${v1.url}`, v1.opts) : autocannon(`${s.url}${v1.url}`, v1.opts, `0-${LAST_CORE}`);
      multi.push({ workers: Number(w), rps: m.rps, p99: m.p99 });
      await new Promise((ok) => {
        s.proc.once('exit', ok);
        s.proc.kill('SIGTERM');
      });
    }
  }
}
const runsOf = (single) => multi.filter((m) => (m.workers === 1) === single);
const one = median(runsOf(true).map((m) => m.rps));
const all = median(runsOf(false).map((m) => m.rps));
const p99 = (single) => median(runsOf(single).map((m) => m.p99));
for (const f of floors) f.proc.kill('SIGTERM');

const summary = {
  date: new Date().toISOString(),
  machine: { cores: cpus().length, cpu: cpus()[0]?.model, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version },
  settings: { connections: CONNECTIONS, seconds: SECONDS, rounds: ROUNDS, clients: CLIENTS, pinned: PIN },
  doors: results,
  stores: storeRuns,
  tokensIssuedWithoutRefreshRows: issued,
  databaseBytes: { before: dbBefore, afterAccessTokens: dbAfterNoRefresh },
  residentMemoryMiB: Math.round(tollgateRss / 2 ** 20),
  emptyServer,
  stealShare,
  workers: multi.length
    ? { loadGenerator: WRK ? 'wrk' : 'autocannon', single: one, all, gain: all / one, p99Single: p99(true), p99All: p99(false), cores: cpus().length, runs: multi }
    : null,
};

mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
writeFileSync(join(ROOT, 'bench/results/latest.json'), JSON.stringify(summary, null, 2) + '\n');
const md = [
  `# Benchmark ${summary.date}`,
  '',
  `${summary.machine.cores} cores (${summary.machine.cpu}), Node ${summary.machine.node}; ${CONNECTIONS} connections, ${SECONDS} s per run, ${ROUNDS} alternating rounds per door; ${CLIENTS} clients in the database; medians.`,
  '',
  'Floors: issuing doors against the jose floor of the issue (the target) and against the same floor signing with node:crypto as Tollgate does; /auth/verify and introspection against the jose verification floor and the same floor verifying with node:crypto. "ratio" is the median of the per-round ratios; "best ÷ best" divides each server\'s fastest round, the one steal disturbed least. CPU time per request of every run is in latest.json.',
  '',
  '| door | req/s | jose floor req/s | ratio | target | node:crypto floor req/s | ratio to it | best ÷ best: jose floor / node:crypto floor | p50 ms | p99 ms | 2xx |',
  '|---|---|---|---|---|---|---|---|---|---|---|',
  ...results.map(
    (r) =>
      `| ${r.door} | ${Math.round(r.rps)} | ${Math.round(r.floorRps)} | ${r.ratio.toFixed(2)} | ${r.target === null ? '—' : `≥ ${r.target}`} | ${r.sameSignerFloorRps === null ? '—' : Math.round(r.sameSignerFloorRps)} | ${r.sameSignerRatio === null ? '—' : r.sameSignerRatio.toFixed(2)} | ${r.bestRatio.toFixed(2)}${r.sameSignerBestRatio === null ? '' : ` / ${r.sameSignerBestRatio.toFixed(2)}`} | ${r.p50} | ${r.p99} | ${(r.ok * 100).toFixed(1)}% |`,
  ),
  '',
  ...(storeRuns.length
    ? [
        'PostgreSQL against SQLite: the same server (WORKERS=1) on each store, measured alternately; a throw-away local cluster with fsync on, pinned to the server\'s core.',
        '',
        '| door | PostgreSQL req/s | SQLite req/s | ratio | target | best ÷ best | p99 ms PostgreSQL / SQLite | 2xx |',
        '|---|---|---|---|---|---|---|---|',
        ...storeRuns.map(
          (r) =>
            `| ${r.door} | ${Math.round(r.pgRps)} | ${Math.round(r.sqliteRps)} | ${r.ratio.toFixed(2)} | ${r.target === null ? '—' : `≥ ${r.target}`} | ${r.bestRatio.toFixed(2)} | ${r.pgP99} / ${r.sqliteP99} | ${(r.ok * 100).toFixed(1)}% |`,
        ),
        '',
      ]
    : []),
  `Access tokens issued by doors that write no rows: ${issued}; database + WAL bytes before ${dbBefore}, after ${dbAfterNoRefresh}.`,
  `Resident memory of the server after the run: ${summary.residentMemoryMiB} MiB.`,
  emptyServer ? `An empty Fastify server (no work, same 32 connections, same pinning): ${Math.round(emptyServer.rps)} req/s, p50 ${emptyServer.p50} ms, p99 ${emptyServer.p99} ms.` : '',
  `CPU time taken by the hypervisor (steal) while the doors ran: ${(stealShare * 100).toFixed(0)}%.`,
  summary.workers
    ? `WORKERS=1: ${Math.round(one)} req/s, p99 ${summary.workers.p99Single.toFixed(1)} ms; WORKERS=${summary.workers.cores} (the production default): ${Math.round(all)} req/s (×${summary.workers.gain.toFixed(2)}), p99 ${summary.workers.p99All.toFixed(1)} ms; on v1, unpinned, load from ${summary.workers.loadGenerator}.`
    : '',
  '',
].join('\n');
writeFileSync(join(ROOT, 'bench/results/latest.md'), md);
console.log(`\n${md}`);
process.exit(0);
