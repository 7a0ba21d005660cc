import type { FastifyInstance, FastifyRequest } from 'fastify';
import { DomainError } from '../domain/errors.js';
import { repeatsAKey } from './json.js';

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

export const repeatedKey = (): DomainError =>
  new DomainError('invalid_request', 'Request body names a key more than once');

type JsonDone = (err: Error | null, value?: unknown) => void;

/**
 * Fastify's JSON parser (which refuses `__proto__` and `constructor` keys), then a refusal of
 * any key named twice: JSON.parse would silently keep the last one.
 */
export function strictJsonParser(app: FastifyInstance): (req: FastifyRequest, text: string, done: JsonDone) => void {
  const parse = app.getDefaultJsonParser('error', 'error');
  return (req, text, done) =>
    parse(req, text, (err: Error | null, value?: unknown) => {
      if (err) return done(err);
      if (repeatsAKey(text)) return done(repeatedKey());
      done(null, value);
    });
}

export function acceptJson(app: FastifyInstance): void {
  const parse = strictJsonParser(app);
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) =>
    parse(req, body as string, done),
  );
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
  if (v === undefined || v === '')
    throw new DomainError('invalid_request', `${wire} is required`, { field: domainField });
  return v;
}

export function optionalString(body: WireBody, wire: string, domainField = wire): string | undefined {
  if (!Object.hasOwn(body, wire)) return undefined;
  const v = body[wire];
  if (v === undefined || v === null) return undefined;
  if (Array.isArray(v)) throw new DomainError('invalid_request', `${wire} must be given once`, { field: domainField });
  if (typeof v !== 'string')
    throw new DomainError('invalid_request', `${wire} must be a string`, { field: domainField });
  return v;
}

/**
 * A field that may be repeated (RFC 8707 `resource`): each value, in order; undefined when absent.
 * A JSON array counts as its values; anything but strings is refused, naming the field.
 */
export function stringValues(body: WireBody, wire: string, domainField = wire): string[] | undefined {
  if (!Object.hasOwn(body, wire)) return undefined;
  const v = body[wire];
  if (v === undefined || v === null) return undefined;
  const values = Array.isArray(v) ? v : [v];
  if (!values.every((x): x is string => typeof x === 'string')) {
    throw new DomainError('invalid_request', `${wire} must be a string`, { field: domainField });
  }
  return values;
}
