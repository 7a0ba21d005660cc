import { createSchema, createYoga, type Plugin } from 'graphql-yoga';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useValidationCache } from '../../src/http/graphql/plugins/validation-cache.js';
import { harness, type Harness } from '../support/harness.js';
import { gql, ISSUE } from './support.js';

/** Counts how often graphql-js's validate really runs behind the plugins before it. */
function countingValidation(): { plugin: Plugin; runs: () => number } {
  let runs = 0;
  return {
    runs: () => runs,
    plugin: {
      onValidate: ({ validateFn, setValidationFn }) =>
        setValidationFn((...args) => {
          runs++;
          return validateFn(...args);
        }),
    },
  };
}

describe('GraphQL validation cache', () => {
  const schema = createSchema({
    typeDefs: 'type Query { hello: String }',
    resolvers: { Query: { hello: () => 'hi' } },
  });
  const post = (yoga: ReturnType<typeof createYoga>, query: string) =>
    yoga.fetch('http://yoga/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query }),
    });

  it('validates each document once, then answers from the cache: same result, valid or not', async () => {
    const counter = countingValidation();
    const yoga = createYoga({
      schema,
      parserAndValidationCache: { validationCache: false },
      plugins: [useValidationCache(), counter.plugin],
    });
    for (let i = 0; i < 3; i++) expect(await (await post(yoga, '{ hello }')).json()).toEqual({ data: { hello: 'hi' } });
    expect(counter.runs()).toBe(1);

    const bad = [];
    for (let i = 0; i < 2; i++) bad.push(await (await post(yoga, '{ nope }')).json());
    expect(bad[0].errors[0].message).toMatch(/Cannot query field "nope"/);
    expect(bad[1]).toEqual(bad[0]);
    expect(counter.runs()).toBe(2);
  });

  it('without it (and without yoga’s own validation cache) every request validates again', async () => {
    const counter = countingValidation();
    const yoga = createYoga({
      schema,
      parserAndValidationCache: { validationCache: false },
      plugins: [counter.plugin],
    });
    for (let i = 0; i < 3; i++) await post(yoga, '{ hello }');
    expect(counter.runs()).toBe(3);
  });

  describe('in the door', () => {
    let h: Harness;
    beforeAll(async () => {
      h = await harness();
    });
    afterAll(() => h.close());

    it('refuses an invalid document the same way every time', async () => {
      const first = await gql(h, '{ nope }');
      const again = await gql(h, '{ nope }');
      expect(first.statusCode).toBe(400);
      expect(again.statusCode).toBe(400);
      expect(again.json()).toEqual(first.json());
    });

    it('still applies the abuse limits to a repeated document', async () => {
      const aliases = `{ ${Array.from({ length: 11 }, (_, i) => `a${i}: __typename`).join(' ')} }`;
      for (let i = 0; i < 2; i++) {
        const res = await gql(h, aliases);
        expect(res.statusCode).toBe(400);
        expect(res.json().errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
      }
    });

    it('issues tokens as before for a repeated operation', async () => {
      const c = await h.client();
      for (let i = 0; i < 3; i++) {
        const res = await gql(h, ISSUE, { input: { clientId: c.id, clientSecret: c.secret } });
        expect(res.json().data.issueToken.__typename).toBe('TokenGrant');
      }
    });
  });
});
