import { decodeJwt, decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, startServer, storeEnv, type RunningServer } from '../support/process.js';

const BILLING = 'https://billing.example.com/api';

/**
 * `tollgate apis …` and `tollgate grants …` (spec §8) against the real server: what the CLI sets
 * up is what the doors issue and what /auth/verify checks, in another process, on the next request.
 */
describe('APIs and grants from the CLI, through the real server', () => {
  let server: RunningServer;
  let env: Record<string, string>;
  let client: { clientId: string; clientSecret: string };
  beforeAll(async () => {
    env = await storeEnv();
    server = await startServer(env);
    const made = await cli(['clients', 'create', '--name', 'billing-worker', '--scope', 'read', '--json'], env);
    client = JSON.parse(made.stdout);
  });
  afterAll(() => server.stop());

  const json = async (args: string[]) => {
    const ran = await cli([...args, '--json'], env);
    expect(ran.status, ran.stderr).toBe(0);
    return JSON.parse(ran.stdout);
  };
  const token = (extra: Record<string, string>) =>
    fetch(`${server.url}/api/v1/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: client.clientId,
        client_secret: client.clientSecret,
        ...extra,
      }),
    });
  const verify = (t: string, audience: string) =>
    fetch(`${server.url}/auth/verify?audience=${encodeURIComponent(audience)}`, {
      headers: { authorization: `Bearer ${t}` },
    });

  it('creates, shows and lists an API, every command with --json', async () => {
    const created = await json([
      'apis',
      'create',
      '--identifier',
      BILLING,
      '--name',
      'Billing',
      '--permissions',
      'invoices:write',
      '--permission',
      'invoices:read=Read invoices',
      '--ttl',
      '120',
      '--alg',
      'RS256',
    ]);
    expect(created).toMatchObject({
      identifier: BILLING,
      name: 'Billing',
      mode: 'live',
      permissions: [
        { name: 'invoices:write', description: '' },
        { name: 'invoices:read', description: 'Read invoices' },
      ],
      tokenTtlSeconds: 120,
      alg: 'RS256',
    });
    expect(await json(['apis', 'show', BILLING])).toEqual(created);
    expect((await json(['apis', 'list'])).map((a: { identifier: string }) => a.identifier)).toEqual([BILLING]);
    expect(await json(['apis', 'list', '--mode', 'test'])).toEqual([]);
  });

  it('refuses a bad identifier, naming the flag’s rule', async () => {
    const ran = await cli(['apis', 'create', '--identifier', 'billing', '--name', 'x'], env);
    expect(ran.status).toBe(1);
    expect(ran.stderr).toBe('tollgate: identifier must be an absolute URI without fragment, at most 255 characters\n');
  });

  it('a grant set by the CLI is what the token door issues; removing it ends the token at /auth/verify', async () => {
    expect((await token({ resource: BILLING })).status).toBe(400);
    expect(await json(['grants', 'set', client.clientId, BILLING, '--permissions', 'invoices:read'])).toMatchObject({
      clientId: client.clientId,
      api: BILLING,
      permissions: ['invoices:read'],
    });
    const res = await token({ resource: BILLING });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { access_token: string; expires_in: number; scope: string };
    expect(body).toMatchObject({ expires_in: 120, scope: 'invoices:read' });
    expect(decodeJwt(body.access_token)).toMatchObject({ aud: BILLING, permissions: ['invoices:read'] });
    expect(decodeProtectedHeader(body.access_token).alg).toBe('RS256');
    expect((await verify(body.access_token, BILLING)).status).toBe(200);
    expect((await json(['grants', 'list', client.clientId])).map((g: { api: string }) => g.api)).toEqual([BILLING]);
    await json(['grants', 'remove', client.clientId, BILLING]);
    expect((await verify(body.access_token, BILLING)).status).toBe(401);
  });

  it('update takes a permission away and ends its tokens; delete is refused while grants exist, unless --force', async () => {
    await json(['grants', 'set', client.clientId, BILLING, '--permissions', 'invoices:read invoices:write']);
    const issued = (await (await token({ resource: BILLING })).json()) as { access_token: string };
    expect((await verify(issued.access_token, BILLING)).status).toBe(200);
    expect(await json(['apis', 'update', BILLING, '--permissions', 'invoices:read', '--clear-ttl'])).toMatchObject({
      tokenTtlSeconds: null,
    });
    expect((await verify(issued.access_token, BILLING)).status).toBe(401);
    const refused = await cli(['apis', 'delete', BILLING], env);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('remove them first, or force the deletion');
    expect(await json(['apis', 'delete', BILLING, '--force'])).toMatchObject({ identifier: BILLING, deleted: true });
    expect(await json(['apis', 'list'])).toEqual([]);
    const audit = await json(['audit', '--limit', '20']);
    const actions = (audit as Array<{ action: string }>).map((e) => e.action);
    for (const a of ['api.created', 'api.updated', 'api.deleted', 'grant.set', 'grant.removed'])
      expect(actions).toContain(a);
  });
});
