import { builder } from '../builder.js';
import type { IssueTokenErrorType, IssueTokenFailure } from '../errors.js';

/**
 * `interface Error` and the failures of `issueToken` that implement it. They are one family,
 * told apart only by their name and an extra field or two, so they share this file.
 */
export const ErrorInterface = builder.interfaceRef<IssueTokenFailure>('Error').implement({
  description: 'An expected failure, returned as data.',
  resolveType: (e) => e.kind,
  fields: (t) => ({
    code: t.exposeString('code', { description: 'Stable code to branch on, e.g. INVALID_CLIENT.' }),
    message: t.exposeString('message', { description: 'Human-readable; never quotes a secret.' }),
  }),
});

const failure = (name: IssueTokenErrorType, description: string) =>
  builder.objectRef<IssueTokenFailure>(name).implement({
    description,
    interfaces: [ErrorInterface],
    isTypeOf: (v) => (v as IssueTokenFailure).kind === name,
  });

export const InvalidRequestError = builder.objectRef<IssueTokenFailure>('InvalidRequestError').implement({
  description: 'The input is missing a field or has one of the wrong shape.',
  interfaces: [ErrorInterface],
  isTypeOf: (v) => (v as IssueTokenFailure).kind === 'InvalidRequestError',
  fields: (t) => ({
    field: t.exposeString('field', {
      nullable: true,
      description: 'The input field at fault, as this schema names it.',
    }),
  }),
});

export const InvalidClientError = failure(
  'InvalidClientError',
  'Unknown client, wrong secret, disabled client, or a client of the other mode.',
);

export const InvalidScopeError = failure('InvalidScopeError', 'A scope was asked for that the client does not hold.');

export const InvalidTargetError = failure(
  'InvalidTargetError',
  'The audience asked for is no API of this mode that the client holds a grant for, or is no absolute URI.',
);

export const AccessDeniedError = failure(
  'AccessDeniedError',
  "The caller's address is outside the client's allowlist.",
);

export const RateLimitedError = builder.objectRef<IssueTokenFailure>('RateLimitedError').implement({
  description: 'Too many failed attempts for this client from this address, or from this address overall.',
  interfaces: [ErrorInterface],
  isTypeOf: (v) => (v as IssueTokenFailure).kind === 'RateLimitedError',
  fields: (t) => ({
    retryAfterSeconds: t.int({
      description: 'Seconds until the lock ends; also sent as the Retry-After header.',
      resolve: (e) => e.retryAfterSeconds ?? 0,
    }),
  }),
});
