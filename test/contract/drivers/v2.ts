import { expect } from 'vitest';
import type { DomainErrorCode } from '../../../src/domain/errors.js';
import { BIG, expectNoStore, jsonAudience, pathOf, type Credentials, type DoorDriver } from '../driver.js';

/** Spec §3 v2 table: HTTP status, gRPC code, and the detail it carries. */
const V2: Record<DomainErrorCode, [number, number, string]> = {
  invalid_request: [400, 3, 'BadRequest'],
  invalid_scope: [400, 3, 'INVALID_SCOPE'],
  invalid_target: [400, 3, 'INVALID_TARGET'],
  invalid_grant: [400, 3, 'INVALID_GRANT'],
  unsupported_grant_type: [400, 3, 'UNSUPPORTED_GRANT_TYPE'],
  invalid_client: [401, 16, 'INVALID_CLIENT'],
  invalid_token: [401, 16, 'INVALID_TOKEN'],
  missing_token: [401, 16, 'MISSING_TOKEN'],
  access_denied: [403, 7, 'IP_NOT_ALLOWED'],
  insufficient_scope: [403, 7, 'INSUFFICIENT_SCOPE'],
  not_found: [404, 5, 'NOT_FOUND'],
  rate_limited: [429, 8, 'RetryInfo'],
  server_error: [500, 13, 'INTERNAL'],
  unavailable: [503, 14, 'RetryInfo'],
};

const v2Json = (creds: Credentials): string => {
  const o: Record<string, unknown> = {};
  if (creds.clientId !== undefined) o.clientId = creds.clientId;
  if (creds.clientSecret !== undefined) o.clientSecret = creds.clientSecret;
  if (creds.scope !== undefined) o.scope = creds.scope;
  return JSON.stringify({ ...o, ...jsonAudience(creds) });
};

const DEFAULT_EXPIRES_IN: number | null = 3600;

export const v2Driver: DoorDriver = {
  name: 'v2',
  fields: { clientId: 'clientId', clientSecret: 'clientSecret', scope: 'scope' },
  repeatsAudience: true,
  takesResource: false,
  defaultExpiresIn: DEFAULT_EXPIRES_IN,
  unknownPaths: ['/v2/nope', '/test/v2/credentials', '/v2/credentials/oauth/token/extra'],
  issue: (h, mode, creds, remoteAddress) =>
    h.app.inject({
      method: 'POST',
      url: pathOf(mode, '/v2/credentials/oauth/token'),
      headers: { 'content-type': 'application/json' },
      payload: v2Json(creds),
      ...(remoteAddress ? { remoteAddress } : {}),
    }),
  raw: (h, mode, body) =>
    h.app.inject({
      method: 'POST',
      url: pathOf(mode, '/v2/credentials/oauth/token'),
      headers: body.contentType ? { 'content-type': body.contentType } : {},
      payload: body.payload,
    }),
  garbage: ({ clientId, clientSecret }) => [
    {
      label: 'a form instead of JSON',
      contentType: 'application/x-www-form-urlencoded',
      payload: `clientId=${clientId}&clientSecret=${clientSecret}`,
    },
    { label: 'malformed JSON', contentType: 'application/json', payload: `{"clientId":"${clientId}",` },
    { label: 'a JSON array', contentType: 'application/json', payload: JSON.stringify([{ clientId, clientSecret }]) },
    { label: 'JSON null', contentType: 'application/json', payload: 'null' },
    { label: 'a JSON string', contentType: 'application/json', payload: '"hello"' },
    {
      label: 'clientId as an array',
      contentType: 'application/json',
      payload: JSON.stringify({ clientId: [clientId], clientSecret }),
    },
    {
      label: 'clientSecret as an object',
      contentType: 'application/json',
      payload: JSON.stringify({ clientId, clientSecret: { $ne: '' } }),
    },
    {
      label: 'clientId as a number',
      contentType: 'application/json',
      payload: JSON.stringify({ clientId: 12345678, clientSecret }),
    },
    {
      label: 'scope as an array',
      contentType: 'application/json',
      payload: JSON.stringify({ clientId, clientSecret, scope: ['read'] }),
    },
    {
      label: 'control characters',
      contentType: 'application/json',
      payload: JSON.stringify({ clientId: `${clientId}\u0000`, clientSecret }),
    },
    {
      label: '__proto__ pollution',
      contentType: 'application/json',
      payload: `{"clientId":"${clientId}","clientSecret":"${clientSecret}","__proto__":{"x":1}}`,
    },
    { label: 'a 3 MB body', contentType: 'application/json', payload: JSON.stringify({ clientId, clientSecret: BIG }) },
    { label: 'empty body', contentType: 'application/json', payload: '' },
    { label: 'no content type', payload: JSON.stringify({ clientId, clientSecret }) },
  ],
  expectToken(res, { scope, expiresIn = DEFAULT_EXPIRES_IN }) {
    expect(res.statusCode).toBe(200);
    expectNoStore(res);
    const body = res.json();
    expect(body).toEqual({ accessToken: expect.any(String), scope, expiresIn, tokenType: 'Bearer' });
    return body.accessToken;
  },
  expectError(res, code, opts = {}) {
    const [status, grpc, detail] = V2[code];
    expect(res.statusCode).toBe(status);
    const body = res.json();
    expect(body).toEqual({ code: grpc, message: expect.any(String), details: [expect.any(Object)] });
    const d = body.details[0];
    if (detail === 'BadRequest') {
      expect(d['@type']).toBe('type.googleapis.com/google.rpc.BadRequest');
      expect(d.fieldViolations).toEqual([{ field: expect.any(String), description: expect.any(String) }]);
      if (opts.field) expect(d.fieldViolations[0].field).toBe(opts.field);
    } else if (detail === 'RetryInfo') {
      expect(d).toEqual({
        '@type': 'type.googleapis.com/google.rpc.RetryInfo',
        retryDelay: expect.stringMatching(/^\d+s$/),
      });
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    } else {
      expect(d).toEqual({ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: detail, domain: 'tollgate' });
    }
  },
};
