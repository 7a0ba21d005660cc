import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt, generateKeyPair, SignJWT } from 'jose';
import type { Response } from 'light-my-request';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import type { DomainErrorCode } from '../../src/domain/errors.js';
import { buildApp } from '../../src/http/app.js';
import { openServices } from '../../src/services.js';
import { createClient } from '../../src/usecases/clients/manage.js';
import { validateAccessToken } from '../../src/usecases/verify-bearer.js';
import { expectNoStore } from '../contract/driver.js';
import { basicAuth, oauth2Driver } from '../contract/drivers/oauth2.js';
import { DEFAULT_POLICY, FixedClock } from '../support/fakes.js';
import { harness, type Harness } from '../support/harness.js';

const TOKEN = '/api/v1/oauth2/token';
const INTROSPECT = '/api/v1/oauth2/introspect';
const REVOKE = '/api/v1/oauth2/revoke';
const REFRESH = '/api/v1/oauth2/refresh';

type Creds = { id: string; secret: string };

const basic = (c: Creds): string => basicAuth(c.id, c.secret);

const post = (
  h: Pick<Harness, 'app'>,
  url: string,
  form: Record<string, string>,
  authorization?: string,
): Promise<Response> =>
  h.app.inject({
    method: 'POST',
    url,
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(authorization ? { authorization } : {}) },
    payload: new URLSearchParams(form).toString(),
  });

/** The driver's hand-written envelope check (status, body, challenge, no-store), and the exact description. */
function expectError(res: Response, code: DomainErrorCode, description?: string): void {
  oauth2Driver.expectError(res, code);
  if (description !== undefined) expect(res.json().error_description).toBe(description);
}

async function grant(
  h: Pick<Harness, 'app'>,
  c: Creds,
  prefix = '',
): Promise<{ access_token: string; refresh_token: string }> {
  const res = await post(h, `${prefix}${TOKEN}`, { grant_type: 'client_credentials' }, basic(c));
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}

const introspect = async (
  h: Pick<Harness, 'app'>,
  c: Creds,
  token: string,
  extra: Record<string, string> = {},
): Promise<unknown> => {
  const res = await post(h, INTROSPECT, { token, ...extra }, basic(c));
  expect(res.statusCode, res.body).toBe(200);
  expectNoStore(res);
  return res.json();
};

