import { type DomainError, invalidField } from '../../../domain/errors.js';
import { scopeString } from '../../../domain/scopes.js';
import { issueToken } from '../../../usecases/issue-token.js';
import { builder } from '../builder.js';
import { type IssueTokenFailure, issueTokenFailure } from '../errors.js';
import { credentialCheck } from '../rules/one-credential-check.js';
import {
  AccessDeniedError,
  InvalidClientError,
  InvalidRequestError,
  InvalidScopeError,
  InvalidTargetError,
  RateLimitedError,
} from './error.js';

export interface TokenGrantShape {
  kind: 'TokenGrant';
  accessToken: string;
  tokenType: string;
  expiresIn: number | null;
  scope: string;
}

/** A successful client credentials exchange. @see RFC 6749 §5.1 */
export const TokenGrant = builder.objectRef<TokenGrantShape>('TokenGrant').implement({
  description: 'An access token (an RFC 9068 JWT) for the client.',
  isTypeOf: (v) => (v as TokenGrantShape).kind === 'TokenGrant',
  fields: (t) => ({
    accessToken: t.exposeString('accessToken'),
    tokenType: t.exposeString('tokenType', { description: 'Always Bearer.' }),
    expiresIn: t.exposeInt('expiresIn', { nullable: true, description: 'Lifetime in seconds.' }),
    scope: t.exposeString('scope', { description: 'The granted scopes, space-separated.' }),
  }),
});

/**
 * The client credentials. The fields are nullable on purpose: a missing one is an expected
 * failure (`InvalidRequestError` naming it), answered as data like every other.
 */
export const IssueTokenInput = builder.inputType('IssueTokenInput', {
  fields: (t) => ({
    clientId: t.string({ description: 'Required; left out, the answer is an InvalidRequestError naming it.' }),
    clientSecret: t.string({ description: 'Required; left out, the answer is an InvalidRequestError naming it.' }),
    scope: t.string({ description: 'Space-separated; omitted, all the client may have at the audience.' }),
    audience: t.string({
      description: "The API's identifier the token is for (its `aud`); omitted, the deployment's default API.",
    }),
  }),
});

/** A grant, or the expected failure: failures are data here, never top-level errors. */
export const IssueTokenResult = builder.unionType('IssueTokenResult', {
  types: [
    TokenGrant,
    InvalidRequestError,
    InvalidClientError,
    InvalidScopeError,
    InvalidTargetError,
    AccessDeniedError,
    RateLimitedError,
  ],
  resolveType: (v: TokenGrantShape | IssueTokenFailure) => v.kind,
});

const required = (value: string | null | undefined, field: string): string => {
  if (value === null || value === undefined || value === '') throw invalidField(field, 'is required');
  return value;
};

/** The client credentials grant (RFC 6749 §4.4); every expected failure is a union member. */
builder.mutationField('issueToken', (t) =>
  t.field({
    type: IssueTokenResult,
    description: 'Trades client credentials for an access token. Expected failures are returned as data.',
    extensions: credentialCheck,
    args: { input: t.arg({ type: IssueTokenInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      try {
        const token = await issueToken(ctx.deps, {
          mode: ctx.mode,
          door: 'graphql',
          clientId: required(input.clientId, 'client_id'),
          clientSecret: required(input.clientSecret, 'client_secret'),
          scope: input.scope ?? undefined,
          ...(input.audience == null ? {} : { target: { audience: [input.audience] } }),
          sourceIp: ctx.sourceIp,
          ttlSeconds: ctx.config.ttl.graphql,
        });
        ctx.metrics.tokensIssued.inc({ door: 'graphql', mode: ctx.mode });
        return {
          kind: 'TokenGrant' as const,
          accessToken: token.accessToken,
          tokenType: token.tokenType,
          expiresIn: token.expiresIn,
          scope: scopeString(token.scopes),
        };
      } catch (e) {
        const failure = issueTokenFailure(e, ctx.responseHeaders);
        ctx.metrics.failures.inc({ door: 'graphql', code: (e as DomainError).code });
        return failure;
      }
    },
  }),
);
