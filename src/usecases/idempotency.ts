import { createHash } from 'node:crypto';
import { type DomainError, invalidField } from '../domain/errors.js';
import type { Clock, IdempotencyStore, Sealer } from './ports.js';

/** How long an Idempotency-Key is remembered (Stripe's window). */
export const IDEMPOTENCY_TTL_MS = 24 * 3600 * 1000;
export const IDEMPOTENCY_KEY_MAX = 255;

export interface IdempotencyDeps {
  idempotency: IdempotencyStore;
  sealer: Sealer;
  clock: Clock;
}

/** One request under an Idempotency-Key: whose key it is, and what exactly was asked. */
export interface KeyedRequest {
  /** The authenticated client making the call: keys are its own, never shared between callers. */
  callerId: string;
  key: string;
  /** The request as asked (see `requestHashOf`): the same key with another request is refused. */
  requestHash: string;
}

/** Printable ASCII without spaces, so a repeated header (joined with ", ") is refused, not merged. */
const KEY_SHAPE = /^[\x21-\x7E]+$/;

export function checkKey(key: string): void {
  if (key.length === 0 || key.length > IDEMPOTENCY_KEY_MAX || !KEY_SHAPE.test(key)) {
    const rule = `must be 1–${IDEMPOTENCY_KEY_MAX} printable ASCII characters without spaces`;
    throw invalidField('idempotency_key', rule);
  }
}

/** A request's parts, byte for byte: a different order is a different request. */
export const requestHashOf = (parts: unknown[]): string =>
  createHash('sha256').update(JSON.stringify(parts)).digest('base64url');

const reused = (): DomainError =>
  invalidField('idempotency_key', 'was already used with a different request; use a new key for a new request');

/**
 * What is sealed: the answer (it may hold a new secret), bound to the (caller, key) it belongs
 * to, so that a row copied under another caller does not open there.
 */
interface Sealed<T> {
  callerId: string;
  key: string;
  result: T;
}

function unseal<T>(sealer: Sealer, req: KeyedRequest, text: string): T {
  const sealed = JSON.parse(sealer.open(text)) as Sealed<T>;
  if (sealed.callerId !== req.callerId || sealed.key !== req.key)
    throw new Error('Idempotency record does not belong to its row');
  return sealed.result;
}

/**
 * Runs `work` at most once per (caller, Idempotency-Key) within 24 h: a retry with the same key
 * and request gets the first answer again (secrets included, sealed at rest); the same key with
 * another request is refused (`invalid_request`, field `idempotency_key`), as is a retry while
 * the first is still running. Work that fails stores nothing, so it can be retried corrected.
 */
export async function idempotently<T>(deps: IdempotencyDeps, req: KeyedRequest, work: () => Promise<T>): Promise<T> {
  checkKey(req.key);
  const now = deps.clock.now();
  const found = await deps.idempotency.claim(req.callerId, req.key, req.requestHash, now, now + IDEMPOTENCY_TTL_MS);
  if (found.state !== 'claimed') {
    if (found.requestHash !== req.requestHash) throw reused();
    if (found.state === 'pending')
      throw invalidField('idempotency_key', 'belongs to a request that is still in progress; retry later');
    return unseal<T>(deps.sealer, req, found.sealed);
  }
  let result: T;
  try {
    result = await work();
  } catch (e) {
    await deps.idempotency.release(req.callerId, req.key);
    throw e;
  }
  const sealed: Sealed<T> = { callerId: req.callerId, key: req.key, result };
  await deps.idempotency.complete(req.callerId, req.key, deps.sealer.seal(JSON.stringify(sealed)));
  return result;
}

/** The finished answer stored for exactly this request, if there is one; claims nothing. */
export async function storedAnswer<T>(deps: IdempotencyDeps, req: KeyedRequest): Promise<T | undefined> {
  checkKey(req.key);
  const now = deps.clock.now();
  const found = await deps.idempotency.claim(req.callerId, req.key, req.requestHash, now, now + IDEMPOTENCY_TTL_MS);
  if (found.state === 'claimed') {
    await deps.idempotency.release(req.callerId, req.key);
    return undefined;
  }
  return found.state === 'done' && found.requestHash === req.requestHash
    ? unseal<T>(deps.sealer, req, found.sealed)
    : undefined;
}
