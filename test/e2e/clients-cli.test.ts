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
