/* Idempotency keys for retried administration calls. */

/** What is stored under (caller, key): still running, or the finished answer, sealed. */
export type StoredIdempotency =
  | { state: 'pending'; requestHash: string }
  | { state: 'done'; requestHash: string; sealed: string };

/**
 * Idempotency keys, scoped by the calling client. `claim` is atomic across processes: of two
 * requests racing on one key, exactly one gets `claimed`; the other sees the record. The store
 * keeps answers as the sealed text it is given and never sees a secret.
 */
export interface IdempotencyStore {
  /** Claims the key for a new request, or returns the unexpired record already there. */
  claim(
    callerId: string,
    key: string,
    requestHash: string,
    now: number,
    expiresAt: number,
  ): Promise<{ state: 'claimed' } | StoredIdempotency>;
  /** Stores the sealed answer of a claimed key. */
  complete(callerId: string, key: string, sealed: string): Promise<void>;
  /** Frees a claimed key whose request failed, so it can be retried with a corrected input. */
  release(callerId: string, key: string): Promise<void>;
}
