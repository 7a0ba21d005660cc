// npm run bench:profile: a CPU profile of one Tollgate process per door, under the bench's load
// (wrk, 32 connections), summarised by where the time goes. One server per door, started with
// --cpu-prof and stopped after PROFILE_SECONDS (default 6), so each profile holds one door only.
//   PROFILE_ONLY=v1,/auth/verify npm run bench:profile
// Profiles land in bench/results/profiles/<door>.cpuprofile (open them in Chrome DevTools) and the
// summary in bench/results/profiles/summary.md.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');
const DIST = join(ROOT, 'dist/src');
const SECONDS = Number(process.env.PROFILE_SECONDS ?? 6);
/** Load before the profile counts: the JIT settles in about 10 s (bench/run.mjs). */
const WARMUP = Number(process.env.PROFILE_WARMUP_SECONDS ?? 10);
const ONLY = process.env.PROFILE_ONLY?.split(',');
const OUT = join(ROOT, 'bench/results/profiles');
mkdirSync(OUT, { recursive: true });
if (spawnSync('wrk', ['--version']).error) throw new Error('bench:profile drives the load with wrk (Debian: apt-get install wrk)');

const dir = mkdtempSync(join(tmpdir(), 'tollgate-profile-'));
const env = {
  PATH: process.env.PATH,
  NODE_ENV: 'production',
  LOG_LEVEL: 'warn',
  WORKERS: '1',
  DATABASE_PATH: join(dir, 'tollgate.db'),
  TOLLGATE_MASTER_KEY: 'bench-master-key-0123456789abcdefghijklmnop',
  ISSUER: 'http://127.0.0.1:4490',
  PORT: '4490',
};
const { loadConfig } = await import(join(DIST, 'config.js'));
const { openServices } = await import(join(DIST, 'services.js'));
const { SERVER_NODE_FLAGS } = await import(join(DIST, 'infra/heap.js'));
const { createClient } = await import(join(DIST, 'usecases/clients/manage.js'));
const services = await openServices(loadConfig(env));
const made = await createClient(services.deps, { name: 'profile', mode: 'live', scopes: ['read', 'write'] });
await services.close();
const id = made.client.id;
const secret = made.clientSecret;

const form = (o) => new URLSearchParams(o).toString();
const FORM = 'application/x-www-form-urlencoded';
const JSON_TYPE = 'application/json';
const doors = (token) => [
  { name: 'v1', path: '/v1/auth/token', type: FORM, body: form({ client_id: id, client_secret: secret }) },
  { name: 'v2', path: '/v2/credentials/oauth/token', type: JSON_TYPE, body: JSON.stringify({ clientId: id, clientSecret: secret }) },
  { name: 'common', path: '/api/v1/client/token', type: JSON_TYPE, body: JSON.stringify({ client_id: id, client_secret: secret }) },
  {
    name: 'graphql issueToken',
    path: '/graphql',
    type: JSON_TYPE,
    body: JSON.stringify({
      query: 'mutation($i: IssueTokenInput!) { issueToken(input: $i) { __typename ... on TokenGrant { accessToken } } }',
      variables: { i: { clientId: id, clientSecret: secret } },
    }),
  },
  { name: '/auth/verify', path: '/auth/verify', method: 'GET', auth: `Bearer ${token}` },
  { name: 'introspection', path: '/api/v1/oauth2/introspect', type: FORM, body: form({ client_id: id, client_secret: secret, token }) },
  { name: 'oauth2', path: '/api/v1/oauth2/token', type: FORM, body: form({ grant_type: 'client_credentials', client_id: id, client_secret: secret }) },
];

