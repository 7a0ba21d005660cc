import type { DomainError, DomainErrorCode } from '../../domain/errors.js';
import type { Rendered } from '../door.js';

/** gRPC canonical codes used by the v2 dialect. */
const INVALID_ARGUMENT = 3;
const NOT_FOUND = 5;
const PERMISSION_DENIED = 7;
const RESOURCE_EXHAUSTED = 8;
const INTERNAL = 13;
const UNAVAILABLE = 14;
const UNAUTHENTICATED = 16;

type Detail = 'bad_request' | 'retry_info' | { reason: string };

interface V2Row {
  status: number;
  grpc: number;
  detail: Detail;
}

/** The v2 error table (spec §3 v2, seed 002): google.rpc.Status bodies. */
export const V2_ERRORS = {
  invalid_request: { status: 400, grpc: INVALID_ARGUMENT, detail: 'bad_request' },
  invalid_scope: { status: 400, grpc: INVALID_ARGUMENT, detail: { reason: 'INVALID_SCOPE' } },
  invalid_target: { status: 400, grpc: INVALID_ARGUMENT, detail: { reason: 'INVALID_TARGET' } },
  invalid_grant: { status: 400, grpc: INVALID_ARGUMENT, detail: { reason: 'INVALID_GRANT' } },
  unsupported_grant_type: { status: 400, grpc: INVALID_ARGUMENT, detail: { reason: 'UNSUPPORTED_GRANT_TYPE' } },
  invalid_client: { status: 401, grpc: UNAUTHENTICATED, detail: { reason: 'INVALID_CLIENT' } },
  invalid_token: { status: 401, grpc: UNAUTHENTICATED, detail: { reason: 'INVALID_TOKEN' } },
  missing_token: { status: 401, grpc: UNAUTHENTICATED, detail: { reason: 'MISSING_TOKEN' } },
  access_denied: { status: 403, grpc: PERMISSION_DENIED, detail: { reason: 'IP_NOT_ALLOWED' } },
  insufficient_scope: { status: 403, grpc: PERMISSION_DENIED, detail: { reason: 'INSUFFICIENT_SCOPE' } },
  not_found: { status: 404, grpc: NOT_FOUND, detail: { reason: 'NOT_FOUND' } },
  rate_limited: { status: 429, grpc: RESOURCE_EXHAUSTED, detail: 'retry_info' },
  server_error: { status: 500, grpc: INTERNAL, detail: { reason: 'INTERNAL' } },
  unavailable: { status: 503, grpc: UNAVAILABLE, detail: 'retry_info' },
} satisfies Record<DomainErrorCode, V2Row>;

/** Domain field names as the v2 wire spells them. */
const WIRE_FIELDS: Record<string, string> = { client_id: 'clientId', client_secret: 'clientSecret' };
export const v2Field = (domainField: string): string => WIRE_FIELDS[domainField] ?? domainField;

const TYPE = 'type.googleapis.com/google.rpc.';

function detail(row: V2Row, e: DomainError): Record<string, unknown> {
  if (row.detail === 'bad_request') {
    const field = e.details.field ? v2Field(e.details.field) : 'body';
    return { '@type': `${TYPE}BadRequest`, fieldViolations: [{ field, description: message(e) }] };
  }
  if (row.detail === 'retry_info')
    return { '@type': `${TYPE}RetryInfo`, retryDelay: `${e.details.retryAfterSeconds ?? 0}s` };
  return { '@type': `${TYPE}ErrorInfo`, reason: row.detail.reason, domain: 'tollgate' };
}

/** Field names in messages follow the wire too. */
function message(e: DomainError): string {
  const f = e.details.field;
  return f && e.message.startsWith(`${f} `) ? v2Field(f) + e.message.slice(f.length) : e.message;
}

export function renderV2(e: DomainError): Rendered {
  const row = V2_ERRORS[e.code];
  return { status: row.status, body: { code: row.grpc, message: message(e), details: [detail(row, e)] } };
}
