import { decodeJwt } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { harness, type Harness } from '../support/harness.js';
import { gql, ISSUE } from './support.js';

describe('GraphQL issueToken', () => {
  let h: Harness;
  afterEach(() => h.close());

  it('answers a grant as the TokenGrant member, with no-store headers', async () => {
    h = await harness();
    const c = await h.client({ scopes: ['read', 'write'] });
    const res = await gql(h, ISSUE, { input: { clientId: c.id, clientSecret: c.secret, scope: 'read' } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers.pragma).toBe('no-cache');
    const grant = res.json().data.issueToken;
    expect(grant).toEqual({
      __typename: 'TokenGrant',
      accessToken: expect.any(String),
      tokenType: 'Bearer',
      expiresIn: 3600,
      scope: 'read',
    });
    expect(decodeJwt(grant.accessToken)).toMatchObject({ sub: c.id, scope: 'read', iss: 'http://tollgate.test' });
  });

  it('uses GRAPHQL_TOKEN_TTL_SECONDS for the lifetime', async () => {
    h = await harness({ GRAPHQL_TOKEN_TTL_SECONDS: '120' });
    const c = await h.client();
    const grant = (await gql(h, ISSUE, { input: { clientId: c.id, clientSecret: c.secret } })).json().data.issueToken;
    expect(grant.expiresIn).toBe(120);
    const claims = decodeJwt(grant.accessToken);
    expect(claims.exp! - claims.iat!).toBe(120);
  });

  it('answers every expected failure as data with its code, never as a top-level error', async () => {
    h = await harness();
    const c = await h.client({ scopes: ['read'] });
    const cases: Array<[Record<string, unknown>, string, string]> = [
      [{ clientSecret: c.secret }, 'InvalidRequestError', 'INVALID_REQUEST'],
      [{ clientId: c.id, clientSecret: 'wrong-secret-value' }, 'InvalidClientError', 'INVALID_CLIENT'],
      [{ clientId: c.id, clientSecret: c.secret, scope: 'admin' }, 'InvalidScopeError', 'INVALID_SCOPE'],
    ];
    for (const [input, typename, code] of cases) {
      const body = (await gql(h, ISSUE, { input })).json();
      expect(Object.keys(body)).toEqual(['data']);
      expect(body.data.issueToken).toMatchObject({ __typename: typename, code });
    }
  });

  it('names the wire field in InvalidRequestError, in its field and its message', async () => {
    h = await harness();
    const c = await h.client();
    const member = (await gql(h, ISSUE, { input: { clientId: c.id, clientSecret: 'short' } })).json().data.issueToken;
    expect(member).toEqual({
      __typename: 'InvalidRequestError',
      code: 'INVALID_REQUEST',
      field: 'clientSecret',
      message: 'clientSecret must be 10–255 characters',
    });
  });

  it('is mode-aware: test credentials at /test/graphql, and at /graphql on a TEST_HOSTS host', async () => {
    h = await harness({ TEST_HOSTS: 'sandbox.tollgate.test' });
    const t = await h.client({ mode: 'test' });
    const input = { clientId: t.id, clientSecret: t.secret };
    const viaPath = (await gql(h, ISSUE, { input }, { mode: 'test' })).json().data.issueToken;
    expect(decodeJwt(viaPath.accessToken).iss).toBe('http://tollgate.test/test');
    const viaHost = (await gql(h, ISSUE, { input }, { headers: { host: 'sandbox.tollgate.test' } })).json().data
      .issueToken;
    expect(decodeJwt(viaHost.accessToken).iss).toBe('http://tollgate.test/test');
    const live = (await gql(h, ISSUE, { input })).json().data.issueToken;
    expect(live).toMatchObject({
      __typename: 'InvalidClientError',
      message: expect.stringContaining('test-mode client'),
    });
  });

  it('counts every attempt toward lockout, per source address resolved through TRUST_PROXY', async () => {
    h = await harness({ LOCKOUT_MAX_FAILURES: '2', LOCKOUT_SECONDS: '300', TRUST_PROXY: '127.0.0.1' });
    const c = await h.client();
    const from = (ip: string) => ({ headers: { 'x-forwarded-for': ip } });
    const wrong = { input: { clientId: c.id, clientSecret: 'wrong-secret-value' } };
    const right = { input: { clientId: c.id, clientSecret: c.secret } };
    for (let i = 0; i < 2; i++) {
      expect((await gql(h, ISSUE, wrong, from('203.0.113.7'))).json().data.issueToken.__typename).toBe(
        'InvalidClientError',
      );
    }
    const locked = await gql(h, ISSUE, right, from('203.0.113.7'));
    expect(locked.json().data.issueToken).toEqual({
      __typename: 'RateLimitedError',
      code: 'RATE_LIMITED',
      message: expect.any(String),
      retryAfterSeconds: 300,
    });
    expect(locked.headers['retry-after']).toBe('300');
    // Another address behind the same proxy is another pair: the proxy's own address was not counted.
    expect((await gql(h, ISSUE, right, from('203.0.113.8'))).json().data.issueToken.__typename).toBe('TokenGrant');
  });

  it('answers AccessDeniedError outside the allowlist, judged on the resolved address', async () => {
    h = await harness({ TRUST_PROXY: '127.0.0.1' });
    const c = await h.client({ allowedIps: ['198.51.100.0/24'] });
    const input = { clientId: c.id, clientSecret: c.secret };
    const outside = await gql(h, ISSUE, { input }, { headers: { 'x-forwarded-for': '203.0.113.9' } });
    expect(outside.json().data.issueToken).toMatchObject({ __typename: 'AccessDeniedError', code: 'ACCESS_DENIED' });
    const inside = await gql(h, ISSUE, { input }, { headers: { 'x-forwarded-for': '198.51.100.20' } });
    expect(inside.json().data.issueToken.__typename).toBe('TokenGrant');
  });

  it('never echoes a secret sent with the wrong type', async () => {
    h = await harness();
    const c = await h.client();
    // The last one tries to smuggle a path-shaped secret past the scrubbing.
    for (const clientSecret of [[c.secret], { value: c.secret }, [`x"; at "input.${c.secret}"; y`]]) {
      const res = await gql(h, ISSUE, { input: { clientId: c.id, clientSecret } });
      expect(res.statusCode).toBe(400);
      expect(res.json().errors[0]).toMatchObject({
        message: 'Variable "$input" got an invalid value at "input.clientSecret".',
        extensions: { code: 'BAD_USER_INPUT' },
      });
      expect(res.body).not.toContain(c.secret);
    }
    const literal = await gql(
      h,
      `mutation { issueToken(input: {clientId: "${c.id}", clientSecret: ["${c.secret}"]}) { __typename } }`,
    );
    expect(literal.statusCode).toBe(400);
    expect(literal.body).not.toContain(c.secret);
  });

  it('never echoes a secret from a malformed body', async () => {
    h = await harness();
    const c = await h.client();
    const res = await h.app.inject({
      method: 'POST',
      url: '/graphql',
      headers: { 'content-type': 'application/json' },
      payload: `{"query":"${ISSUE.replace(/\n/g, ' ')}","variables":{"input":{"clientSecret":"${c.secret}"}}`,
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({
      errors: [{ message: 'Request body is malformed', extensions: { code: 'BAD_REQUEST' } }],
    });
  });
});
