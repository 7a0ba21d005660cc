import type { DomainErrorCode } from '../../domain/errors.js';
import { JWT_ALGS } from '../../domain/token.js';
import {
  ACCESS_TOKEN,
  AUDIENCE_REQUEST,
  BEARER,
  CLIENT_ID,
  CLIENT_SECRET,
  documentedOnly,
  emptyResponse,
  errorResponses,
  NO_STORE_HEADERS,
  response,
  SCOPE_GRANTED,
  SCOPE_REQUEST,
  type JsonSchema,
} from '../schemas.js';
import { OAUTH2_ERRORS } from './errors.js';

/** RFC 6749 §5.2 error body plus seed 001's upper-case `code`. */
const OAUTH2_ERROR: JsonSchema = {
  title: 'OAuth2Error',
  type: 'object',
  required: ['error', 'error_description', 'code'],
  properties: {
    error: { type: 'string', description: 'The RFC 6749 §5.2 error code, e.g. `invalid_client`.' },
    error_description: { type: 'string', description: 'Printable ASCII without `"` and `\\`.' },
    code: { type: 'string', description: 'Upper-case code for branching, e.g. `INVALID_CLIENT`.' },
  },
};

const label = (code: DomainErrorCode): string => `\`${OAUTH2_ERRORS[code].error}\` (${OAUTH2_ERRORS[code].code})`;
const errors = (codes: readonly DomainErrorCode[]) => errorResponses(OAUTH2_ERRORS, codes, OAUTH2_ERROR, label);

/** Client authentication: HTTP Basic, or `client_id` and `client_secret` in the body (no security scheme). */
const CLIENT_AUTH: Array<Record<string, string[]>> = [{ clientSecretBasic: [] }, {}];
const CLIENT_AUTH_TEXT =
  'The client authenticates with HTTP Basic (`client_secret_basic`, each part form-encoded, RFC 6749 Appendix B) ' +
  'or with `client_id` and `client_secret` in the body (`client_secret_post`), never both and never in the query ' +
  'string.';

/** Form or JSON bodies, as the door accepts both. */
const BOTH = ['application/x-www-form-urlencoded', 'application/json'];

const BODY_CLIENT_ID = {
  ...CLIENT_ID,
  description: 'With `client_secret_post`; beside HTTP Basic only when it names the same client.',
};
const BODY_CLIENT_SECRET = { ...CLIENT_SECRET, description: 'With `client_secret_post` only.' };
/** @see RFC 8707 §2 */
const RESOURCE_REQUEST: JsonSchema = {
  type: 'string',
  format: 'uri',
  description:
    "RFC 8707 resource indicator: the API's identifier (an absolute URI without fragment), once. Omitted: the " +
    "default API; on a refresh, it must name the refresh token's own API.",
  examples: ['https://billing.example.com/api'],
};

const REFRESH_TOKEN: JsonSchema = {
  type: 'string',
  description: 'An opaque refresh token (`rt_…`), valid 24 h by default, bound to its client.',
};
const EXPIRES_IN: JsonSchema = { type: 'integer', description: 'Seconds (`OAUTH2_ACCESS_TTL_SECONDS`, default 900).' };

/**
 * RFC 6749 §5.1 success bodies, in seed 001's field order. Two models, every field required:
 * the serializer writes required fields first, so an optional `refresh_token` would move.
 */
const TOKEN_RESPONSE: JsonSchema = {
  title: 'OAuth2TokenResponse',
  type: 'object',
  required: ['access_token', 'refresh_token', 'token_type', 'expires_in', 'scope'],
  properties: {
    access_token: ACCESS_TOKEN,
    refresh_token: { ...REFRESH_TOKEN, description: 'Not rotated: a refresh returns no new one.' },
    token_type: BEARER,
    expires_in: EXPIRES_IN,
    scope: SCOPE_GRANTED,
  },
};

