import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { auth, requiredScopes } from 'express-oauth2-jwt-bearer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, startServer, storeEnv, type RunningServer } from '../support/process.js';

const BILLING = 'https://billing.example.com/api';
const REPORTS = 'https://reports.example.com/api';

const freePort = (): Promise<number> =>
  new Promise((ok) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => ok(port));
    });
  });

/**
 * The README's "APIs and permissions" example, end to end: a resource server guarded by a stock
 * middleware nobody here wrote (Auth0's express-oauth2-jwt-bearer, discovering Tollgate through
 * its RFC 8414 metadata and JWKS) accepts a token for its API with the permission it needs, and
 * refuses a token for another API and one lacking the permission.
 */
describe('a stock resource-server middleware in front of an API', () => {
  let tollgate: RunningServer;
  let env: Record<string, string>;
  let api: Server;
  let apiUrl: string;
  let client: { clientId: string; clientSecret: string };

  beforeAll(async () => {
    const port = await freePort();
    const issuer = `http://127.0.0.1:${port}`;
    env = { ...(await storeEnv()), PORT: String(port), ISSUER: issuer };
    tollgate = await startServer(env);
    const run = async (args: string[]) => {
      const ran = await cli(args, env);
      expect(ran.status, ran.stderr).toBe(0);
      return ran.stdout;
    };
    await run([
      'apis',
      'create',
      '--identifier',
      BILLING,
      '--name',
      'Billing',
      '--permissions',
      'invoices:read invoices:write',
    ]);
    await run(['apis', 'create', '--identifier', REPORTS, '--name', 'Reports', '--permissions', 'reports:read']);
    client = JSON.parse(await run(['clients', 'create', '--name', 'worker', '--json']));
    await run(['grants', 'set', client.clientId, BILLING, '--permissions', 'invoices:read invoices:write']);
    await run(['grants', 'set', client.clientId, REPORTS, '--permissions', 'reports:read']);

    const app = express();
    app.use(auth({ issuerBaseURL: issuer, audience: BILLING }));
    app.get('/invoices', requiredScopes('invoices:read'), (_req, res) => void res.json({ invoices: [] }));
    app.post('/refunds', requiredScopes('refunds:write'), (_req, res) => void res.json({ ok: true }));
    api = await new Promise<Server>((ok) => {
      const s = app.listen(0, '127.0.0.1', () => ok(s));
    });
    apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((ok) => api?.close(ok));
    await tollgate?.stop();
  });

  const tokenFor = async (resource?: string, scope?: string): Promise<string> => {
    const res = await fetch(`${tollgate.url}/api/v1/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: client.clientId,
        client_secret: client.clientSecret,
        ...(resource ? { resource } : {}),
        ...(scope ? { scope } : {}),
      }),
    });
    expect(res.status).toBe(200);
    return ((await res.json()) as { access_token: string }).access_token;
  };
  const get = (path: string, token: string, method = 'GET') =>
    fetch(`${apiUrl}${path}`, { method, headers: { authorization: `Bearer ${token}` } });

  it('accepts a token for its API that carries the permission', async () => {
    const res = await get('/invoices', await tokenFor(BILLING));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ invoices: [] });
  });

  it('refuses a token for another API, and a default-API token', async () => {
    expect((await get('/invoices', await tokenFor(REPORTS))).status).toBe(401);
    expect((await get('/invoices', await tokenFor())).status).toBe(401);
  });

  it('refuses a token without the permission the route needs (403)', async () => {
    expect((await get('/invoices', await tokenFor(BILLING, 'invoices:write'))).status).toBe(403);
    expect((await get('/refunds', await tokenFor(BILLING), 'POST')).status).toBe(403);
  });
});
