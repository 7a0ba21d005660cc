import type { DomainErrorCode } from '../../domain/errors.js';
import {
  ACCESS_TOKEN,
  BEARER,
  errorResponses,
  NO_STORE_HEADERS,
  response,
  tokenRequestBody,
  type JsonSchema,
} from '../schemas.js';
import { COMMON_ERRORS } from './errors.js';

/** Seed 000's CommonResponse for an error. */
const COMMON_ERROR: JsonSchema = {
  title: 'CommonError',
  type: 'object',
  required: ['code', 'message', 'data'],
  properties: {
    code: { type: 'integer', description: 'HTTP status × 100 + a detail number, e.g. `40101`.' },
    message: { type: 'string' },
    data: { type: 'null' },
    errors: {
      type: 'array',
      description: 'Request-shape errors only (`40001`): the field at fault, `body` for the body as a whole.',
      items: {
        type: 'object',
        required: ['field', 'message'],
        properties: { field: { type: 'string' }, message: { type: 'string' } },
      },
    },
  },
};

/** The success envelope around `data`. */
const ok = (title: string, data: JsonSchema): JsonSchema => ({
  title,
  type: 'object',
  required: ['code', 'message', 'data'],
  properties: { code: { type: 'integer', const: 0 }, message: { type: 'string', const: 'OK' }, data },
});

const label = (code: DomainErrorCode): string => `\`${COMMON_ERRORS[code].code}\` ${code}`;

/** `POST /api/v1/client/token`. */
export const issueTokenSchema = {
  tags: ['common'],
  operationId: 'commonIssueToken',
  summary: 'Issue an access token (CommonResponse)',
  description:
    'Client credentials in a JSON body; the token in the CommonResponse envelope. Tokens do not expire ' +
    "(`expires_in: null`) unless `CLIENT_ACCESS_TOKEN_EXPIRE_MINUTES` is set; they die when the client's secret is " +
    'rotated.',
  consumes: ['application/json'],
  body: tokenRequestBody('CommonTokenRequest'),
  response: {
    200: response(
      'The access token.',
      ok('CommonTokenResponse', {
        type: 'object',
        required: ['access_token', 'token_type', 'expires_in'],
        properties: {
          access_token: ACCESS_TOKEN,
          token_type: BEARER,
          expires_in: { type: ['integer', 'null'], description: 'Seconds; null when tokens do not expire.' },
        },
      }),
      NO_STORE_HEADERS,
    ),
    ...errorResponses(
      COMMON_ERRORS,
      [
        'invalid_request',
        'invalid_scope',
        'invalid_target',
        'invalid_client',
        'access_denied',
        'rate_limited',
        'server_error',
        'unavailable',
      ],
      COMMON_ERROR,
      label,
    ),
  },
};

/** `GET /api/v1/client/me`. */
export const meSchema = {
  tags: ['common'],
  operationId: 'commonMe',
  summary: 'The calling client',
  description:
    'The client the Bearer token was issued to. The token is checked like at every protected endpoint (signature, ' +
    "`typ`, issuer of the mode called, audience, expiry, revocation, the client's current secret generation, the " +
    'client enabled, its IP allowlist).',
  security: [{ bearerAuth: [] }],
  response: {
    200: response(
      'The client.',
      ok('CommonMeResponse', {
        title: 'CommonClient',
        type: 'object',
        required: ['id', 'name', 'mode', 'scopes', 'orgId'],
        properties: {
          id: { type: 'string' },
          name: { type: 'string' },
          mode: { type: 'string', enum: ['live', 'test'] },
          scopes: { type: 'array', items: { type: 'string' } },
          orgId: { type: ['string', 'null'] },
        },
      }),
      NO_STORE_HEADERS,
    ),
    ...errorResponses(
      COMMON_ERRORS,
      ['missing_token', 'invalid_token', 'access_denied', 'server_error', 'unavailable'],
      COMMON_ERROR,
      label,
    ),
  },
};
