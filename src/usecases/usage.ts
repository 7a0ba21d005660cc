import type { DomainErrorCode } from '../domain/errors.js';
import { HOUR_MS, type Door, type UsageCount, type UsageKind } from '../domain/usage.js';
import type { UsageStore } from './ports.js';

/**
 * What the use cases tell about usage (spec §11): cheap, synchronous, never failing the caller.
 * Only known clients are counted: a failure names a client only once the store has found it.
 */
export interface UsageMeter {
  issued(clientId: string, door: Door, at: number): void;
  failed(clientId: string, door: Door, code: DomainErrorCode, at: number): void;
  checked(clientId: string, door: Door, at: number): void;
}

/** Counts held in memory at most, flushed or not: past it, new keys are dropped (and counted). */
export const MAX_PENDING_COUNTS = 100_000;

/**
 * Usage counted in memory and written as hourly rows (UsageStore.add) when `flush` is called:
 * by the server at most once a minute, and on a graceful stop. No write per token. A failed
 * flush keeps its counts and the next one tries again; what is held never passes
 * MAX_PENDING_COUNTS keys (a store lost for long drops new keys rather than grow without end).
 */
export class UsageCounter implements UsageMeter {
  private pending = new Map<string, UsageCount>();
  private flushing: Promise<void> | undefined;
  /** Counts dropped because too many keys were waiting. */
  dropped = 0;

  constructor(
    private readonly store: Pick<UsageStore, 'add'>,
    private readonly maxPending = MAX_PENDING_COUNTS,
  ) {}

  issued(clientId: string, door: Door, at: number): void {
    this.add(clientId, door, 'issued', at, 1);
  }

  failed(clientId: string, door: Door, code: DomainErrorCode, at: number): void {
    this.add(clientId, door, code, at, 1);
  }

  checked(clientId: string, door: Door, at: number): void {
    this.add(clientId, door, 'checks', at, 1);
  }

  /** Keys waiting to be written. */
  get size(): number {
    return this.pending.size;
  }

  private add(clientId: string, door: Door, kind: UsageKind, at: number, n: number): void {
    const hour = at - (at % HOUR_MS);
    const key = `${clientId} ${hour} ${door} ${kind}`;
    const row = this.pending.get(key);
    if (row) row.count += n;
    else if (this.pending.size < this.maxPending) this.pending.set(key, { clientId, hour, door, kind, count: n });
    else this.dropped += n;
  }

  /**
   * Writes what is counted so far in one store call. Rejects when the store does, with the counts
   * kept for the next flush. One flush at a time: a call during another waits for it.
   */
  flush(): Promise<void> {
    this.flushing ??= this.write().finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }

  private async write(): Promise<void> {
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    try {
      await this.store.add([...batch.values()]);
    } catch (e) {
      for (const row of batch.values()) this.add(row.clientId, row.door, row.kind, row.hour, row.count);
      throw e;
    }
  }
}
