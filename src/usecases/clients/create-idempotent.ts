import type { Actor } from '../../domain/audit.js';
import { idempotently, requestHashOf, type IdempotencyDeps } from '../idempotency.js';
import { createClient, type AdminDeps, type ClientWithSecret, type CreateClientInput } from './manage.js';

export interface IdempotentDeps extends AdminDeps, IdempotencyDeps {}

/** Imported secrets are a CLI matter: an idempotent create always generates the secret. */
export type IdempotentCreateInput = Omit<CreateClientInput, 'secret'>;

export interface IdempotentCreate {
  /** The authenticated client making the call: keys are its own. */
  callerId: string;
  /** The `Idempotency-Key` header, if any. */
  key: string | undefined;
  input: IdempotentCreateInput;
  /** Who is asking, for the audit trail (a replayed answer records nothing new). */
  actor?: Actor;
}

/** The create request as it was asked: a different order of scopes is a different request. */
export const requestHash = (input: IdempotentCreateInput): string =>
  requestHashOf([input.mode, input.name, input.scopes ?? [], input.allowedIps ?? [], input.orgId ?? null]);

/**
 * Creates a client, at most once per (caller, Idempotency-Key) within 24 h when a key is given
 * (see `idempotently`). A request that fails validation stores nothing.
 */
export async function createClientIdempotent(deps: IdempotentDeps, req: IdempotentCreate): Promise<ClientWithSecret> {
  const create = () => createClient(deps, req.input, req.actor);
  if (req.key === undefined) return create();
  return idempotently(deps, { callerId: req.callerId, key: req.key, requestHash: requestHash(req.input) }, create);
}
