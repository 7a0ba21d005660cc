import { describe, expect, it } from 'vitest';
import {
  cappedTtl,
  checkApiIdentifier,
  checkGrantPermissions,
  checkPermissions,
  grantPermissions,
  isAbsoluteUri,
  requestedAudience,
  tokenStillGranted,
  type Api,
  type Target,
} from '../../src/domain/api.js';
import { DomainError } from '../../src/domain/errors.js';

const api = (permissions: string[], extra: Partial<Api> = {}): Api => ({
  id: 'api_1',
  identifier: 'https://billing.example.com/api',
  name: 'Billing',
  mode: 'live',
  permissions: permissions.map((name) => ({ name, description: '' })),
  tokenTtlSeconds: null,
  alg: null,
  createdAt: 0,
  updatedAt: 0,
  ...extra,
});
const target = (apiPermissions: string[], granted: string[]): Target => ({
  api: api(apiPermissions),
  grant: { clientId: 'cl_live_x', apiId: 'api_1', permissions: granted, createdAt: 0, updatedAt: 0 },
});
const codeOf = (run: () => unknown): string | undefined => {
  try {
    run();
  } catch (e) {
    return e instanceof DomainError ? e.code : 'not a DomainError';
  }
  return undefined;
};

describe('API identifiers (RFC 8707 §2: absolute URI, no fragment)', () => {
  it.each(['https://billing.example.com/api', 'urn:example:billing', 'https://x.example/a?b=c'])(
    'accepts %s',
    (uri) => {
      expect(isAbsoluteUri(uri)).toBe(true);
      expect(checkApiIdentifier(uri)).toBe(uri);
    },
  );
  it.each([
    '/api',
    'billing',
    'https://x.example/#frag',
    'https://x.example/ a',
    '',
    `https://x.example/${'a'.repeat(250)}`,
  ])('refuses %j', (uri) => {
    expect(isAbsoluteUri(uri)).toBe(false);
    expect(codeOf(() => checkApiIdentifier(uri))).toBe('invalid_request');
  });
});

describe('what a token request names', () => {
  it('nothing: the default API', () => expect(requestedAudience({})).toBeUndefined());
  it('resource or audience alone, or both the same', () => {
    const uri = 'https://billing.example.com/api';
    expect(requestedAudience({ resource: [uri] })).toBe(uri);
    expect(requestedAudience({ audience: [uri] })).toBe(uri);
    expect(requestedAudience({ resource: [uri], audience: [uri] })).toBe(uri);
  });
  it('two values of either is invalid_target', () => {
    expect(codeOf(() => requestedAudience({ resource: ['https://a.example', 'https://b.example'] }))).toBe(
      'invalid_target',
    );
    expect(codeOf(() => requestedAudience({ audience: ['https://a.example', 'https://a.example'] }))).toBe(
      'invalid_target',
    );
  });
  it('a resource that is no absolute URI, or has a fragment, is invalid_target', () => {
    expect(codeOf(() => requestedAudience({ resource: ['billing'] }))).toBe('invalid_target');
    expect(codeOf(() => requestedAudience({ resource: ['https://a.example/#x'] }))).toBe('invalid_target');
  });
  it('resource and audience that differ are invalid_request', () => {
    expect(codeOf(() => requestedAudience({ resource: ['https://a.example'], audience: ['https://b.example'] }))).toBe(
      'invalid_request',
    );
  });
});

describe('permissions', () => {
  it('an API lists scope tokens once each, none of them reserved', () => {
    expect(checkPermissions([{ name: 'invoices:read', description: ' Read invoices ' }])).toEqual([
      { name: 'invoices:read', description: 'Read invoices' },
    ]);
    expect(
      codeOf(() =>
        checkPermissions([
          { name: 'a', description: '' },
          { name: 'a', description: '' },
        ]),
      ),
    ).toBe('invalid_request');
    expect(codeOf(() => checkPermissions([{ name: 'a b', description: '' }]))).toBe('invalid_request');
    expect(codeOf(() => checkPermissions([{ name: 'tollgate:admin', description: '' }]))).toBe('invalid_request');
    expect(codeOf(() => checkPermissions([{ name: 'a', description: 'x\u0000' }]))).toBe('invalid_request');
  });
  it("a grant holds only the API's permissions", () => {
    expect(checkGrantPermissions(api(['a', 'b']), ['b'])).toEqual(['b']);
    expect(codeOf(() => checkGrantPermissions(api(['a']), ['c']))).toBe('invalid_request');
  });
  it('a token gets all granted permissions, or the asked ones inside the grant', () => {
    expect(grantPermissions(target(['a', 'b', 'c'], ['a', 'b']), undefined)).toEqual(['a', 'b']);
    expect(grantPermissions(target(['a', 'b', 'c'], ['a', 'b']), ['b'])).toEqual(['b']);
    expect(codeOf(() => grantPermissions(target(['a', 'b', 'c'], ['a']), ['c']))).toBe('invalid_scope');
  });
  it('a permission the API lost is no longer given by its grants', () => {
    expect(grantPermissions(target(['a'], ['a', 'b']), undefined)).toEqual(['a']);
    expect(codeOf(() => grantPermissions(target(['a'], ['a', 'b']), ['b']))).toBe('invalid_scope');
  });
});

describe('a token still holds while its grant does', () => {
  it('every permission it carries still granted', () => {
    expect(tokenStillGranted(target(['a', 'b'], ['a', 'b']), ['a'])).toBe(true);
    expect(tokenStillGranted(target(['a', 'b'], ['a']), ['a', 'b'])).toBe(false);
  });
  it('no grant or no API: dead', () => expect(tokenStillGranted(undefined, [])).toBe(false));
  it('a permission removed from the API: dead', () =>
    expect(tokenStillGranted(target(['a'], ['a', 'b']), ['b'])).toBe(false));
});

describe('lifetime cap', () => {
  it('the lower of the door and the API, and the cap for a door without exp', () => {
    expect(cappedTtl(3600, { tokenTtlSeconds: 300 })).toBe(300);
    expect(cappedTtl(60, { tokenTtlSeconds: 300 })).toBe(60);
    expect(cappedTtl(null, { tokenTtlSeconds: 300 })).toBe(300);
    expect(cappedTtl(null, { tokenTtlSeconds: null })).toBeNull();
    expect(cappedTtl(3600, undefined)).toBe(3600);
  });
});
