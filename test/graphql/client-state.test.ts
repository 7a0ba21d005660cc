import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { harness, type Harness } from '../support/harness.js';
import { ADMIN, gql, tokenFor } from './support.js';

const DISABLE = 'mutation($id: ID!) { disableClient(id: $id) { id enabled secretGeneration } }';
const ENABLE = 'mutation($id: ID!) { enableClient(id: $id) { id enabled secretGeneration } }';
const UPDATE = 'mutation($input: UpdateClientInput!) { updateClient(input: $input) { id enabled secretGeneration } }';
const TRAIL = 'query($id: ID!) { client(id: $id) { secretGeneration auditTrail { action } } }';

/** A client's state as GraphQL shows it (issue 29): disable/enable idempotent. */
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
