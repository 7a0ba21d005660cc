import { decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createVerifier,
  TokenCache,
  TokenSource,
  TollgateError,
  VerifyError,
  type Dialect,
  type Verifier,
  type VerifierMode,
} from '@tollgate/client';
import {
  countingFetch,
  createClient,
  freePort,
  sleep,
  startIssuer,
  tollgate,
  type IssuerServer,
  type MadeClient,
} from '../support/sdk.js';

/**
 * createVerifier against the real server: what each mode accepts and refuses, and which of them
 * sees a secret rotation, a revocation and a disable before the token expires.
 */

const MODES: VerifierMode[] = ['jwks', 'introspect', 'forward-auth'];

describe('createVerifier against the real server', () => {
  let srv: IssuerServer;
  /** The resource server's own client: may introspect any live token. */
  let rs: MadeClient;

  beforeAll(async () => {
    // v1 tokens live 2 s here, for the expiry cases; 127.0.0.1 is a trusted proxy, so the
    // forward-auth verifier's X-Forwarded-For is believed.
    srv = await startIssuer({ V1_TOKEN_TTL_SECONDS: '2', TRUST_PROXY: '127.0.0.1/32' });
    rs = await createClient(srv.env, '--scope', 'tollgate:introspect');
  });
  afterAll(async () => {
    await srv?.stop();
  });

  const token = async (
    c: MadeClient,
    dialect: Dialect = 'oauth2',
    mode: 'live' | 'test' = 'live',
    scope?: string,
  ): Promise<string> => {
    const paths: Record<Dialect, string> = {
      oauth2: '/api/v1/oauth2/token',
      v1: '/v1/auth/token',
      v2: '/v2/credentials/oauth/token',
      common: '/api/v1/client/token',
    };
    const prefix = mode === 'test' ? '/test' : '';
    return new TokenSource({
      tokenUrl: `${srv.url}${prefix}${paths[dialect]}`,
      clientId: c.id,
      clientSecret: c.secret,
      dialect,
      cache: new TokenCache(),
      ...(scope ? { scope } : {}),
    }).getToken();
  };
  // The default API's audience is the issuer here (no TOKEN_AUDIENCE).
  const verifier = (mode: VerifierMode, more: Partial<Parameters<typeof createVerifier>[0]> = {}): Verifier =>
    createVerifier({ issuer: srv.url, audience: srv.url, mode, clientId: rs.id, clientSecret: rs.secret, ...more });
  const refusal = async (p: Promise<unknown>): Promise<VerifyError> => {
    const e = await p.then(
      () => undefined,
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(VerifyError);
    return e as VerifyError;
  };

  describe.each(MODES)('%s mode', (mode) => {
    it('returns the claims of a good token and checks the scope it needs', async () => {
      const c = await createClient(srv.env, '--scope', 'invoices:read invoices:write');
      const t = await token(c, 'oauth2', 'live', 'invoices:read');
      const v = verifier(mode);
      const claims = await v.verify(t, { scope: 'invoices:read' });
      expect(claims).toMatchObject({ sub: c.id, client_id: c.id, scope: 'invoices:read' });
      const e = await refusal(v.verify(t, { scope: ['invoices:read', 'invoices:write'] }));
      expect(e).toMatchObject({ code: 'insufficient_scope', status: 403 });
    });

    it('refuses garbage, a tampered signature and a token of the other mode', async () => {
      const c = await createClient(srv.env);
      const live = await token(c);
      const v = verifier(mode);
      for (const bad of ['', 'not a token', 'abc.def.ghi', `${live.slice(0, -6)}AAAAAA`]) {
        expect((await refusal(v.verify(bad))).code).toBe('invalid_token');
      }
      const t = await createClient(srv.env, '--mode', 'test');
      expect((await refusal(v.verify(await token(t, 'oauth2', 'test')))).code).toBe('invalid_token');
      const testIssuer = `${srv.url}/test`;
      const introspector = mode === 'introspect' ? introspectorOf(t) : {};
      const testVerifier = createVerifier({ issuer: testIssuer, audience: testIssuer, mode, ...introspector });
      expect((await testVerifier.verify(await token(t, 'oauth2', 'test'))).client_id).toBe(t.id);
      expect((await refusal(testVerifier.verify(live))).code).toBe('invalid_token');
    });

    it('says it could not decide, rather than that the token is bad, when Tollgate is unreachable', async () => {
      const c = await createClient(srv.env);
      const dead = `http://127.0.0.1:${await freePort()}`;
      const v = verifier(mode, { issuer: dead, audience: dead, timeoutSeconds: 2 });
      const e = await v.verify(await token(c)).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(TollgateError);
      expect(e).not.toBeInstanceOf(VerifyError);
      expect((e as TollgateError).code).toBe('network_error');
    });
  });

  describe('one verifier per API: each mode accepts only the audience it guards', () => {
    const BILLING = 'https://billing.example/api';
    const REPORTS = 'https://reports.example/api';
    let client: MadeClient;

    beforeAll(async () => {
      const api = (identifier: string, permissions: string) =>
        tollgate(srv.env, 'apis', 'create', '--identifier', identifier, '--name', 'api', '--permissions', permissions);
      await api(BILLING, 'invoices:read invoices:write');
      await api(REPORTS, 'reports:read');
      client = await createClient(srv.env, '--scope', 'profile');
      await tollgate(srv.env, 'grants', 'set', client.id, BILLING, '--permissions', 'invoices:read', '--json');
      await tollgate(srv.env, 'grants', 'set', client.id, REPORTS, '--permissions', 'reports:read', '--json');
    });

    const tokenFor = (audience?: string): Promise<string> =>
      new TokenSource({
        tokenUrl: `${srv.url}/api/v1/oauth2/token`,
        clientId: client.id,
        clientSecret: client.secret,
        dialect: 'oauth2',
        cache: new TokenCache(),
        ...(audience === undefined ? {} : { audience }),
      }).getToken();

    it.each(MODES)('%s: a verifier for one API refuses a token for another API and a default one', async (mode) => {
      const [forBilling, forReports, byDefault] = await Promise.all([tokenFor(BILLING), tokenFor(REPORTS), tokenFor()]);
      const billing = verifier(mode, { audience: BILLING });
      expect(await billing.verify(forBilling, { scope: 'invoices:read' })).toMatchObject({
        client_id: client.id,
        scope: 'invoices:read',
        aud: BILLING,
      });
      expect((await refusal(billing.verify(forReports))).code).toBe('invalid_token');
      expect((await refusal(billing.verify(byDefault))).code).toBe('invalid_token');
      // And the default API's verifier takes none of the named APIs' tokens.
      const byDefaultVerifier = verifier(mode);
      expect((await byDefaultVerifier.verify(byDefault)).client_id).toBe(client.id);
      expect((await refusal(byDefaultVerifier.verify(forBilling))).code).toBe('invalid_token');
      // The permission asked for is the API's, not the default API's scope.
      expect((await refusal(billing.verify(forBilling, { scope: 'invoices:write' }))).code).toBe('insufficient_scope');
    });

    it('forward-auth: an audience that is no absolute URI is a configuration error, not a bad token', async () => {
      const notUri = verifier('forward-auth', { audience: 'billing' });
      const e = await notUri.verify(await tokenFor(BILLING)).catch((x: unknown) => x);
      expect(e).not.toBeInstanceOf(VerifyError);
      expect(e).toMatchObject({ code: 'invalid_target', status: 400 });
    });
  });

  /** A test-mode client that may introspect its own tokens (spec §3: a client may introspect its own). */
  const introspectorOf = (c: MadeClient) => ({ clientId: c.id, clientSecret: c.secret });

  describe('who sees a change before the token expires', () => {
    const events: Array<[string, (c: MadeClient, t: string) => Promise<void>]> = [
      ['a secret rotation', async (c) => void (await tollgate(srv.env, 'clients', 'rotate-secret', c.id, '--json'))],
      [
        'a revocation',
        async (c, t) => {
          const res = await fetch(`${srv.url}/api/v1/oauth2/revoke`, {
            method: 'POST',
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            body: new URLSearchParams({ client_id: c.id, client_secret: c.secret, token: t }),
          });
          expect(res.status).toBe(200);
        },
      ],
      ['a disable', async (c) => void (await tollgate(srv.env, 'clients', 'disable', c.id))],
    ];

    it.each(events)(
      '%s: jwks still accepts the token; introspect and forward-auth refuse it at once',
      async (_label, change) => {
        const c = await createClient(srv.env);
        const t = await token(c);
        const [jwks, introspect, forward] = MODES.map((m) => verifier(m));
        for (const v of [jwks!, introspect!, forward!]) expect((await v.verify(t)).client_id).toBe(c.id);
        await change(c, t);
        expect((await jwks!.verify(t)).client_id).toBe(c.id);
        expect((await refusal(introspect!.verify(t))).code).toBe('invalid_token');
        expect((await refusal(forward!.verify(t))).code).toBe('invalid_token');
      },
    );

    it('a common-door token never expires: jwks refuses it unless told, and then never sees it die', async () => {
      const c = await createClient(srv.env);
      const t = await token(c, 'common');
      expect((await refusal(verifier('jwks').verify(t))).message).toMatch(/does not expire/);
      const lenient = verifier('jwks', { acceptNonExpiring: true });
      for (const v of [lenient, verifier('introspect'), verifier('forward-auth')])
        expect((await v.verify(t)).client_id).toBe(c.id);
      await tollgate(srv.env, 'clients', 'rotate-secret', c.id, '--json');
      expect((await lenient.verify(t)).client_id).toBe(c.id);
      expect((await refusal(verifier('introspect').verify(t))).code).toBe('invalid_token');
      expect((await refusal(verifier('forward-auth').verify(t))).code).toBe('invalid_token');
    });
  });

  describe('jwks mode', () => {
    it('checks exp with a small tolerance', async () => {
      const c = await createClient(srv.env);
      const t = await token(c, 'v1');
      const strict = verifier('jwks', { clockToleranceSeconds: 0 });
      const tolerant = verifier('jwks', { clockToleranceSeconds: 30 });
      expect((await strict.verify(t)).exp).toBeGreaterThan(Date.now() / 1000);
      await sleep(3_100);
      expect((await refusal(strict.verify(t))).message).toMatch(/expired/);
      expect((await tolerant.verify(t)).client_id).toBe(c.id);
    });

    it('refuses another audience', async () => {
      const c = await createClient(srv.env);
      const v = verifier('jwks', { audience: 'https://payments.example' });
      expect((await refusal(v.verify(await token(c)))).code).toBe('invalid_token');
      expect((await verifier('jwks', { audience: srv.url }).verify(await token(c))).client_id).toBe(c.id);
    });

    it('caches discovery and keys, and refetches on an unknown kid at most once per cooldown', async () => {
      const c = await createClient(srv.env);
      const counting = countingFetch();
      const v = createVerifier({ issuer: srv.url, audience: srv.url, fetch: counting.fetch, jwksCooldownSeconds: 4 });
      const signedByOldKey = await token(c);
      const beforeFetch = Date.now();
      await v.verify(signedByOldKey);
      const afterFetch = Date.now();
      for (let i = 0; i < 5; i++) await v.verify(await token(c));
      expect(counting.calls).toEqual(['GET /.well-known/oauth-authorization-server', 'GET /.well-known/jwks.json']);

      await tollgate(srv.env, 'keys', 'rotate', '--mode', 'live');
      // The server looks for a new current key at most once a second.
      const kid = (t: string) => decodeProtectedHeader(t).kid;
      let signedByNewKey = await token(c);
      for (let i = 0; i < 30 && kid(signedByNewKey) === kid(signedByOldKey); i++) {
        await sleep(100);
        signedByNewKey = await token(c);
      }
      expect(kid(signedByNewKey)).not.toBe(kid(signedByOldKey));
      // Within the cooldown of the last fetch, the new kid is not looked up.
      expect(Date.now() - beforeFetch).toBeLessThan(4_000);
      expect((await refusal(v.verify(signedByNewKey))).message).toMatch(/key the issuer does not publish/);
      expect(counting.calls).toHaveLength(2);
      // After it, it is.
      await sleep(Math.max(0, 4_050 - (Date.now() - afterFetch)));
      expect((await v.verify(signedByNewKey)).client_id).toBe(c.id);
      expect(counting.calls).toEqual([
        'GET /.well-known/oauth-authorization-server',
        'GET /.well-known/jwks.json',
        'GET /.well-known/jwks.json',
      ]);
      // The retired key stays published: its tokens still verify, without a fetch.
      expect((await v.verify(signedByOldKey)).client_id).toBe(c.id);
      // Made-up kids right after a fetch cause none either.
      const [, payload, signature] = signedByNewKey.split('.');
      for (let i = 0; i < 10; i++) {
        const header = Buffer.from(JSON.stringify({ alg: 'ES256', typ: 'at+jwt', kid: `made-up-${i}` })).toString(
          'base64url',
        );
        expect((await refusal(v.verify(`${header}.${payload}.${signature}`))).message).toMatch(
          /key the issuer does not publish/,
        );
      }
      expect(counting.calls).toHaveLength(3);
    });
  });

  describe('introspect mode', () => {
    it('refuses a refresh token: it introspects as active but is no access token', async () => {
      const c = await createClient(srv.env);
      const res = await fetch(`${srv.url}/api/v1/oauth2/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'client_credentials', client_id: c.id, client_secret: c.secret }),
      });
      const { refresh_token } = (await res.json()) as { refresh_token: string };
      expect((await refusal(verifier('introspect').verify(refresh_token))).message).toMatch(/not an access token/);
    });

    it('sees only its own tokens without tollgate:introspect, and says so when its own secret is wrong', async () => {
      const plain = await createClient(srv.env);
      const other = await createClient(srv.env);
      const v = verifier('introspect', { clientId: plain.id, clientSecret: plain.secret });
      expect((await v.verify(await token(plain))).client_id).toBe(plain.id);
      expect((await refusal(v.verify(await token(other)))).code).toBe('invalid_token');
      const wrong = verifier('introspect', { clientSecret: `${rs.secret.slice(0, -4)}AAAA` });
      const e = await wrong.verify(await token(other)).catch((x: unknown) => x);
      expect(e).not.toBeInstanceOf(VerifyError);
      expect(e).toMatchObject({ code: 'invalid_client', status: 401 });
      const noCredentials = { issuer: srv.url, audience: srv.url, mode: 'introspect' as const };
      expect(() => createVerifier(noCredentials)).toThrow(/clientId and clientSecret/);
    });
  });

  describe('forward-auth mode', () => {
    it("passes the caller's address, so the client's IP allowlist is applied to the caller", async () => {
      const c = await createClient(srv.env, '--allow-ip', '10.1.2.0/24');
      // The token is issued through the trusted proxy (127.0.0.1) on behalf of 10.1.2.3.
      const res = await fetch(`${srv.url}/v1/auth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': '10.1.2.3' },
        body: new URLSearchParams({ client_id: c.id, client_secret: c.secret }),
      });
      const t = ((await res.json()) as { data: { access_token: string } }).data.access_token;
      const v = verifier('forward-auth');
      expect((await v.verify(t, { clientIp: '10.1.2.3' })).client_id).toBe(c.id);
      const e = await refusal(v.verify(t, { clientIp: '192.0.2.7' }));
      expect(e).toMatchObject({ code: 'access_denied', status: 403 });
    });
  });
});
