// The bench's figures: a door's rounds summed up as medians and per-round ratios to its
// references, the console lines, and the results files (bench/results/latest.json and latest.md).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const median = (xs) => {
  const s = xs.filter((x) => x !== null && Number.isFinite(x)).sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)] : null;
};

/**
 * The targets (issues 19 and 28), as ratios to a reference: `peer`, `floor` (issuance), `empty`, or
 * `plain` (the same door without naming an API).
 */
export const TARGETS = {
  v1: { floor: 0.8, peer: 1.8 },
  'v1 audience': { plain: 0.95 },
  v2: { floor: 0.8, peer: 1.8 },
  common: { floor: 0.8, peer: 1.8 },
  'graphql issueToken': { peer: 1.3 },
  oauth2: { peer: 1.4 },
  'oauth2 resource': { plain: 0.95 },
  '/auth/verify': { empty: 0.2 },
  introspection: { empty: 0.15 },
};
/** Every door's p99 against the issuance floor's p99, same run, at most (issue 28). */
export const P99_TARGET = 1.5;
/** PostgreSQL ÷ SQLite, same doors, same run. */
export const STORE_TARGETS = { v1: 0.7, '/auth/verify': 0.5 };

/** One door's row: `runs` holds its measured rounds (`door`) and each reference's, round by round. */
export function doorRow(name, runs, refNames) {
  return {
    door: name,
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
    targets: TARGETS[name],
    rounds: runs.door.map((d, i) => ({
      door: Math.round(d.rps),
      doorCpuUs: Math.round(d.cpuUs),
      doorP99: d.p99,
      ...Object.fromEntries(
        refNames.flatMap((n) => [
          [n, Math.round(runs[n][i].rps)],
          [`${n}CpuUs`, Math.round(runs[n][i].cpuUs)],
          [`${n}P99`, runs[n][i].p99],
        ]),
      ),
    })),
  };
}

/**
 * Each row's p99 as a ratio to the issuance floor's (`p99Floor`, and `p99FloorOf`): the median of
 * the per-round ratios where the floor ran in the door's rounds, else the door's median p99 over
 * the median of `floorP99s`, every p99 the floor gave at this scale (the verifying doors').
 */
export function p99ToFloor(rows, floorP99s) {
  const floor = median(floorP99s);
  for (const row of rows) {
    const own = row.rounds.every((r) => r.floorP99 !== undefined);
    row.p99Floor = own ? median(row.rounds.map((r) => r.doorP99 / r.floorP99)) : floor ? row.p99 / floor : null;
    row.p99FloorOf = own ? 'rounds' : 'scale';
  }
}

export function doorLine(scale, row) {
  const refs = Object.entries(row.refs).map(([n, r]) => `${n} ${Math.round(r.rps)} (×${r.ratio.toFixed(2)})`);
  return (
    `[${scale}] ${row.door.padEnd(20)} ${Math.round(row.rps)} req/s  ${refs.join('  ')}  ` +
    `cpu ${Math.round(row.cpuUs)} µs/req  p50 ${row.p50} ms  p99 ${row.p99} ms` +
    `${row.refs.floor ? ` (floor ${row.refs.floor.p99} ms)` : ''}  2xx ${(row.ok * 100).toFixed(1)}%`
  );
}

