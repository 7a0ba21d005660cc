import type { Response } from 'light-my-request';
import { expect } from 'vitest';
import type { DomainErrorCode } from '../../src/domain/errors.js';
import type { Mode } from '../../src/domain/mode.js';
import type { Harness } from '../support/harness.js';

export interface Credentials {
  clientId?: unknown;
  clientSecret?: unknown;
  scope?: unknown;
}

export interface RawBody {
  label: string;
  payload: string | Buffer;
  contentType?: string;
}

/**
 * How the contract suite talks to one door: build a request from credentials, send raw bytes,
 * and check a success or an error against the door's wire contract, written out here by hand
 * from spec §3 (not read from the code's tables, so the two check each other).
 */
export interface DoorDriver {
  name: string;
  issue(h: Harness, mode: Mode, creds: Credentials, remoteAddress?: string): Promise<Response>;
  raw(h: Harness, mode: Mode, body: RawBody): Promise<Response>;
  /** Bodies this door must refuse with invalid_request. */
  garbage(valid: { clientId: string; clientSecret: string }): RawBody[];
  /** Checks a success and returns the access token. */
  expectToken(res: Response, expected: { scope: string }): string;
  expectError(res: Response, code: DomainErrorCode, opts?: { field?: string }): void;
}

const pathOf = (mode: Mode, path: string): string => (mode === 'test' ? `/test${path}` : path);

const formEncode = (creds: Credentials): string => {
  const p = new URLSearchParams();
  if (creds.clientId !== undefined) p.append('client_id', String(creds.clientId));
  if (creds.clientSecret !== undefined) p.append('client_secret', String(creds.clientSecret));
  if (creds.scope !== undefined) p.append('scope', String(creds.scope));
  return p.toString();
};

const BIG = 'a'.repeat(3 * 1024 * 1024);

function expectNoStore(res: Response): void {
  expect(res.headers['cache-control']).toBe('no-store');
  expect(res.headers.pragma).toBe('no-cache');
}

/** Spec §3 v1 table, plus the rows it leaves to us. */
const V1: Record<DomainErrorCode, [number, string, string]> = {
  invalid_request: [400, '400013', 'invalid_request'],
  invalid_scope: [400, '400014', 'invalid_scope'],
  invalid_grant: [400, '400015', 'invalid_grant'],
  unsupported_grant_type: [400, '400016', 'unsupported_grant_type'],
  invalid_client: [401, '401021', 'invalid_client'],
  invalid_token: [401, '401022', 'invalid_token'],
  missing_token: [401, '401023', 'missing_token'],
  access_denied: [403, '403001', 'access_denied'],
  insufficient_scope: [403, '403002', 'insufficient_scope'],
  not_found: [404, '404001', 'not_found'],
  rate_limited: [429, '429001', 'too_many_requests'],
  server_error: [500, '500999', 'API_ERROR'],
};

export const v1Driver: DoorDriver = {
  name: 'v1',
  issue: (h, mode, creds, remoteAddress) =>
    h.app.inject({
      method: 'POST',
      url: pathOf(mode, '/v1/auth/token'),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: formEncode(creds),
      ...(remoteAddress ? { remoteAddress } : {}),
    }),
  raw: (h, mode, body) =>
    h.app.inject({
      method: 'POST',
      url: pathOf(mode, '/v1/auth/token'),
      headers: body.contentType ? { 'content-type': body.contentType } : {},
      payload: body.payload,
    }),
  garbage: ({ clientId, clientSecret }) => [
    { label: 'JSON instead of a form', contentType: 'application/json', payload: JSON.stringify({ client_id: clientId, client_secret: clientSecret }) },
    { label: 'text/plain', contentType: 'text/plain', payload: `client_id=${clientId}&client_secret=${clientSecret}` },
    { label: 'repeated client_id', contentType: 'application/x-www-form-urlencoded', payload: `client_id=${clientId}&client_id=${clientId}&client_secret=${clientSecret}` },
    { label: 'repeated client_secret', contentType: 'application/x-www-form-urlencoded', payload: `client_id=${clientId}&client_secret=${clientSecret}&client_secret=x` },
    { label: 'bad percent-encoding', contentType: 'application/x-www-form-urlencoded', payload: `client_id=%zz&client_secret=${clientSecret}` },
    { label: 'control characters', contentType: 'application/x-www-form-urlencoded', payload: `client_id=${clientId}%00%0a&client_secret=${clientSecret}` },
    { label: 'a 3 MB body', contentType: 'application/x-www-form-urlencoded', payload: `client_id=${clientId}&client_secret=${BIG}` },
    { label: 'empty body', contentType: 'application/x-www-form-urlencoded', payload: '' },
    { label: 'binary bytes', contentType: 'application/x-www-form-urlencoded', payload: Buffer.from([0xff, 0xfe, 0x00, 0x3d, 0x26]) },
    { label: 'no content type', payload: `client_id=${clientId}&client_secret=${clientSecret}` },
  ],
  expectToken(res, { scope }) {
    expect(res.statusCode).toBe(200);
    expectNoStore(res);
    const body = res.json();
    expect(Object.keys(body)).toEqual(['data']);
    expect(body.data).toEqual({ access_token: expect.any(String), token_type: 'Bearer', expires_in: 3600 });
    void scope;
    return body.data.access_token;
  },
  expectError(res, code, opts = {}) {
    const [status, wireCode, reason] = V1[code];
    expect(res.statusCode).toBe(status);
    const body = res.json();
    expect(body).toEqual({ error: { code: wireCode, code_reason: reason, message: expect.any(String) } });
    if (opts.field) expect(body.error.message).toBe(`Missing or invalid parameters: ${opts.field}`);
    if (code === 'rate_limited') expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
  },
};

