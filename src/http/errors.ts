import type { FastifyBaseLogger } from 'fastify';
import { DomainError, isDomainError } from '../domain/errors.js';

/**
 * Turns anything thrown inside a door into a domain error: framework rejections of the request
 * (bad JSON, wrong content type, oversized body) become `invalid_request`; anything unexpected is
 * logged and masked as `server_error`.
 */
export function toDomainError(err: unknown, log: FastifyBaseLogger): DomainError {
  if (isDomainError(err)) return err;
  const e = err as { statusCode?: number; code?: string; message?: string };
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    return new DomainError(
      'invalid_request',
      frameworkMessage(e),
      e.statusCode === 413 ? { reason: 'body_too_large' } : {},
    );
  }
  log.error({ err }, 'unexpected error');
  return new DomainError('server_error', 'Internal error');
}

/** Framework messages can quote the body; only their kind is passed on. */
function frameworkMessage(e: { statusCode?: number; code?: string }): string {
  switch (e.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return 'Request body is too large';
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return 'Unsupported Content-Type';
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return 'Request body is empty';
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return 'Request body is malformed';
    default:
      return e.statusCode === 415 ? 'Unsupported Content-Type' : 'Malformed request';
  }
}
