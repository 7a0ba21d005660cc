/**
 * @tollgate/client: both sides of a Tollgate deployment.
 *
 * - {@link TokenSource}: a client's access tokens, cached and renewed as seed 001 asks.
 */
export { TokenSource, type TokenSourceOptions } from './token-source.js';
export { TokenCache, sharedTokenCache } from './token-cache.js';
export { DIALECTS, type Dialect, type ClientAuth } from './dialects.js';
export { TollgateError, isTollgateError, TOKEN_ERROR_CODES, type TokenErrorCode } from './errors.js';
