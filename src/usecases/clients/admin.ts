import {
  authorize,
  authorizeScopes,
  callerKey,
  noSuchClient,
  orgForNewClient,
  ReservedScopeRefused,
  visibleOrg,
  type Principal,
} from '../../domain/access.js';
import { auditEvent, type Actor, type AuditRecord } from '../../domain/audit.js';
import { toView, type ClientView } from '../../domain/client.js';
import { invalidField } from '../../domain/errors.js';
import { clientIdPrefix } from '../../domain/mode.js';
import { createClientIdempotent, type IdempotentCreate, type IdempotentDeps } from './create-idempotent.js';
import type { ClientWithSecret } from './manage.js';
import type { AuditLog, Clock } from '../ports.js';
import {
  deleteClient,
  rotateSecret,
  updateClient,
  type AdminDeps,
  type RotatedSecret,
  type UpdateClientInput,
} from './manage.js';

export const PAGE_DEFAULT = 20;
export const PAGE_MAX = 100;
const CURSOR_MAX = 200;
const SEARCH_MAX = 200;

/*
 * Administration by a caller (a client with an admin token, or a person in the panel). Every action asks
 * `authorize` (src/domain/access.ts) first, then for the client it names; a client the caller
 * may not see answers exactly as one that does not exist.
 */

/** The client, when the caller may read it; undefined when there is none it may see. */
export async function findClientFor(
  deps: Pick<AdminDeps, 'clients' | 'clock'>,
  caller: Principal,
  id: string,
): Promise<ClientView | undefined> {
  authorize(caller, 'read');
  const client = await deps.clients.findById(id);
  if (!client) return undefined;
  try {
    authorize(caller, 'read', client);
  } catch {
    return undefined;
  }
  return toView(client, deps.clock.now());
}

/** The client the caller names for `action`, or not_found. */
export async function managed(
  deps: { clients: Pick<AdminDeps['clients'], 'findById'> },
  caller: Principal,
  action: 'read' | 'update' | 'rotate',
  id: string,
): Promise<void> {
  authorize(caller, action);
  const client = await deps.clients.findById(id);
  if (!client) throw noSuchClient();
  authorize(caller, action, client);
}

/**
 * Runs a change whose scopes `authorizeScopes` may refuse; a refusal is recorded in the audit
 * trail (who, which client, which scopes) before it is answered: an attempt to grant Tollgate's
 * own powers without the right is worth seeing.
 */
async function refusalsAudited<T>(
  deps: { audit: AuditLog; clock: Clock },
  actor: Actor | undefined,
  target: { clientId: string | null; name?: string },
  change: () => Promise<T>,
): Promise<T> {
  try {
    return await change();
  } catch (e) {
    if (!(e instanceof ReservedScopeRefused) || actor === undefined) throw e;
    await deps.audit.record([
      auditEvent(actor, 'client.scope_refused', target.clientId, deps.clock.now(), {
        scopes: [...e.scopes],
        ...(target.name === undefined ? {} : { name: target.name }),
      }),
    ]);
    throw e;
  }
}

export interface ClientPage {
  clients: ClientView[];
  hasNextPage: boolean;
}

/**
 * One page of the clients the caller may see, in id order; `after` is the last id of the
 * previous page. Ids carry their mode as a prefix (`cl_live_…`), so a mode's clients are one
 * contiguous run of the id order, which starts right after the bare prefix.
 */
