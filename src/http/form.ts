import type { FastifyInstance } from 'fastify';
import { DomainError } from '../domain/errors.js';

export type WireBody = Record<string, unknown>;

/**
 * `application/x-www-form-urlencoded` with repeated parameters kept as arrays, so the field
 * reader can refuse them (RFC 6749 §3.2: parameters must not be included more than once).
 */
export function parseForm(text: string): WireBody {
  if (/%(?![0-9A-Fa-f]{2})/.test(text)) throw new DomainError('invalid_request', 'Request body is malformed');
  const out: WireBody = Object.create(null);
  for (const [key, value] of new URLSearchParams(text)) {
    const seen = out[key];
    out[key] = seen === undefined ? value : Array.isArray(seen) ? [...seen, value] : [seen, value];
  }
  return out;
}

export function acceptForm(app: FastifyInstance): void {
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    try {
      done(null, parseForm(body as string));
    } catch (e) {
      done(e as Error, undefined);
    }
  });
}

export function acceptJson(app: FastifyInstance): void {
  app.addContentTypeParser('application/json', { parseAs: 'string' }, app.getDefaultJsonParser('error', 'error'));
}

/** A body as a plain record, or an empty one: a JSON array, string or null holds no fields. */
export function bodyRecord(body: unknown): WireBody {
  if (body === undefined || body === null) return Object.create(null);
  if (typeof body !== 'object' || Array.isArray(body)) {
    throw new DomainError('invalid_request', 'Request body must be an object');
  }
  return body as WireBody;
}

/** A required string field; arrays, objects, numbers and repeats are refused, naming the field. */
export function requiredString(body: WireBody, wire: string, domainField = wire): string {
  const v = optionalString(body, wire, domainField);
  if (v === undefined || v === '') throw new DomainError('invalid_request', `${wire} is required`, { field: domainField });
  return v;
}

export function optionalString(body: WireBody, wire: string, domainField = wire): string | undefined {
  if (!Object.hasOwn(body, wire)) return undefined;
  const v = body[wire];
  if (v === undefined || v === null) return undefined;
  if (Array.isArray(v)) throw new DomainError('invalid_request', `${wire} must be given once`, { field: domainField });
  if (typeof v !== 'string') throw new DomainError('invalid_request', `${wire} must be a string`, { field: domainField });
  return v;
}