describe('oauth2 introspection (RFC 7662)', () => {
  let h: Harness;
  let c: Creds;
  let other: Creds;
  let auditor: Creds;
  beforeAll(async () => {
    h = await harness({ LOCKOUT_MAX_FAILURES: '1000', LOCKOUT_MAX_FAILURES_PER_IP: '100000' });
    c = await h.client({ scopes: ['read', 'write'] });
    other = await h.client({ scopes: ['read'] });
    auditor = await h.client({ scopes: ['tollgate:introspect'] });
  });
  afterAll(() => h.close());

  it("describes the caller's own access token", async () => {
    const { access_token } = await grant(h, c);
    const claims = decodeJwt(access_token);
    expect(await introspect(h, c, access_token)).toEqual({
      active: true,
      scope: 'read write',
      client_id: c.id,
      sub: c.id,
      token_type: 'Bearer',
      exp: claims.exp,
      iat: claims.iat,
      iss: 'http://tollgate.test',
      aud: 'http://tollgate.test',
      jti: claims.jti,
    });
  });

  it("describes the caller's own refresh token, valid for 24 hours", async () => {
    const { refresh_token } = await grant(h, c);
    const info = (await introspect(h, c, refresh_token)) as Record<string, number>;
    expect(info).toEqual({
      active: true,
      scope: 'read write',
      client_id: c.id,
      sub: c.id,
      exp: expect.any(Number),
      iat: expect.any(Number),
    });
    expect(info.exp! - info.iat!).toBe(86400);
  });

  it('authenticates the caller in the body too, JSON or form', async () => {
    const { access_token } = await grant(h, c);
    const json = await h.app.inject({
      method: 'POST',
      url: INTROSPECT,
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ token: access_token, client_id: c.id, client_secret: c.secret }),
    });
    expect(json.json()).toMatchObject({ active: true, client_id: c.id });
    const form = await post(h, INTROSPECT, { token: access_token, client_id: c.id, client_secret: c.secret });
    expect(form.json()).toMatchObject({ active: true });
  });

  it("answers another client's token with active:false, unless the caller holds tollgate:introspect", async () => {
    const { access_token, refresh_token } = await grant(h, c);
    expect(await introspect(h, other, access_token)).toEqual({ active: false });
    expect(await introspect(h, other, refresh_token)).toEqual({ active: false });
    expect(await introspect(h, auditor, access_token)).toMatchObject({ active: true, client_id: c.id });
    expect(await introspect(h, auditor, refresh_token)).toMatchObject({ active: true, client_id: c.id });
  });

  it('answers tokens that are not good with active:false and nothing else', async () => {
    const { privateKey } = await generateKeyPair('ES256');
    const forged = await new SignJWT({ client_id: c.id, scope: 'read', sgen: 1, jti: 'x' })
      .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: 'forged' })
      .setIssuer('http://tollgate.test')
      .setAudience('http://tollgate.test')
      .setSubject(c.id)
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(privateKey);
    const t = await h.client({ mode: 'test' });
    const testToken = await grant(h, t, '/test');
    for (const token of ['abc', 'rt_' + 'A'.repeat(43), forged, testToken.access_token, testToken.refresh_token]) {
      expect(await introspect(h, auditor, token)).toEqual({ active: false });
    }
  });

  it('searches every token type whatever the hint says (RFC 7662 §2.1)', async () => {
    const { access_token, refresh_token } = await grant(h, c);
    expect(await introspect(h, c, access_token, { token_type_hint: 'refresh_token' })).toMatchObject({
      active: true,
      token_type: 'Bearer',
    });
    const refreshInfo = await introspect(h, c, refresh_token, { token_type_hint: 'access_token' });
    expect(refreshInfo).toMatchObject({ active: true });
    expect(refreshInfo).not.toHaveProperty('token_type');
    expect(await introspect(h, c, access_token, { token_type_hint: 'id_token' })).toMatchObject({ active: true });
  });

  it('answers a bad request with invalid_request and a bad caller with 401 invalid_client (RFC 7662 §2.3)', async () => {
    const { access_token } = await grant(h, c);
    expectError(await post(h, INTROSPECT, {}, basic(c)), 'invalid_request', 'token is required');
    const twice = await h.app.inject({
      method: 'POST',
      url: INTROSPECT,
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(c) },
      payload: `token=${access_token}&token=${access_token}`,
    });
    expectError(twice, 'invalid_request');
    const hints = await h.app.inject({
      method: 'POST',
      url: INTROSPECT,
      headers: { 'content-type': 'application/json', authorization: basic(c) },
      payload: JSON.stringify({ token: access_token, token_type_hint: ['access_token'] }),
    });
    expectError(hints, 'invalid_request');
    const inQuery = await post(h, `${INTROSPECT}?token=${access_token}`, {}, basic(c));
    expectError(inQuery, 'invalid_request', 'token must be sent in the request body, not the query string');
    expectError(await post(h, INTROSPECT, { token: access_token }), 'invalid_client');
    expectError(
      await post(h, INTROSPECT, { token: access_token }, basic({ id: c.id, secret: 'wrong-secret-value' })),
      'invalid_client',
    );
  });
});

