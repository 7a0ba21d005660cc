import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { cli, ROOT, request, startServer, tempDir, type RunningServer } from '../support/process.js';

const JSON_HEADERS = { 'content-type': 'application/json' };
const ROTATE = 'mutation { rotateClientSecret { clientId clientSecret generation } }';
const KILL_CYCLES = Number(process.env.DURABILITY_CYCLES ?? 3);
const DEADLINE_MS = 60_000;

interface Creds {
  id: string;
  secret: string;
  generation: number;
}

/**
 * Where the kills land is random, but seeded: the seed is printed, and DURABILITY_SEED=<seed>
 * repeats a run's kill points exactly (mulberry32).
 */
const SEED = Number(process.env.DURABILITY_SEED ?? Math.floor(Math.random() * 2 ** 32));
let state = SEED >>> 0;
function random(): number {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
}
const randomInt = (min: number, max: number): number => min + Math.floor(random() * (max - min + 1));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A v2 token for the credentials, or the HTTP status that refused them. */
async function v2Token(server: RunningServer, id: string, secret: string): Promise<{ status: number; token?: string }> {
  const r = await request(`${server.url}/v2/credentials/oauth/token`, {
    headers: JSON_HEADERS,
    body: JSON.stringify({ clientId: id, clientSecret: secret }),
  });
  return { status: r.status, token: r.status === 200 ? (JSON.parse(r.body).accessToken as string) : undefined };
}

/** Self-service rotation over GraphQL with a Bearer token. */
const rotate = (server: RunningServer, token: string) =>
  request(`${server.url}/graphql`, {
    headers: { ...JSON_HEADERS, authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: ROTATE }),
  });

function rotatedFrom(body: string): { clientSecret: string; generation: number } {
  const parsed = JSON.parse(body) as {
    data?: { rotateClientSecret?: { clientSecret: string; generation: number } };
    errors?: unknown;
  };
  expect(parsed.errors, body).toBeUndefined();
  return parsed.data!.rotateClientSecret!;
}

/** `tollgate …` without blocking this process, so the server keeps getting requests meanwhile. */
function cliAsync(
  args: string[],
  env: Record<string, string>,
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((ok) => {
    const p = spawn(process.execPath, [join(ROOT, 'bin/tollgate.js'), ...args], {
      env: { PATH: process.env.PATH ?? '', ...env },
    });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => p.kill('SIGKILL'), 30_000);
    p.on('close', (status) => {
      clearTimeout(timer);
      ok({ status, stdout, stderr });
    });
  });
}

async function createAdmin(env: Record<string, string>, name: string): Promise<Creds> {
  const r = await cli(['clients', 'create', '--name', name, '--scope', 'tollgate:admin', '--json'], env);
  expect(r.status, r.stderr).toBe(0);
  const c = JSON.parse(r.stdout) as { clientId: string; clientSecret: string; secretGeneration: number };
  return { id: c.clientId, secret: c.clientSecret, generation: c.secretGeneration };
}

