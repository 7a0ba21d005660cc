import type { Actor } from './audit.js';
import type { Client } from './client.js';
import { DomainError, insufficientScope, invalidField } from './errors.js';
import type { Mode } from './mode.js';
import { normaliseEmail, type OperatorRole } from './operator.js';

/**
 * Tollgate's own scopes are powers over Tollgate itself, not labels for the APIs behind it: every
 * scope under this prefix (today the two below, and any added later) is reserved, and only a
 * deployment admin may grant it (see `authorizeScopes`).
 */
export const RESERVED_SCOPE_PREFIX = 'tollgate:';

/** The scope a Bearer token needs to administer clients (GraphQL admin fields). */
export const ADMIN_SCOPE = 'tollgate:admin';

/** The scope that lets a client introspect tokens of other clients, not only its own. */
export const INTROSPECT_SCOPE = 'tollgate:introspect';

export const isReservedScope = (scope: string): boolean => scope.startsWith(RESERVED_SCOPE_PREFIX);

/**
 * A client administering by its Bearer token, in the mode of the address it called. A client of
 * an organisation administers that organisation only, as a developer of it would.
 */
export interface ClientPrincipal {
  kind: 'client';
  clientId: string;
  mode: Mode;
  scopes: readonly string[];
  orgId: string | null;
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
    if (client !== undefined && caller.orgId !== null && client.orgId !== caller.orgId) throw noSuchClient();
    return;
  }
  if (caller.mustEnrolTotp) throw new DomainError('access_denied', 'Set up two-step sign-in (TOTP) first');
  // A session works in the mode of the address it called, as a token does: the other mode's
  // clients are not there.
  if (client !== undefined && client.mode !== caller.mode) throw noSuchClient();
  if (caller.role === 'admin') return;
  if (action === 'operators' || action === 'keys') throw new DomainError('access_denied', 'Only admins may do this');
  if (caller.role === 'viewer' && CHANGES.has(action))
    throw new DomainError('access_denied', 'Viewers cannot change clients');
  if (client !== undefined && !(caller.role === 'viewer' && caller.orgId === null) && client.orgId !== caller.orgId)
    throw noSuchClient();
}

/**
 * The organisation whose clients a caller sees, for lists (undefined: every client). A developer
 * without an organisation sees none: its filter matches no client.
 */
export function visibleOrg(caller: Principal): string | undefined {
  if (caller.kind === 'client') return caller.orgId ?? undefined;
  if (caller.role === 'admin') return undefined;
  if (caller.role === 'viewer' && caller.orgId === null) return undefined;
  return caller.orgId ?? '\u0000none';
}

/**
 * The organisation a new client gets: a deployment admin chooses; a developer's clients, and an
 * organisation's admin token's, belong to that organisation, and naming another is refused.
 */
export function orgForNewClient(caller: Principal, asked: string | null): string | null {
  if (isDeploymentAdmin(caller)) return asked;
  if (asked !== null && asked !== caller.orgId) {
    throw new DomainError(
      'access_denied',
      caller.kind === 'client'
        ? 'An organisation’s admin token creates clients in its own organisation only'
        : 'Developers create clients in their own organisation only',
    );
  }
  return caller.orgId;
}

/**
 * Whether the caller administers the whole deployment: an `admin` operator, or an admin token of
 * a client that belongs to no organisation. (The CLI is the deployment's operator too; it calls
 * the use cases directly, without a principal.)
 */
export const isDeploymentAdmin = (caller: Principal): boolean =>
  caller.kind === 'client'
    ? caller.scopes.includes(ADMIN_SCOPE) && caller.orgId === null
    : caller.role === 'admin' && !caller.mustEnrolTotp;

/** A refused grant of reserved scopes: the scopes, for the refusal's message and its audit row. */
export class ReservedScopeRefused extends DomainError {
  constructor(
    readonly scopes: readonly string[],
    message = `Only a deployment admin may grant the reserved scope${scopes.length === 1 ? '' : 's'} ` +
      `${scopes.join(' ')}`,
  ) {
    super('access_denied', message);
  }
}

/**
 * May the caller set a client's scopes to `after`, from `before` (undefined: a new client)?
 * Reserved scopes (`tollgate:*`) are granted by deployment admins alone. Anyone else may not add
 * one; and while a client holds one, may change its scopes only by taking entries away (so the
 * reserved scope can be removed, never traded or kept alongside a new grant). Throws
 * `ReservedScopeRefused` naming the scopes at fault.
 */
export function authorizeScopes(
  caller: Principal,
  before: readonly string[] | undefined,
  after: readonly string[],
): void {
  if (isDeploymentAdmin(caller)) return;
  const had = new Set(before ?? []);
  const added = after.filter((s) => isReservedScope(s) && !had.has(s));
  if (added.length > 0) throw new ReservedScopeRefused(added);
  const held = [...had].filter(isReservedScope);
  if (held.length > 0 && after.some((s) => !had.has(s))) {
    throw new ReservedScopeRefused(
      held,
      `The client holds the reserved scope${held.length === 1 ? '' : 's'} ${held.join(' ')}: only a deployment ` +
        `admin may change its scopes, except to remove entries`,
    );
  }
}

/**
 * May `caller` (a client authenticated at the introspection endpoint) see a token of `owner`?
 * Its own, always; another client's with `tollgate:introspect`, inside its organisation when it
 * has one.
 */
export function mayIntrospect(
  caller: Pick<Client, 'id' | 'scopes' | 'orgId'>,
  owner: Pick<Client, 'id' | 'orgId'>,
): boolean {
  if (owner.id === caller.id) return true;
  if (!caller.scopes.includes(INTROSPECT_SCOPE)) return false;
  return caller.orgId === null || caller.orgId === owner.orgId;
}

export const noSuchClient = (): DomainError => new DomainError('not_found', 'No such client');

/**
 * APIs are the deployment's catalogue (spec §8): whoever may administer at all reads the APIs of
 * the address's mode (a developer needs them to grant its clients access); only a deployment
 * admin creates, changes or deletes one. An API of the other mode is not there.
 */
export function authorizeApi(caller: Principal, action: 'read' | 'manage', api?: { mode: Mode }): void {
  authorize(caller, 'list');
  if (api !== undefined && api.mode !== caller.mode) throw new DomainError('not_found', 'No such API');
  if (action === 'manage' && !isDeploymentAdmin(caller))
    throw new DomainError('access_denied', 'Only a deployment admin may create, change or delete APIs');
}

/**
 * Signing keys are the deployment's (issue 29, item 11): an admin operator, or an admin token
 * of no organisation, rotates or retires them, in the mode of the address called; anyone else who
 * may administer is refused, an organisation's admin token too.
 */
export function authorizeKeyChange(caller: Principal): void {
  authorize(caller, 'keys');
  if (!isDeploymentAdmin(caller))
    throw new DomainError('access_denied', 'Only a deployment admin may rotate or retire signing keys');
}

/**
 * Disabling or resetting an operator from the panel (issue 29, item 11): admins only, as every
 * operator change; and never oneself, so no click locks the last admin out (another admin, or
 * `tollgate users disable|reset` on the server, does it). Answers the email normalised.
 */
export function authorizeOperatorChange(caller: Principal, email: string): string {
  authorize(caller, 'operators');
  const target = normaliseEmail(email);
  if (caller.kind === 'operator' && caller.email === target)
    throw invalidField('email', 'is your own: another admin (or `tollgate users` on the server) must do this');
  return target;
}