describe('oauth2 revocation (RFC 7009)', () => {
  let h: Harness;
  let c: Creds;
  beforeEach(async () => {
    h = await harness();
    c = await h.client({ scopes: ['read'] });
  });
  afterEach(() => h.close());

  const revoke = async (caller: Creds, token: string, extra: Record<string, string> = {}): Promise<void> => {
    const res = await post(h, REVOKE, { token, ...extra }, basic(caller));
    expect(res.statusCode, res.body).toBe(200);
    expect(res.body).toBe('');
    expectNoStore(res);
  };

  it('revokes an access token: refused from then on, until its expiry', async () => {
    const { access_token } = await grant(h, c);
    await revoke(c, access_token);
    expect(await introspect(h, c, access_token)).toEqual({ active: false });
    await expect(validateAccessToken(h.services.deps, access_token, 'live')).rejects.toThrow(
      'The access token has been revoked',
    );
    // Revoking again is no error.
    await revoke(c, access_token);
  });

  it('revokes a refresh token: it renews nothing after', async () => {
    const { refresh_token } = await grant(h, c);
    await revoke(c, refresh_token);
    expect(await introspect(h, c, refresh_token)).toEqual({ active: false });
    expectError(await post(h, REFRESH, { refresh_token }), 'invalid_grant');
  });

  it('revokes whatever the hint says (RFC 7009 §2.1)', async () => {
    const { access_token, refresh_token } = await grant(h, c);
    await revoke(c, access_token, { token_type_hint: 'refresh_token' });
    await revoke(c, refresh_token, { token_type_hint: 'access_token' });
    expect(await introspect(h, c, access_token)).toEqual({ active: false });
    expect(await introspect(h, c, refresh_token)).toEqual({ active: false });
  });

  it("answers a foreign, unknown or malformed token with 200 and leaves another client's token alone (RFC 7009 §2.2)", async () => {
    const owner = await h.client();
    const theirs = await grant(h, owner);
    await revoke(c, theirs.access_token);
    await revoke(c, theirs.refresh_token);
    expect(await introspect(h, owner, theirs.access_token)).toMatchObject({ active: true });
    expect(await introspect(h, owner, theirs.refresh_token)).toMatchObject({ active: true });
    await revoke(c, 'not-a-token');
    await revoke(c, 'rt_' + 'B'.repeat(43));
  });

  it('answers a bad request with invalid_request and a bad caller with 401 invalid_client', async () => {
    const { access_token } = await grant(h, c);
    expectError(await post(h, REVOKE, {}, basic(c)), 'invalid_request', 'token is required');
    expectError(await post(h, REVOKE, { token: access_token }), 'invalid_client');
    expectError(
      await post(h, REVOKE, { token: access_token }, basic({ id: c.id, secret: 'wrong-secret-value' })),
      'invalid_client',
    );
    expectError(
      await post(h, REVOKE, { token: access_token, client_id: c.id, client_secret: c.secret }, basic(c)),
      'invalid_request',
    );
    // None of these revoked it.
    expect(await introspect(h, c, access_token)).toMatchObject({ active: true });
  });
});

describe('oauth2 token lifetimes, on a fixed clock', () => {
  let clock: FixedClock;
  let h: Pick<Harness, 'app' | 'services'> & { close(): Promise<void> };
  let c: Creds;
  beforeEach(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tollgate-'));
    const config = loadConfig({
      DATABASE_PATH: join(dir, 'tollgate.db'),
      ISSUER: 'http://tollgate.test',
      TOLLGATE_MASTER_KEY: 'test-master-key-that-is-long-enough-0123456789',
    });
    clock = new FixedClock();
    const services = await openServices(config, { clock });
    const app = buildApp(services, config);
    await app.ready();
    h = {
      app,
      services,
      async close() {
        await app.close();
        await services.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
    const made = await createClient(services.deps, { name: 'clocked', mode: 'live', scopes: ['read'] });
    c = { id: made.client.id, secret: made.clientSecret };
  });
  afterEach(() => h.close());

  it('an access token is active for its 900 s (plus the verifier leeway), then inactive', async () => {
    const { access_token } = await grant(h, c);
    clock.advance(900);
    expect(await introspect(h, c, access_token)).toMatchObject({ active: true });
    clock.advance(31);
    expect(await introspect(h, c, access_token)).toEqual({ active: false });
  });

  it('a revoked access token stays refused until its expiry, through the purge, and after', async () => {
    const { access_token } = await grant(h, c);
    await post(h, REVOKE, { token: access_token }, basic(c));
    clock.advance(800);
    await h.services.store.purgeExpired(clock.now(), {
      lockout: DEFAULT_POLICY,
      auditRetentionDays: 365,
      usageRetentionDays: 90,
    });
    await expect(validateAccessToken(h.services.deps, access_token, 'live')).rejects.toThrow(
      'The access token has been revoked',
    );
    clock.advance(200);
    await h.services.store.purgeExpired(clock.now(), {
      lockout: DEFAULT_POLICY,
      auditRetentionDays: 365,
      usageRetentionDays: 90,
    });
    await expect(validateAccessToken(h.services.deps, access_token, 'live')).rejects.toThrow(
      'The access token has expired',
    );
  });

  it('a refresh token renews for 24 hours, then is invalid_grant', async () => {
    const { refresh_token } = await grant(h, c);
    clock.advance(86399);
    const late = await post(h, REFRESH, { refresh_token });
    expect(late.statusCode, late.body).toBe(200);
    expect(decodeJwt(late.json().access_token).iat).toBe(Math.floor(clock.now() / 1000));
    clock.advance(1);
    expectError(await post(h, REFRESH, { refresh_token }), 'invalid_grant');
    expect(await introspect(h, c, refresh_token)).toEqual({ active: false });
  });
});
