import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SqliteIdempotencyStore } from '../../src/infra/db/sqlite/idempotency.js';
import {
  createClientIdempotent,
  requestHash,
  type IdempotentDeps,
} from '../../src/usecases/clients/create-idempotent.js';
import { IDEMPOTENCY_TTL_MS } from '../../src/usecases/idempotency.js';
import { FixedClock } from '../support/fakes.js';
import { harness, type Harness } from '../support/harness.js';
import { ADMIN, expectTopLevelError, gql, tokenFor } from './support.js';

const CREATE =
  'mutation($input: CreateClientInput!) { createClient(input: $input) { clientSecret client { id name } } }';

describe('GraphQL createClient with Idempotency-Key', () => {
  let h: Harness;
  let admin: string;
  const count = () => (h.sqlite.db.$client.prepare('SELECT COUNT(*) AS n FROM clients').get() as { n: number }).n;
  const create = (input: Record<string, unknown>, key?: string, token = admin) =>
    gql(h, CREATE, { input }, { token, headers: key === undefined ? {} : { 'idempotency-key': key } });

  beforeAll(async () => {
    h = await harness();
    admin = await tokenFor(h, await h.client({ scopes: [ADMIN] }));
  });
  afterAll(() => h.close());

  it('answers a retry with the same key and input with the first answer, secret included, and creates one client', async () => {
    const before = count();
    const first = (await create({ name: 'once', scopes: ['a'] }, 'key-1')).json().data.createClient;
    const again = (await create({ name: 'once', scopes: ['a'] }, 'key-1')).json().data.createClient;
    expect(again).toEqual(first);
    expect(count()).toBe(before + 1);
  });

  it('refuses the same key with another input, naming the header, and creates nothing', async () => {
    await create({ name: 'first use' }, 'key-2');
    const before = count();
    const res = await create({ name: 'something else' }, 'key-2');
    const err = expectTopLevelError(res, 'BAD_USER_INPUT');
    expect(err.extensions.field).toBe('Idempotency-Key');
    expect(err.message).toBe(
      'Idempotency-Key was already used with a different request; use a new key for a new request',
    );
    expect(count()).toBe(before);
  });

  it('keeps keys apart per calling client', async () => {
    const other = await tokenFor(h, await h.client({ scopes: [ADMIN] }));
    const mine = (await create({ name: 'shared key' }, 'key-3')).json().data.createClient;
    const theirs = (await create({ name: 'shared key' }, 'key-3', other)).json().data.createClient;
    expect(theirs.client.id).not.toBe(mine.client.id);
  });

  it('creates a new client on every call without a key', async () => {
    const a = (await create({ name: 'no key' })).json().data.createClient;
    const b = (await create({ name: 'no key' })).json().data.createClient;
    expect(a.client.id).not.toBe(b.client.id);
  });

  it('stores nothing for a request that fails validation, so the key can be used again', async () => {
    const bad = await create({ name: '   ' }, 'key-4');
    expect(expectTopLevelError(bad, 'BAD_USER_INPUT').extensions.field).toBe('name');
    const good = await create({ name: 'fixed' }, 'key-4');
    expect(good.json().data.createClient.client.name).toBe('fixed');
  });

  it('refuses a key of the wrong shape', async () => {
    for (const key of ['has space', 'x'.repeat(256)]) {
      const err = expectTopLevelError(await create({ name: 'k' }, key), 'BAD_USER_INPUT');
      expect(err.extensions.field).toBe('Idempotency-Key');
    }
  });

  it('never stores the secret in the clear', async () => {
    const made = (await create({ name: 'sealed' }, 'key-5')).json().data.createClient;
    const rows = h.sqlite.db.$client.prepare('SELECT * FROM idempotency_keys').all() as Array<Record<string, unknown>>;
    expect(rows.length).toBeGreaterThan(0);
    const dump = JSON.stringify(rows);
    expect(dump).not.toContain(made.clientSecret);
    expect(dump).not.toContain(made.clientSecret.slice(8, 30));
    const row = rows.find((r) => r.key === 'key-5')!;
    expect(row.result_enc).toMatch(/^v1\./);
  });
});

