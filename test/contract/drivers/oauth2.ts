import { expect } from 'vitest';
import type { DomainErrorCode } from '../../../src/domain/errors.js';
import { BIG, expectNoStore, formEncode, pathOf, type DoorDriver } from '../driver.js';

/**
 * Spec §3 oauth2 (RFC 6749 §5.2 plus an upper-case code): HTTP status, `error`, `code`, and
 * the challenge every 401 must carry (RFC 7235 §3.1; RFC 6749 §5.2 for HTTP Basic).
 */
const OAUTH2: Record<DomainErrorCode, [number, string, string, RegExp?]> = {
  invalid_request: [400, 'invalid_request', 'INVALID_REQUEST'],
  invalid_client: [401, 'invalid_client', 'INVALID_CLIENT', /^Basic realm="tollgate"$/],
  invalid_grant: [400, 'invalid_grant', 'INVALID_GRANT'],
  unsupported_grant_type: [400, 'unsupported_grant_type', 'UNSUPPORTED_GRANT_TYPE'],
  invalid_scope: [400, 'invalid_scope', 'INVALID_SCOPE'],
  invalid_target: [400, 'invalid_target', 'INVALID_TARGET'],
  access_denied: [403, 'access_denied', 'ACCESS_DENIED'],
  rate_limited: [429, 'rate_limited', 'RATE_LIMITED'],
  invalid_token: [401, 'invalid_token', 'INVALID_TOKEN', /^Bearer /],
  missing_token: [401, 'missing_token', 'MISSING_TOKEN', /^Bearer /],
  insufficient_scope: [403, 'insufficient_scope', 'INSUFFICIENT_SCOPE'],
  not_found: [404, 'not_found', 'NOT_FOUND'],
  server_error: [500, 'server_error', 'SERVER_ERROR'],
  unavailable: [503, 'temporarily_unavailable', 'TEMPORARILY_UNAVAILABLE'],
};

const TOKEN = '/api/v1/oauth2/token';
const FORM = 'application/x-www-form-urlencoded';
const CC = 'grant_type=client_credentials';

/** RFC 6749 §5.2: error_description is printable ASCII without `"` and `\`. */
const DESCRIPTION = /^[\x20\x21\x23-\x5B\x5D-\x7E]+$/;

/** `client_secret_basic`: id and secret each form-encoded (RFC 6749 Appendix B), then base64. */
export function basicAuth(id: string, secret: string): string {
  const form = (s: string): string => new URLSearchParams({ x: s }).toString().slice(2);
  return `Basic ${Buffer.from(`${form(id)}:${form(secret)}`).toString('base64')}`;
}

const DEFAULT_EXPIRES_IN: number | null = 900;

