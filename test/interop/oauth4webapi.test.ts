import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import * as oauth from 'oauth4webapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, startServer, tempDir, type RunningServer } from '../support/process.js';

/**
 * Interop proof: a standard OAuth 2.0 client library, configured from nothing but the RFC 8414
 * discovery document, against the real server process; jose verifies the access tokens from the
 * published JWKS as a resource server would (RFC 9068 §4).
 */

/** A port the OS says is free: the issuer must name the port the server listens on. */
async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((ok) => s.listen(0, '127.0.0.1', ok));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((ok) => s.close(() => ok()));
  return port;
}

// Plain http on the loopback: the library refuses it unless told.
const HTTP = { [oauth.allowInsecureRequests]: true } as const;

interface Made {
  client: oauth.Client;
  secret: string;
}

describe('interop: oauth4webapi and jose against the real server', () => {
  let server: RunningServer;
  let env: Record<string, string>;
  let live: oauth.AuthorizationServer;
  let test: oauth.AuthorizationServer;

  const discover = async (issuer: string): Promise<oauth.AuthorizationServer> => {
    const url = new URL(issuer);
    return oauth.processDiscoveryResponse(url, await oauth.discoveryRequest(url, { ...HTTP, algorithm: 'oauth2' }));
  };
  const makeClient = async (args: string[]): Promise<Made> => {
    const r = await cli(['clients', 'create', '--name', 'interop', ...args, '--json'], env);
    expect(r.status, r.stderr).toBe(0);
    const made = JSON.parse(r.stdout) as { clientId: string; clientSecret: string };
    return { client: { client_id: made.clientId }, secret: made.clientSecret };
  };
  const clientCredentials = async (as: oauth.AuthorizationServer, c: Made, auth: oauth.ClientAuth, scope?: string) =>
    oauth.processClientCredentialsResponse(
      as,
      c.client,
      await oauth.clientCredentialsGrantRequest(as, c.client, auth, scope ? { scope } : {}, HTTP),
    );
  /** What a resource server does: keys from `jwks_uri`, an explicit algorithm list, RFC 9068 `typ`. */
  const verify = (as: oauth.AuthorizationServer, token: string) =>
    jwtVerify(token, createRemoteJWKSet(new URL(as.jwks_uri!)), {
      typ: 'at+jwt',
      issuer: as.issuer,
      audience: as.issuer,
      algorithms: ['ES256'],
    });

  beforeAll(async () => {
    const port = await freePort();
    const issuer = `http://127.0.0.1:${port}`;
    env = { DATABASE_PATH: join(tempDir(), 'tollgate.db'), ISSUER: issuer };
    server = await startServer({ ...env, PORT: String(port) });
    expect(server.url).toBe(issuer);
    live = await discover(issuer);
    test = await discover(`${issuer}/test`);
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('discovers both modes, each with its own issuer, endpoints and keys', async () => {
    expect(live.issuer).toBe(server.url);
    expect(test.issuer).toBe(`${server.url}/test`);
    expect(live.grant_types_supported).toEqual(['client_credentials', 'refresh_token']);
    expect(test.token_endpoint).toBe(`${server.url}/test/api/v1/oauth2/token`);
    expect(test.jwks_uri).toBe(`${server.url}/test/.well-known/jwks.json`);
  });

  it.each([
    ['client_secret_basic', oauth.ClientSecretBasic],
    ['client_secret_post', oauth.ClientSecretPost],
  ] as const)('obtains, refreshes, introspects and revokes with %s', async (method, Auth) => {
    expect(live.token_endpoint_auth_methods_supported).toContain(method);
    const c = await makeClient(['--scope', 'read write']);
    const auth = Auth(c.secret);

    const granted = await clientCredentials(live, c, auth, 'read');
    expect(granted).toMatchObject({
      token_type: 'bearer',
      expires_in: 900,
      scope: 'read',
      refresh_token: expect.stringMatching(/^rt_/),
    });
    const { payload } = await verify(live, granted.access_token);
    expect(payload).toMatchObject({ client_id: c.client.client_id, sub: c.client.client_id, scope: 'read' });

    const refreshed = await oauth.processRefreshTokenResponse(
      live,
      c.client,
      await oauth.refreshTokenGrantRequest(live, c.client, auth, granted.refresh_token!, HTTP),
    );
    expect(refreshed.refresh_token).toBeUndefined();
    expect(refreshed).toMatchObject({ token_type: 'bearer', expires_in: 900, scope: 'read' });
    expect((await verify(live, refreshed.access_token)).payload.jti).not.toBe(payload.jti);

    const introspect = async (token: string) =>
      oauth.processIntrospectionResponse(
        live,
        c.client,
        await oauth.introspectionRequest(live, c.client, auth, token, HTTP),
      );
    expect(await introspect(refreshed.access_token)).toMatchObject({
      active: true,
      client_id: c.client.client_id,
      token_type: 'Bearer',
    });
    const refreshInfo = await introspect(granted.refresh_token!);
    expect(refreshInfo).toMatchObject({ active: true, client_id: expect.any(String) });
    expect(refreshInfo).not.toHaveProperty('token_type');

    for (const token of [refreshed.access_token, granted.refresh_token!]) {
      await oauth.processRevocationResponse(await oauth.revocationRequest(live, c.client, auth, token, HTTP));
      expect(await introspect(token)).toEqual({ active: false });
    }
    // The JWT still verifies by signature: revocation is the server's state, seen by introspection.
    await expect(verify(live, refreshed.access_token)).resolves.toBeDefined();

    const err = await oauth
      .processRefreshTokenResponse(
        live,
        c.client,
        await oauth.refreshTokenGrantRequest(live, c.client, auth, granted.refresh_token!, HTTP),
      )
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(oauth.ResponseBodyError);
    expect(err).toMatchObject({ status: 400, error: 'invalid_grant', cause: { code: 'INVALID_GRANT' } });
  });

  it('renews at the seed refresh endpoint with the refresh token alone, uncached', async () => {
    const c = await makeClient([]);
    const { refresh_token } = await clientCredentials(live, c, oauth.ClientSecretBasic(c.secret));
    const res = await fetch(`${server.url}/api/v1/oauth2/refresh`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refresh_token }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('pragma')).toBe('no-cache');
    const body = (await res.json()) as { access_token: string };
    expect(Object.keys(body)).toEqual(['access_token', 'token_type', 'expires_in', 'scope']);
    await expect(verify(live, body.access_token)).resolves.toBeDefined();
  });

  it('answers a wrong secret with 401 and a Basic challenge, whichever method is used', async () => {
    const c = await makeClient([]);
    for (const auth of [oauth.ClientSecretBasic('wrong-secret-value'), oauth.ClientSecretPost('wrong-secret-value')]) {
      const err = await clientCredentials(live, c, auth).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(oauth.WWWAuthenticateChallengeError);
      expect(err).toMatchObject({ status: 401, cause: [{ scheme: 'basic', parameters: { realm: 'tollgate' } }] });
    }
  });

  it('serves test mode from its own discovery document, with keys that do not verify live tokens', async () => {
    const t = await makeClient(['--mode', 'test', '--scope', 'read']);
    const granted = await clientCredentials(test, t, oauth.ClientSecretPost(t.secret));
    const { payload } = await verify(test, granted.access_token);
    expect(payload.iss).toBe(`${server.url}/test`);
    await expect(verify(live, granted.access_token)).rejects.toThrow();
    const err = await clientCredentials(live, t, oauth.ClientSecretPost(t.secret)).catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 401 });
  });

  it('publishes a key rotated by `tollgate keys rotate` at once and keeps the old one', async () => {
    const c = await makeClient([]);
    const auth = oauth.ClientSecretBasic(c.secret);
    const before = (await clientCredentials(live, c, auth)).access_token;
    const rotated = await cli(['keys', 'rotate', '--mode', 'live', '--json'], env);
    expect(rotated.status, rotated.stderr).toBe(0);
    const [fresh] = JSON.parse(rotated.stdout) as Array<{ kid: string }>;
    // Published on the very next read of the JWKS, and the old key with it.
    const keys = (await (await fetch(live.jwks_uri!)).json()) as { keys: Array<{ kid: string }> };
    expect(keys.keys.map((k) => k.kid)).toEqual([fresh!.kid, decodeProtectedHeader(before).kid]);
    await expect(verify(live, before)).resolves.toBeDefined();
    // The server starts signing with it within a second (KeyRing checks for a new current key
    // at most once a second); a resource server verifies those tokens from the same JWKS.
    let after = (await clientCredentials(live, c, auth)).access_token;
    for (let i = 0; i < 30 && decodeProtectedHeader(after).kid !== fresh!.kid; i++) {
      await new Promise((r) => setTimeout(r, 100));
      after = (await clientCredentials(live, c, auth)).access_token;
    }
    expect(decodeProtectedHeader(after).kid).toBe(fresh!.kid);
    await expect(verify(live, after)).resolves.toBeDefined();
  });

  it('never logs a secret or a token', async () => {
    const log = server
      .stdout()
      .split('\n')
      .filter((l) => l.startsWith('{'));
    expect(log.length).toBeGreaterThan(0);
    expect(log.join('\n')).not.toMatch(/sk_(live|test)_|rt_[A-Za-z0-9_-]{43}|eyJ/);
  });
});
