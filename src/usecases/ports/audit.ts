import type { AuditEvent, AuditRecord } from '../../domain/audit.js';

/* The audit trail. */

/**
 * The audit trail. Changes are written by the stores that make them, inside their transactions:
 * client changes by the ClientStore, lockouts by the LockoutStore when a lock begins. `record`
 * is for events that describe no change (a refused attempt worth seeing).
 */
export interface AuditLog {
  /** Newest first; only `clientId`'s events when given. */
  list(query: { clientId?: string; limit: number }): Promise<AuditRecord[]>;
  /** Appends events that go with no other write, durably, in one transaction. */
  record(events: readonly AuditEvent[]): Promise<void>;
}
