import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { harness, type Harness } from '../support/harness.js';
import { makeOperator, panel, signedIn } from './panel-support.js';
import { ADMIN, gql, tokenFor } from './support.js';

const TRAIL = 'query($id: ID!) { client(id: $id) { auditTrail { action actor sourceIp summary detail } } }';
const ROTATE =
  'mutation($id: ID!, $grace: Int) { rotateClientSecret(clientId: $id, graceSeconds: $grace) { generation } }';
const UPDATE = 'mutation($input: UpdateClientInput!) { updateClient(input: $input) { id } }';
const DISABLE = 'mutation($id: ID!) { disableClient(id: $id) { id } }';

/** `AuditEvent.summary` (issue 29, item 8): the trail in words, through the real schema, beside the raw detail. */
describe('AuditEvent.summary', () => {
  let h: Harness;
  let cookie: string;
  const FROM = '203.0.113.5';
  beforeAll(async () => {
    h = await harness();
    await makeOperator(h, 'you@example.test', 'admin');
    cookie = await signedIn(h, 'you@example.test');
  });
  afterAll(() => h.close());

  const asAdmin = async (query: string, variables: Record<string, unknown>) => {
    const res = await panel(h, query, variables, { cookie, remoteAddress: FROM });
    expect(res.json().errors, res.body).toBeUndefined();
    return res.json().data;
  };

  it('says each change in words, who made it and from where, with the detail still there', async () => {
    const c = await h.client({ name: 'billing', scopes: ['read'] });
    await asAdmin(ROTATE, { id: c.id, grace: 3600 });
    await asAdmin(UPDATE, {
      input: { id: c.id, name: 'invoices', scopes: ['read', 'write'], allowedIps: ['10.0.0.0/8'] },
    });
    await asAdmin(DISABLE, { id: c.id });
    const admin = await h.client({ name: 'robot', scopes: [ADMIN] });
    const token = await tokenFor(h, admin);
    const bearer = await gql(h, ROTATE, { id: c.id }, { token, remoteAddress: '198.51.100.9' });
    expect(bearer.json().errors).toBeUndefined();

    const trail = (await asAdmin(TRAIL, { id: c.id })).client.auditTrail as Array<Record<string, string>>;
    expect(trail.map((e) => e.summary)).toEqual([
      `Secret rotated, no grace, the old secret stopped at once, by client ${admin.id} from 198.51.100.9`,
      `Client disabled, its tokens ended, by you@example.test from ${FROM}`,
      `Client updated, renamed to “invoices”, scopes set to read write, IP allowlist set to 10.0.0.0/8, ` +
        `by you@example.test from ${FROM}`,
      `Secret rotated, 1 h grace, by you@example.test from ${FROM}`,
      'Client created, “billing”, live mode, scopes read, by Tollgate',
    ]);
    expect(JSON.parse(trail[3]!.detail!)).toEqual({ generation: 2, graceSeconds: 3600 });
    // The same field for a Bearer admin: one sentence, whoever reads it.
    const read = await gql(h, TRAIL, { id: c.id }, { token });
    expect(read.json().data.client.auditTrail.map((e: { summary: string }) => e.summary)).toEqual(
      trail.map((e) => e.summary),
    );
  });
});
