import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { harness, type Harness } from '../support/harness.js';
import { ADMIN, expectTopLevelError, gql, ISSUE, tokenFor } from './support.js';

const LIST =
  'query($first: Int, $after: String) { clients(first: $first, after: $after) { edges { cursor node { id mode } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }';
const ONE = 'query($id: ID!) { client(id: $id) { id name mode } }';
const CREATE =
  'mutation($input: CreateClientInput!) { createClient(input: $input) { clientSecret client { id name mode scopes allowedIps orgId enabled secretGeneration } } }';
const UPDATE =
  'mutation($input: UpdateClientInput!) { updateClient(input: $input) { id name scopes allowedIps enabled } }';

describe('GraphQL administration (Bearer + tollgate:admin)', () => {
  let h: Harness;
  let live: string;
  let test: string;
  beforeAll(async () => {
    h = await harness();
    live = await tokenFor(h, await h.client({ scopes: [ADMIN] }));
    test = await tokenFor(h, await h.client({ mode: 'test', scopes: [ADMIN] }));
  });
  afterAll(() => h.close());

  it('refuses every admin field to a token without tollgate:admin, with FORBIDDEN and null data', async () => {
    const token = await tokenFor(h, await h.client({ scopes: ['read'] }));
    const cases: Array<[string, Record<string, unknown>]> = [
      [LIST, {}],
      [ONE, { id: 'cl_live_whatever00000' }],
      [CREATE, { input: { name: 'x' } }],
      [UPDATE, { input: { id: 'cl_live_whatever00000', name: 'y' } }],
    ];
    for (const [query, variables] of cases) {
      const res = await gql(h, query, variables, { token });
      expect(expectTopLevelError(res, 'FORBIDDEN').message).toBe('The access token lacks scope: tollgate:admin');
      expect(res.json().data === null || Object.values(res.json().data).every((v) => v === null)).toBe(true);
    }
    expectTopLevelError(await gql(h, LIST), 'UNAUTHENTICATED');
  });

  it('refuses a scope entry holding a space instead of splitting it into two scopes', async () => {
    const target = await h.client();
    for (const [query, input] of [
      [CREATE, { name: 'spaced', scopes: ['read write'] }],
      [UPDATE, { id: target.id, scopes: ['read', 'tollgate:admin other'] }],
    ] as const) {
      const err = expectTopLevelError(await gql(h, query, { input }, { token: live }), 'BAD_USER_INPUT');
      expect(err.extensions.field).toBe('scopes');
    }
  });

  it('creates a client in the mode of the address called', async () => {
    const made = await gql(
      h,
      CREATE,
      { input: { name: 'billing', scopes: ['invoices:read'], allowedIps: ['10.0.0.0/8'], orgId: 'org_1' } },
      { token: test, mode: 'test' },
    );
    const payload = made.json().data.createClient;
    expect(payload).toEqual({
      clientSecret: expect.stringMatching(/^sk_test_/),
      client: {
        id: expect.stringMatching(/^cl_test_/),
        name: 'billing',
        mode: 'TEST',
        scopes: ['invoices:read'],
        allowedIps: ['10.0.0.0/8'],
        orgId: 'org_1',
        enabled: true,
        secretGeneration: 1,
      },
    });
    expect(made.headers['cache-control']).toBe('no-store');
    // The secret it showed works, at the test address only.
    const input = { clientId: payload.client.id, clientSecret: payload.clientSecret };
    const grant = await gql(h, ISSUE, { input }, { mode: 'test', remoteAddress: '10.1.2.3' });
    expect(grant.json().data.issueToken.__typename).toBe('TokenGrant');
  });

  it('refuses a bad input as BAD_USER_INPUT naming the field', async () => {
    const bad = await gql(h, CREATE, { input: { name: 'x', allowedIps: ['10.0.0.0/33'] } }, { token: live });
    const err = expectTopLevelError(bad, 'BAD_USER_INPUT');
    expect(err.extensions.field).toBe('allowedIps');
    expect(err.message).toMatch(/^allowedIps /);
    expect(bad.json().data).toBeNull();
  });

  it("lists this mode's clients as a Relay connection, page by page", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      ids.push(
        (await gql(h, CREATE, { input: { name: `paged ${i}` } }, { token: test, mode: 'test' })).json().data
          .createClient.client.id,
      );
    }
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 20; page++) {
      const conn: {
        edges: Array<{ cursor: string; node: { id: string; mode: string } }>;
        pageInfo: {
          hasNextPage: boolean;
          hasPreviousPage: boolean;
          startCursor: string | null;
          endCursor: string | null;
        };
      } = (await gql(h, LIST, { first: 2, after }, { token: test, mode: 'test' })).json().data.clients;
      expect(conn.edges.length).toBeLessThanOrEqual(2);
      expect(conn.pageInfo.hasPreviousPage).toBe(false);
      for (const e of conn.edges) {
        expect(e.node.mode).toBe('TEST');
        expect(e.cursor).toBe(e.node.id);
        seen.push(e.node.id);
      }
      expect(conn.pageInfo.startCursor).toBe(conn.edges[0]?.cursor ?? null);
      expect(conn.pageInfo.endCursor).toBe(conn.edges.at(-1)?.cursor ?? null);
      if (!conn.pageInfo.hasNextPage) break;
      after = conn.pageInfo.endCursor;
    }
    expect(seen).toEqual([...seen].sort());
    expect(new Set(seen).size).toBe(seen.length);
    for (const id of ids) expect(seen).toContain(id);
    expect(seen.every((id) => id.startsWith('cl_test_'))).toBe(true);
    // The live listing holds none of them.
    const liveIds = (await gql(h, LIST, { first: 100 }, { token: live }))
      .json()
      .data.clients.edges.map((e: { node: { id: string } }) => e.node.id);
    expect(liveIds.length).toBeGreaterThan(0);
    expect(liveIds.every((id: string) => id.startsWith('cl_live_'))).toBe(true);
  });

  it('caps first at 100, and refuses a negative one or a cursor of another list', async () => {
    for (const first of [101, -1]) {
      const err = expectTopLevelError(await gql(h, LIST, { first }, { token: live }), 'BAD_USER_INPUT');
      expect(err.extensions.field).toBe('first');
    }
    for (const after of ['cl_test_abc', 'garbage']) {
      const err = expectTopLevelError(await gql(h, LIST, { after }, { token: live }), 'BAD_USER_INPUT');
      expect(err.extensions.field).toBe('after');
    }
    const none = (await gql(h, LIST, { first: 0 }, { token: live })).json().data.clients;
    expect(none.edges).toEqual([]);
    expect(none.pageInfo.hasNextPage).toBe(true);
  });

  it('reads one client of its mode; another mode or an unknown id is null', async () => {
    const mine = await h.client({ mode: 'live' });
    const theirs = await h.client({ mode: 'test' });
    expect((await gql(h, ONE, { id: mine.id }, { token: live })).json()).toEqual({
      data: { client: { id: mine.id, name: 'test client', mode: 'LIVE' } },
    });
    expect((await gql(h, ONE, { id: theirs.id }, { token: live })).json()).toEqual({ data: { client: null } });
    expect((await gql(h, ONE, { id: 'cl_live_nosuchclient0000000' }, { token: live })).json()).toEqual({
      data: { client: null },
    });
  });

  it('updates a client; left-out fields stay, and a disabled client gets no token', async () => {
    const c = await h.client({ scopes: ['a', 'b'], allowedIps: ['10.0.0.0/8'] });
    const res = await gql(h, UPDATE, { input: { id: c.id, name: 'renamed', allowedIps: [] } }, { token: live });
    expect(res.json().data.updateClient).toEqual({
      id: c.id,
      name: 'renamed',
      scopes: ['a', 'b'],
      allowedIps: [],
      enabled: true,
    });
    const off = await gql(h, UPDATE, { input: { id: c.id, enabled: false } }, { token: live });
    expect(off.json().data.updateClient).toMatchObject({ name: 'renamed', enabled: false });
    const grant = await gql(h, ISSUE, { input: { clientId: c.id, clientSecret: c.secret } });
    expect(grant.json().data.issueToken).toMatchObject({
      __typename: 'InvalidClientError',
      message: 'Client is disabled',
    });
  });

  it('does not update a client of the other mode', async () => {
    const theirs = await h.client({ mode: 'test' });
    const res = await gql(h, UPDATE, { input: { id: theirs.id, enabled: false } }, { token: live });
    expectTopLevelError(res, 'NOT_FOUND');
    const still = await gql(h, ONE, { id: theirs.id }, { token: test, mode: 'test' });
    expect(still.json().data.client.id).toBe(theirs.id);
    const grant = await gql(
      h,
      ISSUE,
      { input: { clientId: theirs.id, clientSecret: theirs.secret } },
      { mode: 'test' },
    );
    expect(grant.json().data.issueToken.__typename).toBe('TokenGrant');
  });
});
