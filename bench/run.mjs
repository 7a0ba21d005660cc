// npm run bench: Tollgate measured against what users would pick instead (node-oidc-provider),
// against the floor (the irreducible work of the same request) and against the ceiling (an empty
// Fastify server answering a GET), all in one run, alternating round by round, at equal
// resources: first every server as one process pinned to one core (the load generator on the
// other), then every server at all cores (Tollgate WORKERS=cores, the others under node:cluster).
// Results go to bench/results/ as JSON and Markdown. See bench/README.md.
//
// The parts are in bench/lib: seed (the clients, through the CLI and GraphQL), procs (the
// processes and /proc), load (the doors and the load runs), report (the figures and the files).
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdtempSync, statSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { CONNECTIONS, FORM, form, JSONH, loadRunner, tokenFrom, tollgateDoors, WRK } from './lib/load.mjs';
import {
  CORES,
  cpuTimes,
  LAST_CORE,
  PIN,
  processTree,
  ROOT,
  rssBytes,
  start,
  stop,
  TOLLGATE,
  waitFor,
} from './lib/procs.mjs';
import { doorRow, doorLine, p99ToFloor, quotaLine, quotaRow, storeLine, storeRow, writeResults } from './lib/report.mjs';
import { BENCH_API, copyDatabase, createClient, seedApi, seedClients, tollgate } from './lib/seed.mjs';

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
const CLIENTS = 10_000;
/** Doors to run (names as in the table), plus `stores` and `memory`; all by default. */
const ONLY = process.env.BENCH_ONLY?.split(',');
/** `one`, `all` or both (default): one process each, all cores each. */
const SCALES = (process.env.BENCH_SCALES ?? 'one,all').split(',');
/** Where latest.json and latest.md go. */
const RESULTS = process.env.BENCH_RESULTS ?? join(ROOT, 'bench/results');
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
const serve = (label, args, env, port, core) => start(label, args, { ...serverEnv, ...env }, port, core);
const { measure, warm } = loadRunner({ dir, seconds: SECONDS, connections: CONNECTIONS });

// ---- seed: 10,000 clients, through the CLI and GraphQL (bench/lib/seed.mjs) ----------------------
const seeded = await seedClients(serverEnv, { count: CLIENTS, port: 4430 });
const client = seeded.client;
console.log(`seeded ${CLIENTS} clients in ${seeded.seconds.toFixed(1)} s`);
// The API the named-API doors ask for, and the bench client's grant to it, through the CLI.
seedApi(serverEnv, client);
const API = BENCH_API.identifier;
// A client with a quota it never reaches, for the cost of a quota (issue 32): one atomic statement per token.
const quotaClient = createClient(serverEnv, { name: 'bench quota', scopes: ['read', 'write'] });
tollgate(['clients', 'update', quotaClient.id, '--tokens-per-minute', '1000000', '--burst', '1000000'], serverEnv);

const fileBytes = (p) => (existsSync(p) ? statSync(p).size : 0);
const dbBytes = () => fileBytes(dbPath) + fileBytes(`${dbPath}-wal`);

// ---- what is asked of each server ------------------------------------------------------------
const jwk = () =>
  JSON.stringify(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' }));
const floorJwk = jwk();
const peerJwk = jwk();
const creds = { client_id: client.id, client_secret: client.secret };

/** Every server of one scale: one process pinned to the last core, or WORKERS=cores unpinned. */
async function startScale(scale, base) {
  const workers = scale === 'one' ? '1' : String(CORES);
  const core = scale === 'one' ? LAST_CORE : undefined;
  const bench = (file) => [join(ROOT, 'bench', file)];
  const peerEnv = { PEER_CLIENT_ID: client.id, PEER_CLIENT_SECRET: client.secret, PEER_JWK: peerJwk };
  const floorEnv = { FLOOR_DB: dbPath, FLOOR_JWK: floorJwk };
  const s = {
    tollgate: serve(`tollgate (${scale})`, TOLLGATE, { WORKERS: workers }, base, core),
    peer: serve(
      `oidc-provider (${scale})`,
      bench('peer/oidc-provider.mjs'),
      { WORKERS: workers, ...peerEnv, NODE_ENV: 'production' },
      base + 1,
      core,
    ),
    issueFloor: serve(
      `issue floor (${scale})`,
      bench('floor/issue.mjs'),
      { WORKERS: workers, ...floorEnv },
      base + 2,
      core,
    ),
    verifyFloor: serve(
      `verify floor (${scale})`,
      bench('floor/verify.mjs'),
      { WORKERS: workers, ...floorEnv },
      base + 3,
      core,
    ),
    empty: serve(`empty server (${scale})`, bench('floor/empty.mjs'), { WORKERS: workers }, base + 4, core),
    ...(scale === 'one' && wanted('/auth/verify, cache off')
      ? {
          noCache: serve(
            'tollgate, verify cache off',
            TOLLGATE,
            { WORKERS: workers, VERIFY_CACHE_ENTRIES: '0' },
            base + 5,
            core,
          ),
        }
      : {}),
  };
  await Promise.all(Object.values(s).map((x) => waitFor(`${x.url}/`)));
  return s;
}

/** The payload of a JWT access token, decoded (its signature is not checked here). */
const claimsOf = (jwt) => JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString());

