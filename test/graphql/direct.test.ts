import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GraphQLServerContext } from '../../src/http/graphql/context.js';
import { directRequest, SIMPLE_ACCEPT } from '../../src/http/graphql/direct.js';
import { buildYoga, type Yoga } from '../../src/http/graphql/yoga.js';
import { harness, type Harness } from '../support/harness.js';
import { ISSUE, tokenFor } from './support.js';

/**
 * The door answers simple POSTs without yoga's Fetch layer (src/http/graphql/direct.ts). Each case
 * here is asked twice, of the door and of a second yoga through its own `fetch`, and the two
 * answers must be the same: status, content type and body (fresh tokens aside).
 */

interface Fixture {
  id: string;
  secret: string;
  token: string;
}

type Case = [name: string, body: (f: Fixture) => unknown, opts?: { bearer?: boolean }];

const twoIssues = (f: Fixture) =>
  `mutation { a: issueToken(input: {clientId: "${f.id}", clientSecret: "x"}) { __typename } b: issueToken(input: {clientId: "${f.id}", clientSecret: "y"}) { __typename } }`;

const CASES: Case[] = [
  ['a grant', (f) => ({ query: ISSUE, variables: { input: { clientId: f.id, clientSecret: f.secret } } })],
  [
    'a wrong secret',
    (f) => ({ query: ISSUE, variables: { input: { clientId: f.id, clientSecret: 'sk_live_wrong' } } }),
  ],
  ['an empty client id', (f) => ({ query: ISSUE, variables: { input: { clientId: '', clientSecret: f.secret } } })],
  ['a syntax error', () => ({ query: 'mutation {' })],
  ['an unknown field', () => ({ query: '{ nope }' })],
  ['a missing variable', () => ({ query: ISSUE })],
  [
    'a variable of the wrong type',
    (f) => ({ query: ISSUE, variables: { input: { clientId: [f.secret], clientSecret: f.secret } } }),
  ],
  ['an operation name that is not there', () => ({ query: '{ viewer { id } }', operationName: 'Other' })],
  ['two operations and no name', () => ({ query: 'query A { viewer { id } } query B { viewer { id } }' })],
  [
    'null params and empty extensions',
    () => ({ query: '{ __typename }', variables: null, operationName: null, extensions: {} }),
  ],
  ['viewer without a token', () => ({ query: '{ viewer { id mode scopes } }' })],
  ['viewer with a token', () => ({ query: '{ viewer { id mode scopes } }' }), { bearer: true }],
  ['an admin query without the scope', () => ({ query: '{ clients { edges { node { id } } } }' }), { bearer: true }],
  ['two credential checks', (f) => ({ query: twoIssues(f) })],
  ['too many aliases', () => ({ query: `{ ${Array.from({ length: 12 }, (_, i) => `a${i}: __typename`).join(' ')} }` })],
];

describe('GraphQL direct path', () => {
  let h: Harness;
  let reference: Yoga;
  beforeAll(async () => {
    h = await harness();
    reference = buildYoga({ deps: h.services.deps, config: h.config }, h.app.log);
  });
  afterAll(() => h.close());

  async function fixture(): Promise<Fixture> {
    const c = await h.client();
    return { id: c.id, secret: c.secret, token: await tokenFor(h, c) };
  }

  /** Fresh values out, so two answers about two fixtures compare. */
  function normalise(body: string, f: Fixture): unknown {
    const text = body
      .replaceAll(f.id, '<id>')
      .replaceAll(f.secret, '<secret>')
      .replace(/eyJ[\w-]+\.[\w-]+\.[\w-]+/g, '<jwt>');
    return JSON.parse(text);
  }

  async function viaDoor(body: unknown, headers: Record<string, string>) {
    const res = await h.app.inject({ method: 'POST', url: '/graphql', headers, payload: JSON.stringify(body) });
    return { status: res.statusCode, type: res.headers['content-type'], body: res.body };
  }

  async function viaYoga(body: unknown, headers: Record<string, string>) {
    const serverContext: GraphQLServerContext = {
      mode: 'live',
      sourceIp: '127.0.0.1',
      mountPath: '/graphql',
      responseHeaders: {},
      metrics: h.app.metrics,
      authorization: headers.authorization,
      sessionCookie: undefined,
      sameOrigin: false,
      idempotencyKey: undefined,
    };
    const res = await reference.fetch(
      'http://tollgate.internal/graphql',
      { method: 'POST', headers, body: JSON.stringify(body) },
      serverContext,
    );
    return { status: res.status, type: res.headers.get('content-type') ?? undefined, body: await res.text() };
  }

  for (const accept of SIMPLE_ACCEPT.keys()) {
    describe(`Accept: ${accept ?? '(none)'}`, () => {
      for (const [name, body, opts] of CASES) {
        it(`${name}: the same answer as yoga's own`, async () => {
          const [mine, theirs] = [await fixture(), await fixture()];
          const headers = (f: Fixture): Record<string, string> => ({
            'content-type': 'application/json',
            ...(accept === undefined ? {} : { accept }),
            ...(opts?.bearer ? { authorization: `Bearer ${f.token}` } : {}),
          });
          expect(directRequest(body(mine), accept)).toBeDefined();
          const door = await viaDoor(body(mine), headers(mine));
          const ref = await viaYoga(body(theirs), headers(theirs));
          expect({ status: door.status, type: door.type, body: normalise(door.body, mine) }).toEqual({
            status: ref.status,
            type: ref.type,
            body: normalise(ref.body, theirs),
          });
        });
      }
    });
  }

  it('leaves to yoga what it does not take: batches, odd params, negotiated Accept', () => {
    const ok = { query: '{ __typename }' };
    expect(directRequest(ok, undefined)).toEqual({ params: ok, mediaType: 'application/json' });
    expect(directRequest([ok], undefined)).toBeUndefined();
    expect(directRequest({ query: 1 }, undefined)).toBeUndefined();
    expect(directRequest({ ...ok, variables: [] }, undefined)).toBeUndefined();
    expect(directRequest({ ...ok, variables: 'x' }, undefined)).toBeUndefined();
    expect(directRequest({ ...ok, operationName: 1 }, undefined)).toBeUndefined();
    expect(directRequest({ ...ok, extensions: 'x' }, undefined)).toBeUndefined();
    expect(directRequest({ ...ok, other: 1 }, undefined)).toBeUndefined();
    expect(directRequest('{}', undefined)).toBeUndefined();
    expect(directRequest(null, undefined)).toBeUndefined();
    expect(directRequest(ok, 'application/json;q=0.5, text/html')).toBeUndefined();
    expect(directRequest(ok, 'text/html')).toBeUndefined();
  });
});