describe('createClientIdempotent (use case on the SQLite store, fixed clock)', () => {
  let h: Harness;
  let deps: IdempotentDeps;
  let clock: FixedClock;
  let store: SqliteIdempotencyStore;
  const input = { name: 'clocked', mode: 'live' as const };

  beforeAll(async () => {
    h = await harness();
    clock = new FixedClock();
    store = h.sqlite.idempotency;
    deps = { ...h.services.deps, clock };
  });
  afterAll(() => h.close());

  it('remembers a key for 24 hours, then forgets it', async () => {
    const first = await createClientIdempotent(deps, { callerId: 'cl_live_caller', key: 'k', input });
    clock.ms += IDEMPOTENCY_TTL_MS - 1;
    expect(await createClientIdempotent(deps, { callerId: 'cl_live_caller', key: 'k', input })).toEqual(first);
    clock.ms += 1;
    const later = await createClientIdempotent(deps, {
      callerId: 'cl_live_caller',
      key: 'k',
      input: { ...input, name: 'a new request' },
    });
    expect(later.client.id).not.toBe(first.client.id);
  });

  it('purges expired keys when a key is claimed', async () => {
    await createClientIdempotent(deps, { callerId: 'cl_live_purge', key: 'old', input });
    clock.ms += IDEMPOTENCY_TTL_MS;
    await createClientIdempotent(deps, { callerId: 'cl_live_purge', key: 'new', input });
    const keys = h.sqlite.db.$client
      .prepare("SELECT key FROM idempotency_keys WHERE caller_id = 'cl_live_purge'")
      .all();
    expect(keys).toEqual([{ key: 'new' }]);
  });

  it('refuses a retry while the first request is still running', async () => {
    const now = clock.now();
    expect(await store.claim('cl_live_racer', 'k', requestHash(input), now, now + IDEMPOTENCY_TTL_MS)).toEqual({
      state: 'claimed',
    });
    await expect(createClientIdempotent(deps, { callerId: 'cl_live_racer', key: 'k', input })).rejects.toMatchObject({
      code: 'invalid_request',
      details: { field: 'idempotency_key' },
      message: expect.stringContaining('still in progress'),
    });
  });

  it('gives one of two racing requests the claim', async () => {
    const before = await h.services.deps.clients.count();
    const results = await Promise.all([
      createClientIdempotent(deps, { callerId: 'cl_live_race2', key: 'k', input }).then(
        (r) => r.client.id,
        (e: Error) => e.message,
      ),
      createClientIdempotent(deps, { callerId: 'cl_live_race2', key: 'k', input }).then(
        (r) => r.client.id,
        (e: Error) => e.message,
      ),
    ]);
    const after = await h.services.deps.clients.count();
    expect(after).toBe(before + 1);
    // The loser is told to retry (and then gets the first answer); never a second client.
    expect(results.filter((r) => r.startsWith('cl_live_'))).toHaveLength(1);
    expect(results.filter((r) => r.includes('still in progress'))).toHaveLength(1);
    const retry = await createClientIdempotent(deps, { callerId: 'cl_live_race2', key: 'k', input });
    expect(results).toContain(retry.client.id);
  });

  it('will not open a sealed answer moved to another caller', async () => {
    await createClientIdempotent(deps, { callerId: 'cl_live_victim', key: 'k', input });
    h.sqlite.db.$client
      .prepare("UPDATE idempotency_keys SET caller_id = 'cl_live_thief' WHERE caller_id = 'cl_live_victim'")
      .run();
    await expect(createClientIdempotent(deps, { callerId: 'cl_live_thief', key: 'k', input })).rejects.toThrow(
      /does not belong/,
    );
  });
});
