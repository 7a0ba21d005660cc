import { DomainError, invalidField } from './errors.js';

/** RFC 6749 §3.3 scope-token: printable ASCII except space, `"` and `\`. */
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;
export const MAX_SCOPES = 100;

export const SCOPE_TOKEN_MAX = 200;

/**
 * Why one scope is refused (RFC 6749 §3.3 scope-token), in words that follow the scope; undefined
 * when it is good. The one wording of these reasons.
 */
export function scopeTokenProblem(token: string): string | undefined {
  if (token.length > SCOPE_TOKEN_MAX) return `a scope is at most ${SCOPE_TOKEN_MAX} characters`;
  if (!SCOPE_TOKEN.test(token)) return 'a scope is printable ASCII without spaces, " or \\';
  return undefined;
}

/** Parses a space-delimited scope string (RFC 6749 §3.3), dropping duplicates, keeping order. */
export function parseScopeString(raw: string, field = 'scope'): string[] {
  const parts = raw.split(' ').filter((s) => s.length > 0);
  for (const p of parts) {
    if (scopeTokenProblem(p) !== undefined) throw invalidField(field, 'holds an invalid scope token');
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
