import type { Actor } from '../domain/audit.js';
import { toView, type ClientView } from '../domain/client.js';
import { DomainError, invalidField } from '../domain/errors.js';
import { clientIdPrefix, type Mode } from '../domain/mode.js';
import { getClient, rotateSecret, updateClient, type AdminDeps, type RotatedSecret, type UpdateClientInput } from './manage-clients.js';

/** The scope a Bearer token needs to administer other clients (GraphQL admin fields). */
export const ADMIN_SCOPE = 'tollgate:admin';

export const PAGE_DEFAULT = 20;
export const PAGE_MAX = 100;
const CURSOR_MAX = 200;

/*
 * Administration over the API stays inside the mode of the address called: a test-mode admin
 * token (the kind that lives in CI and laptops) never reads, changes or rotates a live client.
 * Another mode's client answers exactly as a client that does not exist.
 */

const notFound = (): DomainError => new DomainError('not_found', 'No such client');

async function inMode(deps: Pick<AdminDeps, 'clients'>, mode: Mode, id: string): Promise<ClientView> {
  const client = await getClient(deps, id);
  if (client.mode !== mode) throw notFound();
  return client;
}

/** The client, or undefined when there is none of this mode. */
export async function findClientInMode(deps: Pick<AdminDeps, 'clients'>, mode: Mode, id: string): Promise<ClientView | undefined> {
  try {
    return await inMode(deps, mode, id);
  } catch (e) {
    if (e instanceof DomainError && e.code === 'not_found') return undefined;
    throw e;
  }
}

export interface ClientPage {
  clients: ClientView[];
  hasNextPage: boolean;
}

/**
 * One page of the mode's clients in id order; `after` is the last id of the previous page.
 * Ids carry their mode as a prefix (`cl_live_…`), so the mode's clients are one contiguous run
 * of the id order, which starts right after the bare prefix.
 */
export async function listClientsInMode(
  deps: Pick<AdminDeps, 'clients'>,
  mode: Mode,
  page: { first?: number | null; after?: string | null },
): Promise<ClientPage> {
  const first = page.first ?? PAGE_DEFAULT;
  if (!Number.isInteger(first) || first < 0 || first > PAGE_MAX) throw invalidField('first', `must be a whole number from 0 to ${PAGE_MAX}`);
  const prefix = clientIdPrefix(mode);
  const after = page.after ?? undefined;
  if (after !== undefined && (!after.startsWith(prefix) || after.length > CURSOR_MAX)) throw invalidField('after', 'is not a cursor of this list');
  const rows = await deps.clients.list({ limit: first + 1, afterId: after ?? prefix });
  const run: ClientView[] = [];
  for (const c of rows) {
    if (!c.id.startsWith(prefix) || c.mode !== mode) break;
    run.push(toView(c));
  }
  return { clients: run.slice(0, first), hasNextPage: run.length > first };
}

export async function updateClientInMode(deps: AdminDeps, mode: Mode, id: string, input: UpdateClientInput, actor?: Actor): Promise<ClientView> {
  await inMode(deps, mode, id);
  return updateClient(deps, id, input, actor);
}

export async function rotateSecretInMode(deps: AdminDeps, mode: Mode, id: string, graceSeconds?: number, actor?: Actor): Promise<RotatedSecret> {
  await inMode(deps, mode, id);
  return rotateSecret(deps, id, graceSeconds, actor);
}
