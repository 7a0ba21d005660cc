import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repeatsAKey } from '../../src/http/json.js';
import { harness, type Harness } from '../support/harness.js';
import { rawRequest } from '../support/raw-http.js';

describe('repeatsAKey', () => {
  it.each([
    ['{"a":1,"a":2}', true],
    ['{"a":1,"\\u0061":2}', true],
    ['{"x":{"a":1,"a":2}}', true],
    ['{"x":[{"a":1},{"a":2}]}', false],
    ['{"a":{"a":{"a":1}}}', false],
    ['{"a":"\\"a\\"","b":"a"}', false],
    ['[1,{"k":"v","k2":"v"},"k"]', false],
    ['{"a\\"b":1,"a\\"b":2}', true],
  ])('%s → %s', (text, expected) => {
    JSON.parse(text);
    expect(repeatsAKey(text)).toBe(expected);
  });
});

/** Spec §2: ambiguous requests fail closed (issue 16 item 6). */
describe('ambiguous requests fail closed', () => {
  let h: Harness;
  let port: number;
  let c: { id: string; secret: string };
  let token: string;
  beforeAll(async () => {
    h = await harness();
    port = await h.listen();
    c = await h.client({ scopes: ['read'] });
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/v1/client/token',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ client_id: c.id, client_secret: c.secret }),
    });
    token = res.json().data.access_token;
  });
  afterAll(() => h.close());

  const json = (url: string, text: string) =>
    h.app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json' }, payload: text });

  it('refuses a repeated JSON key at every JSON door, even when both name the same client', async () => {
    const twice = (a: string, b: string) => `{"${a}":"${c.id}","${a}":"${c.id}","${b}":"${c.secret}"}`;
    const v2 = await json('/v2/credentials/oauth/token', twice('clientId', 'clientSecret'));
    expect(v2.statusCode).toBe(400);
    expect(v2.json().code).toBe(3);
    const common = await json('/api/v1/client/token', twice('client_id', 'client_secret'));
    expect(common.statusCode).toBe(400);
    expect(common.json().code).toBe(40001);
    const oauth2 = await json(
      '/api/v1/oauth2/token',
      `{"grant_type":"client_credentials","client_id":"${c.id}","client_secret":"x","client_secret":"${c.secret}"}`,
    );
    expect(oauth2.statusCode).toBe(400);
    expect(oauth2.json().error).toBe('invalid_request');
    const gql = await json('/graphql', `{"query":"{ __typename }","query":"{ viewer { id } }"}`);
    expect(gql.statusCode).toBe(400);
    expect(gql.json().errors[0].extensions.code).toBe('BAD_REQUEST');
    // The unambiguous twin of each is answered.
    expect(
      (await json('/api/v1/client/token', `{"client_id":"${c.id}","client_secret":"${c.secret}"}`)).statusCode,
    ).toBe(200);
  });

  const twoAuthorizations = (method: string, path: string, values: [string, string], body = '') =>
    rawRequest(
      port,
      `${method} ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: ${values[0]}\r\nAuthorization: ${values[1]}\r\n` +
        (body ? `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` : '') +
        `\r\n${body}`,
    );

  it('refuses two Authorization headers at every door that reads one', async () => {
    const bearer: [string, string] = [`Bearer ${token}`, 'Bearer x'];
    expect((await twoAuthorizations('GET', '/auth/verify', bearer)).statusLine).toMatch(/ 400 /);
    expect((await twoAuthorizations('GET', '/api/v1/client/me', bearer)).statusLine).toMatch(/ 400 /);
    const basic = `Basic ${Buffer.from(`${c.id}:${c.secret}`).toString('base64')}`;
    expect(
      (await twoAuthorizations('POST', '/api/v1/oauth2/token', [basic, basic], '{"grant_type":"client_credentials"}'))
        .statusLine,
    ).toMatch(/ 400 /);
    const gql = await twoAuthorizations('POST', '/graphql', bearer, '{"query":"{ viewer { id } }"}');
    expect(gql.statusLine).toMatch(/ 400 /);
    expect(gql.text).not.toContain(c.id);
  });

  it('answers one Authorization header as before', async () => {
    const res = await h.app.inject({
      method: 'GET',
      url: '/auth/verify',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.statusCode).toBe(200);
  });

  it.each(['?SCOPE=admin', '?scope[]=admin', '?scope=read&extra=1', '?Scope=read'])(
    'refuses /auth/verify%s: no requirement is dropped',
    async (query) => {
      const res = await h.app.inject({
        method: 'GET',
        url: `/auth/verify${query}`,
        headers: { authorization: `Bearer ${token}` },
      });
      expect(res.statusCode).toBe(400);
      expect(res.json().code).toBe('INVALID_REQUEST');
      expect(res.headers['x-client-id']).toBeUndefined();
    },
  );

  it('still honours ?scope=', async () => {
    const ok = await h.app.inject({
      method: 'GET',
      url: '/auth/verify?scope=read',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(ok.statusCode).toBe(200);
    const lacking = await h.app.inject({
      method: 'GET',
      url: '/auth/verify?scope=admin',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(lacking.statusCode).toBe(403);
  });
});
