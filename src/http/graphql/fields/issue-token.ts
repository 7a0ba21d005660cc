import { invalidField, type DomainError } from '../../../domain/errors.js';
import { scopeString } from '../../../domain/scopes.js';
import { issueToken } from '../../../usecases/issue-token.js';
import { builder } from '../builder.js';
import { issueTokenFailure } from '../errors.js';
import { credentialCheck } from '../rules/one-credential-check.js';
import { IssueTokenInput } from '../types/issue-token-input.js';
import { IssueTokenResult } from '../types/issue-token-result.js';

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
          clientId: required(input.clientId, 'client_id'),
          clientSecret: required(input.clientSecret, 'client_secret'),
          scope: input.scope ?? undefined,
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
