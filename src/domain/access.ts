import type { Actor } from './audit.js';
import type { Client } from './client.js';
import { DomainError, insufficientScope } from './errors.js';
import type { Mode } from './mode.js';
import type { OperatorRole } from './operator.js';

/** The scope a Bearer token needs to administer clients (GraphQL admin fields). */
export const ADMIN_SCOPE = 'tollgate:admin';

/** A client administering by its Bearer token, in the mode of the address it called. */
export interface ClientPrincipal {
  kind: 'client';
  clientId: string;
  mode: Mode;
  scopes: readonly string[];
}

/** A person signed in to the developer panel (spec §7), in the mode of the address called. */
export interface OperatorPrincipal {
  kind: 'operator';
  operatorId: string;
  email: string;
  role: OperatorRole;
  orgId: string | null;
  mode: Mode;
  /** An admin who must enrol TOTP (PANEL_REQUIRE_TOTP=1) and has not: only enrolment is open. */
  mustEnrolTotp: boolean;
}

/** Who is asking to administer. */
export type Principal = ClientPrincipal | OperatorPrincipal;

export type AdminAction = 'list' | 'read' | 'create' | 'update' | 'rotate' | 'operators' | 'keys';

const CHANGES: ReadonlySet<AdminAction> = new Set(['create', 'update', 'rotate']);

/** Who a principal is in idempotency keys and audit rows: a client id, or the operator's. */
export const callerKey = (p: Principal): string => (p.kind === 'client' ? p.clientId : `operator:${p.operatorId}`);

/** The audit actor of a principal's change, called from `sourceIp`. */
export const actorFor = (p: Principal, sourceIp: string): Actor =>
  p.kind === 'client' ? { kind: 'graphql', id: p.clientId, sourceIp } : { kind: 'panel', id: p.email, sourceIp };

/**
 * "May this caller do this?", decided here alone. A caller without the right to administer at
 * all is refused (`insufficient_scope` for a token, `access_denied` for a person); a client it
 * may not see is `not_found`, exactly as a client that does not exist, so guessing ids tells
 * nothing.
 *
 * Tokens: administration stays inside the mode of the address called, so a test-mode admin
 * token (the kind that lives in CI and laptops) never reads, changes or rotates a live client.
 *
 * Operators: an admin does everything in both modes; a developer reads and changes the clients
 * of its organisation; a viewer reads the clients of its organisation (every client when it has
 * none) and changes nothing, so it is never handed a secret. Only admins see operators and keys.
 */
export function authorize(caller: Principal, action: AdminAction, client?: Pick<Client, 'mode' | 'orgId'>): void {
  if (caller.kind === 'client') {
    if (!caller.scopes.includes(ADMIN_SCOPE)) throw insufficientScope([ADMIN_SCOPE]);
    if (action === 'operators') throw new DomainError('access_denied', 'Operators are managed by people, not tokens');
    if (client !== undefined && client.mode !== caller.mode) throw noSuchClient();
    return;
  }
  if (caller.mustEnrolTotp) throw new DomainError('access_denied', 'Set up two-step sign-in (TOTP) first');
  if (caller.role === 'admin') return;
  if (action === 'operators' || action === 'keys') throw new DomainError('access_denied', 'Only admins may do this');
  if (caller.role === 'viewer' && CHANGES.has(action)) throw new DomainError('access_denied', 'Viewers cannot change clients');
  if (client !== undefined && !(caller.role === 'viewer' && caller.orgId === null) && client.orgId !== caller.orgId) throw noSuchClient();
}

/**
 * The organisation whose clients a caller sees, for lists (undefined: every client). A developer
 * without an organisation sees none: its filter matches no client.
 */
export function visibleOrg(caller: Principal): string | undefined {
  if (caller.kind === 'client' || caller.role === 'admin') return undefined;
  if (caller.role === 'viewer' && caller.orgId === null) return undefined;
  return caller.orgId ?? '\u0000none';
}

/**
 * The organisation a new client gets: an admin (or admin token) chooses; a developer's clients
 * belong to its own organisation, and naming another is refused.
 */
export function orgForNewClient(caller: Principal, asked: string | null): string | null {
  if (caller.kind === 'client' || caller.role === 'admin') return asked;
  if (asked !== null && asked !== caller.orgId) throw new DomainError('access_denied', 'Developers create clients in their own organisation only');
  return caller.orgId;
}

export const noSuchClient = (): DomainError => new DomainError('not_found', 'No such client');
