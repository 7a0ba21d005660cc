import type { Response } from 'light-my-request';
import { decodeJwt, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Mode } from '../../src/domain/mode.js';
import type { AccessTokenClaims } from '../../src/domain/token.js';
import { createApi, setGrant } from '../../src/usecases/apis/manage.js';
import { rotateSecret, updateClient } from '../../src/usecases/clients/manage.js';
import { harness, type Harness } from '../support/harness.js';
import { pathOf } from './driver.js';

/** The refusals every Bearer surface shares, by the RFC 6750 §3.1 code behind them. */
type Refusal = 'missing_token' | 'invalid_token' | 'access_denied';

/**
 * How one Bearer surface is called and how it answers, written out by hand from spec §4 and
 * §5 (not read from the code's tables): the status, the code in its envelope, and the challenge.
 */
interface BearerDriver {
  name: string;
  call(h: Harness, mode: Mode, authorization: string | undefined): Promise<Response>;
  expectOk(res: Response, clientId: string): void;
  expectRefused(res: Response, refusal: Refusal): void;
}

const CHALLENGE: Record<Refusal, RegExp | undefined> = {
  missing_token: /^Bearer realm="tollgate"$/,
  invalid_token: /^Bearer realm="tollgate", error="invalid_token", error_description="[^"]+"$/,
  access_denied: undefined,
};

const ORDERS = 'https://orders.example.com/api';

const headersOf = (authorization: string | undefined) => (authorization === undefined ? {} : { authorization });

const me: BearerDriver = {
  name: 'GET /api/v1/client/me',
  call: (h, mode, authorization) =>
    h.app.inject({ method: 'GET', url: pathOf(mode, '/api/v1/client/me'), headers: headersOf(authorization) }),
  expectOk(res, clientId) {
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ code: 0, message: 'OK', data: { id: clientId } });
  },
  expectRefused(res, refusal) {
    const [status, code] = (
      { missing_token: [401, 40102], invalid_token: [401, 40103], access_denied: [403, 40301] } as const
    )[refusal];
    expect(res.statusCode).toBe(status);
    expect(res.json()).toMatchObject({ code, data: null });
    const challenge = CHALLENGE[refusal];
    if (challenge) expect(res.headers['www-authenticate']).toMatch(challenge);
    else expect(res.headers['www-authenticate']).toBeUndefined();
  },
};

const verify: BearerDriver = {
  name: 'GET /auth/verify',
  call: (h, mode, authorization) =>
    h.app.inject({ method: 'GET', url: pathOf(mode, '/auth/verify'), headers: headersOf(authorization) }),
  expectOk(res, clientId) {
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-client-id']).toBe(clientId);
  },
  expectRefused(res, refusal) {
    const [status, code] = (
      {
        missing_token: [401, 'NO_TOKEN'],
        invalid_token: [401, 'INVALID_TOKEN'],
        access_denied: [403, 'ACCESS_DENIED'],
      } as const
    )[refusal];
    expect(res.statusCode).toBe(status);
    expect(res.json()).toMatchObject({ code });
    expect(res.headers['x-client-id']).toBeUndefined();
    const challenge = CHALLENGE[refusal];
    if (challenge) expect(res.headers['www-authenticate']).toMatch(challenge);
    else expect(res.headers['www-authenticate']).toBeUndefined();
  },
};

const viewer: BearerDriver = {
  name: 'GraphQL viewer',
  call: (h, mode, authorization) =>
    h.app.inject({
      method: 'POST',
      url: pathOf(mode, '/graphql'),
      headers: { 'content-type': 'application/json', ...headersOf(authorization) },
      payload: JSON.stringify({ query: '{ viewer { id } }' }),
    }),
  expectOk(res, clientId) {
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ data: { viewer: { id: clientId } } });
  },
  expectRefused(res, refusal) {
    // A field error: HTTP 200, the field null, one error with the code of spec §5.
    const code = (
      { missing_token: 'UNAUTHENTICATED', invalid_token: 'UNAUTHENTICATED', access_denied: 'FORBIDDEN' } as const
    )[refusal];
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.data).toEqual({ viewer: null });
    expect(body.errors).toHaveLength(1);
    expect(body.errors[0].extensions.code).toBe(code);
  },
};

const DRIVERS = [me, verify, viewer];

/**
 * One table of Bearer cases run against every Bearer surface, each answering in its own
 * envelope (docs/architecture.md: one contract suite, many doors).
 */