const ACCESS_TOKEN_RESPONSE: JsonSchema = {
  title: 'OAuth2AccessTokenResponse',
  type: 'object',
  required: ['access_token', 'token_type', 'expires_in', 'scope'],
  properties: { access_token: ACCESS_TOKEN, token_type: BEARER, expires_in: EXPIRES_IN, scope: SCOPE_GRANTED },
};

/** `POST /api/v1/oauth2/token`. */
export const tokenSchema = {
  tags: ['oauth2'],
  operationId: 'oauth2Token',
  summary: 'Token endpoint (RFC 6749)',
  description:
    `\`client_credentials\` returns an access token and a refresh token; \`refresh_token\` returns an ` +
    `access token only. ${CLIENT_AUTH_TEXT} A failed HTTP Basic authentication answers 401 with ` +
    `\`WWW-Authenticate: Basic\`.`,
  security: CLIENT_AUTH,
  consumes: BOTH,
  body: {
    title: 'OAuth2TokenRequest',
    type: 'object',
    required: ['grant_type'],
    properties: {
      grant_type: { type: 'string', enum: ['client_credentials', 'refresh_token'] },
      client_id: BODY_CLIENT_ID,
      client_secret: BODY_CLIENT_SECRET,
      refresh_token: { ...REFRESH_TOKEN, description: 'Required with `grant_type=refresh_token`.' },
      scope: {
        ...SCOPE_REQUEST,
        description:
          "Space-separated scopes (RFC 6749 §3.3). `client_credentials`: a subset of the client's, omitted means " +
          "all of them; `refresh_token`: a subset of the refresh token's.",
      },
      resource: RESOURCE_REQUEST,
      audience: {
        ...AUDIENCE_REQUEST,
        description: `${AUDIENCE_REQUEST.description as string} Same as \`resource\`; both given, they must agree.`,
      },
    },
  },
  response: {
    200: response(
      'An access token and a refresh token for `client_credentials`; an access token alone for `refresh_token`.',
      { anyOf: [TOKEN_RESPONSE, ACCESS_TOKEN_RESPONSE] },
      NO_STORE_HEADERS,
    ),
    ...errors([
      'invalid_request',
      'unsupported_grant_type',
      'invalid_grant',
      'invalid_scope',
      'invalid_target',
      'invalid_client',
      'access_denied',
      'rate_limited',
      'server_error',
      'unavailable',
    ]),
  },
};

/** `POST /api/v1/oauth2/refresh`. */
export const refreshSchema = {
  tags: ['oauth2'],
  operationId: 'oauth2Refresh',
  summary: 'Renew an access token with a refresh token',
  description:
    `Seed 001's refresh endpoint: the refresh token alone renews the access token; no new refresh token ` +
    `is issued. Client authentication is optional; when present it is checked and the refresh token must be the ` +
    `client's. ${CLIENT_AUTH_TEXT}`,
  security: CLIENT_AUTH,
  consumes: BOTH,
  body: {
    title: 'OAuth2RefreshRequest',
    type: 'object',
    required: ['refresh_token'],
    properties: {
      refresh_token: REFRESH_TOKEN,
      scope: {
        ...SCOPE_REQUEST,
        description: "Space-separated scopes, a subset of the refresh token's; omitted: all of them.",
      },
      resource: RESOURCE_REQUEST,
      audience: AUDIENCE_REQUEST,
      client_id: BODY_CLIENT_ID,
      client_secret: BODY_CLIENT_SECRET,
    },
  },
  response: {
    200: response('A new access token (the refresh token stays as it is).', ACCESS_TOKEN_RESPONSE, NO_STORE_HEADERS),
    ...errors([
      'invalid_request',
      'invalid_grant',
      'invalid_scope',
      'invalid_target',
      'invalid_client',
      'access_denied',
      'rate_limited',
      'server_error',
      'unavailable',
    ]),
  },
};