/** Where a function's own time goes, by what it is (the buckets of the notes in bench/README.md). */
function bucket(frame) {
  const { functionName: fn, url } = frame;
  if (fn === '(garbage collector)') return 'garbage collection';
  if (fn === '(idle)' || fn === '(program)') return fn.slice(1, -1);
  if (/^(signOneShot|sign)$/.test(fn) && (url === '' || url.includes('crypto'))) return 'ES256 signature (node:crypto)';
  if (/^(verifyOneShot|verify)$/.test(fn) && (url === '' || url.includes('crypto'))) return 'ES256 verification (node:crypto)';
  if (/^(Hash|digest|update|oneShotDigest|randomFillSync|timingSafeEqual)$/.test(fn) && (url === '' || url.includes('crypto'))) return 'hashing and randomness (node:crypto)';
  // better-sqlite3's native calls are sampled as the JS function that makes them.
  if (url.includes('better-sqlite3') || (url.includes('/dist/src/infra/db/sqlite/') && /^(findForCheck|bearerState|flushRefresh|readNow|findById)$/.test(fn)) || url.includes('/dist/src/infra/db/sqlite/tokens')) return 'SQLite';
  if (/^(writev|writeBuffer|writeUtf8String|writeLatin1String|writeGeneric)$/.test(fn) || url.includes('stream_base_commons')) return 'socket writes';
  if (fn === 'onStreamRead' || url.includes('_http_server') || url.includes('_http_outgoing') || url.includes('_http_common')) return 'node:http';
  if (url.includes('/fastify/') || url.includes('/find-my-way/') || url.includes('/avvio/') || url.includes('/light-my-request/') || url.includes('fast-json-stringify')) return 'Fastify';
  if (url.includes('/graphql/') || url.includes('graphql-yoga') || url.includes('@envelop') || url.includes('@whatwg-node') || url.includes('@pothos') || url.includes('graphql-armor') || url.includes('@graphql-tools')) return 'GraphQL (graphql-js, yoga, envelop, Pothos)';
  if (url.includes('/prom-client/')) return 'metrics (prom-client)';
  if (url.includes('/dist/src/')) return 'Tollgate';
  if (url.includes('node_modules')) return 'other libraries';
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
    const name = `${frame.functionName || '(anonymous)'} ${frame.url.replace(/^.*\/(node_modules|dist)\//, '$1/')}:${frame.lineNumber + 1}`;
    fns.set(name, (fns.get(name) ?? 0) + t);
  }
  const share = (t) => `${((t / busy) * 100).toFixed(1)}%`;
  return {
    busyMs: busy / 1000,
    buckets: [...buckets].sort((a, b) => b[1] - a[1]).map(([k, t]) => [k, share(t)]),
    top: [...fns].sort((a, b) => b[1] - a[1]).slice(0, 15).map(([k, t]) => [k, share(t)]),
  };
}

const lines = [`# CPU profiles, ${new Date().toISOString()}`, '', `One Tollgate process (WORKERS=1) per door, Node ${process.version}, wrk at 32 connections for ${SECONDS} s after a ${WARMUP} s warm-up (start-up and warm-up are not counted). Shares are of busy time (idle excluded), by the function that was running (self time); better-sqlite3's native calls count as the JS function that makes them.`, ''];
for (const door of doors('')) {
  if (ONLY && !ONLY.includes(door.name)) continue;
  const profDir = mkdtempSync(join(dir, 'prof-'));
  const spawnedAt = performance.now();
  const server = spawn(process.execPath, ['--cpu-prof', '--cpu-prof-dir', profDir, ...SERVER_NODE_FLAGS, join(DIST, 'server.js')], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  for (let i = 0; ; i++) {
    try {
      await fetch(`http://127.0.0.1:4490/`);
      break;
    } catch {
      if (i > 100) throw new Error('the server did not start');
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const token = (await (await fetch('http://127.0.0.1:4490/v2/credentials/oauth/token', { method: 'POST', headers: { 'content-type': JSON_TYPE }, body: JSON.stringify({ clientId: id, clientSecret: secret }) })).json()).accessToken;
  const d = doors(token).find((x) => x.name === door.name);
  const script = join(dir, 'profile.lua');
  writeFileSync(
    script,
    [
      `wrk.method = ${JSON.stringify(d.method ?? 'POST')}`,
      d.body === undefined ? '' : `wrk.body = ${JSON.stringify(d.body)}`,
      d.type ? `wrk.headers["content-type"] = ${JSON.stringify(d.type)}` : '',
      d.auth ? `wrk.headers["authorization"] = ${JSON.stringify(d.auth)}` : '',
    ].join('\n'),
  );
  spawnSync('wrk', ['-t1', '-c32', `-d${WARMUP}s`, '-s', script, `http://127.0.0.1:4490${d.path}`]); // warm-up: JIT, caches
  // The profile begins a little after the spawn, so this cuts at most that little of the load.
  const loadFromUs = (performance.now() - spawnedAt) * 1000;
  const w = spawnSync('wrk', ['-t1', '-c32', `-d${SECONDS}s`, '-s', script, `http://127.0.0.1:4490${d.path}`], { encoding: 'utf8' });
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(w.stdout)?.[1];
  await new Promise((ok) => {
    server.once('exit', ok);
    server.kill('SIGTERM');
  });
  const file = readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'));
  const raw = readFileSync(join(profDir, file), 'utf8');
  const safe = door.name.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '');
  writeFileSync(join(OUT, `${safe}.cpuprofile`), raw);
  const s = summarise(JSON.parse(raw), loadFromUs);
  lines.push(`## ${door.name} (${rps} req/s under the profiler)`, '', `By kind: ${s.buckets.map(([k, v]) => `${k} ${v}`).join(', ')}.`, '', 'Top functions by self time:', '', ...s.top.map(([k, v]) => `- ${v} ${k}`), '');
  console.log(`${door.name}: ${s.buckets.slice(0, 8).map(([k, v]) => `${k} ${v}`).join(', ')}`);
}
writeFileSync(join(OUT, 'summary.md'), lines.join('\n'));
rmSync(dir, { recursive: true, force: true });
console.log(`\n${lines.join('\n')}`);