describe.each(DRIVERS)('contract: $name', (door) => {
  let h: Harness;

  beforeAll(async () => {
    h = await harness();
    await createApi(h.services.deps, {
      identifier: ORDERS,
      name: 'Orders',
      mode: 'live',
      permissions: [{ name: 'orders:read', description: '' }],
    });
  });
  afterAll(() => h.close());

  /** A fresh client and a token of its own, issued at the v1 door (from `from`, for allowlists). */
  async function tokenFor(
    opts: { mode?: Mode; allowedIps?: string[]; from?: string; audience?: string; scopes?: string[] } = {},
  ) {
    const mode = opts.mode ?? 'live';
    const c = await h.client({
      mode,
      allowedIps: opts.allowedIps ?? [],
      ...(opts.scopes ? { scopes: opts.scopes } : {}),
    });
    if (opts.audience !== undefined)
      await setGrant(h.services.deps, c.id, { mode, identifier: opts.audience }, ['orders:read']);
    const res = await h.app.inject({
      method: 'POST',
      url: pathOf(mode, '/v1/auth/token'),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({
        client_id: c.id,
        client_secret: c.secret,
        ...(opts.audience ? { audience: opts.audience } : {}),
      }).toString(),
      ...(opts.from ? { remoteAddress: opts.from } : {}),
    });
    expect(res.statusCode).toBe(200);
    return { client: c, token: res.json().data.access_token as string };
  }

  it('accepts a good token', async () => {
    const { client, token } = await tokenFor();
    door.expectOk(await door.call(h, 'live', `Bearer ${token}`), client.id);
  });

  const cases: Array<{
    name: string;
    refusal: Refusal;
    authorization: () => Promise<string | undefined>;
    mode?: Mode;
  }> = [
    { name: 'no Authorization header', refusal: 'missing_token', authorization: async () => undefined },
    { name: 'another scheme', refusal: 'missing_token', authorization: async () => 'Basic dXNlcjpwYXNz' },
    { name: 'a malformed Bearer header', refusal: 'invalid_token', authorization: async () => 'Bearer a,b' },
    { name: 'a value that is no JWT', refusal: 'invalid_token', authorization: async () => 'Bearer not-a-jwt' },
    {
      name: 'a token forged with a key of our own making',
      refusal: 'invalid_token',
      authorization: async () => {
        const { token } = await tokenFor();
        const { privateKey } = await generateKeyPair('ES256');
        const kid = JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()).kid as string;
        return `Bearer ${await new SignJWT(decodeJwt(token)).setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid }).sign(privateKey)}`;
      },
    },
    {
      name: 'an expired token signed by the real key',
      refusal: 'invalid_token',
      authorization: async () => {
        const { token } = await tokenFor();
        const past = Math.floor(Date.now() / 1000) - 7200;
        return `Bearer ${await h.services.deps.signer.sign('live', { ...(decodeJwt(token) as AccessTokenClaims), iat: past, exp: past + 60 })}`;
      },
    },
    {
      name: 'a token whose secret was rotated since',
      refusal: 'invalid_token',
      authorization: async () => {
        const { client, token } = await tokenFor();
        await rotateSecret(h.services.deps, client.id);
        return `Bearer ${token}`;
      },
    },
    {
      name: 'a token of a disabled client',
      refusal: 'invalid_token',
      authorization: async () => {
        const { client, token } = await tokenFor();
        await updateClient(h.services.deps, client.id, { enabled: false });
        return `Bearer ${token}`;
      },
    },
    {
      name: 'a test-mode token at the live address',
      refusal: 'invalid_token',
      authorization: async () => `Bearer ${(await tokenFor({ mode: 'test' })).token}`,
    },
    {
      name: 'a live token at the test address',
      refusal: 'invalid_token',
      mode: 'test',
      authorization: async () => `Bearer ${(await tokenFor()).token}`,
    },
    {
      name: 'a revoked token',
      refusal: 'invalid_token',
      authorization: async () => {
        const { client, token } = await tokenFor();
        const claims = decodeJwt(token);
        await h.services.deps.tokenStore.revokeAccessToken(claims.jti!, client.id, claims.exp! * 1000, Date.now());
        return `Bearer ${token}`;
      },
    },
    {
      name: "a token for another API (these endpoints are the default API's)",
      refusal: 'invalid_token',
      authorization: async () => `Bearer ${(await tokenFor({ audience: ORDERS })).token}`,
    },
    {
      name: 'a token carrying a reserved scope (a power) the client has lost since',
      refusal: 'invalid_token',
      authorization: async () => {
        const { client, token } = await tokenFor({ scopes: ['read', 'tollgate:introspect'] });
        await updateClient(h.services.deps, client.id, { scopes: ['read'] });
        return `Bearer ${token}`;
      },
    },
    {
      name: 'a good token from outside the client’s allowlist',
      refusal: 'access_denied',
      authorization: async () => `Bearer ${(await tokenFor({ allowedIps: ['10.9.0.0/16'], from: '10.9.0.1' })).token}`,
    },
  ];

  it.each(cases)('refuses $name → $refusal', async ({ refusal, authorization, mode }) => {
    door.expectRefused(await door.call(h, mode ?? 'live', await authorization()), refusal);
  });

  it('lets the allowlisted client through from inside its allowlist', async () => {
    const { client, token } = await tokenFor({ allowedIps: ['127.0.0.0/8'] });
    door.expectOk(await door.call(h, 'live', `Bearer ${token}`), client.id);
  });
});
