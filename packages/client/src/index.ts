/**
 * @tollgate/client: both sides of a Tollgate deployment.
 *
 * - {@link TokenSource}: a client's access tokens, cached and renewed as seed 001 asks.
 * - {@link createVerifier}: a resource server's check of those tokens, by JWKS, introspection or
 *   forward-auth, with adapters for node:http, Fastify and Express.
 */
export { TokenSource, type TokenSourceOptions } from './token-source.js';
export { TokenCache, sharedTokenCache } from './token-cache.js';
export { DIALECTS, type Dialect, type ClientAuth } from './dialects.js';
export { TollgateError, isTollgateError, TOKEN_ERROR_CODES, type TokenErrorCode } from './errors.js';
export {
  createVerifier,
  VERIFIER_MODES,
  type Verifier,
  type VerifierMode,
  type VerifierOptions,
  type VerifyOptions,
} from './verifier/index.js';
export { VerifyError, isVerifyError, type VerifyErrorCode } from './verifier/errors.js';
export type { AccessTokenClaims } from './verifier/claims.js';
export { bearerChallenge, type GuardOptions } from './adapters/decide.js';
export { nodeHttpGuard } from './adapters/node-http.js';
export { fastifyGuard, type FastifyReplyLike, type FastifyRequestLike } from './adapters/fastify.js';
export { expressGuard, type ExpressRequestLike, type ExpressResponseLike } from './adapters/express.js';
