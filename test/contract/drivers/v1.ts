import { expect } from 'vitest';
import type { DomainErrorCode } from '../../../src/domain/errors.js';
import { BIG, expectNoStore, formEncode, pathOf, type DoorDriver } from '../driver.js';

/** Spec §3 v1 table, plus the rows it leaves to us. */
const V1: Record<DomainErrorCode, [number, string, string]> = {
  invalid_request: [400, '400013', 'invalid_request'],
  invalid_scope: [400, '400014', 'invalid_scope'],
  invalid_target: [400, '400015', 'invalid_target'],
  invalid_grant: [400, '400017', 'invalid_grant'],
  unsupported_grant_type: [400, '400016', 'unsupported_grant_type'],
  invalid_client: [401, '401021', 'invalid_client'],
  invalid_token: [401, '401022', 'invalid_token'],
  missing_token: [401, '401023', 'missing_token'],
  access_denied: [403, '403001', 'access_denied'],
  insufficient_scope: [403, '403002', 'insufficient_scope'],
  not_found: [404, '404001', 'not_found'],
  rate_limited: [429, '429001', 'too_many_requests'],
  server_error: [500, '500999', 'API_ERROR'],
  unavailable: [503, '503001', 'service_unavailable'],
};

const DEFAULT_EXPIRES_IN: number | null = 3600;

export const v1Driver: DoorDriver = {
  name: 'v1',
  fields: { clientId: 'client_id', clientSecret: 'client_secret', scope: 'scope' },
  repeatsAudience: true,
  takesResource: false,
  defaultExpiresIn: DEFAULT_EXPIRES_IN,
  unknownPaths: ['/v1/nope', '/test/v1/auth', '/v1/auth/token/extra'],
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
    {
      label: 'JSON instead of a form',
      contentType: 'application/json',
      payload: JSON.stringify({ client_id: clientId, client_secret: clientSecret }),
    },
    { label: 'text/plain', contentType: 'text/plain', payload: `client_id=${clientId}&client_secret=${clientSecret}` },
    {
      label: 'repeated client_id',
      contentType: 'application/x-www-form-urlencoded',
      payload: `client_id=${clientId}&client_id=${clientId}&client_secret=${clientSecret}`,
    },
    {
      label: 'repeated client_secret',
      contentType: 'application/x-www-form-urlencoded',
      payload: `client_id=${clientId}&client_secret=${clientSecret}&client_secret=x`,
    },
    {
      label: 'bad percent-encoding',
      contentType: 'application/x-www-form-urlencoded',
      payload: `client_id=%zz&client_secret=${clientSecret}`,
    },
    {
      label: 'control characters',
      contentType: 'application/x-www-form-urlencoded',
      payload: `client_id=${clientId}%00%0a&client_secret=${clientSecret}`,
    },
    {
      label: 'a 3 MB body',
      contentType: 'application/x-www-form-urlencoded',
      payload: `client_id=${clientId}&client_secret=${BIG}`,
    },
    { label: 'empty body', contentType: 'application/x-www-form-urlencoded', payload: '' },
    {
      label: 'binary bytes',
      contentType: 'application/x-www-form-urlencoded',
      payload: Buffer.from([0xff, 0xfe, 0x00, 0x3d, 0x26]),
    },
    { label: 'no content type', payload: `client_id=${clientId}&client_secret=${clientSecret}` },
  ],
  expectToken(res, { scope, expiresIn = DEFAULT_EXPIRES_IN }) {
    expect(res.statusCode).toBe(200);
    expectNoStore(res);
    const body = res.json();
    expect(Object.keys(body)).toEqual(['data']);
    expect(body.data).toEqual({ access_token: expect.any(String), token_type: 'Bearer', expires_in: expiresIn });
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
