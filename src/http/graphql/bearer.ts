import { DomainError } from '../../domain/errors.js';
import type { OperatorPrincipal, Principal } from '../../domain/access.js';
import type { AccessTokenClaims } from '../../domain/token.js';
import { sessionPrincipal } from '../../usecases/panel-sessions.js';
import { authenticateBearer, bearerClaims, type ValidToken } from '../../usecases/verify-bearer.js';
import type { GraphQLContext } from './context.js';

/**
 * The core's one Bearer check, for this operation's mode and source address. Called by every
 * protected field itself, so a token that dies mid-operation (its own secret rotated) is refused
 * by the fields after it.
 */
export function bearer(ctx: GraphQLContext): Promise<ValidToken & { scopes: string[] }> {
  return authenticateBearer(ctx.deps, {
    mode: ctx.mode,
    door: 'graphql',
    authorization: ctx.authorization,
    sourceIp: ctx.sourceIp,
  });
}

/**
 * The claims of the request's Bearer token when its signature, type, issuer, audience and expiry
 * hold, whatever the client's state: only for replaying an answer the token itself asked for.
 */
export async function signedClaims(ctx: GraphQLContext): Promise<AccessTokenClaims | undefined> {
  return bearerClaims(ctx.deps, { mode: ctx.mode, authorization: ctx.authorization });
}

/**
 * The signed-in operator of the panel's session cookie. A cookie rides along on any request a
 * browser makes, a cross-site one too, so it counts only on a request the panel's own page made
 * (spec §5): refused otherwise, before anything is read or changed.
 */
export async function operator(ctx: GraphQLContext): Promise<OperatorPrincipal> {
  if (ctx.sessionCookie === undefined) throw new DomainError('missing_token', 'Sign in to the panel first');
  if (!ctx.sameOrigin) throw crossSite();
  return sessionPrincipal(ctx.deps, ctx.sessionCookie, ctx.mode);
}

export const crossSite = (): DomainError =>
  new DomainError(
    'access_denied',
    'Cross-site request refused: the panel session works only from the panel (application/json, x-tollgate-csrf ' +
      'and this origin)',
  );

/**
 * The caller of an administration field: a Bearer token when one is sent (it is what scripts
 * use, and it wins), else the panel session. What it may do is the core's decision.
 */
export async function principal(ctx: GraphQLContext): Promise<Principal> {
  if (ctx.authorization === undefined && ctx.sessionCookie !== undefined) return operator(ctx);
  const { client, scopes } = await bearer(ctx);
  return { kind: 'client', clientId: client.id, mode: ctx.mode, scopes, orgId: client.orgId };
}
