import { builder } from '../builder.js';
import type { IssueTokenFailure } from '../errors.js';
import { AccessDeniedError, InvalidClientError, InvalidRequestError, InvalidScopeError, RateLimitedError } from './error.js';
import { TokenGrant, type TokenGrantShape } from './token-grant.js';

/** A grant, or the expected failure: failures are data here, never top-level errors. */
export const IssueTokenResult = builder.unionType('IssueTokenResult', {
  types: [TokenGrant, InvalidRequestError, InvalidClientError, InvalidScopeError, AccessDeniedError, RateLimitedError],
  resolveType: (v: TokenGrantShape | IssueTokenFailure) => v.kind,
});