/** `token` and `token_type_hint`, as RFC 7662 §2.1 and RFC 7009 §2.1 name them. */
const tokenRequest = (title: string): JsonSchema => ({
  title,
  type: 'object',
  required: ['token'],
  properties: {
    token: { type: 'string', description: 'An access token (JWT) or a refresh token (`rt_…`).' },
    token_type_hint: {
      type: 'string',
      description: 'Read but not needed: every token type is searched.',
      examples: ['access_token', 'refresh_token'],
    },
    client_id: BODY_CLIENT_ID,
    client_secret: BODY_CLIENT_SECRET,
  },
});

/** `POST /api/v1/oauth2/introspect`. */
export const introspectSchema = {
  tags: ['oauth2'],
  operationId: 'oauth2Introspect',
  summary: 'Token introspection (RFC 7662)',
  description:
    `A client sees its own tokens, or with scope \`tollgate:introspect\` any token of its mode (of its ` +
    `organisation, when it has one); anything else is \`{"active":false}\`. ${CLIENT_AUTH_TEXT}`,
  security: CLIENT_AUTH,
  consumes: BOTH,
  body: tokenRequest('OAuth2IntrospectionRequest'),
  response: {
    200: response(
      "The token's state (RFC 7662 §2.2). Inactive tokens carry `active` alone.",
      {
        title: 'OAuth2Introspection',
        type: 'object',
        required: ['active'],
        properties: {
          active: { type: 'boolean' },
          scope: SCOPE_GRANTED,
          client_id: { type: 'string' },
          sub: { type: 'string' },
          token_type: { ...BEARER, description: 'Access tokens only.' },
          exp: { type: 'integer', description: 'Absent for an access token that does not expire.' },
          iat: { type: 'integer' },
          iss: { type: 'string', description: 'Access tokens only.' },
          aud: {
            type: 'string',
            description:
              'The API the token is for (its identifier). Refresh tokens carry it only when issued for a named API.',
          },
          jti: { type: 'string', description: 'Access tokens only.' },
        },
      },
      NO_STORE_HEADERS,
    ),
    ...errors(['invalid_request', 'invalid_client', 'access_denied', 'rate_limited', 'server_error', 'unavailable']),
  },
};

/** `POST /api/v1/oauth2/revoke`. */
export const revokeSchema = {
  tags: ['oauth2'],
  operationId: 'oauth2Revoke',
  summary: 'Token revocation (RFC 7009)',
  description:
    `Revokes one of the caller's access or refresh tokens; a revoked access token is refused until its ` +
    `\`exp\`. An invalid, unknown or foreign token gets the same empty 200 and is left alone. ${CLIENT_AUTH_TEXT}`,
  security: CLIENT_AUTH,
  consumes: BOTH,
  body: tokenRequest('OAuth2RevocationRequest'),
  response: {
    200: emptyResponse('Revoked, or nothing to revoke (RFC 7009 §2.2); no body.', NO_STORE_HEADERS),
    ...errors(['invalid_request', 'invalid_client', 'access_denied', 'rate_limited', 'server_error', 'unavailable']),
  },
};

const AUTH_METHODS: JsonSchema = {
  type: 'array',
  items: { type: 'string', enum: ['client_secret_basic', 'client_secret_post'] },
};

/** RFC 8414 §2 authorization server metadata. */
const METADATA: JsonSchema = {
  title: 'AuthorizationServerMetadata',
  type: 'object',
  required: [
    'issuer',
    'token_endpoint',
    'jwks_uri',
    'response_types_supported',
    'grant_types_supported',
    'token_endpoint_auth_methods_supported',
    'revocation_endpoint',
    'revocation_endpoint_auth_methods_supported',
    'introspection_endpoint',
    'introspection_endpoint_auth_methods_supported',
  ],
  properties: {
    issuer: { type: 'string', format: 'uri', description: '`ISSUER` live, `ISSUER/test` in test mode.' },
    token_endpoint: { type: 'string', format: 'uri' },
    jwks_uri: { type: 'string', format: 'uri' },
    response_types_supported: {
      type: 'array',
      items: { type: 'string' },
      maxItems: 0,
      description: 'Empty: there is no authorization endpoint.',
    },
    grant_types_supported: { type: 'array', items: { type: 'string', enum: ['client_credentials', 'refresh_token'] } },
    token_endpoint_auth_methods_supported: AUTH_METHODS,
    revocation_endpoint: { type: 'string', format: 'uri' },
    revocation_endpoint_auth_methods_supported: AUTH_METHODS,
    introspection_endpoint: { type: 'string', format: 'uri' },
    introspection_endpoint_auth_methods_supported: AUTH_METHODS,
  },
};