/** Reads the file itself, read-only, beside the running server: what is committed. */
function readDb<T>(path: string, fn: (db: Database.Database) => T): T {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

const integrity = (path: string): unknown => readDb(path, (db) => db.pragma('integrity_check', { simple: true }));

const storedGeneration = (path: string, id: string): number =>
  readDb(
    path,
    (db) => (db.prepare('SELECT secret_generation AS g FROM clients WHERE id = ?').get(id) as { g: number }).g,
  );

const rotationsAudited = (path: string, id: string): number =>
  readDb(
    path,
    (db) =>
      (
        db
          .prepare("SELECT count(*) AS n FROM audit_events WHERE client_id = ? AND action = 'client.rotated'")
          .get(id) as { n: number }
      ).n,
  );

describe('durability of the real server', () => {
  /*
   * An acknowledged rotation has committed (synchronous=FULL, answered only after the commit):
   * after a SIGKILL, the last acknowledged secret still works, unless the rotation in flight at
   * the kill committed without its answer arriving; then the generation is exactly one further
   * and the acknowledged secret is dead, as every rotation without grace kills the one before.
   */
  it('keeps every acknowledged rotation across SIGKILL during a rotation, and the file stays intact', async () => {
    const started = Date.now();
    process.stdout.write(`durability: DURABILITY_SEED=${SEED} repeats these kill points\n`);
    const env = { DATABASE_PATH: join(tempDir(), 'tollgate.db') };
    let ack = await createAdmin(env, 'rotating admin');
    const outcomes: string[] = [];

    for (let cycle = 0; cycle < KILL_CYCLES && Date.now() - started < DEADLINE_MS; cycle++) {
      const server = await startServer(env);
      let issued = await v2Token(server, ack.id, ack.secret);
      expect(issued.status).toBe(200);
      let token = issued.token!;
      const acknowledged = randomInt(10, 30);
      const took: number[] = [];
      for (let i = 0; i < acknowledged; i++) {
        const sent = performance.now();
        const answer = await rotate(server, token);
        took.push(performance.now() - sent);
        expect(answer.status, answer.body).toBe(200);
        const r = rotatedFrom(answer.body);
        expect(r.generation).toBe(ack.generation + 1);
        ack = { id: ack.id, secret: r.clientSecret, generation: r.generation };
        // The rotation killed the token that asked for it: a fresh one from the new secret.
        issued = await v2Token(server, ack.id, ack.secret);
        expect(issued.status).toBe(200);
        token = issued.token!;
      }

      // One more rotation, and SIGKILL while it is in flight: at a random point of a typical
      // rotation's round trip, so the kill lands before, during or after the commit.
      const typical = took.sort((a, b) => a - b)[Math.floor(took.length / 2)]!;
      const inFlight = rotate(server, token).then(
        (a) => ({ answered: true as const, a }),
        (e: NodeJS.ErrnoException) => ({ answered: false as const, code: e.code }),
      );
      await sleep(random() * typical);
      await server.stop('SIGKILL');
      const late = await inFlight;
      if (late.answered) {
        // The answer beat the kill: it is acknowledged like the others.
        expect(late.a.status, late.a.body).toBe(200);
        const r = rotatedFrom(late.a.body);
        expect(r.generation).toBe(ack.generation + 1);
        ack = { id: ack.id, secret: r.clientSecret, generation: r.generation };
      }
      const lastAckToken = late.answered ? undefined : token;

      const restarted = await startServer(env);
      try {
        const generation = storedGeneration(env.DATABASE_PATH, ack.id);
        const probe = await v2Token(restarted, ack.id, ack.secret);
        // What must hold: the last acknowledged secret works, or an unanswered rotation committed.
        expect(
          probe.status === 200 || generation === ack.generation + 1,
          `generation ${generation}, acknowledged ${ack.generation}, probe ${probe.status}`,
        ).toBe(true);
        expect([ack.generation, ack.generation + 1]).toContain(generation);
        if (generation === ack.generation) {
          outcomes.push(
            `${late.answered ? 'answered' : 'lost before commit'} (${acknowledged} acked, rotation ~${Math.round(typical)} ms)`,
          );
          expect(probe.status).toBe(200);
          expect(decodeJwt(probe.token!).sgen).toBe(generation);
          // The token of the last acknowledged generation is still good.
          if (lastAckToken) {
            expect(
              (
                await request(`${restarted.url}/api/v1/client/me`, {
                  method: 'GET',
                  headers: { authorization: `Bearer ${lastAckToken}` },
                })
              ).status,
            ).toBe(200);
          }
          // Every committed rotation has its audit row: they commit in one transaction.
          expect(rotationsAudited(env.DATABASE_PATH, ack.id)).toBe(generation - 1);
        } else {
          outcomes.push(`committed unanswered (${acknowledged} acked, rotation ~${Math.round(typical)} ms)`);
          expect(late.answered).toBe(false);
          // No grace: the committed rotation killed the acknowledged secret and its tokens.
          expect(probe.status).toBe(401);
          const me = await request(`${restarted.url}/api/v1/client/me`, {
            method: 'GET',
            headers: { authorization: `Bearer ${lastAckToken}` },
          });
          expect(me.status).toBe(401);
          // The unanswered rotation committed with its audit row, never without it.
          expect(rotationsAudited(env.DATABASE_PATH, ack.id)).toBe(generation - 1);
          // The operator recovers the client with a new secret from the CLI.
          const r = await cli(['clients', 'rotate-secret', ack.id, '--json'], env);
          expect(r.status, r.stderr).toBe(0);
          const fresh = JSON.parse(r.stdout) as { clientSecret: string; secretGeneration: number };
          expect(fresh.secretGeneration).toBe(generation + 1);
          ack = { id: ack.id, secret: fresh.clientSecret, generation: fresh.secretGeneration };
          expect((await v2Token(restarted, ack.id, ack.secret)).status).toBe(200);
        }
        expect(integrity(env.DATABASE_PATH)).toBe('ok');
      } finally {
        await restarted.stop();
      }
    }
    process.stdout.write(`durability outcomes (seed ${SEED}): ${outcomes.join(', ')} (${Date.now() - started} ms)\n`);
  }, 120_000);

  it('backs up under load with `tollgate backup`; the copy restores to a working server', async () => {
    const dir = tempDir();
    const env = { DATABASE_PATH: join(dir, 'tollgate.db') };
    const before = await createAdmin(env, 'made before the backup');
    const busy = await createAdmin(env, 'rotated during the backup');
    const server = await startServer(env);
    const stop = { now: false };
    let restored: RunningServer | undefined;
    try {
      const issued = await v2Token(server, before.id, before.secret);
      expect(issued.status).toBe(200);
      const oldToken = issued.token!;

      // Load: token issuance and secret rotations (writes) while the backup runs.
      const statuses: number[] = [];
      let busyCreds = busy;
      const issuer = async () => {
        for (let i = 0; i < 2000 && !stop.now; i++)
          statuses.push((await v2Token(server, before.id, before.secret)).status);
      };
      const rotator = async () => {
        for (let i = 0; i < 500 && !stop.now; i++) {
          const t = await v2Token(server, busyCreds.id, busyCreds.secret);
          statuses.push(t.status);
          if (t.status !== 200) return;
          const a = await rotate(server, t.token!);
          statuses.push(a.status);
          const r = rotatedFrom(a.body);
          busyCreds = { ...busyCreds, secret: r.clientSecret, generation: r.generation };
        }
      };
      const load = Promise.all([issuer(), issuer(), rotator()]);
      await sleep(100);
      const file = join(tempDir(), 'backup.db');
      const backup = await cliAsync(['backup', file, '--json'], env);
      stop.now = true;
      await load;
      expect(backup.status, backup.stderr).toBe(0);
      expect(JSON.parse(backup.stdout)).toMatchObject({ file, integrity: 'ok' });
      expect(integrity(file)).toBe('ok');
      expect(statuses.length).toBeGreaterThan(10);
      expect(statuses.filter((s) => s !== 200)).toEqual([]);
      expect(busyCreds.generation).toBeGreaterThan(1);

      // A client made after the backup is not in it.
      const after = await createAdmin(env, 'made after the backup');

      // Restore: the backup as the database of a new path, with the same master key beside it.
      const target = tempDir();
      copyFileSync(file, join(target, 'tollgate.db'));
      copyFileSync(join(dir, 'tollgate.master.key'), join(target, 'tollgate.master.key'));
      expect(existsSync(join(target, 'tollgate.db-wal'))).toBe(false);
      const restoredEnv = { DATABASE_PATH: join(target, 'tollgate.db') };
      restored = await startServer(restoredEnv);
      expect((await v2Token(restored, before.id, before.secret)).status).toBe(200);
      // Signing keys came along (sealed under the same master key): an old token still verifies.
      expect(
        (
          await request(`${restored.url}/api/v1/client/me`, {
            method: 'GET',
            headers: { authorization: `Bearer ${oldToken}` },
          })
        ).status,
      ).toBe(200);
      expect((await v2Token(restored, after.id, after.secret)).status).toBe(401);
      const busyGeneration = storedGeneration(restoredEnv.DATABASE_PATH, busy.id);
      expect(busyGeneration).toBeGreaterThanOrEqual(1);
      expect(busyGeneration).toBeLessThanOrEqual(busyCreds.generation);
    } finally {
      stop.now = true;
      await server.stop();
      await restored?.stop();
    }
  }, 120_000);
});
