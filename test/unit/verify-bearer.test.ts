import { beforeEach, describe, expect, it } from 'vitest';
import { issueToken } from '../../src/usecases/issue-token.js';
import { createClient, rotateSecret, updateClient } from '../../src/usecases/clients/manage.js';
import { authenticateBearer, validateAccessToken } from '../../src/usecases/verify-bearer.js';
import { fakeDeps, type FakeDeps } from '../support/fakes.js';

describe('authenticateBearer', () => {
  let deps: FakeDeps;
  let id: string;
  let secret: string;
  const ip = '127.0.0.1';

  const token = async (ttlSeconds: number | null = 3600, s = secret) =>
    (await issueToken(deps, { mode: 'live', door: 'v1', clientId: id, clientSecret: s, sourceIp: ip, ttlSeconds }))
      .accessToken;
  const bearer = (t: string | undefined, extra: { requiredScopes?: string[]; sourceIp?: string } = {}) =>
    authenticateBearer(deps, {
      mode: 'live',
      door: 'common',
      authorization: t === undefined ? undefined : `Bearer ${t}`,
      sourceIp: ip,
      ...extra,
    });

  beforeEach(async () => {
    deps = await fakeDeps();
    const made = await createClient(deps, { name: 'api', mode: 'live', scopes: ['read', 'write'] });
    id = made.client.id;
    secret = made.clientSecret;
  });

  it('accepts a fresh token and reports its client and scopes', async () => {
    const ok = await bearer(await token(), { requiredScopes: ['read'] });
    expect(ok.client.id).toBe(id);
    expect(ok.scopes).toEqual(['read', 'write']);
  });

  it('answers missing_token without a Bearer credential and invalid_token for a malformed one', async () => {
    await expect(bearer(undefined)).rejects.toMatchObject({ code: 'missing_token' });
    await expect(
      authenticateBearer(deps, { mode: 'live', door: 'common', authorization: 'Basic abc', sourceIp: ip }),
    ).rejects.toMatchObject({ code: 'missing_token' });
    await expect(
      authenticateBearer(deps, { mode: 'live', door: 'common', authorization: 'Bearer a b', sourceIp: ip }),
    ).rejects.toMatchObject({ code: 'invalid_token' });
  });

  it('refuses a token of the other mode', async () => {
    const t = await token();
    await expect(validateAccessToken(deps, t, 'test')).rejects.toMatchObject({ code: 'invalid_token' });
  });

  it('honours expiry with a 30 s leeway', async () => {
    const t = await token(60);
    deps.clock.advance(60 + 29);
    await expect(bearer(t)).resolves.toBeDefined();
    deps.clock.advance(2);
    await expect(bearer(t)).rejects.toMatchObject({ code: 'invalid_token', message: 'The access token has expired' });
  });

  it('keeps a token without exp valid until the secret is rotated, then refuses it on the next use', async () => {
    const t = await token(null);
    deps.clock.advance(10 * 365 * 24 * 3600);
    await expect(bearer(t)).resolves.toBeDefined();
    await rotateSecret(deps, id);
    await expect(bearer(t)).rejects.toMatchObject({ code: 'invalid_token' });
  });

  it('keeps the previous generation alive during a grace, and not after', async () => {
    const t = await token();
    await rotateSecret(deps, id, 600);
    await expect(bearer(t)).resolves.toBeDefined();
    deps.clock.advance(601);
    await expect(bearer(t)).rejects.toMatchObject({ code: 'invalid_token' });
  });

  it('refuses a revoked jti and a disabled client', async () => {
    const t = await token();
    const { claims } = await validateAccessToken(deps, t, 'live');
    await deps.tokenStore.revokeAccessToken(claims.jti, id, claims.exp! * 1000);
    await expect(bearer(t)).rejects.toMatchObject({ code: 'invalid_token' });
    const t2 = await token();
    await updateClient(deps, id, { enabled: false });
    await expect(bearer(t2)).rejects.toMatchObject({ code: 'invalid_token' });
  });

  it('applies the allowlist and the required scopes', async () => {
    const t = await token();
    await updateClient(deps, id, { allowedIps: ['10.0.0.0/8'] });
    await expect(bearer(t)).rejects.toMatchObject({ code: 'access_denied' });
    await expect(bearer(t, { sourceIp: '10.2.3.4', requiredScopes: ['admin'] })).rejects.toMatchObject({
      code: 'insufficient_scope',
    });
  });
});
