import { describe, expect, it } from 'vitest';
import { DomainError } from '../../src/domain/errors.js';
import { grantScopes, MAX_SCOPES, parseScopeString, scopeString, scopeTokenProblem } from '../../src/domain/scopes.js';

function thrown(fn: () => unknown): DomainError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(DomainError);
    return e as DomainError;
  }
  throw new Error('expected a DomainError, nothing was thrown');
}

describe('parseScopeString', () => {
  it('splits on spaces, ignores repeated spaces, drops duplicates and keeps order', () => {
    expect(parseScopeString('  write read  write balances:read ')).toEqual(['write', 'read', 'balances:read']);
  });

  it('returns an empty list for an empty string', () => {
    expect(parseScopeString('')).toEqual([]);
  });

  it('accepts every RFC 6749 scope-token character', () => {
    expect(parseScopeString('a!#[]^~:/.*')).toEqual(['a!#[]^~:/.*']);
  });

  it.each([
    ['a double quote', 'read "write"'],
    ['a backslash', 'read wr\\ite'],
    ['a tab', 'read\twrite'],
    ['a newline', 'read\nwrite'],
    ['a NUL', 'read\u0000'],
    ['a non-ASCII letter', 'lecture:é'],
  ])('rejects %s with invalid_request naming the field', (_label, raw) => {
    const err = thrown(() => parseScopeString(raw));
    expect(err.code).toBe('invalid_request');
    expect(err.details.field).toBe('scope');
  });

  it('names the given field', () => {
    expect(thrown(() => parseScopeString('bad"', 'scopes')).details.field).toBe('scopes');
  });

  it('rejects a token longer than 200 characters', () => {
    expect(parseScopeString('a'.repeat(200))).toHaveLength(1);
    expect(thrown(() => parseScopeString('a'.repeat(201))).code).toBe('invalid_request');
  });

  it(`rejects more than ${MAX_SCOPES} distinct scopes`, () => {
    const many = (n: number) => Array.from({ length: n }, (_, i) => `s${i}`).join(' ');
    expect(parseScopeString(many(MAX_SCOPES))).toHaveLength(MAX_SCOPES);
    expect(thrown(() => parseScopeString(many(MAX_SCOPES + 1))).code).toBe('invalid_request');
  });
});

describe('grantScopes', () => {
  const client = ['read', 'write', 'admin'];

  it('grants all of the client scopes when none are asked', () => {
    expect(grantScopes(client, undefined)).toEqual(client);
    expect(grantScopes(client, [])).toEqual(client);
  });

  it('returns a copy, not the client array itself', () => {
    const granted = grantScopes(client, undefined);
    granted.push('extra');
    expect(client).toEqual(['read', 'write', 'admin']);
  });

  it('grants a subset as asked', () => {
    expect(grantScopes(client, ['write', 'read'])).toEqual(['write', 'read']);
  });

  it('refuses any scope outside the client with invalid_scope naming it', () => {
    const err = thrown(() => grantScopes(client, ['read', 'delete']));
    expect(err.code).toBe('invalid_scope');
    expect(err.details.field).toBe('scope');
    expect(err.message).toContain('delete');
    expect(err.message).not.toContain('write');
  });

  it('refuses any scope for a client without scopes', () => {
    expect(thrown(() => grantScopes([], ['read'])).code).toBe('invalid_scope');
    expect(grantScopes([], undefined)).toEqual([]);
  });

  it('parse then grant: invalid characters are invalid_request, not invalid_scope', () => {
    expect(thrown(() => grantScopes(client, parseScopeString('read\\'))).code).toBe('invalid_request');
  });
});

describe('scopeString', () => {
  it('joins with single spaces', () => {
    expect(scopeString(['a', 'b', 'c'])).toBe('a b c');
    expect(scopeString([])).toBe('');
  });
});

describe('scopeTokenProblem: the words for a bad scope', () => {
  it('is undefined exactly for the scopes parseScopeString takes', () => {
    expect(scopeTokenProblem('invoices:read')).toBeUndefined();
    expect(scopeTokenProblem('a'.repeat(200))).toBeUndefined();
    expect(scopeTokenProblem('a'.repeat(201))).toBe('a scope is at most 200 characters');
    for (const bad of ['a"b', 'a\\b', 'tab\there', 'é']) {
      expect(scopeTokenProblem(bad), bad).toBe('a scope is printable ASCII without spaces, " or \\');
      expect(() => parseScopeString(bad)).toThrow('holds an invalid scope token');
    }
  });
});
