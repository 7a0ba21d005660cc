import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { harness, type Harness } from '../support/harness.js';
import { makeOperator, panel, signedIn } from './panel-support.js';
import { expectTopLevelError } from './support.js';

const LIST =
  'query($search: String) { clients(first: 100, search: $search) { edges { node { id name orgId lastUsedAt } } } }';
const ONE = 'query($id: ID!) { client(id: $id) { id auditTrail { action actor detail } } }';
const CREATE =
  'mutation($input: CreateClientInput!) { createClient(input: $input) { clientSecret client { id orgId } } }';
const UPDATE = 'mutation($input: UpdateClientInput!) { updateClient(input: $input) { id name } }';
const ROTATE = 'mutation($id: ID!) { rotateClientSecret(clientId: $id) { clientSecret generation } }';
const DISABLE = 'mutation($id: ID!) { disableClient(id: $id) { id enabled } }';
const ENABLE = 'mutation($id: ID!) { enableClient(id: $id) { id enabled } }';
const OPERATORS = '{ operators { email role orgId } }';
const KEYS = '{ signingKeys { kid mode current } }';

describe('panel roles, decided in the core', () => {
  let h: Harness;
  let admin: string;
  let dev: string;
  let viewer: string;
  let orgViewer: string;
  let acme: string;
  let other: string;
  beforeAll(async () => {
    h = await harness();
    await makeOperator(h, 'admin@example.com', 'admin');
    await makeOperator(h, 'dev@acme.example', 'developer', 'acme');
    await makeOperator(h, 'viewer@example.com', 'viewer');
    await makeOperator(h, 'viewer@acme.example', 'viewer', 'acme');
    admin = await signedIn(h, 'admin@example.com');
    dev = await signedIn(h, 'dev@acme.example');
    viewer = await signedIn(h, 'viewer@example.com');
    orgViewer = await signedIn(h, 'viewer@acme.example');
    acme = (await h.client({ name: 'acme billing', orgId: 'acme' })).id;
    other = (await h.client({ name: 'globex 100%_off', orgId: 'globex' })).id;
  });
  afterAll(() => h.close());

  const ids = async (cookie: string, search?: string): Promise<string[]> =>
    (await panel(h, LIST, search === undefined ? {} : { search }, { cookie }))
      .json()
      .data.clients.edges.map((e: { node: { id: string } }) => e.node.id);

  it('shows an admin every client, a developer and an organisation viewer their organisation’s, a viewer without one every client', async () => {
    expect(await ids(admin)).toEqual(expect.arrayContaining([acme, other]));
    expect(await ids(dev)).toEqual([acme]);
    expect(await ids(orgViewer)).toEqual([acme]);
    expect(await ids(viewer)).toEqual(expect.arrayContaining([acme, other]));
  });

  it('searches ids and names in any case, taking % and _ literally', async () => {
    expect(await ids(admin, 'ACME')).toEqual([acme]);
    expect(await ids(admin, '100%_')).toEqual([other]);
    expect(await ids(admin, '%')).toEqual([other]);
    expect(await ids(dev, 'globex')).toEqual([]);
  });

  it('answers a developer guessing another organisation’s id exactly as for an id that does not exist', async () => {
    expect((await panel(h, ONE, { id: other }, { cookie: dev })).json().data.client).toBeNull();
    for (const [q, v] of [
      [UPDATE, { input: { id: other, name: 'mine now' } }],
      [ROTATE, { id: other }],
      [DISABLE, { id: other }],
    ] as const) {
      expect(expectTopLevelError(await panel(h, q, v, { cookie: dev }), 'NOT_FOUND').message).toBe('No such client');
    }
    expect((await panel(h, ONE, { id: other }, { cookie: admin })).json().data.client.id).toBe(other);
  });

  it('puts a developer’s new client in its organisation and refuses another organisation', async () => {
    const made = (await panel(h, CREATE, { input: { name: 'dev made' } }, { cookie: dev })).json().data.createClient;
    expect(made.client.orgId).toBe('acme');
    expect(made.clientSecret).toMatch(/^sk_live_/);
    expect(
      expectTopLevelError(
        await panel(h, CREATE, { input: { name: 'x', orgId: 'globex' } }, { cookie: dev }),
        'FORBIDDEN',
      ).message,
    ).toBe('Developers create clients in their own organisation only');
    const adminMade = (
      await panel(h, CREATE, { input: { name: 'for globex', orgId: 'globex' } }, { cookie: admin, mode: 'test' })
    ).json().data.createClient;
    expect(adminMade.client).toMatchObject({ orgId: 'globex' });
    expect(adminMade.client.id).toMatch(/^cl_test_/);
  });

  it('lets a viewer change nothing and never hands it a secret', async () => {
    for (const [q, v] of [
      [CREATE, { input: { name: 'viewer made' } }],
      [UPDATE, { input: { id: acme, name: 'renamed' } }],
      [ROTATE, { id: acme }],
      [DISABLE, { id: acme }],
      [ENABLE, { id: acme }],
    ] as const) {
      const res = await panel(h, q, v, { cookie: viewer });
      expect(expectTopLevelError(res, 'FORBIDDEN').message).toBe('Viewers cannot change clients');
      expect(JSON.stringify(res.json())).not.toMatch(/sk_(live|test)_/);
    }
    expect((await panel(h, ONE, { id: acme }, { cookie: viewer })).json().data.client.id).toBe(acme);
  });

  it('shows operators and signing keys of both modes to admins only', async () => {
    const ops = (await panel(h, OPERATORS, {}, { cookie: admin })).json().data.operators;
    expect(ops.map((o: { email: string }) => o.email)).toEqual([
      'admin@example.com',
      'dev@acme.example',
      'viewer@acme.example',
      'viewer@example.com',
    ]);
    const keys = (await panel(h, KEYS, {}, { cookie: admin })).json().data.signingKeys;
    expect(new Set(keys.map((k: { mode: string }) => k.mode))).toEqual(new Set(['LIVE', 'TEST']));
    for (const cookie of [dev, viewer]) {
      expect(expectTopLevelError(await panel(h, OPERATORS, {}, { cookie }), 'FORBIDDEN').message).toBe(
        'Only admins may do this',
      );
      expectTopLevelError(await panel(h, KEYS, {}, { cookie }), 'FORBIDDEN');
    }
  });

  it('disables and enables, rotates, and records each in the client’s audit trail by the operator’s email', async () => {
    const c = (await h.client({ name: 'audited', orgId: 'acme' })).id;
    expect((await panel(h, DISABLE, { id: c }, { cookie: dev })).json().data.disableClient).toEqual({
      id: c,
      enabled: false,
    });
    expect((await panel(h, ENABLE, { id: c }, { cookie: dev })).json().data.enableClient).toEqual({
      id: c,
      enabled: true,
    });
    const rotated = (await panel(h, ROTATE, { id: c }, { cookie: dev })).json().data.rotateClientSecret;
    // The disable ended every token for good (generation 2), the rotation made generation 3.
    expect(rotated.generation).toBe(3);
    const trail = (await panel(h, ONE, { id: c }, { cookie: orgViewer })).json().data.client.auditTrail;
    expect(trail.map((e: { action: string }) => e.action)).toEqual([
      'client.rotated',
      'client.enabled',
      'client.disabled',
      'client.created',
    ]);
    expect(trail[0].actor).toBe('panel:dev@acme.example');
    expect(JSON.stringify(trail)).not.toContain(rotated.clientSecret);
  });

  it('says when a client was last used, after a token is issued to it', async () => {
    const c = await h.client({ name: 'used', orgId: 'acme' });
    const before = (await panel(h, LIST, { search: c.id }, { cookie: admin })).json().data.clients.edges[0].node
      .lastUsedAt;
    expect(before).toBeNull();
    const issued = await h.app.inject({
      method: 'POST',
      url: '/v1/auth/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `client_id=${c.id}&client_secret=${c.secret}`,
    });
    expect(issued.statusCode).toBe(200);
    await new Promise((r) => setTimeout(r, 50));
    const after = (await panel(h, LIST, { search: c.id }, { cookie: admin })).json().data.clients.edges[0].node
      .lastUsedAt;
    expect(typeof after).toBe('string');
    expect(Math.abs(Date.parse(after) - Date.now())).toBeLessThan(60_000);
  });
});
