import type { Response } from 'light-my-request';
import { expect } from 'vitest';
import type { DomainErrorCode } from '../../../src/domain/errors.js';
import { ISSUE } from '../../graphql/support.js';
import { BIG, expectNoStore, pathOf, type Credentials, type DoorDriver } from '../driver.js';

/**
 * Spec §5, written out by hand: an expected failure of `issueToken` is a member of the
 * `IssueTokenResult` union (HTTP 200, data); any other code is a GraphQL error with this
 * `extensions.code` and HTTP status (200 for a field error, 4xx/5xx for a request error).
 */
type Row = { member: [typename: string, code: string] } | { error: [status: number, code: string] };
const GRAPHQL: Record<DomainErrorCode, Row> = {
  invalid_request: { member: ['InvalidRequestError', 'INVALID_REQUEST'] },
  invalid_client: { member: ['InvalidClientError', 'INVALID_CLIENT'] },
  invalid_scope: { member: ['InvalidScopeError', 'INVALID_SCOPE'] },
  invalid_target: { member: ['InvalidTargetError', 'INVALID_TARGET'] },
  access_denied: { member: ['AccessDeniedError', 'ACCESS_DENIED'] },
  rate_limited: { member: ['RateLimitedError', 'RATE_LIMITED'] },
  invalid_grant: { error: [200, 'BAD_USER_INPUT'] },
  unsupported_grant_type: { error: [200, 'BAD_USER_INPUT'] },
  invalid_token: { error: [200, 'UNAUTHENTICATED'] },
  missing_token: { error: [200, 'UNAUTHENTICATED'] },
  insufficient_scope: { error: [200, 'FORBIDDEN'] },
  // Paths under the door that are not the endpoint.
  not_found: { error: [404, 'NOT_FOUND'] },
  server_error: { error: [500, 'INTERNAL_SERVER_ERROR'] },
  // A field that cannot reach the store answers 503 (with Retry-After), like the REST doors.
  unavailable: { error: [503, 'UNAVAILABLE'] },
};

/**
 * A GraphQL-over-HTTP request error: the request was refused before any field ran, so the body
 * holds `errors` and no `data` (GraphQL over HTTP, "request error"). 413 and 415 keep their
 * HTTP meaning; everything else is 400.
 */
function expectRequestError(res: Response): void {
  expect([400, 413, 415]).toContain(res.statusCode);
  expect(res.headers['content-type']).toMatch(/^application\/(graphql-response\+)?json/);
  const body = res.json();
  expect(Object.keys(body)).toEqual(['errors']);
  expect(body.errors.length).toBeGreaterThan(0);
  for (const e of body.errors) {
    expect(e.message).toEqual(expect.any(String));
    expect(e.extensions?.code).toEqual(expect.any(String));
  }
}

const input = (creds: Credentials): Record<string, unknown> => {
  const o: Record<string, unknown> = {};
  if (creds.clientId !== undefined) o.clientId = creds.clientId;
  if (creds.clientSecret !== undefined) o.clientSecret = creds.clientSecret;
  if (creds.scope !== undefined) o.scope = creds.scope;
  if (creds.audience !== undefined) o.audience = creds.audience;
  return o;
};

const JSON_TYPE = 'application/json';
/**
 * What a current GraphQL client accepts. With it, GraphQL over HTTP answers a request error with
 * a 4xx; a legacy `application/json`-only client gets 200 for the same body (test/graphql checks both).
 */
const ACCEPT = 'application/graphql-response+json, application/json';
const body = (query: string, variables?: unknown): string =>
  JSON.stringify(variables === undefined ? { query } : { query, variables });

const DEFAULT_EXPIRES_IN: number | null = 3600;