/** One door on both stores, from the alternating rounds on each. */
export function storeRow(name, pgRuns, sqliteRuns) {
  return {
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
}

export const storeLine = (row) =>
  `${`PostgreSQL ${row.door}`.padEnd(24)} ${Math.round(row.pgRps)} req/s  SQLite ${Math.round(row.sqliteRps)}  ` +
  `ratio ${row.ratio.toFixed(2)}  p99 ${row.pgP99} ms  2xx ${(row.ok * 100).toFixed(1)}%`;

const x = (v) => (v === null || v === undefined ? '—' : `${v.toFixed(2)}×`);
const met = (ratio, target) => (target === undefined ? '' : ratio >= target ? ` (≥ ${target} ✓)` : ` (≥ ${target} ✗)`);
const under = (ratio, target) => (ratio <= target ? ` (≤ ${target} ✓)` : ` (≤ ${target} ✗)`);
const pct = (share) => `${(share * 100).toFixed(1)}%`;
const REF_NAMES = {
  plain: 'the plain door',
  peer: 'node-oidc-provider',
  peerResource: 'node-oidc-provider asked with resource=',
  floor: 'issuance floor',
  verifyFloor: 'verification floor',
  empty: 'empty GET',
};

function scaleTable(s, lastCore) {
  const cell = (r, n, withTarget) => {
    const ref = r.refs[n];
    return ref ? x(ref.ratio) + (withTarget ? met(ref.ratio, r.targets?.[n]) : '') : '—';
  };
  const row = (r) => {
    const cpuRefs = Object.keys(REF_NAMES)
      .filter((n) => r.refs[n])
      .map((n) => Math.round(r.refs[n].cpuUs))
      .join(' / ');
    const cells = [
      r.door,
      Math.round(r.rps),
      cell(r, 'plain', true),
      r.refs.peerResource ? `${cell(r, 'peerResource', false)} (resource=)` : cell(r, 'peer', true),
      cell(r, 'floor', true),
      cell(r, 'verifyFloor', false),
      cell(r, 'empty', true),
      `${r.p50.toFixed(1)} / ${r.p99.toFixed(1)}`,
      r.p99Floor === null || r.p99Floor === undefined
        ? '—'
        : `${x(r.p99Floor)}${r.p99FloorOf === 'scale' ? '*' : ''}${under(r.p99Floor, P99_TARGET)}`,
      `${Math.round(r.cpuUs)} (${cpuRefs})`,
      pct(r.ok),
    ];
    return `| ${cells.join(' | ')} |`;
  };
  // The plain door is a different door for each named-API door: no median of it here.
  const references = Object.entries(REF_NAMES)
    .filter(([n]) => n !== 'plain')
    .map(([n, name]) => {
      const rows = s.rows.filter((r) => r.refs[n]);
      if (!rows.length) return null;
      const rps = median(rows.map((r) => r.refs[n].rps));
      return `${name} ${Math.round(rps)} req/s (p99 ${median(rows.map((r) => r.refs[n].p99)).toFixed(1)} ms)`;
    })
    .filter(Boolean);
  return [
    s.workers === 1
      ? `**One process each** (Tollgate \`WORKERS=1\`, each server pinned to core ${lastCore}, ` +
        'the load generator to core 0):'
      : `**All ${s.workers} cores each** (Tollgate \`WORKERS=${s.workers}\`, the others under node:cluster; ` +
        'nothing pinned, the load generator shares the cores):',
    '',
    '| door | req/s | × plain door (target) | × peer (target) | × issuance floor (target) | × verify floor | ' +
      '× empty GET (target) | p50 / p99 ms | p99 × floor p99 (target) | CPU µs/req (references) | 2xx |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
    ...s.rows.map(row),
    '',
    `References, medians of the same rounds: ${references.join(', ')}. ` +
      "The plain door is the same door's request without naming an API; the named-API doors' peer is " +
      'node-oidc-provider asked for the same resource with `resource=`. p99 × floor p99: the median of ' +
      "per-round ratios to the issuance floor's p99; * where the floor did not run in the door's rounds, " +
      "the door's median p99 over the floor's median p99 at this scale.",
    '',
  ];
}

function storeTable(storeRuns) {
  if (!storeRuns.length) return [];
  const row = (r) => {
    const cells = [
      r.door,
      Math.round(r.pgRps),
      Math.round(r.sqliteRps),
      `${x(r.ratio)}${r.target === null ? '' : met(r.ratio, r.target)}`,
      `${r.pgP99.toFixed(1)} / ${r.sqliteP99.toFixed(1)}`,
      `${Math.round(r.pgCpuUs)} / ${Math.round(r.sqliteCpuUs)}`,
      pct(r.ok),
    ];
    return `| ${cells.join(' | ')} |`;
  };
  return [
    'PostgreSQL against SQLite: the same server (`WORKERS=1`) on each store, measured alternately; ' +
      "a throw-away local cluster with fsync on, pinned to the server's core.",
    '',
    '| door | PostgreSQL req/s | SQLite req/s | ratio (target) | p99 ms PostgreSQL / SQLite | ' +
      'Tollgate CPU µs/req PostgreSQL / SQLite | 2xx |',
    '|---|---|---|---|---|---|---|',
    ...storeRuns.map(row),
    '',
  ];
}

/** A quota'd client's issuance against a client without one, on each store (issue 32's target: ≥ 0.9). */
export function quotaRow(store, quotaRuns, plainRuns) {
  return {
    store,
    quotaRps: median(quotaRuns.map((x) => x.rps)),
    plainRps: median(plainRuns.map((x) => x.rps)),
    ratio: median(quotaRuns.map((q, i) => q.rps / plainRuns[i].rps)),
    quotaP99: median(quotaRuns.map((x) => x.p99)),
    plainP99: median(plainRuns.map((x) => x.p99)),
    ok: Math.min(...quotaRuns.map((x) => x.ok)),
  };
}

export const quotaLine = (row) =>
  `${`v2 with a quota, ${row.store}`.padEnd(28)} ${Math.round(row.quotaRps)} req/s  without ${Math.round(row.plainRps)}  ` +
  `ratio ${row.ratio.toFixed(2)}  2xx ${(row.ok * 100).toFixed(1)}%`;

function quotaTable(quotaRuns) {
  if (!quotaRuns?.length) return [];
  return [
    'A client with a quota (`--tokens-per-minute 1000000`, never reached: every answer a token) against one ' +
      'without, at the v2 door, alternately in the same rounds, on each store (`WORKERS=1`).',
    '',
    '| store | with a quota req/s | without req/s | ratio (target) | p99 ms with / without | 2xx |',
    '|---|---|---|---|---|---|',
    ...quotaRuns.map(
      (r) =>
        `| ${r.store} | ${Math.round(r.quotaRps)} | ${Math.round(r.plainRps)} | ${x(r.ratio)}${met(r.ratio, 0.9)} | ` +
        `${r.quotaP99} / ${r.plainP99} | ${pct(r.ok)} |`,
    ),
    '',
  ];
}

/** The Markdown report of a run's summary (the object written to latest.json). */
export function markdown(summary) {
  const { machine, settings, scales, stores, quotas, stealShare } = summary;
  const lastCore = String(machine.cores - 1);
  return [
    `# Benchmark ${summary.date}`,
    '',
    `${machine.cores} cores (${machine.cpu}), Node ${machine.node}; ${settings.connections} connections from ` +
      `${settings.loadGenerator}, ${settings.seconds} s per run, ${settings.rounds} alternating rounds per door; ` +
      `${settings.clients} clients in the database. Ratios are medians of per-round ratios (each round: the ` +
      "references, then the door); CPU µs/req is the server's (all its processes') CPU time per answered request.",
    '',
    ...scales.flatMap((s) => scaleTable(s, lastCore)),
    ...storeTable(stores),
    ...quotaTable(quotas),
    ...scales
      .filter((s) => s.dbAccessBefore !== undefined)
      .map(
        (s) =>
          `${s.workers === 1 ? 'One process' : 'All cores'}: ${s.issued} access tokens issued by doors that write ` +
          `no rows; database + WAL bytes before ${s.dbAccessBefore}, after ${s.dbAccessAfter}.`,
      ),
    ...scales
      .filter((s) => s.memory?.rssMiB)
      .map(
        (s) =>
          `Resident memory of the server (one process) after the run and ${s.memory.tokensVerified} distinct ` +
          `tokens verified (the verified-signature cache full): ${s.memory.rssMiB} MiB, of which ` +
          `${s.memory.anonMiB} MiB anonymous (heaps, SQLite's page cache) and ${s.memory.fileMiB} MiB ` +
          'file-backed (the node binary, the mapped database file).',
      ),
    ...scales
      .filter((s) => s.memory?.primaryMiB)
      .map(
        (s) =>
          `Resident memory at all cores after the doors: the primary (it only forks) ${s.memory.primaryMiB} MiB, ` +
          `each worker ${s.memory.workersMiB.join(' and ')} MiB.`,
      ),
    `CPU time taken by the hypervisor (steal) while the doors ran: ${(stealShare * 100).toFixed(0)}%.`,
    '',
  ].join('\n');
}

/** latest.json and latest.md in `dir`; returns the Markdown. */
export function writeResults(dir, summary) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'latest.json'), JSON.stringify(summary, null, 2) + '\n');
  const md = markdown(summary);
  writeFileSync(join(dir, 'latest.md'), md);
  return md;
}
