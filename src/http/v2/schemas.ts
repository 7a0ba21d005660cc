import type { DomainErrorCode } from '../../domain/errors.js';
import {
  ACCESS_TOKEN,
  BEARER,
  errorResponses,
  NO_STORE_HEADERS,
  response,
  SCOPE_GRANTED,
  tokenRequestBody,
  type JsonSchema,
} from '../schemas.js';
import { V2_ERRORS } from './errors.js';

const TYPE = 'type.googleapis.com/google.rpc.';

const BAD_REQUEST: JsonSchema = {
  title: 'GoogleRpcBadRequest',
  type: 'object',
  required: ['@type', 'fieldViolations'],
  properties: {
    '@type': { type: 'string', const: `${TYPE}BadRequest` },
    fieldViolations: {
      type: 'array',
      items: {
        type: 'object',
        required: ['field', 'description'],
        properties: {
          field: { type: 'string', description: 'The wire field, e.g. `clientId`; `body` for the body as a whole.' },
          description: { type: 'string' },
        },
      },
    },
  },
};

const ERROR_INFO: JsonSchema = {
  title: 'GoogleRpcErrorInfo',
  type: 'object',
  required: ['@type', 'reason', 'domain'],
  properties: {
    '@type': { type: 'string', const: `${TYPE}ErrorInfo` },
    reason: { type: 'string', description: 'e.g. `INVALID_CLIENT`, `INVALID_SCOPE`, `IP_NOT_ALLOWED`.' },
    domain: { type: 'string', const: 'tollgate' },
  },
};

const RETRY_INFO: JsonSchema = {
  title: 'GoogleRpcRetryInfo',
  type: 'object',
  required: ['@type', 'retryDelay'],
  properties: {
    '@type': { type: 'string', const: `${TYPE}RetryInfo` },
    retryDelay: { type: 'string', description: 'A google.protobuf.Duration, e.g. `900s`.' },
  },
};

/** Seed 002's error body: `google.rpc.Status`. */
const V2_STATUS: JsonSchema = {
  title: 'V2Status',
  type: 'object',
  required: ['code', 'message', 'details'],
  properties: {
    code: { type: 'integer', description: 'The gRPC canonical code.' },
    message: { type: 'string' },
    details: { type: 'array', items: { anyOf: [BAD_REQUEST, ERROR_INFO, RETRY_INFO] } },
  },
};

const label = (code: DomainErrorCode): string => {
  const row = V2_ERRORS[code];
  const detail =
    row.detail === 'bad_request'
      ? 'BadRequest'
      : row.detail === 'retry_info'
        ? 'RetryInfo'
        : `ErrorInfo \`${row.detail.reason}\``;
  return `${code}: code ${row.grpc}, ${detail}`;
};

/** `POST /v2/credentials/oauth/token`. */
export const issueTokenSchema = {
  tags: ['v2'],
  operationId: 'v2IssueToken',
  summary: 'Issue an access token (camelCase JSON)',
  description:
    'Client credentials in a JSON body; errors are `google.rpc.Status`. Lifetime `V2_TOKEN_TTL_SECONDS` (default ' +
    '3600).',
  consumes: ['application/json'],
  body: tokenRequestBody('V2TokenRequest', 'clientId', 'clientSecret'),
  response: {
    200: response(
      'The access token.',
      {
        title: 'V2TokenResponse',
        type: 'object',
        required: ['accessToken', 'scope', 'expiresIn', 'tokenType'],
        properties: {
          accessToken: ACCESS_TOKEN,
          scope: SCOPE_GRANTED,
          expiresIn: { type: 'integer', description: 'Seconds.' },
          tokenType: BEARER,
        },
      },
      NO_STORE_HEADERS,
    ),
    ...errorResponses(
      V2_ERRORS,
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
      V2_STATUS,
      label,
    ),
  },
};