export const graphqlDriver: DoorDriver = {
  name: 'graphql',
  fields: { clientId: 'clientId', clientSecret: 'clientSecret', scope: 'scope' },
  repeatsAudience: false,
  takesResource: false,
  defaultExpiresIn: DEFAULT_EXPIRES_IN,
  // GraphQL has one endpoint; anything under it is no endpoint at all and answers 404 as a
  // GraphQL request error (the door's envelope), as does the endpoint with a trailing slash.
  unknownPaths: ['/graphql/nope', '/test/graphql/issueToken', '/graphql/'],
  issue: (h, mode, creds, remoteAddress) =>
    h.app.inject({
      method: 'POST',
      url: pathOf(mode, '/graphql'),
      headers: { 'content-type': JSON_TYPE, accept: ACCEPT },
      payload: body(ISSUE, { input: input(creds) }),
      ...(remoteAddress ? { remoteAddress } : {}),
    }),
  raw: (h, mode, raw) =>
    h.app.inject({
      method: 'POST',
      url: pathOf(mode, '/graphql'),
      headers: { accept: ACCEPT, ...(raw.contentType ? { 'content-type': raw.contentType } : {}) },
      payload: raw.payload,
    }),
  garbage: ({ clientId, clientSecret }) => [
    {
      label: 'a form instead of JSON',
      contentType: 'application/x-www-form-urlencoded',
      payload: `query=${encodeURIComponent(ISSUE)}`,
    },
    { label: 'text/plain', contentType: 'text/plain', payload: body(ISSUE, { input: { clientId, clientSecret } }) },
    { label: 'a GraphQL document as application/graphql', contentType: 'application/graphql', payload: ISSUE },
    { label: 'malformed JSON', contentType: JSON_TYPE, payload: `{"query":${JSON.stringify(ISSUE)},` },
    {
      label: 'a batch of two operations',
      contentType: JSON_TYPE,
      payload: JSON.stringify([
        { query: ISSUE, variables: { input: { clientId, clientSecret } } },
        { query: ISSUE, variables: { input: { clientId, clientSecret: 'guess-number-two' } } },
      ]),
    },
    {
      label: 'two aliased issueToken fields',
      contentType: JSON_TYPE,
      payload: body(
        `mutation { a: issueToken(input: {clientId: "${clientId}", clientSecret: "guess-one-xx"}) { __typename } b: issueToken(input: {clientId: "${clientId}", clientSecret: "guess-two-xx"}) { __typename } }`,
      ),
    },
    {
      label: 'two issueToken fields through fragments',
      contentType: JSON_TYPE,
      payload: body(
        `mutation { ...A ...B } fragment A on Mutation { a: issueToken(input: {clientId: "${clientId}", clientSecret: "guess-one-xx"}) { __typename } } fragment B on Mutation { b: issueToken(input: {clientId: "${clientId}", clientSecret: "guess-two-xx"}) { __typename } }`,
      ),
    },
    { label: 'JSON null', contentType: JSON_TYPE, payload: 'null' },
    { label: 'a JSON string', contentType: JSON_TYPE, payload: '"hello"' },
    { label: 'no query', contentType: JSON_TYPE, payload: '{}' },
    { label: 'a GraphQL syntax error', contentType: JSON_TYPE, payload: body('mutation { issueToken(input: { ') },
    {
      label: 'a field that does not exist',
      contentType: JSON_TYPE,
      payload: body('mutation { issueTokens(input: {}) { __typename } }'),
    },
    { label: 'no input variable', contentType: JSON_TYPE, payload: body(ISSUE) },
    {
      label: 'clientId as an array',
      contentType: JSON_TYPE,
      payload: body(ISSUE, { input: { clientId: [clientId], clientSecret } }),
    },
    {
      label: 'clientSecret as an object',
      contentType: JSON_TYPE,
      payload: body(ISSUE, { input: { clientId, clientSecret: { $ne: '' } } }),
    },
    {
      label: 'clientId as a number',
      contentType: JSON_TYPE,
      payload: body(ISSUE, { input: { clientId: 12345678, clientSecret } }),
    },
    {
      label: 'scope as an array',
      contentType: JSON_TYPE,
      payload: body(ISSUE, { input: { clientId, clientSecret, scope: ['read'] } }),
    },
    {
      label: 'an unknown input field',
      contentType: JSON_TYPE,
      payload: body(ISSUE, { input: { clientId, clientSecret, grantType: 'password' } }),
    },
    {
      label: 'control characters',
      contentType: JSON_TYPE,
      payload: body(ISSUE, { input: { clientId: `${clientId}\u0000`, clientSecret } }),
    },
    {
      label: '__proto__ pollution',
      contentType: JSON_TYPE,
      payload: `{"query":${JSON.stringify(ISSUE)},"variables":{"input":{"clientId":"${clientId}","clientSecret":"${clientSecret}","__proto__":{"x":1}}}}`,
    },
    { label: 'a 3 MB body', contentType: JSON_TYPE, payload: body(ISSUE, { input: { clientId, clientSecret: BIG } }) },
    { label: 'empty body', contentType: JSON_TYPE, payload: '' },
    { label: 'no content type', payload: body(ISSUE, { input: { clientId, clientSecret } }) },
  ],
  expectToken(res, { scope, expiresIn = DEFAULT_EXPIRES_IN }) {
    expect(res.statusCode).toBe(200);
    expectNoStore(res);
    const b = res.json();
    expect(b).toEqual({
      data: {
        issueToken: {
          __typename: 'TokenGrant',
          accessToken: expect.any(String),
          tokenType: 'Bearer',
          expiresIn,
          scope,
        },
      },
    });
    return b.data.issueToken.accessToken;
  },
  expectError(res, code, opts = {}) {
    const row = GRAPHQL[code];
    if ('error' in row) {
      const [status, extCode] = row.error;
      expect(res.statusCode).toBe(status);
      const b = res.json();
      expect(b.errors[0]).toMatchObject({ message: expect.any(String), extensions: { code: extCode } });
      if (status !== 200) expect(Object.keys(b)).toEqual(['errors']);
      return;
    }
    const b = res.json();
    // Garbage never reaches the resolver: GraphQL refuses it as a request error. Everything the
    // schema accepts is answered by the union, in data.
    if (code === 'invalid_request' && opts.field === undefined && !('data' in b)) return expectRequestError(res);
    const [typename, wireCode] = row.member;
    expect(res.statusCode).toBe(200);
    expectNoStore(res);
    expect(Object.keys(b)).toEqual(['data']);
    const member = b.data.issueToken;
    expect(member).toMatchObject({ __typename: typename, code: wireCode, message: expect.any(String) });
    const extra = Object.keys(member).filter((k) => !['__typename', 'code', 'message'].includes(k));
    if (code === 'invalid_request') {
      expect(extra).toEqual(['field']);
      if (opts.field) expect(member.field).toBe(opts.field);
    } else if (code === 'rate_limited') {
      expect(extra).toEqual(['retryAfterSeconds']);
      expect(member.retryAfterSeconds).toBeGreaterThan(0);
      expect(Number(res.headers['retry-after'])).toBe(member.retryAfterSeconds);
    } else {
      expect(extra).toEqual([]);
    }
  },
};
