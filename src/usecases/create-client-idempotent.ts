import { createHash } from 'node:crypto';
import type { Actor } from '../domain/audit.js';
import { DomainError, invalidField } from '../domain/errors.js';
import { createClient, type AdminDeps, type ClientWithSecret, type CreateClientInput } from './manage-clients.js';
import type { IdempotencyStore, Sealer } from './ports.js';

/** How long an Idempotency-Key is remembered (Stripe's window). */
export const IDEMPOTENCY_TTL_MS = 24 * 3600 * 1000;
export const IDEMPOTENCY_KEY_MAX = 255;

export interface IdempotentDeps extends AdminDeps {
  idempotency: IdempotencyStore;
  sealer: Sealer;
}

/** Imported secrets are a CLI matter: an idempotent create always generates the secret. */
export type IdempotentCreateInput = Omit<CreateClientInput, 'secret'>;

export interface IdempotentCreate {
  /** The authenticated client making the call: keys are its own, never shared between callers. */
  callerId: string;
  /** The `Idempotency-Key` header, if any. */
  key: string | undefined;
  input: IdempotentCreateInput;
  /** Who is asking, for the audit trail (a replayed answer records nothing new). */
  actor?: Actor;
}

/** Printable ASCII without spaces, so a repeated header (joined with ", ") is refused, not merged. */
const KEY_SHAPE = /^[\x21-\x7E]+$/;

function checkKey(key: string): void {
  if (key.length === 0 || key.length > IDEMPOTENCY_KEY_MAX || !KEY_SHAPE.test(key)) {
    throw invalidField('idempotency_key', `must be 1–${IDEMPOTENCY_KEY_MAX} printable ASCII characters without spaces`);
  }
}

/** The request as it was asked, byte for byte: a different order of scopes is a different request. */
export function requestHash(input: IdempotentCreateInput): string {
  const canonical = JSON.stringify([input.mode, input.name, input.scopes ?? [], input.allowedIps ?? [], input.orgId ?? null]);
  return createHash('sha256').update(canonical).digest('base64url');
}

const reused = (): DomainError =>
  invalidField('idempotency_key', 'was already used with a different request; use a new key for a new request');

/**
 * Creates a client at most once per (caller, Idempotency-Key) within 24 h: a retry with the same
 * key and the same input gets the first answer again, secret included; the same key with another
 * input is refused (`invalid_request`, field `idempotency_key`), as is a retry while the first
 * request is still running. A request that fails validation stores nothing.
 */
export async function createClientIdempotent(deps: IdempotentDeps, req: IdempotentCreate): Promise<ClientWithSecret> {
  if (req.key === undefined) return createClient(deps, req.input, req.actor);
  checkKey(req.key);
  const hash = requestHash(req.input);
  const now = deps.clock.now();
  const found = await deps.idempotency.claim(req.callerId, req.key, hash, now, now + IDEMPOTENCY_TTL_MS);
  if (found.state !== 'claimed') {
    if (found.requestHash !== hash) throw reused();
    if (found.state === 'pending') {
      throw invalidField('idempotency_key', 'belongs to a request that is still in progress; retry later');
    }
    return unseal(deps.sealer, req.callerId, req.key, found.sealed);
  }
  let created: ClientWithSecret;
  try {
    created = await createClient(deps, req.input, req.actor);
  } catch (e) {
    await deps.idempotency.release(req.callerId, req.key);
    throw e;
  }
  const sealed: Sealed = { callerId: req.callerId, key: req.key, result: created };
  await deps.idempotency.complete(req.callerId, req.key, deps.sealer.seal(JSON.stringify(sealed)));
  return created;
}

/**
 * What is sealed: the answer (it holds the new secret), bound to the (caller, key) it belongs to,
 * so that a row copied under another caller does not open there.
 */
interface Sealed {
  callerId: string;
  key: string;
  result: ClientWithSecret;
}

function unseal(sealer: Sealer, callerId: string, key: string, text: string): ClientWithSecret {
  const sealed = JSON.parse(sealer.open(text)) as Sealed;
  if (sealed.callerId !== callerId || sealed.key !== key) throw new Error('Idempotency record does not belong to its row');
  return sealed.result;
}
