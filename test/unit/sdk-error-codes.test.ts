import { describe, expect, it } from 'vitest';
import { CLIENT_ERROR_CODES, SERVER_ERROR_CODES, TOKEN_ERROR_CODES } from '../../packages/client/src/errors.js';
import { DOMAIN_ERROR_CODES } from '../../src/domain/errors.js';

/**
 * One closed set of error codes across the two packages: the SDK's server-sent codes are the
 * server's domain codes, no more and no fewer, so a code added or dropped on either side fails
 * here until the other side follows. The SDK's own codes (no answer, a malformed answer) are a
 * separate list that no server code may share.
 */

const sorted = (codes: readonly string[]): string[] => [...codes].sort();
const duplicates = (codes: readonly string[]): string[] => codes.filter((c, i) => codes.indexOf(c) !== i);

describe('the SDK error codes and the server domain codes', () => {
  it('the SDK names exactly the server domain codes as server codes', () => {
    expect(sorted(SERVER_ERROR_CODES)).toEqual(sorted(DOMAIN_ERROR_CODES));
  });

  it('neither list names a code twice', () => {
    expect(duplicates(DOMAIN_ERROR_CODES)).toEqual([]);
    expect(duplicates(SERVER_ERROR_CODES)).toEqual([]);
    expect(duplicates(TOKEN_ERROR_CODES)).toEqual([]);
  });

  it('the client-only codes are the two the SDK documents, and none is a server code', () => {
    expect(sorted(CLIENT_ERROR_CODES)).toEqual(['invalid_response', 'network_error']);
    const server: readonly string[] = DOMAIN_ERROR_CODES;
    expect(CLIENT_ERROR_CODES.filter((c) => server.includes(c))).toEqual([]);
  });

  it('the public TOKEN_ERROR_CODES is the server codes and the client-only codes, nothing else', () => {
    expect(sorted(TOKEN_ERROR_CODES)).toEqual(sorted([...DOMAIN_ERROR_CODES, ...CLIENT_ERROR_CODES]));
  });
});
