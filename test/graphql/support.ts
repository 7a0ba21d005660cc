import type { Response } from 'light-my-request';
import { expect } from 'vitest';
import type { Mode } from '../../src/domain/mode.js';
import type { Harness } from '../support/harness.js';

export interface GqlOptions {
  mode?: Mode;
  token?: string;
  headers?: Record<string, string>;
  remoteAddress?: string;
}

/** POSTs one GraphQL operation the way a current client does. */
export function gql(
  h: Harness,
  query: string,
  variables?: Record<string, unknown>,
  opts: GqlOptions = {},
): Promise<Response> {
  return h.app.inject({
    method: 'POST',
    url: opts.mode === 'test' ? '/test/graphql' : '/graphql',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json, application/json',
      ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
      ...opts.headers,
    },
    payload: JSON.stringify(variables === undefined ? { query } : { query, variables }),
    ...(opts.remoteAddress ? { remoteAddress: opts.remoteAddress } : {}),
  });
}

export const ISSUE = `mutation Issue($input: IssueTokenInput!) {
  issueToken(input: $input) {
    __typename
    ... on TokenGrant { accessToken tokenType expiresIn scope }
    ... on Error { code message }
    ... on InvalidRequestError { field }
    ... on RateLimitedError { retryAfterSeconds }
  }
}`;

/** An access token for the client, through the GraphQL door itself. */
export async function tokenFor(
  h: Harness,
  c: { id: string; secret: string; mode: Mode },
  scope?: string,
): Promise<string> {
  const res = await gql(
    h,
    ISSUE,
    { input: { clientId: c.id, clientSecret: c.secret, ...(scope ? { scope } : {}) } },
    { mode: c.mode },
  );
  const member = res.json().data.issueToken;
  expect(member.__typename).toBe('TokenGrant');
  return member.accessToken as string;
}

/** The one top-level error of a response, checked to carry this `extensions.code`. */
export function expectTopLevelError(
  res: Response,
  code: string,
): { message: string; path?: string[]; extensions: Record<string, unknown> } {
  expect(res.statusCode).toBe(200);
  const body = res.json();
  expect(body.errors).toHaveLength(1);
  expect(body.errors[0].extensions.code).toBe(code);
  return body.errors[0];
}

export const ADMIN = 'tollgate:admin';
