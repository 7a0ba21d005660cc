import type { FastifyInstance } from 'fastify';
import { CLIENT_ID_MAX, CLIENT_ID_MIN, SECRET_MAX, SECRET_MIN } from '../domain/client.js';
import type { DomainErrorCode } from '../domain/errors.js';

/**
 * Building blocks of the route schemas each door keeps in its own `schemas.ts`. They feed the
 * OpenAPI document (`src/http/openapi.ts`) and Fastify's response serializer; request schemas
 * are documentation only (see {@link documentRequestsOnly}).
 *
 * A schema with a `title` becomes one named entry of `components.schemas` in the document.
 */
export type JsonSchema = Record<string, unknown>;

/**
 * Request schemas in a door are documentation, never a gate. Each door reads its own input with
 * field readers that refuse a bad field in the door's own envelope, naming the wire field (spec
 * §2 step 1, test/contract); Fastify's validation would refuse the request first, in Fastify's
 * words. Response schemas are still compiled, for serialization.
 */
export function documentRequestsOnly(app: FastifyInstance): void {
  app.setValidatorCompiler(() => () => true);
}

/** A response of an operation: its description, its body schema and its headers. */
export function response(description: string, body: JsonSchema, headers: Record<string, JsonSchema> = {}): JsonSchema {
  return { 'x-response-description': description, ...body, ...(Object.keys(headers).length > 0 ? { headers } : {}) };
}

/** An answer without a body (`type: 'null'` keeps it out of the document's content and the serializer). */
export function emptyResponse(description: string, headers: Record<string, JsonSchema> = {}): JsonSchema {
  return { description, type: 'null', ...(Object.keys(headers).length > 0 ? { headers } : {}) };
}

/** The route-schema key of answers that are documented but not serialized (see {@link documentedOnly}). */
export const DOCUMENTED_ONLY = 'x-documented-only-responses';

/**
 * Answers the OpenAPI document lists but Fastify does not serialize with: spread into a route
 * schema beside (or instead of) `response`. For bodies whose member order a fixed schema cannot
 * keep, since the serializer writes members in schema order (required ones first).
 */
export function documentedOnly(responses: Record<string, JsonSchema>): {
  [DOCUMENTED_ONLY]: Record<string, JsonSchema>;
} {
  return { [DOCUMENTED_ONLY]: responses };
}

/** Every answer that holds or concerns a credential. @see RFC 6749 §5.1 */
export const NO_STORE_HEADERS: Record<string, JsonSchema> = {
  'Cache-Control': { type: 'string', const: 'no-store', description: 'Never cached (RFC 6749 §5.1).' },
  Pragma: { type: 'string', const: 'no-cache' },
};

const RETRY_AFTER: JsonSchema = { type: 'integer', description: 'Seconds until the lockout ends (RFC 9110 §10.2.3).' };
const CHALLENGE: JsonSchema = {
  type: 'string',
  description: 'The authentication challenge (RFC 7235 §4.1; RFC 6749 §5.2, RFC 6750 §3).',
};

/** The `client_id` every door takes, with the shape the core checks (seed 000's limits). */
export const CLIENT_ID: JsonSchema = {
  type: 'string',
  minLength: CLIENT_ID_MIN,
  maxLength: CLIENT_ID_MAX,
  pattern: '^[\\x21-\\x7E]+$',
  description: 'The client id: `cl_live_…` at the live paths, `cl_test_…` under `/test`.',
  examples: ['cl_test_5a8c0e4b2f7d'],
};

export const CLIENT_SECRET: JsonSchema = {
  type: 'string',
  minLength: SECRET_MIN,
  maxLength: SECRET_MAX,
  pattern: '^[\\x21-\\x7E]+$',
  description: 'The client secret, shown once at creation or rotation.',
  examples: ['sk_test_0b3f9d27c41e8a65'],
};

export const SCOPE_REQUEST: JsonSchema = {
  type: 'string',
  description:
    "Space-separated scopes (RFC 6749 §3.3), a subset of the client's; omitted or empty: all of the client's scopes.",
  examples: ['balances:read'],
};

export const AUDIENCE_REQUEST: JsonSchema = {
  type: 'string',
  description:
    "The API the token is for: its identifier becomes the token's `aud`. Omitted: the deployment's default API.",
  examples: ['https://billing.example.com/api'],
};

export const AUDIENCE_GUARDED: JsonSchema = {
  type: 'string',
  description: 'The API this location guards: a token for any other API is refused (401). Omitted: the default API.',
  examples: ['https://billing.example.com/api'],
};

/** The request body of a credentials-in-the-body token endpoint, in a dialect's spelling. */
export function tokenRequestBody(title: string, clientId = 'client_id', clientSecret = 'client_secret'): JsonSchema {
  return {
    title,
    type: 'object',
    required: [clientId, clientSecret],
    properties: {
      [clientId]: CLIENT_ID,
      [clientSecret]: CLIENT_SECRET,
      scope: SCOPE_REQUEST,
      audience: AUDIENCE_REQUEST,
    },
  };
}

export const SCOPE_GRANTED: JsonSchema = {
  type: 'string',
  description: 'The granted scopes, space-separated (RFC 6749 §3.3).',
};

export const ACCESS_TOKEN: JsonSchema = { type: 'string', description: 'An RFC 9068 JWT (`typ: at+jwt`).' };

export const BEARER: JsonSchema = { type: 'string', const: 'Bearer' };

/** The row of a door's error table the documentation needs. */
interface ErrorRow {
  status: number;
  challenge?: unknown;
}

/**
 * The error answers of one operation, one per HTTP status, read off the door's error table so
 * the document follows the table: each lists the domain codes it carries (through `label`, in
 * the door's words) and the headers `sendError` adds.
 */
export function errorResponses(
  table: Record<DomainErrorCode, ErrorRow>,
  codes: readonly DomainErrorCode[],
  envelope: JsonSchema,
  label: (code: DomainErrorCode) => string,
): Record<string, JsonSchema> {
  const byStatus = new Map<number, DomainErrorCode[]>();
  for (const code of codes) byStatus.set(table[code].status, [...(byStatus.get(table[code].status) ?? []), code]);
  const out: Record<string, JsonSchema> = {};
  for (const [status, group] of [...byStatus].sort(([a], [b]) => a - b)) {
    const headers: Record<string, JsonSchema> = { ...NO_STORE_HEADERS };
    if (group.some((c) => table[c].challenge !== undefined)) headers['WWW-Authenticate'] = CHALLENGE;
    if (group.includes('rate_limited') || group.includes('unavailable')) headers['Retry-After'] = RETRY_AFTER;
    out[String(status)] = response(group.map(label).join('; '), envelope, headers);
  }
  return out;
}
