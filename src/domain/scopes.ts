import { DomainError, invalidField } from './errors.js';

/** RFC 6749 §3.3 scope-token: printable ASCII except space, `"` and `\`. */
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;
export const MAX_SCOPES = 100;

/** Parses a space-delimited scope string (RFC 6749 §3.3), dropping duplicates, keeping order. */
export function parseScopeString(raw: string, field = 'scope'): string[] {
  const parts = raw.split(' ').filter((s) => s.length > 0);
  for (const p of parts) {
    if (!SCOPE_TOKEN.test(p) || p.length > 200) throw invalidField(field, 'holds an invalid scope token');
  }
  const unique = [...new Set(parts)];
  if (unique.length > MAX_SCOPES) throw invalidField(field, `holds more than ${MAX_SCOPES} scopes`);
  return unique;
}

/**
 * The scopes a token gets: all of the client's when none are asked, else the asked ones, which
 * must all be the client's.
 * @see RFC 6749 §3.3
 */
export function grantScopes(clientScopes: readonly string[], requested: readonly string[] | undefined): string[] {
  if (requested === undefined || requested.length === 0) return [...clientScopes];
  const allowed = new Set(clientScopes);
  const outside = requested.filter((s) => !allowed.has(s));
  if (outside.length > 0) {
    throw new DomainError('invalid_scope', `Scope not allowed for this client: ${outside.join(' ')}`, {
      field: 'scope',
    });
  }
  return [...requested];
}

export const scopeString = (scopes: readonly string[]): string => scopes.join(' ');
