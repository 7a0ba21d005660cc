import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql } from '../graphql/support.js';
import { harness, type Harness } from '../support/harness.js';

/**
 * A credential pasted where GraphQL expects a name (a field, fragment, directive, variable,
 * type or operation name, or a token the parser stumbles on) must not come back in an error
 * message, on either of the door's two paths (issue 26).
 */
describe('GraphQL error messages never quote a credential-shaped name', () => {
  let h: Harness;
  let secret: string;
  let refresh: string;
  let jwt: string;
  beforeAll(async () => {
    h = await harness();
    const c = await h.client();
    secret = c.secret;
    const issued = await h.app.inject({
      method: 'POST',
      url: '/api/v1/oauth2/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `grant_type=client_credentials&client_id=${c.id}&client_secret=${c.secret}`,
    });
    refresh = issued.json().refresh_token;
    jwt = issued.json().access_token;
  });
  afterAll(() => h.close());

  /** A credential as one GraphQL name: base64url's `-` (and a JWT's dots) would end the name. */
  const name = (credential: string): string => credential.replace(/[^A-Za-z0-9_]/g, '_');

  it('scrubs it from validation, parse and execution errors, on the direct and the full path', async () => {
    const documents = (n: string): Array<[string, string | undefined]> => [
      [`{ ${n} }`, undefined],
      [`{ viewer { id ...${n} } }`, undefined],
      [`{ viewer @${n} { id } }`, undefined],
      [`query($${n}: Int) { viewer { id } }`, undefined],
      [`{ viewer { id } } fragment f on ${n} { id }`, undefined],
      [`{ viewer { id } } ${n}`, undefined],
      [`query A { viewer { id } }`, n],
    ];
    const names = [name(secret), name(refresh), name(jwt.split('.')[0]!), name(jwt)];
    let checked = 0;
    for (const n of names) {
      for (const [query, operationName] of documents(n)) {
        const payload = JSON.stringify({ query, ...(operationName ? { operationName } : {}) });
        // A plain Accept takes the direct path, a q-value yoga's full path (src/http/graphql/direct.ts).
        for (const accept of ['application/json', 'application/json;q=0.9']) {
          const res = await h.app.inject({
            method: 'POST',
            url: '/graphql',
            headers: { 'content-type': 'application/json', accept },
            payload,
          });
          expect(res.statusCode, res.body).toBeLessThan(500);
          expect(res.json().errors?.length ?? 0, `${query}: ${res.body}`).toBeGreaterThan(0);
          expect(res.body, query).not.toContain(n.slice(0, 12));
          checked++;
        }
      }
    }
    expect(checked).toBe(names.length * 7 * 2);
  });

  it('keeps the rest of the message, so the caller still learns what is wrong', async () => {
    const res = await gql(h, `{ ${name(secret)} }`);
    expect(res.json().errors[0].message).toBe('Cannot query field "[redacted]" on type "Query".');
    // An ordinary unknown name is quoted as it always was.
    expect((await gql(h, '{ nosuchfield }')).json().errors[0].message).toBe(
      'Cannot query field "nosuchfield" on type "Query".',
    );
  });
});
