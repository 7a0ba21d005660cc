import type { Principal } from '../domain/access.js';
import type { AccessTokenClaims } from '../domain/token.js';
import { authenticateBearer, bearerClaims, type ValidToken } from '../usecases/verify-bearer.js';
import type { GraphQLContext } from './context.js';

/**
 * The core's one Bearer check, for this operation's mode and source address. Called by every
 * protected field itself, so a token that dies mid-operation (its own secret rotated) is refused
 * by the fields after it.
 */
export function bearer(ctx: GraphQLContext): Promise<ValidToken & { scopes: string[] }> {
  return authenticateBearer(ctx.deps, { mode: ctx.mode, authorization: ctx.authorization, sourceIp: ctx.sourceIp });
}

/**
 * The claims of the request's Bearer token when its signature, type, issuer, audience and expiry
 * hold, whatever the client's state: only for replaying an answer the token itself asked for.
 */
export async function signedClaims(ctx: GraphQLContext): Promise<AccessTokenClaims | undefined> {
  return bearerClaims(ctx.deps, { mode: ctx.mode, authorization: ctx.authorization });
}

/** The caller of an administration field, as its Bearer token proves it; what it may do is the core's decision. */
export async function principal(ctx: GraphQLContext): Promise<Principal> {
  const { client, scopes } = await bearer(ctx);
  return { kind: 'client', clientId: client.id, mode: ctx.mode, scopes };
}