/** Spec §3 v2 table: HTTP status, gRPC code, and the detail it carries. */
const V2: Record<DomainErrorCode, [number, number, string]> = {
  invalid_request: [400, 3, 'BadRequest'],
  invalid_scope: [400, 3, 'INVALID_SCOPE'],
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
};

const v2Json = (creds: Credentials): string => {
  const o: Record<string, unknown> = {};
  if (creds.clientId !== undefined) o.clientId = creds.clientId;
  if (creds.clientSecret !== undefined) o.clientSecret = creds.clientSecret;
  if (creds.scope !== undefined) o.scope = creds.scope;
  return JSON.stringify(o);
};

export const v2Driver: DoorDriver = {
  name: 'v2',
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
    { label: 'a form instead of JSON', contentType: 'application/x-www-form-urlencoded', payload: `clientId=${clientId}&clientSecret=${clientSecret}` },
    { label: 'malformed JSON', contentType: 'application/json', payload: `{"clientId":"${clientId}",` },
    { label: 'a JSON array', contentType: 'application/json', payload: JSON.stringify([{ clientId, clientSecret }]) },
    { label: 'JSON null', contentType: 'application/json', payload: 'null' },
    { label: 'a JSON string', contentType: 'application/json', payload: '"hello"' },
    { label: 'clientId as an array', contentType: 'application/json', payload: JSON.stringify({ clientId: [clientId], clientSecret }) },
    { label: 'clientSecret as an object', contentType: 'application/json', payload: JSON.stringify({ clientId, clientSecret: { $ne: '' } }) },
    { label: 'clientId as a number', contentType: 'application/json', payload: JSON.stringify({ clientId: 12345678, clientSecret }) },
    { label: 'scope as an array', contentType: 'application/json', payload: JSON.stringify({ clientId, clientSecret, scope: ['read'] }) },
    { label: 'control characters', contentType: 'application/json', payload: JSON.stringify({ clientId: `${clientId}\u0000`, clientSecret }) },
    { label: '__proto__ pollution', contentType: 'application/json', payload: `{"clientId":"${clientId}","clientSecret":"${clientSecret}","__proto__":{"x":1}}` },
    { label: 'a 3 MB body', contentType: 'application/json', payload: JSON.stringify({ clientId, clientSecret: BIG }) },
    { label: 'empty body', contentType: 'application/json', payload: '' },
    { label: 'no content type', payload: JSON.stringify({ clientId, clientSecret }) },
  ],
  expectToken(res, { scope }) {
    expect(res.statusCode).toBe(200);
    expectNoStore(res);
    const body = res.json();
    expect(body).toEqual({ accessToken: expect.any(String), scope, expiresIn: 3600, tokenType: 'Bearer' });
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
      expect(d).toEqual({ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: expect.stringMatching(/^\d+s$/) });
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    } else {
      expect(d).toEqual({ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: detail, domain: 'tollgate' });
    }
  },
};

/** Every door the contract suite runs against; later doors join this list. */
export const DOORS: DoorDriver[] = [v1Driver, v2Driver];

/** Wire field names per door, for the invalid_request cases. */
export const FIELD_NAMES: Record<string, { clientId: string; clientSecret: string; scope: string }> = {
  v1: { clientId: 'client_id', clientSecret: 'client_secret', scope: 'scope' },
  v2: { clientId: 'clientId', clientSecret: 'clientSecret', scope: 'scope' },
};