export async function listClientsFor(
  deps: Pick<AdminDeps, 'clients' | 'clock'>,
  caller: Principal,
  page: { first?: number | null; after?: string | null; search?: string | null },
): Promise<ClientPage> {
  authorize(caller, 'list');
  const first = page.first ?? PAGE_DEFAULT;
  if (!Number.isInteger(first) || first < 0 || first > PAGE_MAX)
    throw invalidField('first', `must be a whole number from 0 to ${PAGE_MAX}`);
  const prefix = clientIdPrefix(caller.mode);
  const after = page.after ?? undefined;
  if (after !== undefined && (!after.startsWith(prefix) || after.length > CURSOR_MAX))
    throw invalidField('after', 'is not a cursor of this list');
  const search = page.search?.trim() || undefined;
  if (search !== undefined && search.length > SEARCH_MAX)
    throw invalidField('search', `must be at most ${SEARCH_MAX} characters`);
  const orgId = visibleOrg(caller);
  const rows = await deps.clients.list({
    limit: first + 1,
    afterId: after ?? prefix,
    ...(orgId !== undefined ? { orgId } : {}),
    ...(search ? { search } : {}),
  });
  const run: ClientView[] = [];
  const now = deps.clock.now();
  for (const c of rows) {
    if (!c.id.startsWith(prefix) || c.mode !== caller.mode) break;
    run.push(toView(c, now));
  }
  return { clients: run.slice(0, first), hasNextPage: run.length > first };
}

/**
 * Creates a client in the caller's mode, honouring an Idempotency-Key; a developer's client
 * belongs to its organisation.
 */
export async function createClientFor(
  deps: IdempotentDeps & { audit: AuditLog },
  caller: Principal,
  req: Omit<IdempotentCreate, 'callerId'>,
): Promise<ClientWithSecret> {
  authorize(caller, 'create');
  const orgId = orgForNewClient(caller, req.input.orgId ?? null);
  authorize(caller, 'create', { mode: req.input.mode, orgId });
  await refusalsAudited(deps, req.actor, { clientId: null, name: req.input.name }, async () =>
    authorizeScopes(caller, undefined, req.input.scopes ?? []),
  );
  return createClientIdempotent(deps, { ...req, input: { ...req.input, orgId }, callerId: callerKey(caller) });
}

/**
 * Changes a client the caller may change. New scopes are judged against the row as the writing
 * transaction reads it, so a concurrent change cannot slip a reserved scope past the check.
 */
export async function updateClientFor(
  deps: AdminDeps & { audit: AuditLog },
  caller: Principal,
  id: string,
  input: UpdateClientInput,
  actor?: Actor,
): Promise<ClientView> {
  await managed(deps, caller, 'update', id);
  const scopes = input.scopes;
  if (scopes === undefined) return updateClient(deps, id, input, actor);
  return refusalsAudited(deps, actor, { clientId: id }, () =>
    updateClient(deps, id, input, actor, (before, after) => authorizeScopes(caller, before.scopes, after.scopes)),
  );
}

/**
 * `tollgate clients delete ID` by a caller: whoever may change the client (disable's rule), in
 * the mode of the address; the client is gone for good and every token of it dies.
 */
export async function deleteClientFor(
  deps: AdminDeps,
  caller: Principal,
  id: string,
  actor?: Actor,
): Promise<ClientView> {
  await managed(deps, caller, 'update', id);
  return deleteClient(deps, id, actor);
}

export async function rotateSecretFor(
  deps: AdminDeps,
  caller: Principal,
  id: string,
  graceSeconds?: number,
  actor?: Actor,
): Promise<RotatedSecret> {
  await managed(deps, caller, 'rotate', id);
  return rotateSecret(deps, id, graceSeconds, actor);
}

/** A client's audit trail, newest first, when the caller may read the client. */
export async function clientAuditFor(
  deps: Pick<AdminDeps, 'clients'> & { audit: AuditLog },
  caller: Principal,
  id: string,
  first: number | null | undefined,
): Promise<AuditRecord[]> {
  const limit = first ?? PAGE_DEFAULT;
  if (!Number.isInteger(limit) || limit < 1 || limit > PAGE_MAX)
    throw invalidField('first', `must be a whole number from 1 to ${PAGE_MAX}`);
  await managed(deps, caller, 'read', id);
  return deps.audit.list({ clientId: id, limit });
}
