import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../support/fakes.js';
import { harness, type Harness } from '../support/harness.js';
import { ADMIN, gql, tokenFor } from './support.js';

const DISABLE = 'mutation($id: ID!) { disableClient(id: $id) { id enabled secretGeneration } }';
const ENABLE = 'mutation($id: ID!) { enableClient(id: $id) { id enabled secretGeneration } }';
const UPDATE = 'mutation($input: UpdateClientInput!) { updateClient(input: $input) { id enabled secretGeneration } }';
const TRAIL = 'query($id: ID!) { client(id: $id) { secretGeneration auditTrail { action } } }';

/** A client's state as GraphQL shows it (issue 29): disable/enable idempotent, a running grace visible. */
describe('GraphQL disableClient and enableClient are idempotent', () => {
  let h: Harness;
  let admin: string;
  beforeAll(async () => {
    h = await harness();
    admin = await tokenFor(h, await h.client({ scopes: [ADMIN] }));
  });
  afterAll(() => h.close());

  const call = async (query: string, variables: Record<string, unknown>) => {
    const body = (await gql(h, query, variables, { token: admin })).json();
    expect(body.errors).toBeUndefined();
    return Object.values(body.data)[0] as { id: string; enabled: boolean; secretGeneration: number };
  };

  it('disable, disable, enable: the generation moves once; the trail holds one disable and one enable', async () => {
    const { id } = await h.client();
    expect(await call(DISABLE, { id })).toEqual({ id, enabled: false, secretGeneration: 2 });
    expect(await call(DISABLE, { id })).toEqual({ id, enabled: false, secretGeneration: 2 });
    expect(await call(ENABLE, { id })).toEqual({ id, enabled: true, secretGeneration: 2 });
    expect(await call(ENABLE, { id })).toEqual({ id, enabled: true, secretGeneration: 2 });
    const read = await call(TRAIL, { id });
    expect(read).toEqual({
      secretGeneration: 2,
      auditTrail: [{ action: 'client.enabled' }, { action: 'client.disabled' }, { action: 'client.created' }],
    });
  });

  it('updateClient with enabled is the same door: a disable of a disabled client changes nothing', async () => {
    const { id } = await h.client();
    expect(await call(UPDATE, { input: { id, enabled: false } })).toMatchObject({ secretGeneration: 2 });
    expect(await call(UPDATE, { input: { id, enabled: false } })).toMatchObject({ secretGeneration: 2 });
    expect(await call(DISABLE, { id })).toMatchObject({ enabled: false, secretGeneration: 2 });
    const trail = (await call(TRAIL, { id })) as unknown as { auditTrail: Array<{ action: string }> };
    expect(trail.auditTrail.map((e) => e.action)).toEqual(['client.disabled', 'client.created']);
  });
});

const ROTATE =
  'mutation($id: ID!, $grace: Int) { rotateClientSecret(clientId: $id, graceSeconds: $grace) { generation graceEndsAt } }';
const GRACE = 'query($id: ID!) { client(id: $id) { secretGeneration graceEndsAt } }';
const LIST_GRACE = 'query($search: String) { clients(search: $search) { edges { node { id graceEndsAt } } } }';

describe('GraphQL Client.graceEndsAt: when the previous secret stops working', () => {
  let h: Harness;
  let admin: string;
  const clock = new FixedClock(Date.now());
  beforeAll(async () => {
    h = await harness({ GRAPHQL_TOKEN_TTL_SECONDS: '86400' }, { clock });
    admin = await tokenFor(h, await h.client({ scopes: [ADMIN] }));
  });
  afterAll(() => h.close());

  const data = async (query: string, variables: Record<string, unknown>) => {
    const body = (await gql(h, query, variables, { token: admin })).json();
    expect(body.errors).toBeUndefined();
    return body.data;
  };
  const iso = (ms: number) => new Date(ms).toISOString();

  it('is null with no grace, the grace end while it runs (in the rotation answer too), null once it is over', async () => {
    const { id } = await h.client();
    expect((await data(GRACE, { id })).client).toEqual({ secretGeneration: 1, graceEndsAt: null });
    const rotated = (await data(ROTATE, { id, grace: 3600 })).rotateClientSecret;
    const ends = iso(clock.ms + 3600_000);
    expect(rotated).toEqual({ generation: 2, graceEndsAt: ends });
    expect((await data(GRACE, { id })).client).toEqual({ secretGeneration: 2, graceEndsAt: ends });
    expect((await data(LIST_GRACE, { search: id })).clients.edges).toEqual([{ node: { id, graceEndsAt: ends } }]);
    clock.advance(3599);
    expect((await data(GRACE, { id })).client.graceEndsAt).toBe(ends);
    clock.advance(1);
    // The old secret's last instant has passed (acceptsGeneration honours it while now < graceUntil).
    expect((await data(GRACE, { id })).client.graceEndsAt).toBeNull();
  });

  it('a rotation without grace, or a disable, ends a running grace: null', async () => {
    const { id } = await h.client();
    await data(ROTATE, { id, grace: 600 });
    expect((await data(ROTATE, { id, grace: 0 })).rotateClientSecret).toEqual({ generation: 3, graceEndsAt: null });
    expect((await data(GRACE, { id })).client.graceEndsAt).toBeNull();
    await data(ROTATE, { id, grace: 600 });
    expect((await data(GRACE, { id })).client.graceEndsAt).not.toBeNull();
    await data(DISABLE, { id });
    expect((await data(GRACE, { id })).client).toEqual({ secretGeneration: 5, graceEndsAt: null });
  });
});
