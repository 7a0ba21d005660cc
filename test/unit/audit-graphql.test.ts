import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, gql, tokenFor } from '../graphql/support.js';
import { harness, type Harness } from '../support/harness.js';

const CREATE = 'mutation($input: CreateClientInput!) { createClient(input: $input) { clientSecret client { id } } }';
const UPDATE = 'mutation($input: UpdateClientInput!) { updateClient(input: $input) { id enabled } }';
const ROTATE = 'mutation($id: ID) { rotateClientSecret(clientId: $id) { clientId clientSecret generation } }';

/** The GraphQL call sites name the calling client and its address as the actor. */
describe('audit trail of GraphQL administration', () => {
  let h: Harness;
  let admin: { id: string; secret: string };
  let token: string;
  const FROM = '198.51.100.23';

  beforeAll(async () => {
    h = await harness();
    const c = await h.client({ scopes: [ADMIN] });
    admin = c;
    token = await tokenFor(h, c);
  });
  afterAll(() => h.close());

  const call = async (query: string, variables: Record<string, unknown>, bearer = token) => {
    const res = await gql(h, query, variables, { token: bearer, remoteAddress: FROM });
    const body = res.json();
    expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
    return body.data;
  };

  it('records create, update, disable, enable and both kinds of rotation as graphql:<caller> from its address', async () => {
    const made = (await call(CREATE, { input: { name: 'via-graphql', scopes: ['read'] } }, token)).createClient;
    const id = made.client.id as string;
    await call(UPDATE, { input: { id, name: 'renamed' } });
    await call(UPDATE, { input: { id, enabled: false } });
    await call(UPDATE, { input: { id, enabled: true } });
    const other = (await call(ROTATE, { id })).rotateClientSecret;
    const own = (await call(ROTATE, {})).rotateClientSecret;
    expect(own.clientId).toBe(admin.id);

    const actor = `graphql:${admin.id}`;
    const trail = await h.services.deps.audit.list({ clientId: id, limit: 10 });
    expect(trail.map((e) => [e.action, e.actor, e.sourceIp])).toEqual([
      ['client.rotated', actor, FROM],
      ['client.enabled', actor, FROM],
      ['client.disabled', actor, FROM],
      ['client.updated', actor, FROM],
      ['client.created', actor, FROM],
    ]);
    expect(trail[3]!.detail).toEqual({ fields: ['name'], name: 'renamed' });
    const ownTrail = await h.services.deps.audit.list({ clientId: admin.id, limit: 10 });
    expect(ownTrail.map((e) => [e.action, e.actor, e.sourceIp, e.detail])).toEqual([
      ['client.rotated', actor, FROM, { generation: 2, graceSeconds: 0 }],
      // Made by the harness through the core: Tollgate itself.
      ['client.created', 'system:tollgate', null, expect.objectContaining({ secretSource: 'generated' })],
    ]);
    const all = JSON.stringify(await h.services.deps.audit.list({ limit: 100 }));
    for (const s of [made.clientSecret, other.clientSecret, own.clientSecret, admin.secret, token])
      expect(all.includes(s)).toBe(false);
  });
});
