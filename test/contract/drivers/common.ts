import { expect } from 'vitest';
import type { DomainErrorCode } from '../../../src/domain/errors.js';
import { BIG, expectNoStore, jsonAudience, pathOf, type Credentials, type DoorDriver } from '../driver.js';

/** Spec §3 common table (HTTP status, CommonResponse code), plus the two rows it leaves to us. */
const COMMON: Record<DomainErrorCode, [number, number]> = {
  invalid_request: [400, 40001],
  invalid_scope: [400, 40002],
  invalid_target: [400, 40003],
  invalid_grant: [400, 40005],
  unsupported_grant_type: [400, 40004],
  invalid_client: [401, 40101],
  missing_token: [401, 40102],
  invalid_token: [401, 40103],
  access_denied: [403, 40301],
  insufficient_scope: [403, 40302],
  not_found: [404, 40401],
  rate_limited: [429, 42901],
  server_error: [500, 50001],
  unavailable: [503, 50301],
};

const commonJson = (creds: Credentials): string => {
  const o: Record<string, unknown> = {};
  if (creds.clientId !== undefined) o.client_id = creds.clientId;
  if (creds.clientSecret !== undefined) o.client_secret = creds.clientSecret;
  if (creds.scope !== undefined) o.scope = creds.scope;
  return JSON.stringify({ ...o, ...jsonAudience(creds) });
};

const DEFAULT_EXPIRES_IN: number | null = null;

export const commonDriver: DoorDriver = {
  name: 'common',
  fields: { clientId: 'client_id', clientSecret: 'client_secret', scope: 'scope' },
  repeatsAudience: true,
  takesResource: false,
  defaultExpiresIn: DEFAULT_EXPIRES_IN,
  unknownPaths: ['/api/v1/client/nope', '/test/api/v1/client', '/api/v1/client/token/extra', '/api/v1/client/me'],
  issue: (h, mode, creds, remoteAddress) =>
    h.app.inject({
      method: 'POST',
      url: pathOf(mode, '/api/v1/client/token'),
      headers: { 'content-type': 'application/json' },
      payload: commonJson(creds),
      ...(remoteAddress ? { remoteAddress } : {}),
    }),
  raw: (h, mode, body) =>
    h.app.inject({
      method: 'POST',
      url: pathOf(mode, '/api/v1/client/token'),
      headers: body.contentType ? { 'content-type': body.contentType } : {},
      payload: body.payload,
    }),
  garbage: ({ clientId, clientSecret }) => [
    {
      label: 'a form instead of JSON',
      contentType: 'application/x-www-form-urlencoded',
      payload: `client_id=${clientId}&client_secret=${clientSecret}`,
    },
    {
      label: 'text/plain',
      contentType: 'text/plain',
      payload: JSON.stringify({ client_id: clientId, client_secret: clientSecret }),
    },
    { label: 'malformed JSON', contentType: 'application/json', payload: `{"client_id":"${clientId}",` },
    {
      label: 'a JSON array',
      contentType: 'application/json',
      payload: JSON.stringify([{ client_id: clientId, client_secret: clientSecret }]),
    },
    { label: 'JSON null', contentType: 'application/json', payload: 'null' },
    { label: 'a JSON string', contentType: 'application/json', payload: '"hello"' },
    { label: 'a JSON number', contentType: 'application/json', payload: '42' },
    {
      label: 'client_id as an array',
      contentType: 'application/json',
      payload: JSON.stringify({ client_id: [clientId], client_secret: clientSecret }),
    },
    {
      label: 'client_secret as an object',
      contentType: 'application/json',
      payload: JSON.stringify({ client_id: clientId, client_secret: { $ne: '' } }),
    },
    {
      label: 'client_id as a number',
      contentType: 'application/json',
      payload: JSON.stringify({ client_id: 12345678, client_secret: clientSecret }),
    },
    {
      label: 'client_secret as true',
      contentType: 'application/json',
      payload: JSON.stringify({ client_id: clientId, client_secret: true }),
    },
    {
      label: 'scope as an array',
      contentType: 'application/json',
      payload: JSON.stringify({ client_id: clientId, client_secret: clientSecret, scope: ['read'] }),
    },
    {
      label: 'control characters',
      contentType: 'application/json',
      payload: JSON.stringify({ client_id: `${clientId}\u0000\n`, client_secret: clientSecret }),
    },
    {
      label: 'a tab in the secret',
      contentType: 'application/json',
      payload: JSON.stringify({ client_id: clientId, client_secret: `${clientSecret}\t` }),
    },
    {
      label: '__proto__ pollution',
      contentType: 'application/json',
      payload: `{"client_id":"${clientId}","client_secret":"${clientSecret}","__proto__":{"x":1}}`,
    },
    {
      label: 'constructor.prototype pollution',
      contentType: 'application/json',
      payload: `{"client_id":"${clientId}","client_secret":"${clientSecret}","constructor":{"prototype":{"x":1}}}`,
    },
    {
      label: 'a 3 MB body',
      contentType: 'application/json',
      payload: JSON.stringify({ client_id: clientId, client_secret: BIG }),
    },
    { label: 'empty body', contentType: 'application/json', payload: '' },
    { label: 'binary bytes', contentType: 'application/json', payload: Buffer.from([0xff, 0xfe, 0x00, 0x7b, 0x7d]) },
    { label: 'no content type', payload: JSON.stringify({ client_id: clientId, client_secret: clientSecret }) },
  ],
  expectToken(res, { scope, expiresIn = DEFAULT_EXPIRES_IN }) {
    expect(res.statusCode).toBe(200);
    expectNoStore(res);
    const body = res.json();
    expect(Object.keys(body)).toEqual(['code', 'message', 'data']);
    expect(body).toEqual({
      code: 0,
      message: 'OK',
      data: { access_token: expect.any(String), token_type: 'Bearer', expires_in: expiresIn },
    });
    // Seed 000's envelope does not carry the scope; the token does.
    void scope;
    return body.data.access_token;
  },
  expectError(res, code, opts = {}) {
    const [status, wireCode] = COMMON[code];
    expect(res.statusCode).toBe(status);
    const body = res.json();
    if (code === 'invalid_request') {
      expect(body).toEqual({
        code: wireCode,
        message: expect.any(String),
        data: null,
        errors: [{ field: expect.any(String), message: expect.any(String) }],
      });
      if (opts.field) expect(body.errors[0].field).toBe(opts.field);
    } else {
      expect(body).toEqual({ code: wireCode, message: expect.any(String), data: null });
    }
    if (code === 'rate_limited') expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
  },
};
