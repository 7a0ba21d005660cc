import type { DomainErrorCode } from '../../domain/errors.js';
import { AUDIENCE_GUARDED, emptyResponse, errorResponses, NO_STORE_HEADERS, type JsonSchema } from '../schemas.js';
import { FORWARD_AUTH_ERRORS } from './errors.js';

const FORWARD_AUTH_ERROR: JsonSchema = {
  title: 'ForwardAuthError',
  type: 'object',
  required: ['code', 'message'],
  properties: {
    code: { type: 'string', description: '`NO_TOKEN`, `INVALID_TOKEN`, `INSUFFICIENT_SCOPE`, …' },
    message: { type: 'string' },
  },
};

const label = (code: DomainErrorCode): string => `\`${FORWARD_AUTH_ERRORS[code].code}\` (${code})`;

/** `/auth/verify`, for every method a proxy may forward. */
export const verifySchema = {
  tags: ['forward-auth'],
  operationId: 'forwardAuthVerify',
  summary: "Check a Bearer token for a reverse proxy's forward authentication",
  description:
    'For nginx `auth_request`, Traefik ForwardAuth and Envoy `ext_authz`: answered alike for GET, HEAD, POST, PUT, ' +
    'PATCH, DELETE and OPTIONS, the method of the guarded request (the body, if any, is read and ignored). The ' +
    'token is checked like at every protected endpoint; 200 names the client in headers. A proxy reads only the ' +
    'status: nginx passes 401 and 403 on and turns any other status into 500.',
  security: [{ bearerAuth: [] }],
  querystring: {
    type: 'object',
    properties: {
      scope: {
        type: 'string',
        description: 'Space-separated scopes the token must all hold (else 403).',
        examples: ['admin'],
      },
      audience: AUDIENCE_GUARDED,
    },
  },
  response: {
    200: emptyResponse('The token is good; no body.', {
      'X-Client-Id': { type: 'string', description: "The token's client." },
      'X-Scope': { type: 'string', description: "The token's scopes, space-separated." },
      'X-Mode': { type: 'string', enum: ['live', 'test'] },
      ...NO_STORE_HEADERS,
    }),
    ...errorResponses(
      FORWARD_AUTH_ERRORS,
      [
        'invalid_request',
        'invalid_target',
        'missing_token',
        'invalid_token',
        'access_denied',
        'insufficient_scope',
        'server_error',
        'unavailable',
      ],
      FORWARD_AUTH_ERROR,
      label,
    ),
  },
};
