import type { IssueDeps } from './issue-token.js';
import type { PanelDeps } from './panel-sessions.js';
import type { AuditLog, IdempotencyStore, Sealer, SigningKeys, TokenVerifier, UsageStore } from './ports.js';

/** Every port: what the doors hand to the use cases. */
export interface Deps extends IssueDeps, PanelDeps {
  verifier: TokenVerifier;
  audit: AuditLog;
  idempotency: IdempotencyStore;
  sealer: Sealer;
  keys: SigningKeys;
  /** Usage rows as stored (the counting itself is `meter`'s). */
  usageStore: UsageStore;
}