export const oauth2Driver: DoorDriver = {
  name: 'oauth2',
  fields: { clientId: 'client_id', clientSecret: 'client_secret', scope: 'scope' },
  repeatsAudience: true,
  takesResource: true,
  defaultExpiresIn: DEFAULT_EXPIRES_IN,
  unknownPaths: ['/api/v1/oauth2/nope', '/test/api/v1/oauth2/token/extra', '/api/v1/oauth2/token/'],
  // client_secret_post, form-encoded: the case table's credentials travel in the body.
  issue: (h, mode, creds, remoteAddress) =>
    h.app.inject({
      method: 'POST',
      url: pathOf(mode, TOKEN),
      headers: { 'content-type': FORM },
      payload: [CC, formEncode(creds)].filter(Boolean).join('&'),
      ...(remoteAddress ? { remoteAddress } : {}),
    }),
  raw: (h, mode, body) =>
    h.app.inject({
      method: 'POST',
      url: pathOf(mode, TOKEN),
      headers: body.contentType ? { 'content-type': body.contentType } : {},
      payload: body.payload,
    }),
  garbage: ({ clientId, clientSecret }) => {
    const good = `${CC}&client_id=${clientId}&client_secret=${clientSecret}`;
    const json = (o: unknown) => ({ contentType: 'application/json', payload: JSON.stringify(o) });
    return [
      { label: 'text/plain', contentType: 'text/plain', payload: good },
      {
        label: 'multipart',
        contentType: 'multipart/form-data; boundary=x',
        payload: `--x\r\nContent-Disposition: form-data; name="grant_type"\r\n\r\nclient_credentials\r\n--x--`,
      },
      { label: 'repeated client_id', contentType: FORM, payload: `${good}&client_id=${clientId}` },
      { label: 'repeated client_secret', contentType: FORM, payload: `${good}&client_secret=x` },
      { label: 'repeated grant_type', contentType: FORM, payload: `${good}&${CC}` },
      { label: 'repeated scope', contentType: FORM, payload: `${good}&scope=read&scope=write` },
      {
        label: 'bad percent-encoding',
        contentType: FORM,
        payload: `${CC}&client_id=%zz&client_secret=${clientSecret}`,
      },
      {
        label: 'control characters',
        contentType: FORM,
        payload: `${CC}&client_id=${clientId}%00%0a&client_secret=${clientSecret}`,
      },
      {
        label: 'control characters in the secret',
        contentType: FORM,
        payload: `${CC}&client_id=${clientId}&client_secret=${clientSecret}%0d%0a`,
      },
      { label: 'a 3 MB form', contentType: FORM, payload: `${CC}&client_id=${clientId}&client_secret=${BIG}` },
      {
        label: 'a 3 MB JSON body',
        ...json({ grant_type: 'client_credentials', client_id: clientId, client_secret: BIG }),
      },
      { label: 'empty form', contentType: FORM, payload: '' },
      { label: 'no grant_type', contentType: FORM, payload: `client_id=${clientId}&client_secret=${clientSecret}` },
      { label: 'binary bytes', contentType: FORM, payload: Buffer.from([0xff, 0xfe, 0x00, 0x3d, 0x26]) },
      { label: 'no content type', payload: good },
      {
        label: 'malformed JSON',
        contentType: 'application/json',
        payload: `{"grant_type":"client_credentials","client_id":"${clientId}",`,
      },
      {
        label: 'a JSON array',
        ...json([{ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret }]),
      },
      { label: 'a JSON string', ...json('client_credentials') },
      {
        label: 'grant_type as an array',
        ...json({ grant_type: ['client_credentials'], client_id: clientId, client_secret: clientSecret }),
      },
      {
        label: 'client_id as an array',
        ...json({ grant_type: 'client_credentials', client_id: [clientId], client_secret: clientSecret }),
      },
      {
        label: 'client_secret as an object',
        ...json({ grant_type: 'client_credentials', client_id: clientId, client_secret: { $ne: '' } }),
      },
      {
        label: 'client_id as a number',
        ...json({ grant_type: 'client_credentials', client_id: 12345678, client_secret: clientSecret }),
      },
      {
        label: 'scope as an array',
        ...json({
          grant_type: 'client_credentials',
          client_id: clientId,
          client_secret: clientSecret,
          scope: ['read'],
        }),
      },
      { label: 'a secret with no id', ...json({ grant_type: 'client_credentials', client_secret: clientSecret }) },
      {
        label: '__proto__ pollution',
        contentType: 'application/json',
        payload: `{"grant_type":"client_credentials","client_id":"${clientId}","client_secret":"${clientSecret}","__proto__":{"x":1}}`,
      },
      { label: 'empty JSON body', contentType: 'application/json', payload: '' },
    ];
  },
  expectToken(res, { scope, expiresIn = DEFAULT_EXPIRES_IN }) {
    expect(res.statusCode).toBe(200);
    expectNoStore(res);
    const body = res.json();
    expect(Object.keys(body)).toEqual(['access_token', 'refresh_token', 'token_type', 'expires_in', 'scope']);
    expect(body).toEqual({
      access_token: expect.any(String),
      refresh_token: expect.stringMatching(/^rt_[A-Za-z0-9_-]{43}$/),
      token_type: 'Bearer',
      expires_in: expiresIn,
      scope,
    });
    return body.access_token;
  },
  expectError(res, code, opts = {}) {
    const [status, error, wireCode, challenge] = OAUTH2[code];
    expect(res.statusCode).toBe(status);
    expectNoStore(res);
    const body = res.json();
    expect(body).toEqual({ error, error_description: expect.stringMatching(DESCRIPTION), code: wireCode });
    if (opts.field) expect(body.error_description.startsWith(`${opts.field} `)).toBe(true);
    if (challenge) expect(res.headers['www-authenticate']).toMatch(challenge);
    else expect(res.headers['www-authenticate']).toBeUndefined();
    if (code === 'rate_limited') expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
  },
};
