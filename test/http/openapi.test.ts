import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance, RouteOptions } from 'fastify';
import type { InjectOptions } from 'light-my-request';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/http/app.js';
import { harness, type Harness } from '../support/harness.js';
import { ROOT } from '../support/process.js';

type Operation = {
  operationId?: string;
  tags?: string[];
  summary?: string;
  responses: Record<string, { description: string }>;
};
type OpenApi = { paths: Record<string, Record<string, Operation>> };

const committed = (): OpenApi => JSON.parse(readFileSync(join(ROOT, 'schema/openapi.json'), 'utf8'));

/** Mounts the document leaves out on purpose: the `/test` copies, Swagger UI's own files, GraphQL, the panel and GraphiQL's files. */
const undocumented = (url: string): boolean => /^\/(test|docs|graphql|panel|graphiql)(\/|$)/.test(url);

/** A Fastify path as OpenAPI writes it (`/a/:id` → `/a/{id}`). */
const openapiPath = (url: string): string => url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

/** The live path a route of either mode is documented at. */
const livePath = (url: string): string => openapiPath(url.replace(/^\/test(?=\/)/, ''));

const form = (fields: Record<string, string>) => ({
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  payload: new URLSearchParams(fields).toString(),
});

describe('the OpenAPI document, served', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness();
  });
  afterAll(() => h.close());

  it('serves schema/openapi.json at /openapi.json', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/openapi.json' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.json()).toEqual(committed());
    expect(res.json().openapi).toBe('3.1.0');
  });

  it('serves Swagger UI at /docs from the package, nothing from elsewhere', async () => {
    const page = await h.app.inject({ method: 'GET', url: '/docs' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.body).toContain('swagger-ui');
    // Every script and stylesheet is a local path: the page works without the internet.
    const assets = [...page.body.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(assets.length).toBeGreaterThan(0);
    for (const asset of assets) {
      expect(asset, asset).toMatch(/^\/docs\//);
      expect((await h.app.inject({ method: 'GET', url: asset })).statusCode, asset).toBe(200);
    }
    // The UI loads the same document.
    const json = await h.app.inject({ method: 'GET', url: '/docs/json' });
    expect(json.json()).toEqual(committed());
  });
});

describe('the OpenAPI document, against the routes', () => {
  let h: Harness;
  let app: FastifyInstance;
  const routes: RouteOptions[] = [];
  beforeAll(async () => {
    h = await harness();
    app = buildApp(h.services, h.config);
    app.addHook('onRoute', (r) => {
      routes.push(r);
    });
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
    await h.close();
  });

  const restOperations = (): string[] =>
    routes
      .filter((r) => !undocumented(r.url))
      .flatMap((r) =>
        [r.method]
          .flat()
          .filter((m) => m !== 'HEAD')
          .map((m) => `${m.toLowerCase()} ${openapiPath(r.url)}`),
      );

  it('documents every REST route of the app, and nothing else', () => {
    const documented = Object.entries(committed().paths).flatMap(([path, item]) =>
      Object.keys(item).map((m) => `${m} ${path}`),
    );
    const live = restOperations();
    expect(live).toContain('post /v1/auth/token');
    expect(live).toContain('get /healthz');
    expect([...new Set(live)].sort()).toEqual([...documented].sort());
  });

  it('documents each /test route at its live path', () => {
    const test = routes.filter((r) => r.url.startsWith('/test/') && !r.url.startsWith('/test/graphql'));
    expect(test.length).toBeGreaterThan(5);
    const paths = committed().paths;
    for (const r of test) {
      for (const m of [r.method].flat().filter((x) => x !== 'HEAD'))
        expect(paths[livePath(r.url)]?.[m.toLowerCase()], `${m} ${r.url}`).toBeDefined();
    }
  });

  it('gives every operation a tag, a unique operationId, a summary and described answers', () => {
    const ids = new Set<string>();
    for (const [path, item] of Object.entries(committed().paths)) {
      for (const [method, op] of Object.entries(item)) {
        const where = `${method} ${path}`;
        expect(op.tags?.length, where).toBe(1);
        expect(op.summary, where).toBeTruthy();
        expect(op.operationId, where).toBeTruthy();
        expect(ids.has(op.operationId!), `${where}: duplicate operationId`).toBe(false);
        ids.add(op.operationId!);
        expect(Object.keys(op.responses), where).toContain('200');
        for (const r of Object.values(op.responses)) expect(r.description, where).not.toBe('Default Response');
      }
    }
  });
});

/**
 * Fastify writes each answer with the route's response schema (fast-json-stringify), which drops
 * undeclared fields, reorders by `required` and coerces types without a word. Every answer below
 * is caught before and after serialization: the two must be the same JSON, field order included,
 * and its status must be one the document lists for the operation.
 */
describe('response schemas', () => {
  let h: Harness;
  let app: FastifyInstance;
  const seen: Array<{ where: string; status: number; before: string; after: string }> = [];
  const pending = new Map<string, string>();

  beforeAll(async () => {
    h = await harness({ LOCKOUT_MAX_FAILURES: '2', LOCKOUT_MAX_FAILURES_PER_IP: '100000' });
    app = buildApp(h.services, h.config);
    app.addHook('preSerialization', async (req, _reply, payload) => {
      pending.set(req.id, JSON.stringify(payload));
      return payload;
    });
    app.addHook('onSend', async (req, reply, payload) => {
      const before = pending.get(req.id);
      if (before !== undefined && typeof payload === 'string') {
        seen.push({ where: `${req.method} ${req.routeOptions.url}`, status: reply.statusCode, before, after: payload });
      }
      return payload;
    });
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
    await h.close();
  });

  const call = (opts: InjectOptions) => app.inject(opts);

  it('lose nothing, for every door, in success and error answers', async () => {
    const c = await h.client({ scopes: ['read', 'write'], orgId: 'org_1' });
    const plain = await h.client({ scopes: ['read'] });
    const fenced = await h.client({ allowedIps: ['10.0.0.0/8'] });
    const t = await h.client({ mode: 'test' });
    const doors: Array<{ url: string; body: (id?: string, secret?: string, scope?: string) => InjectOptions }> = [
      {
        url: '/v1/auth/token',
        body: (id, secret, scope) =>
          form({ ...(id && { client_id: id }), ...(secret && { client_secret: secret }), ...(scope && { scope }) }),
      },
      {
        url: '/v2/credentials/oauth/token',
        body: (clientId, clientSecret, scope) => ({ payload: { clientId, clientSecret, scope } }),
      },
      {
        url: '/api/v1/client/token',
        body: (client_id, client_secret, scope) => ({ payload: { client_id, client_secret, scope } }),
      },
      {
        url: '/api/v1/oauth2/token',
        body: (id, secret, scope) =>
          form({
            grant_type: 'client_credentials',
            ...(id && { client_id: id }),
            ...(secret && { client_secret: secret }),
            ...(scope && { scope }),
          }),
      },
    ];
    for (const d of doors) {
      const locked = await h.client();
      for (const [id, secret, scope] of [
        [c.id, c.secret, undefined],
        [c.id, c.secret, 'write'],
        [c.id, undefined, undefined],
        [c.id, 'wrong-secret-value', undefined],
        [c.id, c.secret, 'admin'],
        [fenced.id, fenced.secret, undefined],
        [locked.id, 'wrong-secret-value', undefined],
        [locked.id, 'wrong-secret-value', undefined],
        [locked.id, locked.secret, undefined],
      ] as const) {
        await call({ method: 'POST', url: d.url, ...d.body(id, secret, scope) });
      }
      await call({ method: 'POST', url: `/test${d.url}`, ...d.body(t.id, t.secret) });
    }
    await call({
      method: 'POST',
      url: '/v2/credentials/oauth/token',
      payload: { clientId: 5, clientSecret: ['a', 'b'] },
    });
    await call({
      method: 'POST',
      url: '/api/v1/client/token',
      payload: '[1]',
      headers: { 'content-type': 'application/json' },
    });

    const granted = (
      await call({
        method: 'POST',
        url: '/api/v1/oauth2/token',
        ...form({ grant_type: 'client_credentials', client_id: c.id, client_secret: c.secret }),
      })
    ).json();
    const auth = { client_id: c.id, client_secret: c.secret };
    await call({
      method: 'POST',
      url: '/api/v1/oauth2/token',
      ...form({ grant_type: 'refresh_token', refresh_token: granted.refresh_token, ...auth }),
    });
    await call({ method: 'POST', url: '/api/v1/oauth2/token', ...form({ grant_type: 'password', ...auth }) });
    await call({ method: 'POST', url: '/api/v1/oauth2/refresh', ...form({ refresh_token: granted.refresh_token }) });
    await call({ method: 'POST', url: '/api/v1/oauth2/refresh', ...form({ refresh_token: 'rt_nope' }) });
    await call({ method: 'POST', url: '/api/v1/oauth2/introspect', ...form({ token: granted.access_token, ...auth }) });
    await call({
      method: 'POST',
      url: '/api/v1/oauth2/introspect',
      ...form({ token: granted.refresh_token, ...auth }),
    });
    await call({ method: 'POST', url: '/api/v1/oauth2/introspect', ...form({ token: 'nope', ...auth }) });
    await call({ method: 'POST', url: '/api/v1/oauth2/revoke', ...form({ token: granted.refresh_token }) });

    const common = (id: string, secret: string) =>
      call({ method: 'POST', url: '/api/v1/client/token', payload: { client_id: id, client_secret: secret } });
    for (const who of [c, plain]) {
      const token = (await common(who.id, who.secret)).json().data.access_token as string;
      await call({ method: 'GET', url: '/api/v1/client/me', headers: { authorization: `Bearer ${token}` } });
      await call({ method: 'GET', url: '/auth/verify?scope=admin', headers: { authorization: `Bearer ${token}` } });
    }
    await call({ method: 'GET', url: '/api/v1/client/me' });
    await call({ method: 'GET', url: '/api/v1/client/me', headers: { authorization: 'Bearer nope' } });
    await call({ method: 'GET', url: '/auth/verify' });
    await call({ method: 'PUT', url: '/auth/verify', headers: { authorization: 'Bearer nope' } });
    await call({ method: 'GET', url: '/auth/verify?scope=a&scope=b', headers: { authorization: 'Bearer nope' } });

    for (const url of [
      '/.well-known/oauth-authorization-server',
      '/.well-known/oauth-authorization-server/test',
      '/test/.well-known/oauth-authorization-server',
      '/.well-known/jwks.json',
      '/test/.well-known/jwks.json',
      '/healthz',
      '/readyz',
    ]) {
      await call({ method: 'GET', url });
    }

    const doc = JSON.parse(readFileSync(join(ROOT, 'schema/openapi.json'), 'utf8')) as OpenApi;
    const statuses = new Set(seen.map((s) => s.status));
    for (const status of [200, 400, 401, 403, 429])
      expect(statuses, `no ${status} answer was caught`).toContain(status);
    expect(seen.length).toBeGreaterThan(50);
    for (const s of seen) {
      expect(JSON.stringify(JSON.parse(s.after)), `${s.where} ${s.status}`).toBe(s.before);
      const [method, url] = s.where.split(' ') as [string, string];
      expect(
        doc.paths[livePath(url)]?.[method.toLowerCase()]?.responses[String(s.status)],
        `${s.where} answered ${s.status}, undocumented`,
      ).toBeDefined();
    }
  });

  it("keep every member of every key type in the JWKS, in jose's order", async () => {
    for (const alg of ['RS256', 'EdDSA']) {
      const other = await harness({ JWT_ALG: alg });
      try {
        const res = await other.app.inject({ method: 'GET', url: '/.well-known/jwks.json' });
        expect(res.body, alg).toBe(
          JSON.stringify({ keys: (await other.services.deps.keys.publicKeys('live')).map((k) => k.jwk) }),
        );
        expect(res.json().keys[0].alg).toBe(alg);
      } finally {
        await other.close();
      }
    }
  });

  it('document requests without gating them: the door still answers a bad body in its own words', async () => {
    // Against the documented body schema on every count (types, lengths); the door's reader answers.
    const v2 = await call({
      method: 'POST',
      url: '/v2/credentials/oauth/token',
      payload: { clientId: 5, clientSecret: 'x' },
    });
    expect(v2.statusCode).toBe(400);
    expect(v2.json().details[0]).toMatchObject({
      '@type': 'type.googleapis.com/google.rpc.BadRequest',
      fieldViolations: [{ field: 'clientId' }],
    });
    const v1 = await call({ method: 'POST', url: '/v1/auth/token', ...form({ client_id: 'ab' }) });
    expect(v1.json()).toEqual({
      error: {
        code: '400013',
        code_reason: 'invalid_request',
        message: 'Missing or invalid parameters: client_secret',
      },
    });
    const fa = await call({ method: 'GET', url: '/auth/verify?scope=a&scope=b' });
    expect(fa.statusCode).toBe(400);
    expect(fa.json()).toMatchObject({ code: 'INVALID_REQUEST' });
  });
});
