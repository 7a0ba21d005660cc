import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createVerifier,
  expressGuard,
  fastifyGuard,
  nodeHttpGuard,
  TokenCache,
  TokenSource,
  type AccessTokenClaims,
  type GuardOptions,
  type Verifier,
} from '@tollgate/client';
import { createClient, freePort, startIssuer, tollgate, type IssuerServer, type MadeClient } from '../support/sdk.js';

/**
 * The three adapters guard a real API (node:http, Fastify, Express) with a verifier of the real
 * server: RFC 6750 answers for no token, a bad token, a token for another API and a narrow one;
 * the claims for a good one; 503 when Tollgate cannot be asked. The API guarded is a named one
 * (`tollgate apis create`), so its verifier names its audience.
 */

const BILLING = 'https://billing.example/api';
const REPORTS = 'https://reports.example/api';

type Framework = 'node:http' | 'fastify' | 'express';

interface Api {
  url: string;
  close(): Promise<void>;
}

const listen = async (server: Server): Promise<Api> => {
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((ok) => server.close(() => ok())),
  };
};

/** An API with `GET /invoices` that answers the caller's claims, guarded by `scope`. */
async function startApi(framework: Framework, verifier: Verifier, options: GuardOptions): Promise<Api> {
  if (framework === 'node:http') {
    const guard = nodeHttpGuard(verifier, options);
    return listen(
      createServer(async (req, res) => {
        const claims = await guard(req, res);
        if (!claims) return;
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ client: claims.client_id }));
      }),
    );
  }
  if (framework === 'fastify') {
    const app: FastifyInstance = Fastify();
    app.decorateRequest('tollgate', null);
    app.get('/invoices', { preHandler: fastifyGuard(verifier, options) }, async (req) => ({
      client: (req as unknown as { tollgate: AccessTokenClaims }).tollgate.client_id,
    }));
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    return { url, close: () => app.close() };
  }
  const app = express();
  app.get('/invoices', expressGuard(verifier, options), (req, res) => {
    res.json({ client: (req as unknown as { tollgate: AccessTokenClaims }).tollgate.client_id });
  });
  return listen(createServer(app));
}

describe('adapters against the real server', () => {
  let srv: IssuerServer;
  let reader: MadeClient;
  let other: MadeClient;

  beforeAll(async () => {
    srv = await startIssuer();
    const api = (identifier: string, permissions: string) =>
      tollgate(srv.env, 'apis', 'create', '--identifier', identifier, '--name', 'api', '--permissions', permissions);
    const grant = (c: MadeClient, identifier: string, permissions: string) =>
      tollgate(srv.env, 'grants', 'set', c.id, identifier, '--permissions', permissions, '--json');
    await api(BILLING, 'invoices:read invoices:write');
    await api(REPORTS, 'invoices:read');
    // reader holds invoices:read at the default API too: a scope of the same name elsewhere.
    reader = await createClient(srv.env, '--scope', 'invoices:read');
    other = await createClient(srv.env);
    await grant(reader, BILLING, 'invoices:read');
    await grant(reader, REPORTS, 'invoices:read');
    await grant(other, BILLING, 'invoices:write');
  });
  afterAll(async () => {
    await srv?.stop();
  });

  /** A token of the client for `audience` (BILLING unless told; null: the default API). */
  const bearer = (c: MadeClient, audience: string | null = BILLING) =>
    new TokenSource({
      tokenUrl: `${srv.url}/api/v1/oauth2/token`,
      clientId: c.id,
      clientSecret: c.secret,
      dialect: 'oauth2',
      cache: new TokenCache(),
      ...(audience === null ? {} : { audience }),
    }).getToken();
  const get = (base: string, authorization?: string) =>
    fetch(`${base}/invoices`, authorization ? { headers: { authorization } } : {});

  describe.each<Framework>(['node:http', 'fastify', 'express'])('%s', (framework) => {
    let api: Api;
    let deadApi: Api;

    beforeAll(async () => {
      const verifier = createVerifier({ issuer: srv.url, audience: BILLING });
      api = await startApi(framework, verifier, { scope: 'invoices:read', realm: 'payments' });
      const deadIssuer = `http://127.0.0.1:${await freePort()}`;
      const dead = createVerifier({ issuer: deadIssuer, audience: BILLING, timeoutSeconds: 2 });
      deadApi = await startApi(framework, dead, {});
    });
    afterAll(async () => {
      await Promise.all([api?.close(), deadApi?.close()]);
    });

    it('answers a good token with the handler and its claims', async () => {
      const res = await get(api.url, `Bearer ${await bearer(reader)}`);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ client: reader.id });
    });

    it.each([
      ['no Authorization header', undefined],
      ['another scheme', 'Basic dXNlcjpwYXNz'],
    ])('answers %s with 401 and a challenge naming the realm alone (RFC 6750 §3.1)', async (_label, authorization) => {
      const res = await get(api.url, authorization);
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer realm="payments"');
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(await res.json()).toMatchObject({ error: 'missing_token' });
    });

    it('answers a bad token with 401 invalid_token', async () => {
      const res = await get(api.url, 'Bearer not.a.token');
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(
        /^Bearer realm="payments", error="invalid_token", error_description="[^"]+"$/,
      );
      expect(await res.json()).toMatchObject({ error: 'invalid_token' });
    });

    it.each([
      ['another API', REPORTS],
      ['the default API', null],
    ])('answers a token for %s with 401 invalid_token, whatever scope it holds', async (_label, audience) => {
      const res = await get(api.url, `Bearer ${await bearer(reader, audience)}`);
      expect(res.status).toBe(401);
      const challenge = res.headers.get('www-authenticate');
      expect(challenge).toMatch(/^Bearer realm="payments", error="invalid_token", error_description="[^"]*aud/);
      expect(await res.json()).toMatchObject({ error: 'invalid_token' });
    });

    it('answers a token without the scope with 403 insufficient_scope naming it', async () => {
      const res = await get(api.url, `Bearer ${await bearer(other)}`);
      expect(res.status).toBe(403);
      expect(res.headers.get('www-authenticate')).toMatch(
        /^Bearer realm="payments", error="insufficient_scope", error_description="[^"]+", scope="invoices:read"$/,
      );
      expect(await res.json()).toMatchObject({ error: 'insufficient_scope' });
    });

    it('answers 503, not 401, when Tollgate cannot be asked', async () => {
      const res = await get(deadApi.url, `Bearer ${await bearer(reader)}`);
      expect(res.status).toBe(503);
      expect(res.headers.get('www-authenticate')).toBeNull();
      expect(await res.json()).toMatchObject({ error: 'temporarily_unavailable' });
    });

    it('works with TokenSource.fetch on the calling side', async () => {
      const ts = new TokenSource({
        tokenUrl: `${srv.url}/api/v1/oauth2/token`,
        clientId: reader.id,
        clientSecret: reader.secret,
        dialect: 'oauth2',
        audience: BILLING,
        cache: new TokenCache(),
      });
      const res = await ts.fetch(`${api.url}/invoices`);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ client: reader.id });
    });
  });
});
