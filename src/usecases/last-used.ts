import type { ClientStore } from './ports.js';
import type { UsageRecorder } from './issue-token.js';

/** At most one write per client per minute per process (issue 15): "last used" costs no write per token. */
export const LAST_USED_RESOLUTION_MS = 60_000;

/**
 * Records when each client was last issued a token, off the request path: the first use in a
 * minute writes (without waiting), the others are dropped. A failed write is forgotten, so the
 * next use tries again; it never fails a token.
 */
export class LastUsedRecorder implements UsageRecorder {
  private readonly written = new Map<string, number>();

  constructor(private readonly clients: Pick<ClientStore, 'markUsed'>) {}

  used(clientId: string, at: number): void {
    const last = this.written.get(clientId);
    if (last !== undefined && at - last < LAST_USED_RESOLUTION_MS) return;
    this.written.set(clientId, at);
    // A busy or lost database is already reported by the requests that need it.
    this.clients.markUsed(clientId, at).catch(() => this.written.delete(clientId));
  }
}
