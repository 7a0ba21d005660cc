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
import { V1_ERRORS } from './errors.js';

/** Seed 003's error body. */
const V1_ERROR: JsonSchema = {
  title: 'V1Error',
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'code_reason', 'message'],
      properties: {
        code: { type: 'string', description: 'HTTP status and a detail number, e.g. `400013`.' },
        code_reason: { type: 'string', description: 'e.g. `invalid_request`, `too_many_requests`.' },
        message: { type: 'string', description: 'Names the field for a request-shape error.' },
      },
    },
  },
};

const label = (code: DomainErrorCode): string => `\`${V1_ERRORS[code].code}\` ${V1_ERRORS[code].codeReason}`;

/** `POST /v1/auth/token`. */
export const issueTokenSchema = {
  tags: ['v1'],
  operationId: 'v1IssueToken',
  summary: 'Issue an access token (form-encoded)',
  description:
    'Client credentials in a form body; the token in `{"data":{…}}`. Lifetime `V1_TOKEN_TTL_SECONDS` (default 3600).',
  consumes: ['application/x-www-form-urlencoded'],
  body: tokenRequestBody('V1TokenRequest'),
  response: {
    200: response(
      'The access token.',
      {
        title: 'V1TokenResponse',
        type: 'object',
        required: ['data'],
        properties: {
          data: {
            type: 'object',
            required: ['access_token', 'token_type', 'expires_in'],
            properties: {
              access_token: ACCESS_TOKEN,
              token_type: BEARER,
              expires_in: { type: 'integer', description: 'Seconds.' },
            },
          },
        },
      },
      NO_STORE_HEADERS,
    ),
    ...errorResponses(
      V1_ERRORS,
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
      V1_ERROR,
      label,
    ),
  },
};
