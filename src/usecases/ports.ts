/**
 * The ports of the core: what every use case is given, one file per concern under ./ports/.
 * The dependency bundles of the use cases are declared beside them (authenticate-client.ts,
 * issue-token.ts, panel-sessions.ts; usecases/deps.ts for the doors' whole set).
 */
export type * from './ports/system.js';
export type * from './ports/clients.js';
export type * from './ports/apis.js';
export type * from './ports/lockout.js';
export type * from './ports/tokens.js';
export type * from './ports/audit.js';
export type * from './ports/idempotency.js';
export type * from './ports/keys.js';
export type * from './ports/operators.js';
export type * from './ports/sessions.js';
export type * from './ports/store.js';
export type * from './ports/crypto.js';
export type * from './ports/usage.js';
