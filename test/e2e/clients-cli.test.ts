import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, tempDir } from '../support/process.js';

/** The `clients` commands through the real bin (issue 29: the first hour's traps). */

// Each case spawns the real bin several times (about 1 s each on a loaded 2-core machine).
const SLOW = 120_000;

const fresh = (): Record<string, string> => ({ DATABASE_PATH: join(tempDir(), 'tollgate.db') });

/** A client as `--json` prints it. */
interface ClientJson {
  clientId: string;
  enabled: boolean;
  secretGeneration: number;
  clientSecret?: string;
  graceEndsAt?: string | null;
}

/** Runs a command that must succeed; its `--json` output parsed. */
async function json<T = ClientJson>(env: Record<string, string>, ...args: string[]): Promise<T> {
  const r = await cli([...args, '--json'], env);
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as T;
}

describe('clients disable and enable are idempotent', () => {
  it(
    'disable, disable, enable: the generation moves once, the audit trail holds one disable and one enable',
    async () => {
      const env = fresh();
      const made = await json(env, 'clients', 'create', '--name', 'svc');
      const id = made.clientId;
      expect(made.secretGeneration).toBe(1);
      const first = await json(env, 'clients', 'disable', id);
      const again = await json(env, 'clients', 'disable', id);
      expect([first.secretGeneration, first.enabled]).toEqual([2, false]);
      // The answer is the client as it is: a success, nothing changed.
      expect(again).toEqual(first);
      const text = await cli(['clients', 'disable', id], env);
      expect([text.status, text.stdout]).toEqual([0, `${id} disabled\n`]);
      const enabled = await json(env, 'clients', 'enable', id);
      const twice = await json(env, 'clients', 'enable', id);
      expect([enabled.secretGeneration, enabled.enabled, twice.secretGeneration]).toEqual([2, true, 2]);
      expect((await json(env, 'clients', 'show', id)).secretGeneration).toBe(2);
      const actions = (await json<Array<{ action: string }>>(env, 'audit', '--client', id)).map((e) => e.action);
      expect(actions).toEqual(['client.enabled', 'client.disabled', 'client.created']);
    },
    SLOW,
  );
});

describe('a running grace period is visible', () => {
  const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

  it(
    'rotate-secret, show and list say when the old secret stops working, in text and as graceEndsAt',
    async () => {
      const env = fresh();
      const { clientId: id } = await json(env, 'clients', 'create', '--name', 'svc');
      expect((await json(env, 'clients', 'show', id)).graceEndsAt).toBeNull();
      const before = Date.now();
      const rotated = await json(env, 'clients', 'rotate-secret', id, '--grace', '1h');
      const ends = rotated.graceEndsAt!;
      expect(ends).toMatch(ISO);
      expect(Date.parse(ends) - before).toBeGreaterThanOrEqual(3600_000);
      expect(Date.parse(ends) - Date.now()).toBeLessThanOrEqual(3600_000);
      expect(rotated.clientSecret).toMatch(/^sk_live_/);
      expect((await json(env, 'clients', 'show', id)).graceEndsAt).toBe(ends);
      const listed = await json<ClientJson[]>(env, 'clients', 'list');
      expect(listed.map((c) => [c.clientId, c.graceEndsAt])).toEqual([[id, ends]]);
      const shown = await cli(['clients', 'show', id], env);
      expect(shown.stdout).toMatch(
        new RegExp(`\\n {2}old secret: {2}works until ${ISO.source.slice(1, -1)} \\(in (59m \\d+s|1h)\\)\\n`),
      );
      const list = await cli(['clients', 'list'], env);
      expect(list.stdout).toContain(`  old secret:  works until ${ends} (in `);

      const text = await cli(['clients', 'rotate-secret', id, '--grace', '90m'], env);
      expect(text.status, text.stderr).toBe(0);
      expect(text.stdout).toMatch(/\n {2}old secret: {2}works until \S+Z \(in (1h 30m|1h 29m)\)\n/);
      const now = await cli(['clients', 'rotate-secret', id], env);
      expect(now.stdout).toContain('  old secret:  stopped working now (no grace); its tokens die on their next use\n');
      expect((await json(env, 'clients', 'show', id)).graceEndsAt).toBeNull();
      expect((await cli(['clients', 'show', id], env)).stdout).not.toContain('old secret');
    },
    SLOW,
  );

  it(
    'graceEndsAt is null again once the grace is over',
    async () => {
      const env = fresh();
      const { clientId: id } = await json(env, 'clients', 'create', '--name', 'svc');
      const rotated = await json(env, 'clients', 'rotate-secret', id, '--grace', '2s');
      expect(rotated.graceEndsAt).toMatch(ISO);
      await new Promise((ok) => setTimeout(ok, Math.max(0, Date.parse(rotated.graceEndsAt!) - Date.now()) + 50));
      expect((await json(env, 'clients', 'show', id)).graceEndsAt).toBeNull();
    },
    SLOW,
  );
});
