import { authenticateBearer, type ValidToken } from '../usecases/verify-bearer.js';
import type { GraphQLContext } from './context.js';

/**
 * The core's one Bearer check, for this operation's mode and source address. Called by every
 * protected field itself, so a token that dies mid-operation (its own secret rotated) is refused
 * by the fields after it.
 */
export function bearer(ctx: GraphQLContext, requiredScopes: readonly string[] = []): Promise<ValidToken & { scopes: string[] }> {
  return authenticateBearer(ctx.deps, { mode: ctx.mode, authorization: ctx.authorization, sourceIp: ctx.sourceIp, requiredScopes });
}
