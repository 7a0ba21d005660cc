import type { Client } from './client.js';
import { DomainError, insufficientScope } from './errors.js';
import type { Mode } from './mode.js';

/** The scope a Bearer token needs to administer clients (GraphQL admin fields). */
export const ADMIN_SCOPE = 'tollgate:admin';

/**
 * Who is asking to administer clients: today a client by its Bearer token, in the mode of the
 * address it called.
 */
export interface Principal {
  kind: 'client';
  clientId: string;
  mode: Mode;
  scopes: readonly string[];
}

export type AdminAction = 'list' | 'read' | 'create' | 'update' | 'rotate';

/**
 * "May this caller do this?", decided here alone. A caller without the right to administer at
 * all is refused with `insufficient_scope`; a client it may not see is `not_found`, exactly as a
 * client that does not exist, so guessing ids tells nothing. Administration stays inside the mode
 * of the address called: a test-mode admin token (the kind that lives in CI and laptops) never
 * reads, changes or rotates a live client.
 */
export function authorize(caller: Principal, _action: AdminAction, client?: Pick<Client, 'mode'>): void {
  if (!caller.scopes.includes(ADMIN_SCOPE)) {
    throw insufficientScope([ADMIN_SCOPE]);
  }
  if (client !== undefined && client.mode !== caller.mode) throw noSuchClient();
}

export const noSuchClient = (): DomainError => new DomainError('not_found', 'No such client');
