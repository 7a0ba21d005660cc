import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApi, deleteApi, removeGrant, setGrant, updateApi } from '../../src/usecases/apis/manage.js';
import { harness, type Harness } from '../support/harness.js';

const BILLING = 'https://billing.example.com/api';
const REPORTS = 'https://reports.example.com/api';
const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

/**
 * Checking a token for an API at Tollgate's own endpoints (spec §8): `/auth/verify?audience=`
 * guards one API, introspection names the token's API, and removing a grant, a permission or the
 * API ends the tokens that carry it on their next use, with no row per token.
 */
describe('tokens for an API at /auth/verify and introspection', () => {
  let h: Harness;
  const perms = (names: string[]) => names.map((name) => ({ name, description: '' }));

  beforeAll(async () => {
    h = await harness();
    await createApi(h.services.deps, {
      identifier: BILLING,
      name: 'Billing',
      mode: 'live',
      permissions: perms(['invoices:read', 'invoices:write']),
    });
    await createApi(h.services.deps, {
      identifier: REPORTS,
      name: 'Reports',
      mode: 'live',
      permissions: perms(['reports:read']),
    });
  });
  afterAll(() => h.close());

  /** A fresh client granted `granted` at BILLING, and a token of it for BILLING (scope `scope`). */
  async function billingToken(granted: string[], scope?: string) {
    const c = await h.client({ mode: 'live', scopes: ['read'] });
    await setGrant(h.services.deps, c.id, { mode: 'live', identifier: BILLING }, granted);
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/v1/oauth2/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: c.id,
        client_secret: c.secret,
        resource: BILLING,
        ...(scope ? { scope } : {}),
      }).toString(),
    });
    expect(res.statusCode).toBe(200);
    return { client: c, token: res.json().access_token as string, refreshToken: res.json().refresh_token as string };
  }

  const verify = (token: string, query: string) =>
    h.app.inject({ method: 'GET', url: `/auth/verify${query}`, headers: { authorization: `Bearer ${token}` } });

  const introspect = (client: { id: string; secret: string }, token: string) =>
    h.app.inject({
      method: 'POST',
      url: '/api/v1/oauth2/introspect',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(client.id, client.secret) },
      payload: new URLSearchParams({ token }).toString(),
    });

  it('verify?audience= accepts a token for that API and hands its permissions to the proxy', async () => {
    const { client, token } = await billingToken(['invoices:read', 'invoices:write']);
    const res = await verify(token, `?audience=${encodeURIComponent(BILLING)}&scope=invoices:read`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-client-id']).toBe(client.id);
    expect(res.headers['x-scope']).toBe('invoices:read invoices:write');
  });

  it('verify?audience= refuses a token for another API, and a default-API token', async () => {
    const { token } = await billingToken(['invoices:read']);
    const other = await verify(token, `?audience=${encodeURIComponent(REPORTS)}`);
    expect(other.statusCode).toBe(401);
    expect(other.json()).toMatchObject({ code: 'INVALID_TOKEN' });
    const c = await h.client({ mode: 'live' });
    const plain = await h.app.inject({
      method: 'POST',
      url: '/v1/auth/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ client_id: c.id, client_secret: c.secret }).toString(),
    });
    const res = await verify(plain.json().data.access_token, `?audience=${encodeURIComponent(BILLING)}`);
    expect(res.statusCode).toBe(401);
  });

  it('verify?audience= with a permission the token lacks is 403 insufficient_scope', async () => {
    const { token } = await billingToken(['invoices:read', 'invoices:write'], 'invoices:read');
    const res = await verify(token, `?audience=${encodeURIComponent(BILLING)}&scope=invoices:write`);
    expect(res.statusCode).toBe(403);
  });

  it('verify?audience= that is no absolute URI is the proxy configuration at fault: 400 INVALID_TARGET', async () => {
    const { token } = await billingToken(['invoices:read']);
    const res = await verify(token, '?audience=billing');
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'INVALID_TARGET' });
  });

  it('introspection names the API in aud', async () => {
    const { client, token, refreshToken } = await billingToken(['invoices:read']);
    expect((await introspect(client, token)).json()).toMatchObject({
      active: true,
      aud: BILLING,
      scope: 'invoices:read',
    });
    expect((await introspect(client, refreshToken)).json()).toMatchObject({ active: true, aud: BILLING });
  });

  it('removing the grant ends its tokens at verify and introspection, and its refresh tokens', async () => {
    const { client, token, refreshToken } = await billingToken(['invoices:read']);
    expect((await verify(token, `?audience=${encodeURIComponent(BILLING)}`)).statusCode).toBe(200);
    await removeGrant(h.services.deps, client.id, { mode: 'live', identifier: BILLING });
    expect((await verify(token, `?audience=${encodeURIComponent(BILLING)}`)).statusCode).toBe(401);
    expect((await introspect(client, token)).json()).toEqual({ active: false });
    expect((await introspect(client, refreshToken)).json()).toEqual({ active: false });
    const refreshed = await h.app.inject({
      method: 'POST',
      url: '/api/v1/oauth2/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(client.id, client.secret) },
      payload: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken }).toString(),
    });
    expect(refreshed.statusCode).toBe(400);
    expect(refreshed.json().error).toBe('invalid_grant');
  });

  it('taking a permission from the grant ends the tokens carrying it, not the others', async () => {
    const wide = await billingToken(['invoices:read', 'invoices:write']);
    const narrow = await billingToken(['invoices:read', 'invoices:write'], 'invoices:read');
    await setGrant(h.services.deps, wide.client.id, { mode: 'live', identifier: BILLING }, ['invoices:read']);
    await setGrant(h.services.deps, narrow.client.id, { mode: 'live', identifier: BILLING }, ['invoices:read']);
    expect((await verify(wide.token, `?audience=${encodeURIComponent(BILLING)}`)).statusCode).toBe(401);
    expect((await verify(narrow.token, `?audience=${encodeURIComponent(BILLING)}`)).statusCode).toBe(200);
  });

  it('taking a permission from the API ends the tokens carrying it', async () => {
    await createApi(h.services.deps, {
      identifier: 'urn:example:shrinking',
      name: 'Shrinking',
      mode: 'live',
      permissions: perms(['a', 'b']),
    });
    const c = await h.client({ mode: 'live' });
    await setGrant(h.services.deps, c.id, { mode: 'live', identifier: 'urn:example:shrinking' }, ['a', 'b']);
    const issue = await h.app.inject({
      method: 'POST',
      url: '/v2/credentials/oauth/token',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ clientId: c.id, clientSecret: c.secret, audience: 'urn:example:shrinking' }),
    });
    const token = issue.json().accessToken as string;
    expect((await verify(token, '?audience=urn:example:shrinking')).statusCode).toBe(200);
    await updateApi(
      h.services.deps,
      { mode: 'live', identifier: 'urn:example:shrinking' },
      { permissions: perms(['a']) },
    );
    expect((await verify(token, '?audience=urn:example:shrinking')).statusCode).toBe(401);
  });

  it('deleting the API (forced past its grants) ends its tokens', async () => {
    await createApi(h.services.deps, {
      identifier: 'urn:example:doomed',
      name: 'Doomed',
      mode: 'live',
      permissions: perms(['a']),
    });
    const c = await h.client({ mode: 'live' });
    await setGrant(h.services.deps, c.id, { mode: 'live', identifier: 'urn:example:doomed' }, ['a']);
    const issue = await h.app.inject({
      method: 'POST',
      url: '/api/v1/client/token',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ client_id: c.id, client_secret: c.secret, audience: 'urn:example:doomed' }),
    });
    const token = issue.json().data.access_token as string;
    expect((await verify(token, '?audience=urn:example:doomed')).statusCode).toBe(200);
    await expect(deleteApi(h.services.deps, { mode: 'live', identifier: 'urn:example:doomed' }, false)).rejects.toThrow(
      /grant/,
    );
    await deleteApi(h.services.deps, { mode: 'live', identifier: 'urn:example:doomed' }, true);
    expect((await verify(token, '?audience=urn:example:doomed')).statusCode).toBe(401);
  });
});
