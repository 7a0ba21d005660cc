import type { Operator, Session } from '../../domain/operator.js';

/* Panel sessions. */

/** Panel sessions, server-side. The cookie's value is never stored, only its SHA-256. */
export interface SessionStore {
  insert(session: Session): Promise<void>;
  /** The session and its operator in one read; undefined when unknown. */
  find(idHash: string): Promise<{ session: Session; operator: Operator } | undefined>;
  /** Restarts the idle clock. */
  touch(idHash: string, lastSeenAt: number): Promise<void>;
  /** Ends one session; ending an unknown one is not an error. */
  delete(idHash: string): Promise<void>;
}
