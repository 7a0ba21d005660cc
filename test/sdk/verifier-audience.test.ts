import { describe, expect, it } from 'vitest';
import { createVerifier, TollgateError, VerifyError, type VerifierMode, type VerifierOptions } from '@tollgate/client';
import { fakeFetch, json, type Handler } from './fake-endpoint.js';

/**
 * A verifier guards one API: `audience` is required, and each mode holds a token to it. jwks
 * mode's check is in verifier-jwks.test.ts (it needs signed tokens); introspection and
 * forward-auth are answered here by a fake Tollgate, so every answer shape can be tried.
 */

const ISSUER = 'https://tollgate.test';
const BILLING = 'https://billing.example/api';
const REPORTS = 'https://reports.example/api';
const MODES: VerifierMode[] = ['jwks', 'introspect', 'forward-auth'];

const discovery = (): Response =>
  json(200, {
    issuer: ISSUER,
    jwks_uri: `${ISSUER}/.well-known/jwks.json`,
    introspection_endpoint: `${ISSUER}/introspect`,
  });

function verifierWith(mode: VerifierMode, handler: Handler, more: Partial<VerifierOptions> = {}) {
  const endpoint = fakeFetch((req, n) =>
    req.path === '/.well-known/oauth-authorization-server' ? discovery() : handler(req, n),
  );
  const v = createVerifier({
    issuer: ISSUER,
    audience: BILLING,
    mode,
    clientId: 'cl_live_rs',
    clientSecret: 'sk_live_rs',
    fetch: endpoint.fetch,
    ...more,
  });
  return { v, seen: endpoint.seen };
}

const refusal = async (p: Promise<unknown>): Promise<VerifyError> => {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(VerifyError);
  return e as VerifyError;
};

describe('createVerifier requires the audience it guards', () => {
  it.each(MODES)('%s: a TypeError naming audience when it is missing, empty or no string', (mode) => {
    const base = { issuer: ISSUER, mode, clientId: 'cl_live_rs', clientSecret: 'sk_live_rs' };
    for (const audience of [undefined, '', ['https://billing.example/api'], 42]) {
      expect(() => createVerifier({ ...base, audience } as unknown as VerifierOptions)).toThrow(TypeError);
      expect(() => createVerifier({ ...base, audience } as unknown as VerifierOptions)).toThrow(/audience is required/);
    }
  });

  it.each(MODES)('%s: shows the audience it guards', (mode) => {
    expect(verifierWith(mode, () => json(500, {})).v.audience).toBe(BILLING);
  });
});

describe('introspect mode holds the answer to the audience', () => {
  const active = (extra: Record<string, unknown>) => () =>
    json(200, {
      active: true,
      token_type: 'Bearer',
      client_id: 'cl_live_a',
      sub: 'cl_live_a',
      scope: 'invoices:read',
      iss: ISSUER,
      ...extra,
    });
  const verify = (extra: Record<string, unknown>) => verifierWith('introspect', active(extra)).v.verify('tok');

  it('accepts a token whose aud is the API guarded, as a string or in a list', async () => {
    expect((await verify({ aud: BILLING })).aud).toBe(BILLING);
    expect((await verify({ aud: [REPORTS, BILLING] })).client_id).toBe('cl_live_a');
  });

  it('refuses a token for another API, and one for the default API', async () => {
    expect((await refusal(verify({ aud: REPORTS }))).message).toMatch(/another audience/);
    const e = await refusal(verify({ aud: ISSUER }));
    expect(e).toMatchObject({ code: 'invalid_token', status: 401 });
  });

  it('refuses an answer that names no audience', async () => {
    const e = await refusal(verify({}));
    expect(e).toMatchObject({ code: 'invalid_token' });
    expect(e.message).toMatch(/names no audience/);
    await refusal(verify({ aud: [] }));
  });
});

describe('forward-auth mode asks /auth/verify about the audience', () => {
  const ok: Handler = () =>
    new Response(null, {
      status: 200,
      headers: { 'x-client-id': 'cl_live_a', 'x-scope': 'invoices:read', 'x-mode': 'live' },
    });

  it('sends ?audience= on every request, with the scope when one is needed', async () => {
    const { v, seen } = verifierWith('forward-auth', ok);
    const claims = await v.verify('tok', { scope: 'invoices:read' });
    expect(claims).toMatchObject({ client_id: 'cl_live_a', aud: BILLING, iss: ISSUER });
    await v.verify('tok');
    const asked = seen
      .filter((s) => s.path === '/auth/verify')
      .map((s) => Object.fromEntries(new URL(s.url).searchParams));
    expect(asked).toEqual([{ audience: BILLING, scope: 'invoices:read' }, { audience: BILLING }]);
  });

  it('refuses what Tollgate refuses for that audience (401)', async () => {
    const { v } = verifierWith('forward-auth', () =>
      json(401, { code: 'INVALID_TOKEN', message: 'The access token is not valid' }, { 'www-authenticate': 'Bearer' }),
    );
    expect((await refusal(v.verify('tok'))).code).toBe('invalid_token');
  });

  it('reports an audience Tollgate cannot take as invalid_target, no verdict on the token', async () => {
    const { v } = verifierWith(
      'forward-auth',
      () => json(400, { code: 'INVALID_TARGET', message: 'audience must be an absolute URI without fragment' }),
      { audience: 'billing' },
    );
    const e = await v.verify('tok').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(TollgateError);
    expect(e).toMatchObject({ code: 'invalid_target', status: 400 });
    expect((e as Error).message).toMatch(/absolute URI/);
  });
});