/**
 * Before anything is measured: the named-API doors and the peer asked with `resource=` must each
 * answer with a JWT whose aud is the bench's API, so that both sides do the same work.
 */
async function checkAudiences(servers, refs, doors) {
  const targets = [
    ['node-oidc-provider, resource=', refs.peerResource, (a) => a.access_token],
    ...doors
      .filter((d) => d.plain)
      .map((d) => [d.name, { ...d, server: servers.tollgate }, (a) => a.access_token ?? a.data?.access_token]),
  ];
  for (const [name, t, tokenOf] of targets) {
    const res = await fetch(`${t.server.url}${t.path}`, { method: 'POST', headers: t.headers, body: t.body });
    const answer = await res.json();
    const jwt = tokenOf(answer);
    const aud = jwt && claimsOf(jwt).aud;
    if (!(aud === API || (Array.isArray(aud) && aud.length === 1 && aud[0] === API))) {
      const said = JSON.stringify(answer).slice(0, 300);
      throw new Error(`${name} did not issue a token for ${API}: ${res.status} ${said}`);
    }
  }
}

/** Resident memory with every cache full, at one process; each process's, at all cores. */
async function memoryOf(scale, tollgate) {
  if (scale === 'one') {
    // As many distinct tokens verified as the verified-signature cache holds (10,000 by default),
    // then the server's RSS.
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
        const t = await retried(() => tokenFrom(tollgate.url, client));
        const headers = { authorization: `Bearer ${t}` };
        const status = await retried(async () => (await fetch(`${tollgate.url}/auth/verify`, { headers })).status);
        if (status !== 200) throw new Error(`filling the cache: /auth/verify answered ${status}`);
      }
    };
    await Promise.all(Array.from({ length: 8 }, fill));
    const tree = processTree(tollgate.proc.pid);
    const mib = (field) => Math.round(rssBytes(tree, field) / 2 ** 20);
    // Anonymous memory (heaps, SQLite's page cache) apart from file-backed pages: the node binary
    // and the database file SQLite maps (mmap_size), which grows with the refresh rows written.
    const memory = { tokensVerified: n, rssMiB: mib('VmRSS'), anonMiB: mib('RssAnon'), fileMiB: mib('RssFile') };
    console.log(
      `[${scale}] resident memory after ${n} distinct tokens verified: ${memory.rssMiB} MiB ` +
        `(anonymous ${memory.anonMiB}, file-backed ${memory.fileMiB})`,
    );
    return memory;
  }
  // At all cores, each process of the cluster after the doors: the primary, which only forks, and
  // the workers (no cache filled here).
  const [primary, ...workers] = processTree(tollgate.proc.pid);
  const mib = (pid) => Math.round(rssBytes([pid]) / 2 ** 20);
  const memory = { primaryMiB: mib(primary), workersMiB: workers.map(mib) };
  console.log(
    `[${scale}] resident memory: primary ${memory.primaryMiB} MiB, workers ${memory.workersMiB.join(', ')} MiB`,
  );
  return memory;
}