const wellKnownErrors = errors(['server_error', 'unavailable']);

/** `GET /.well-known/oauth-authorization-server`. */
export const metadataSchema = {
  tags: ['oauth2'],
  operationId: 'oauth2Metadata',
  summary: 'Authorization server metadata (RFC 8414)',
  description: "The metadata of the mode called: its issuer, and endpoints under that mode's paths.",
  response: { 200: response('The metadata.', METADATA), ...wellKnownErrors },
};

/** `GET /.well-known/openid-configuration`: the same metadata, where OpenID-only middleware looks. */
export const openidConfigurationSchema = {
  tags: ['oauth2'],
  operationId: 'oauth2OpenidConfiguration',
  summary: 'The same metadata at the OpenID Connect discovery path',
  description:
    'The RFC 8414 metadata again, for JWT middleware that only looks at OpenID Connect Discovery 1.0 §4. Tollgate ' +
    'issues access tokens only: there is no ID token and no authorization endpoint.',
  response: { 200: response('The metadata.', METADATA), ...wellKnownErrors },
};

/** `GET /.well-known/oauth-authorization-server/test` (live server only). */
export const testMetadataSchema = {
  tags: ['oauth2'],
  operationId: 'oauth2TestMetadata',
  summary: 'Test-mode metadata where RFC 8414 §3.1 puts it',
  description:
    "RFC 8414 §3.1 puts the well-known segment before the issuer's path, so the test issuer `ISSUER/test` is " +
    'discovered here. Served at the live paths only; the same document is at ' +
    '`/test/.well-known/oauth-authorization-server`.',
  servers: [{ url: '/', description: 'Live paths only' }],
  response: { 200: response('The test-mode metadata.', METADATA), ...wellKnownErrors },
};

/** A public key as jose exports it; its members come in an order that depends on the key type. */
const JWK: JsonSchema = {
  title: 'Jwk',
  type: 'object',
  required: ['kty', 'kid', 'alg', 'use'],
  description: 'A public key: EC (`crv`, `x`, `y`), RSA (`n`, `e`) or OKP (`crv`, `x`).',
  properties: {
    kty: { type: 'string', enum: ['EC', 'RSA', 'OKP'] },
    crv: { type: 'string' },
    x: { type: 'string' },
    y: { type: 'string' },
    n: { type: 'string' },
    e: { type: 'string' },
    kid: { type: 'string', description: 'The RFC 7638 thumbprint.' },
    alg: { type: 'string', enum: [...JWT_ALGS] },
    use: { type: 'string', const: 'sig' },
  },
};

/** `GET /.well-known/jwks.json`. */
export const jwksSchema = {
  tags: ['oauth2'],
  operationId: 'jwks',
  summary: "The mode's public signing keys (RFC 7517)",
  description:
    'Current key first, retired keys after (non-expiring tokens depend on them). Read on every call, so a key made ' +
    'by `tollgate keys rotate` is published at once.',
  response: wellKnownErrors,
  // Each key's members keep jose's order, which a fixed serializer schema would rewrite.
  ...documentedOnly({
    200: response(
      'The JWK Set.',
      { title: 'JwkSet', type: 'object', required: ['keys'], properties: { keys: { type: 'array', items: JWK } } },
      { 'Cache-Control': { type: 'string', const: 'no-cache' } },
    ),
  }),
};
