import { createGraphQLError } from 'graphql-yoga';
import { isDomainError, type DomainError, type DomainErrorCode } from '../../domain/errors.js';

/** The members of `IssueTokenResult` that are failures. */
export type IssueTokenErrorType =
  | 'InvalidRequestError'
  | 'InvalidClientError'
  | 'InvalidScopeError'
  | 'InvalidTargetError'
  | 'AccessDeniedError'
  | 'RateLimitedError';

interface GraphQLRow {
  /**
   * How a failure of `issueToken` is answered as data: the union member and its `code`. Null when
   * the code is no expected failure of a credential exchange; it is then a top-level error.
   */
  member: { type: IssueTokenErrorType; code: string } | null;
  /** `extensions.code` of a top-level error of a field (the Bearer-protected ones). */
  code: string;
  /** HTTP status and `extensions.code` when the failure rejects the whole request before GraphQL runs. */
  request: [status: number, code: string];
}

/**
 * The GraphQL error table (spec §5): every domain code, once. Expected failures of `issueToken`
 * are union members; everything else is a top-level error with `extensions.code`.
 */
export const GRAPHQL_ERRORS = {
  invalid_request: {
    member: { type: 'InvalidRequestError', code: 'INVALID_REQUEST' },
    code: 'BAD_USER_INPUT',
    request: [400, 'BAD_REQUEST'],
  },
  invalid_client: {
    member: { type: 'InvalidClientError', code: 'INVALID_CLIENT' },
    code: 'UNAUTHENTICATED',
    request: [401, 'UNAUTHENTICATED'],
  },
  invalid_grant: { member: null, code: 'BAD_USER_INPUT', request: [400, 'BAD_REQUEST'] },
  unsupported_grant_type: { member: null, code: 'BAD_USER_INPUT', request: [400, 'BAD_REQUEST'] },
  invalid_scope: {
    member: { type: 'InvalidScopeError', code: 'INVALID_SCOPE' },
    code: 'BAD_USER_INPUT',
    request: [400, 'BAD_REQUEST'],
  },
  invalid_target: {
    member: { type: 'InvalidTargetError', code: 'INVALID_TARGET' },
    code: 'BAD_USER_INPUT',
    request: [400, 'BAD_REQUEST'],
  },
  access_denied: {
    member: { type: 'AccessDeniedError', code: 'ACCESS_DENIED' },
    code: 'FORBIDDEN',
    request: [403, 'FORBIDDEN'],
  },
  rate_limited: {
    member: { type: 'RateLimitedError', code: 'RATE_LIMITED' },
    code: 'RATE_LIMITED',
    request: [429, 'RATE_LIMITED'],
  },
  invalid_token: { member: null, code: 'UNAUTHENTICATED', request: [401, 'UNAUTHENTICATED'] },
  missing_token: { member: null, code: 'UNAUTHENTICATED', request: [401, 'UNAUTHENTICATED'] },
  insufficient_scope: { member: null, code: 'FORBIDDEN', request: [403, 'FORBIDDEN'] },
  not_found: { member: null, code: 'NOT_FOUND', request: [404, 'NOT_FOUND'] },
  server_error: { member: null, code: 'INTERNAL_SERVER_ERROR', request: [500, 'INTERNAL_SERVER_ERROR'] },
  unavailable: { member: null, code: 'UNAVAILABLE', request: [503, 'UNAVAILABLE'] },
} satisfies Record<DomainErrorCode, GraphQLRow>;

/** Domain field names as this schema spells them. */
const WIRE_FIELDS: Record<string, string> = {
  client_id: 'clientId',
  client_secret: 'clientSecret',
  allowed_ips: 'allowedIps',
  org_id: 'orgId',
  org: 'orgId',
  grace: 'graceSeconds',
  tokens_per_minute: 'tokensPerMinute',
  idempotency_key: 'Idempotency-Key',
};
export const wireField = (domainField: string): string => WIRE_FIELDS[domainField] ?? domainField;

/** Messages name fields the way the schema does. */
export function wireMessage(e: DomainError): string {
  const f = e.details.field;
  return f && e.message.startsWith(`${f} `) ? wireField(f) + e.message.slice(f.length) : e.message;
}

/** An `IssueTokenResult` failure member, as the resolvers hand it to GraphQL. */
export interface IssueTokenFailure {
  kind: IssueTokenErrorType;
  code: string;
  message: string;
  field: string | null;
  retryAfterSeconds: number | null;
}

/**
 * A failure of `issueToken` as data. Anything that is no expected failure (an unknown error)
 * is thrown on, to be masked. A lockout also sets `Retry-After` on the HTTP answer.
 */
export function issueTokenFailure(err: unknown, responseHeaders: Record<string, string>): IssueTokenFailure {
  if (!isDomainError(err)) throw err;
  const member = GRAPHQL_ERRORS[err.code].member;
  if (!member) throw toGraphQLError(err);
  const retryAfter = err.details.retryAfterSeconds ?? null;
  if (retryAfter !== null) responseHeaders['retry-after'] = String(retryAfter);
  return {
    kind: member.type,
    code: member.code,
    message: wireMessage(err),
    field: err.details.field === undefined ? null : wireField(err.details.field),
    retryAfterSeconds: retryAfter,
  };
}

/**
 * A domain error as a top-level GraphQL error with `extensions.code` (and `field` for bad input);
 * anything else passes through untouched, and yoga masks it. Made by yoga's `createGraphQLError`
 * so that it is of the very class yoga checks against (graphql ships both a CJS and an ESM
 * build, and a test runner can load both).
 */
export function toGraphQLError(err: unknown): unknown {
  if (!isDomainError(err)) return err;
  const extensions: Record<string, unknown> = { code: GRAPHQL_ERRORS[err.code].code };
  if (err.details.field !== undefined) extensions.field = wireField(err.details.field);
  if (err.details.retryAfterSeconds !== undefined) extensions.retryAfterSeconds = err.details.retryAfterSeconds;
  // A store that cannot answer makes the whole answer a 503 with Retry-After, as at every door
  // (yoga reads `extensions.http` for the response and leaves it out of the body).
  if (err.code === 'unavailable') {
    extensions.http = { status: 503, headers: { 'retry-after': String(err.details.retryAfterSeconds ?? 1) } };
  }
  return createGraphQLError(wireMessage(err), { extensions });
}

/** Runs a resolver body, turning its domain errors into top-level GraphQL errors. */
export async function guarded<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    throw toGraphQLError(e);
  }
}

/** A request error as a door's `Rendered` answer, for errors raised before any route runs. */
export const renderGraphQLRequest = (e: DomainError): { status: number; body: unknown } => requestError(e);

export interface RequestError {
  status: number;
  body: { errors: Array<{ message: string; extensions: { code: string } }> };
}

/**
 * A request refused before GraphQL runs (unknown path, wrong content type, oversized body), as a
 * GraphQL-over-HTTP request error: `errors` and no `data`. 413 and 415 keep their own status.
 */
export function requestError(e: DomainError, httpStatus?: number): RequestError {
  const [status, code] = GRAPHQL_ERRORS[e.code].request;
  const keep = httpStatus === 413 || httpStatus === 415;
  return { status: keep ? httpStatus : status, body: { errors: [{ message: wireMessage(e), extensions: { code } }] } };
}