async function runScale(scale, base) {
  const servers = await startScale(scale, base);
  const loadCore = scale === 'one' ? '0' : undefined;
  const token = await tokenFrom(servers.tollgate.url, client);
  const floorToken = (await (await fetch(`${servers.verifyFloor.url}/token?client_id=${client.id}`)).json()).token;
  const peerCreds = { grant_type: 'client_credentials', ...creds, scope: 'read write' };
  const refs = {
    peer: { server: servers.peer, path: '/token', headers: FORM, body: form(peerCreds) },
    // The same, naming the resource server with RFC 8707's `resource=` (the references of the
    // named-API doors; the request above gets it as the default resource).
    peerResource: { server: servers.peer, path: '/token', headers: FORM, body: form({ ...peerCreds, resource: API }) },
    floor: { server: servers.issueFloor, path: '/token', headers: JSONH, body: JSON.stringify(creds) },
    verifyFloor: {
      server: servers.verifyFloor,
      path: '/verify',
      method: 'GET',
      headers: { authorization: `Bearer ${floorToken}` },
    },
    empty: { server: servers.empty, path: '/', method: 'GET', headers: {} },
  };
  const doors = tollgateDoors(client, token, API);
  await checkAudiences(servers, refs, doors);
  // Warm-ups, not counted: every process's JIT, the peer's and Tollgate's caches.
  for (const r of Object.values(refs)) warm(r.server, r, WARMUP_SECONDS, loadCore);
  const v2Door = doors.find((d) => d.name === 'v2');
  for (const tollgate of [servers.tollgate, servers.noCache].filter(Boolean)) {
    warm(tollgate, v2Door, WARMUP_SECONDS, loadCore);
  }

  const rows = [];
  const floorP99s = [];
  let issued = 0;
  let dbAccessBefore;
  let dbAccessAfter;
  for (const door of doors) {
    if (!wanted(door.name)) continue;
    const server = servers[door.server ?? 'tollgate'];
    if (!server) continue;
    if (door.writes) dbAccessAfter ??= dbBytes();
    dbAccessBefore ??= dbBytes();
    warm(server, door, DOOR_WARMUP_SECONDS, loadCore);
    // A named-API door runs against its plain door (same server, the request without the API) and
    // the peer asked with `resource=`, in the same rounds.
    const doorRefs = door.plain
      ? {
          plain: { ...doors.find((d) => d.name === door.plain), server },
          peerResource: refs.peerResource,
          floor: refs.floor,
        }
      : refs;
    const issueRefs = door.plain ? ['plain', 'peerResource', 'floor'] : ['peer', 'floor'];
    const refNames = door.kind === 'issue' ? issueRefs : ['verifyFloor', 'empty'];
    const runs = { door: [], ...Object.fromEntries(refNames.map((n) => [n, []])) };
    for (let r = 0; r < ROUNDS; r++) {
      for (const n of refNames) runs[n].push(measure(doorRefs[n].server, doorRefs[n], loadCore));
      runs.door.push(measure(server, door, loadCore));
    }
    if (door.kind === 'issue' && !door.writes) issued += runs.door.reduce((s, x) => s + x.total, 0);
    if (runs.floor) floorP99s.push(...runs.floor.map((x) => x.p99));
    const row = doorRow(door.name, runs, refNames);
    rows.push(row);
    console.log(doorLine(scale, row));
  }
  dbAccessAfter ??= dbBytes();
  // Each door's p99 against the issuance floor's: of the same rounds where the floor ran in them,
  // else of every round of the floor at this scale (the verifying doors).
  p99ToFloor(rows, floorP99s);

  const memory = wanted('memory') ? await memoryOf(scale, servers.tollgate) : null;
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
// move in with `tollgate db copy`; Tollgate on PostgreSQL and on SQLite are measured alternately.
const storeRuns = [];
const quotaRuns = [];
if (wanted('stores')) {
  const { startCluster } = await import('./pg-cluster.mjs');
  const cluster = await startCluster({ pin: PIN ? LAST_CORE : undefined });
  try {
    const pgUrl = cluster.url.replace(/\/postgres$/, '/tollgate');
    const admin = new (await import('pg')).default.Client({ connectionString: cluster.url });
    await admin.connect();
    await admin.query('CREATE DATABASE tollgate');
    await admin.end();
    copyDatabase(dbPath, pgUrl, serverEnv);
    const onSqlite = serve('tollgate on SQLite', TOLLGATE, { WORKERS: '1' }, 4420, LAST_CORE);
    const onPg = serve('tollgate on PostgreSQL', TOLLGATE, { WORKERS: '1', DATABASE_URL: pgUrl }, 4421, LAST_CORE);
    await Promise.all([waitFor(`${onSqlite.url}/`), waitFor(`${onPg.url}/`)]);
    const doors = tollgateDoors(client, await tokenFrom(onSqlite.url, client), undefined, quotaClient);
    // A quota'd client against one without, on each store, in the same rounds.
    const [plain, quota] = ['v2', 'v2 quota'].map((n) => doors.find((d) => d.name === n));
    for (const [store, server] of [
      ['SQLite', onSqlite],
      ['PostgreSQL', onPg],
    ]) {
      warm(server, plain, WARMUP_SECONDS, '0');
      warm(server, quota, DOOR_WARMUP_SECONDS, '0');
      const plainRuns = [];
      const withQuota = [];
      for (let r = 0; r < ROUNDS; r++) {
        plainRuns.push(measure(server, plain, '0'));
        withQuota.push(measure(server, quota, '0'));
      }
      const row = quotaRow(store, withQuota, plainRuns);
      quotaRuns.push(row);
      console.log(quotaLine(row));
    }
    for (const name of ['v1', 'oauth2', '/auth/verify']) {
      const door = doors.find((d) => d.name === name);
      warm(onPg, door, name === 'v1' ? WARMUP_SECONDS : DOOR_WARMUP_SECONDS, '0');
      warm(onSqlite, door, name === 'v1' ? WARMUP_SECONDS : DOOR_WARMUP_SECONDS, '0');
      const sqliteRuns = [];
      const pgRuns = [];
      for (let r = 0; r < ROUNDS; r++) {
        sqliteRuns.push(measure(onSqlite, door, '0'));
        pgRuns.push(measure(onPg, door, '0'));
      }
      const row = storeRow(name, pgRuns, sqliteRuns);
      storeRuns.push(row);
      console.log(storeLine(row));
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
  settings: {
    connections: CONNECTIONS,
    seconds: SECONDS,
    rounds: ROUNDS,
    clients: CLIENTS,
    pinned: PIN,
    loadGenerator: WRK ? 'wrk' : 'autocannon',
  },
  scales,
  stores: storeRuns,
  quotas: quotaRuns,
  stealShare,
};
console.log(`\n${writeResults(RESULTS, summary)}`);
process.exit(0);
