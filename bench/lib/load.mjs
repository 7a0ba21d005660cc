// The load: what is asked of Tollgate at each door, and the runs that ask it (wrk, or autocannon
// when wrk is not installed), each with the CPU time the server's process tree spent per request.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cpuSeconds, PIN, pinned, processTree, ROOT } from './procs.mjs';

export const CONNECTIONS = 32;
const AUTOCANNON = join(ROOT, 'node_modules/autocannon/autocannon.js');

// The load generator: wrk (C, one thread) when installed, as it needs a fraction of the core that
// autocannon needs (at these rates autocannon itself is most of a core, which would cap the empty
// server's ceiling and starve a second worker on 2 cores). Debian: apt-get install wrk.
export const WRK = process.env.BENCH_WRK !== '0' && spawnSync('wrk', ['--version']).error === undefined;

export const form = (o) => new URLSearchParams(o).toString();
export const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
export const JSONH = { 'content-type': 'application/json' };

/**
 * Tollgate's doors, in the order they run, for `client` ({ id, secret }) and a token it holds.
 * `server: 'noCache'` marks the door run on the server with the verified-signature cache off.
 * With `api` (its identifier; the client holds a grant to it), two doors more name that API:
 * `v1 audience` (`audience=`) and `oauth2 resource` (RFC 8707 `resource=`), each measured against
 * its `plain` door (the same request without it). `writes` marks the doors that write a row.
 */
export function tollgateDoors(client, token, api, quotaClient) {
  const creds = { client_id: client.id, client_secret: client.secret };
  const bearer = { authorization: `Bearer ${token}` };
  const oauth2 = { grant_type: 'client_credentials', ...creds };
  return [
    { name: 'v1', kind: 'issue', path: '/v1/auth/token', headers: FORM, body: form(creds) },
    ...(api
      ? [
          {
            name: 'v1 audience',
            kind: 'issue',
            plain: 'v1',
            path: '/v1/auth/token',
            headers: FORM,
            body: form({ ...creds, audience: api }),
          },
        ]
      : []),
    {
      name: 'v2',
      kind: 'issue',
      path: '/v2/credentials/oauth/token',
      headers: JSONH,
      body: JSON.stringify({ clientId: client.id, clientSecret: client.secret }),
    },
    ...(quotaClient
      ? [
          {
            name: 'v2 quota',
            kind: 'issue',
            server: 'none',
            path: '/v2/credentials/oauth/token',
            headers: JSONH,
            body: JSON.stringify({ clientId: quotaClient.id, clientSecret: quotaClient.secret }),
          },
        ]
      : []),
    { name: 'common', kind: 'issue', path: '/api/v1/client/token', headers: JSONH, body: JSON.stringify(creds) },
    {
      name: 'graphql issueToken',
      kind: 'issue',
      path: '/graphql',
      headers: JSONH,
      body: JSON.stringify({
        query:
          'mutation($i: IssueTokenInput!) { issueToken(input: $i) { __typename ... on TokenGrant { accessToken } } }',
        variables: { i: { clientId: client.id, clientSecret: client.secret } },
      }),
    },
    { name: '/auth/verify', kind: 'verify', path: '/auth/verify', method: 'GET', headers: bearer },
    // The same door with the verified-signature cache off (VERIFY_CACHE_ENTRIES=0): what the cache
    // buys. One process only.
    {
      name: '/auth/verify, cache off',
      kind: 'verify',
      server: 'noCache',
      path: '/auth/verify',
      method: 'GET',
      headers: bearer,
    },
    {
      name: 'introspection',
      kind: 'verify',
      path: '/api/v1/oauth2/introspect',
      headers: FORM,
      body: form({ ...creds, token }),
    },
    // Last: seed 001 makes these doors write a refresh-token row per issuance.
    { name: 'oauth2', kind: 'issue', writes: true, path: '/api/v1/oauth2/token', headers: FORM, body: form(oauth2) },
    ...(api
      ? [
          {
            name: 'oauth2 resource',
            kind: 'issue',
            writes: true,
            plain: 'oauth2',
            path: '/api/v1/oauth2/token',
            headers: FORM,
            body: form({ ...oauth2, resource: api }),
          },
        ]
      : []),
  ];
}

