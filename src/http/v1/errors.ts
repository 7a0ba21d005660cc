import type { DomainError, DomainErrorCode } from '../../domain/errors.js';
import type { Rendered } from '../door.js';

interface V1Row {
  status: number;
  code: string;
  codeReason: string;
}

/**
 * The v1 error table (spec §3 v1, seed 003). Rows the spec does not list follow its numbering:
 * HTTP status, then a detail number.
 */
export const V1_ERRORS = {
  invalid_request: { status: 400, code: '400013', codeReason: 'invalid_request' },
  invalid_scope: { status: 400, code: '400014', codeReason: 'invalid_scope' },
  invalid_target: { status: 400, code: '400015', codeReason: 'invalid_target' },
  // v1 issues no refresh tokens, so this is never answered; 400015 is invalid_target's (spec §8).
  invalid_grant: { status: 400, code: '400017', codeReason: 'invalid_grant' },
  unsupported_grant_type: { status: 400, code: '400016', codeReason: 'unsupported_grant_type' },
  invalid_client: { status: 401, code: '401021', codeReason: 'invalid_client' },
  invalid_token: { status: 401, code: '401022', codeReason: 'invalid_token' },
  missing_token: { status: 401, code: '401023', codeReason: 'missing_token' },
  access_denied: { status: 403, code: '403001', codeReason: 'access_denied' },
  insufficient_scope: { status: 403, code: '403002', codeReason: 'insufficient_scope' },
  not_found: { status: 404, code: '404001', codeReason: 'not_found' },
  rate_limited: { status: 429, code: '429001', codeReason: 'too_many_requests' },
  unavailable: { status: 503, code: '503001', codeReason: 'service_unavailable' },
  server_error: { status: 500, code: '500999', codeReason: 'API_ERROR' },
} satisfies Record<DomainErrorCode, V1Row>;

/** Seed 003's own sentences, kept word for word. */
function v1Message(e: DomainError): string {
  if (e.code === 'invalid_request' && e.details.field) return `Missing or invalid parameters: ${e.details.field}`;
  if (e.code === 'invalid_client' && e.details.reason === 'bad_credentials')
    return 'Invalid client_id, client_secret, or session_key';
  if (e.code === 'server_error') return 'Api Error, please contact customer service';
  return e.message;
}

export function renderV1(e: DomainError): Rendered {
  const row = V1_ERRORS[e.code];
  return {
    status: row.status,
    body: { error: { code: row.code, code_reason: row.codeReason, message: v1Message(e) } },
  };
}
