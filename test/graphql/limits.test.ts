import { getIntrospectionQuery } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { harness, type Harness } from '../support/harness.js';
import { gql, ISSUE, tokenFor } from './support.js';

/** Sends the right secret and tells whether the pair is still unlocked. */
async function stillUnlocked(h: Harness, c: { id: string; secret: string }): Promise<boolean> {
  const res = await gql(h, ISSUE, { input: { clientId: c.id, clientSecret: c.secret } });
  return res.json().data.issueToken.__typename === 'TokenGrant';
}

const guess = (alias: string, clientId: string, n: number) =>
  `${alias}: issueToken(input: {clientId: "${clientId}", clientSecret: "wrong-guess-${n}"}) { __typename }`;

describe('GraphQL abuse limits', () => {
  let h: Harness;
  beforeAll(async () => {
    // One failure locks a pair: any second guess that ran would show.
    h = await harness({ LOCKOUT_MAX_FAILURES: '1' });
  });
  afterAll(() => h.close());

  it('refuses a batch (a JSON array of operations) before running any of it', async () => {
    const c = await h.client();
    const op = (secret: string) => ({ query: ISSUE, variables: { input: { clientId: c.id, clientSecret: secret } } });
    const res = await h.app.inject({
      method: 'POST',
      url: '/graphql',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify([op('wrong-guess-1'), op('wrong-guess-2')]),
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({
      errors: [{ message: 'Batching is not supported.', extensions: { code: 'BAD_REQUEST' } }],
    });
    expect(await stillUnlocked(h, c)).toBe(true);
  });

  it('refuses two aliased issueToken fields in one operation, before either runs', async () => {
    const c = await h.client();
    const res = await gql(h, `mutation { ${guess('a', c.id, 1)} ${guess('b', c.id, 2)} }`);
    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toEqual([expect.objectContaining({ extensions: { code: 'CREDENTIAL_CHECK_LIMIT' } })]);
    expect(res.json().data).toBeUndefined();
    expect(await stillUnlocked(h, c)).toBe(true);
  });

  it('counts credential checks hidden in fragments and inline fragments', async () => {
    const c = await h.client();
    const viaFragments = await gql(
      h,
      `mutation { ...A ... on Mutation { ${guess('b', c.id, 2)} } } fragment A on Mutation { ${guess('a', c.id, 1)} }`,
    );
    expect(viaFragments.statusCode).toBe(400);
    expect(viaFragments.json().errors[0].extensions.code).toBe('CREDENTIAL_CHECK_LIMIT');
    expect(await stillUnlocked(h, c)).toBe(true);
  });

  it('counts rotateClientSecret as a credential check too', async () => {
    const mixed = await gql(h, `mutation { rotateClientSecret { generation } issueToken(input: {}) { __typename } }`);
    expect(mixed.statusCode).toBe(400);
    expect(mixed.json().errors[0].extensions.code).toBe('CREDENTIAL_CHECK_LIMIT');
    const twice = await gql(
      h,
      `mutation { a: rotateClientSecret { generation } b: rotateClientSecret { generation } }`,
    );
    expect(twice.statusCode).toBe(400);
    expect(twice.json().errors[0].extensions.code).toBe('CREDENTIAL_CHECK_LIMIT');
  });

  it('lets one credential check through, even when one fragment is spread twice or the document holds other operations', async () => {
    const c = await h.client();
    const field = `issueToken(input: {clientId: "${c.id}", clientSecret: "${c.secret}"}) { __typename }`;
    const spreadTwice = await gql(h, `mutation { ...F ...F __typename } fragment F on Mutation { ${field} }`);
    expect(spreadTwice.json()).toEqual({ data: { issueToken: { __typename: 'TokenGrant' }, __typename: 'Mutation' } });
    const res = await h.app.inject({
      method: 'POST',
      url: '/graphql',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ query: `mutation One { ${field} } mutation Two { ${field} }`, operationName: 'Two' }),
    });
    expect(res.json()).toEqual({ data: { issueToken: { __typename: 'TokenGrant' } } });
  });

  it('limits depth, aliases, directives and tokens', async () => {
    const deep = '{ __type(name: "Query") { fields { type { ofType { ofType { ofType { name } } } } } } }';
    const aliases = `{ ${Array.from({ length: 11 }, (_, i) => `a${i}: __type(name: "Query") { name }`).join(' ')} }`;
    const directives = `{ __typename ${'@include(if: true) '.repeat(11)}}`;
    const tokens = `{ ${'__typename '.repeat(1000)}}`;
    for (const [label, query] of [
      ['depth', deep],
      ['aliases', aliases],
      ['directives', directives],
      ['tokens', tokens],
    ]) {
      const res = await gql(h, query!);
      expect(res.statusCode, label).toBe(400);
      expect(res.json().data, label).toBeUndefined();
      expect(res.json().errors[0].message, label).toMatch(/^Syntax Error: .* limit of \d+ exceeded/);
      expect(res.json().errors[0].extensions.code, label).toMatch(/^GRAPHQL_(VALIDATION|PARSE)_FAILED$/);
    }
    // Just inside the limits.
    const fine = await gql(h, `{ ${Array.from({ length: 10 }, (_, i) => `a${i}: __typename`).join(' ')} }`);
    expect(fine.statusCode).toBe(200);
    const admin = await h.client({ scopes: ['tollgate:admin'] });
    const list = await gql(
      h,
      '{ clients(first: 1) { edges { cursor node { id } } pageInfo { hasNextPage } } }',
      undefined,
      {
        token: await tokenFor(h, admin),
      },
    );
    expect(list.json().errors).toBeUndefined();
  });

  it('answers a mutation over GET with 405 and Allow: POST; a query over GET runs', async () => {
    const mutation = await h.app.inject({
      method: 'GET',
      url: `/graphql?query=${encodeURIComponent('mutation { issueToken(input: {}) { __typename } }')}`,
    });
    expect(mutation.statusCode).toBe(405);
    expect(mutation.headers.allow).toBe('POST');
    expect(mutation.json().data).toBeUndefined();
    const query = await h.app.inject({ method: 'GET', url: `/graphql?query=${encodeURIComponent('{ __typename }')}` });
    expect(query.statusCode).toBe(200);
    expect(query.json()).toEqual({ data: { __typename: 'Query' } });
  });

  it('answers other methods with 405, and sends no CORS headers', async () => {
    for (const method of ['PUT', 'DELETE', 'PATCH'] as const) {
      const res = await h.app.inject({ method, url: '/graphql' });
      expect(res.statusCode, method).toBe(405);
      expect(res.headers.allow, method).toBe('GET, POST');
    }
    const preflight = await h.app.inject({
      method: 'OPTIONS',
      url: '/graphql',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(preflight.statusCode).toBe(405);
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('takes application/json only, and keeps the app body limit', async () => {
    const form = await h.app.inject({
      method: 'POST',
      url: '/graphql',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `query=${encodeURIComponent('{ __typename }')}`,
    });
    expect(form.statusCode).toBe(415);
    const bare = await h.app.inject({ method: 'POST', url: '/graphql' });
    expect(bare.statusCode).toBe(415);
    expect(bare.json().errors[0].extensions.code).toBe('BAD_REQUEST');
    const big = await h.app.inject({
      method: 'POST',
      url: '/graphql',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ query: '{ __typename }', variables: { pad: 'x'.repeat(65 * 1024) } }),
    });
    expect(big.statusCode).toBe(413);
    expect(big.json()).toEqual({
      errors: [{ message: 'Request body is too large', extensions: { code: 'BAD_REQUEST' } }],
    });
  });

  it('answers a validation error to a legacy application/json client with 200 and no data (GraphQL over HTTP)', async () => {
    const res = await h.app.inject({
      method: 'POST',
      url: '/graphql',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      payload: JSON.stringify({ query: '{ nope }' }),
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(Object.keys(res.json())).toEqual(['errors']);
  });
});

describe('GraphQL development and production', () => {
  const typo = '{ viewr { id } }';

  it('with NODE_ENV unset, suggests fields and serves GraphiQL, but masks an unexpected error whole', async () => {
    const h = await harness();
    try {
      expect((await gql(h, typo)).json().errors[0].message).toContain('Did you mean "viewer"?');
      // GraphiQL's introspection fits the limits.
      const schema = await gql(h, getIntrospectionQuery());
      expect(schema.statusCode).toBe(200);
      expect(schema.json().data.__schema.queryType).toMatchObject({ name: 'Query' });
      const page = await h.app.inject({ method: 'GET', url: '/test/graphql', headers: { accept: 'text/html' } });
      expect(page.statusCode).toBe(200);
      expect(page.headers['content-type']).toMatch(/^text\/html/);
      expect(page.body).toContain('"endpoint":"/test/graphql"');
      const c = await h.client();
      h.services.deps.signer.sign = async () => {
        throw new Error('the disk is on fire');
      };
      const res = await gql(h, ISSUE, { input: { clientId: c.id, clientSecret: c.secret } });
      const err = res.json().errors[0];
      expect(err.message).toBe('Unexpected error.');
      expect(err.extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR' });
      expect(res.body).not.toContain('fire');
      expect(res.body).not.toMatch(/\.(ts|js):\d+/);
    } finally {
      await h.close();
    }
  });

  it('shows the original error of a masked one only with NODE_ENV=development set on purpose', async () => {
    const h = await harness({ NODE_ENV: 'development' });
    try {
      const c = await h.client();
      h.services.deps.signer.sign = async () => {
        throw new Error('the disk is on fire');
      };
      const err = (await gql(h, ISSUE, { input: { clientId: c.id, clientSecret: c.secret } })).json().errors[0];
      expect(err.message).toBe('Unexpected error.');
      expect(err.extensions.originalError.message).toBe('the disk is on fire');
    } finally {
      await h.close();
    }
  });

  it('hides suggestions and every detail of an unexpected error in production, and still serves GraphiQL', async () => {
    const h = await harness({ NODE_ENV: 'production' });
    try {
      const suggestion = (await gql(h, typo)).json().errors[0].message;
      expect(suggestion).toContain('Cannot query field "viewr"');
      expect(suggestion).not.toContain('viewer');
      // GraphiQL in every environment (its files served locally: src/http/graphiql.ts).
      const page = await h.app.inject({ method: 'GET', url: '/graphql', headers: { accept: 'text/html' } });
      expect(page.headers['content-type']).toMatch(/^text\/html/);
      expect(page.body).toContain('"endpoint":"/graphql"');
      const c = await h.client();
      h.services.deps.signer.sign = async () => {
        throw new Error('the disk is on fire');
      };
      const res = await gql(h, ISSUE, { input: { clientId: c.id, clientSecret: c.secret } });
      expect(res.json()).toEqual({
        errors: [
          {
            message: 'Unexpected error.',
            locations: expect.any(Array),
            path: ['issueToken'],
            extensions: { code: 'INTERNAL_SERVER_ERROR' },
          },
        ],
        data: null,
      });
      expect(res.body).not.toContain('fire');
    } finally {
      await h.close();
    }
  });
});