/** A v2 access token for `client` from the Tollgate at `url`. */
export async function tokenFrom(url, client) {
  const body = JSON.stringify({ clientId: client.id, clientSecret: client.secret });
  const res = await fetch(`${url}/v2/credentials/oauth/token`, { method: 'POST', headers: JSONH, body });
  return (await res.json()).accessToken;
}

/** wrk's Lua script for one target: method, body, headers, and a JSON line of results at the end. */
function wrkScript(file, { method = 'POST', headers = {}, body }) {
  const lines = [`wrk.method = ${JSON.stringify(method)}`];
  if (body !== undefined) lines.push(`wrk.body = ${JSON.stringify(body)}`);
  for (const [k, v] of Object.entries(headers)) {
    lines.push(`wrk.headers[${JSON.stringify(k)}] = ${JSON.stringify(v)}`);
  }
  lines.push(
    'done = function(summary, latency, requests)',
    '  local e = summary.errors',
    '  local bad = e.status + e.connect + e.read + e.write + e.timeout',
    '  local rps = summary.requests / (summary.duration / 1e6)',
    '  local p50, p99 = latency:percentile(50) / 1000, latency:percentile(99) / 1000',
    `  local line = '{"rps":%f,"p50":%f,"p99":%f,"total":%d,"bad":%d}\\n'`,
    '  io.write(string.format(line, rps, p50, p99, summary.requests, bad))',
    'end',
  );
  writeFileSync(file, lines.join('\n'));
}

/**
 * The load runs, `seconds` each at `connections`, with wrk's scripts written into `dir`:
 * `run` (one run against a URL), `measure` (one against a server, with its CPU per request) and
 * `warm` (load that is not counted).
 */
export function loadRunner({ dir, seconds, connections = CONNECTIONS }) {
  let scriptN = 0;

  function wrk(url, target, core, runSeconds = seconds) {
    const script = join(dir, `wrk-${scriptN++}.lua`);
    wrkScript(script, target);
    const [cmd, argv] = PIN && core ? ['taskset', ['-c', core, 'wrk']] : ['wrk', []];
    const args = [...argv, '-t1', `-c${connections}`, `-d${runSeconds}s`, '--latency', '-s', script, url];
    const r = spawnSync(cmd, args, { encoding: 'utf8' });
    const out = JSON.parse(r.stdout.trim().split('\n').at(-1));
    const ok = out.total ? (out.total - out.bad) / out.total : 0;
    return { rps: out.rps, p50: out.p50, p99: out.p99, total: out.total, ok };
  }

  function autocannon(url, { method = 'POST', headers = {}, body }, core, runSeconds = seconds) {
    const args = [AUTOCANNON, '-c', String(connections), '-d', String(runSeconds), '-m', method, '--json'];
    for (const [k, v] of Object.entries(headers)) args.push('-H', `${k}=${v}`);
    if (body !== undefined) args.push('-b', body);
    args.push(url);
    const [cmd, argv] = pinned(process.execPath, args, core);
    const out = JSON.parse(spawnSync(cmd, argv, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }).stdout);
    const total = out['1xx'] + out['2xx'] + out['3xx'] + out['4xx'] + out['5xx'];
    const ok = total ? out['2xx'] / total : 0;
    return { rps: out.requests.average, p50: out.latency.p50, p99: out.latency.p99, total, ok };
  }

  /** One run against a URL: { rps, p50, p99 (ms), total, ok (the 2xx share) }. */
  const run = (url, target, core, runSeconds) => (WRK ? wrk : autocannon)(url, target, core, runSeconds);

  /**
   * One run against a server, with the CPU time its whole process tree spent per answered request:
   * time the hypervisor steals is not in it, so it compares two servers fairly even when
   * throughput swings with the neighbours' load.
   */
  function measure(server, target, core) {
    const pids = processTree(server.proc.pid);
    const before = cpuSeconds(pids);
    const m = run(`${server.url}${target.path}`, target, core);
    m.cpuUs = m.total ? ((cpuSeconds(pids) - before) * 1e6) / m.total : null;
    return m;
  }

  /** Load, not counted, for `warmSeconds`: the server's JIT settles before its rounds. */
  function warm(server, target, warmSeconds, core) {
    for (let t = 0; t < warmSeconds; t += seconds) measure(server, target, core);
  }

  return { run, measure, warm };
}
