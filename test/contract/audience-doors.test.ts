import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApi, removeGrant, setGrant } from '../../src/usecases/apis/manage.js';
import { harness, type Harness } from '../support/harness.js';
import { DOORS } from './doors.js';

const BILLING = 'https://billing.example.com/api';
const REPORTS = 'https://reports.example.com/api';
const SHORT = 'https://short.example.com/api';
const RSA = 'urn:example:rsa-api';
const TEST_ONLY = 'https://sandbox.example.com/api';
const NOWHERE = 'https://nowhere.example.com/api';

/**
 * The audience a token is for (spec §8), one table run against every token door: the API named
 * is the token's `aud`, its permissions the grant's, its lifetime capped by the API, signed with
 * the API's algorithm; an unknown, foreign-mode or ungranted API is one `invalid_target`.
 */
describe.each(DOORS)('contract: $name audience', (door) => {
  let h: Harness;
  let client: { id: string; secret: string };
  const permissions = (names: string[]) => names.map((name) => ({ name, description: `may ${name}` }));

  beforeAll(async () => {
    h = await harness({ LOCKOUT_MAX_FAILURES: '3', LOCKOUT_MAX_FAILURES_PER_IP: '100000' });
    const deps = h.services.deps;
    client = await h.client({ mode: 'live', scopes: ['read'] });
    await createApi(deps, {
      identifier: BILLING,
      name: 'Billing',
      mode: 'live',
      permissions: permissions(['invoices:read', 'invoices:write', 'refunds']),
    });
    await createApi(deps, {
      identifier: REPORTS,
      name: 'Reports',
      mode: 'live',
      permissions: permissions(['reports:read']),
    });
    await createApi(deps, {
      identifier: SHORT,
      name: 'Short',
      mode: 'live',
      permissions: permissions(['x']),
      tokenTtlSeconds: 60,
    });
    await createApi(deps, {
      identifier: RSA,
      name: 'RSA',
      mode: 'live',
      permissions: permissions(['y']),
      alg: 'RS256',
    });
    await createApi(deps, { identifier: TEST_ONLY, name: 'Sandbox', mode: 'test', permissions: permissions(['z']) });
    await setGrant(deps, client.id, { mode: 'live', identifier: BILLING }, ['invoices:read', 'invoices:write']);
    await setGrant(deps, client.id, { mode: 'live', identifier: SHORT }, ['x']);
    await setGrant(deps, client.id, { mode: 'live', identifier: RSA }, ['y']);
  });
  afterAll(() => h.close());

  const ask = (
    extra: { audience?: string | string[]; resource?: string | string[]; scope?: string },
    secret = client.secret,
  ) => door.issue(h, 'live', { clientId: client.id, clientSecret: secret, ...extra });

  it('names the API in aud, with the permissions granted there', async () => {
    const token = door.expectToken(await ask({ audience: BILLING }), { scope: 'invoices:read invoices:write' });
    expect(decodeJwt(token)).toMatchObject({
      aud: BILLING,
      scope: 'invoices:read invoices:write',
      permissions: ['invoices:read', 'invoices:write'],
    });
  });

  it('selects among the granted permissions with scope', async () => {
    const token = door.expectToken(await ask({ audience: BILLING, scope: 'invoices:read' }), {
      scope: 'invoices:read',
    });
    expect(decodeJwt(token).permissions).toEqual(['invoices:read']);
  });

  it('asking for nothing, or for the default API by name, is the default token as before', async () => {
    const plain = decodeJwt(door.expectToken(await ask({}), { scope: 'read' }));
    const named = decodeJwt(door.expectToken(await ask({ audience: 'http://tollgate.test' }), { scope: 'read' }));
    expect(plain.aud).toBe('http://tollgate.test');
    expect(named).toMatchObject({ aud: 'http://tollgate.test', scope: 'read' });
  });

  it("caps the lifetime at the API's", async () => {
    const token = door.expectToken(await ask({ audience: SHORT }), { scope: 'x', expiresIn: 60 });
    const claims = decodeJwt(token);
    expect(claims.exp! - claims.iat!).toBe(60);
  });

  it("signs with the API's algorithm, a key published in the JWKS", async () => {
    const token = door.expectToken(await ask({ audience: RSA }), { scope: 'y' });
    expect(decodeProtectedHeader(token).alg).toBe('RS256');
    const port = await h.listen();
    const jwks = createRemoteJWKSet(new URL(`http://127.0.0.1:${port}/.well-known/jwks.json`));
    await expect(jwtVerify(token, jwks, { audience: RSA, issuer: 'http://tollgate.test' })).resolves.toBeDefined();
  });

  it('permissions outside the grant are invalid_scope', async () => {
    door.expectError(await ask({ audience: BILLING, scope: 'refunds' }), 'invalid_scope');
    door.expectError(await ask({ audience: BILLING, scope: 'read' }), 'invalid_scope');
  });

  it('an unknown, other-mode or ungranted API is one invalid_target, the same answer for all three', async () => {
    const unknown = await ask({ audience: NOWHERE });
    const otherMode = await ask({ audience: TEST_ONLY });
    const ungranted = await ask({ audience: REPORTS });
    for (const res of [unknown, otherMode, ungranted]) door.expectError(res, 'invalid_target');
    expect(otherMode.body).toBe(unknown.body);
    expect(ungranted.body).toBe(unknown.body);
  });

  it('a value that is no URI is invalid_target', async () => {
    door.expectError(await ask({ audience: '' }), 'invalid_target');
  });

  // Only where a request can hold two (GraphQL's `audience` is one String): no case is skipped.
  if (door.repeatsAudience) {
    it('two audiences are invalid_target', async () => {
      door.expectError(await ask({ audience: [BILLING, SHORT] }), 'invalid_target');
    });
  }

  if (door.takesResource) {
    it('RFC 8707 resource: one absolute URI without fragment', async () => {
      const token = door.expectToken(await ask({ resource: BILLING }), { scope: 'invoices:read invoices:write' });
      expect(decodeJwt(token).aud).toBe(BILLING);
      door.expectToken(await ask({ resource: BILLING, audience: BILLING }), { scope: 'invoices:read invoices:write' });
      door.expectError(await ask({ resource: 'billing' }), 'invalid_target');
      door.expectError(await ask({ resource: `${BILLING}#part` }), 'invalid_target');
      door.expectError(await ask({ resource: [BILLING, SHORT] }), 'invalid_target');
      door.expectError(await ask({ resource: BILLING, audience: SHORT }), 'invalid_request');
    });
  }

  it('a wrong audience with the right secret is no guess: it never locks the client out', async () => {
    for (let i = 0; i < 5; i++) door.expectError(await ask({ audience: NOWHERE }), 'invalid_target');
    door.expectToken(await ask({ audience: BILLING }), { scope: 'invoices:read invoices:write' });
  });

  it('a wrong secret is still checked first: invalid_client, whatever the audience', async () => {
    const other = await h.client({ mode: 'live' });
    door.expectError(
      await door.issue(h, 'live', { clientId: other.id, clientSecret: 'wrong-secret-here', audience: BILLING }),
      'invalid_client',
    );
  });

  it('a removed grant is invalid_target from then on', async () => {
    const c = await h.client({ mode: 'live' });
    await setGrant(h.services.deps, c.id, { mode: 'live', identifier: REPORTS }, ['reports:read']);
    door.expectToken(await door.issue(h, 'live', { clientId: c.id, clientSecret: c.secret, audience: REPORTS }), {
      scope: 'reports:read',
    });
    await removeGrant(h.services.deps, c.id, { mode: 'live', identifier: REPORTS });
    door.expectError(
      await door.issue(h, 'live', { clientId: c.id, clientSecret: c.secret, audience: REPORTS }),
      'invalid_target',
    );
  });
});
