import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { harness, type Harness } from '../support/harness.js';
import { ADMIN, expectTopLevelError, gql, ISSUE, tokenFor } from './support.js';

const VIEWER = '{ viewer { id name mode scopes allowedIps orgId enabled secretGeneration createdAt } }';
const ROTATE =
  'mutation($clientId: ID, $grace: Int) { rotateClientSecret(clientId: $clientId, graceSeconds: $grace) { clientId clientSecret generation } }';

describe('GraphQL Bearer fields: viewer and rotateClientSecret', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness({ TRUST_PROXY: '127.0.0.1' });
  });
  afterAll(() => h.close());

  it('shows the calling client as viewer', async () => {
    const c = await h.client({ scopes: ['read'], orgId: 'org_9' });
    const res = await gql(h, VIEWER, undefined, { token: await tokenFor(h, c) });
    expect(res.json()).toEqual({
      data: {
        viewer: {
          id: c.id,
          name: 'test client',
          mode: 'LIVE',
          scopes: ['read'],
          allowedIps: [],
          orgId: 'org_9',
          enabled: true,
          secretGeneration: 1,
          createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
        },
      },
    });
  });

  it('answers a missing or bad token with UNAUTHENTICATED and null data for the field', async () => {
    const c = await h.client();
    const none = await gql(h, VIEWER);
    expect(expectTopLevelError(none, 'UNAUTHENTICATED')).toMatchObject({
      message: 'An access token is required',
      path: ['viewer'],
    });
    expect(none.json().data).toEqual({ viewer: null });
    const garbage = await gql(h, VIEWER, undefined, { token: 'not.a.jwt' });
    expectTopLevelError(garbage, 'UNAUTHENTICATED');
    // A live token at the test address is no token of that mode.
    const otherMode = await gql(h, VIEWER, undefined, { token: await tokenFor(h, c), mode: 'test' });
    expectTopLevelError(otherMode, 'UNAUTHENTICATED');
    expect(otherMode.json().data).toEqual({ viewer: null });
  });

  it('answers a token used from outside the allowlist with FORBIDDEN', async () => {
    const c = await h.client({ allowedIps: ['198.51.100.0/24'] });
    const inside = { 'x-forwarded-for': '198.51.100.7' };
    const res = await gql(h, ISSUE, { input: { clientId: c.id, clientSecret: c.secret } }, { headers: inside });
    const t = res.json().data.issueToken.accessToken as string;
    expect((await gql(h, VIEWER, undefined, { token: t, headers: inside })).json().data.viewer.id).toBe(c.id);
    const outside = await gql(h, VIEWER, undefined, { token: t, headers: { 'x-forwarded-for': '203.0.113.7' } });
    expectTopLevelError(outside, 'FORBIDDEN');
  });

  it("rotates the caller's own secret: the new one works, the token used dies with the old one", async () => {
    const c = await h.client();
    const token = await tokenFor(h, c);
    const res = await gql(h, ROTATE, {}, { token });
    const rotated = res.json().data.rotateClientSecret;
    expect(rotated).toEqual({ clientId: c.id, clientSecret: expect.stringMatching(/^sk_live_/), generation: 2 });
    expect(res.headers['cache-control']).toBe('no-store');
    expectTopLevelError(await gql(h, VIEWER, undefined, { token }), 'UNAUTHENTICATED');
    const old = await gql(h, ISSUE, { input: { clientId: c.id, clientSecret: c.secret } });
    expect(old.json().data.issueToken.__typename).toBe('InvalidClientError');
    const fresh = await tokenFor(h, { ...c, secret: rotated.clientSecret });
    expect((await gql(h, VIEWER, undefined, { token: fresh })).json().data.viewer.secretGeneration).toBe(2);
  });

  it('keeps the old secret and its tokens during a grace', async () => {
    const c = await h.client();
    const token = await tokenFor(h, c);
    const res = await gql(h, ROTATE, { grace: 3600 }, { token });
    expect(res.json().data.rotateClientSecret.generation).toBe(2);
    expect((await gql(h, VIEWER, undefined, { token })).json().data.viewer.id).toBe(c.id);
    expect(await tokenFor(h, c)).toEqual(expect.any(String));
  });

  it('refuses a bad grace as BAD_USER_INPUT naming graceSeconds, and rotates nothing', async () => {
    const c = await h.client();
    const token = await tokenFor(h, c);
    const err = expectTopLevelError(await gql(h, ROTATE, { grace: -1 }, { token }), 'BAD_USER_INPUT');
    expect(err.extensions.field).toBe('graceSeconds');
    expect(err.message).toMatch(/^graceSeconds must be/);
    expect((await gql(h, VIEWER, undefined, { token })).json().data.viewer.secretGeneration).toBe(1);
  });

  it('needs tollgate:admin to rotate another client, and stays inside the mode called', async () => {
    const plain = await h.client();
    const target = await h.client();
    const forbidden = await gql(h, ROTATE, { clientId: target.id }, { token: await tokenFor(h, plain) });
    expect(expectTopLevelError(forbidden, 'FORBIDDEN').message).toContain(ADMIN);
    expect(forbidden.json().data).toBeNull();

    const admin = await h.client({ scopes: [ADMIN] });
    const adminToken = await tokenFor(h, admin);
    const ok = await gql(h, ROTATE, { clientId: target.id }, { token: adminToken });
    expect(ok.json().data.rotateClientSecret).toMatchObject({ clientId: target.id, generation: 2 });
    // The admin's own token lives on: only the target's generation moved.
    expect((await gql(h, VIEWER, undefined, { token: adminToken })).json().data.viewer.secretGeneration).toBe(1);

    const testClient = await h.client({ mode: 'test' });
    const otherMode = await gql(h, ROTATE, { clientId: testClient.id }, { token: adminToken });
    expectTopLevelError(otherMode, 'NOT_FOUND');
    const unknown = await gql(h, ROTATE, { clientId: 'cl_live_nosuchclient0000000' }, { token: adminToken });
    expectTopLevelError(unknown, 'NOT_FOUND');
  });
});
