import { authorize, authorizeApi, noSuchClient, type Principal } from '../../domain/access.js';
import type { Api, Target } from '../../domain/api.js';
import type { Actor } from '../../domain/audit.js';
import type { ApiRef } from '../ports.js';
import {
  createApi,
  deleteApi,
  getApi,
  listApis,
  removeGrant,
  setGrant,
  updateApi,
  type ApiDeps,
  type CreateApiInput,
  type UpdateApiInput,
} from './manage.js';

/*
 * APIs and grants administered by a caller (an admin token, or a person in the panel), in the
 * mode of the address called. Every action asks src/domain/access.ts first: APIs are read by
 * anyone who administers and managed by deployment admins; a grant is a change to its client,
 * so whoever may update the client may set or remove it.
 */

const ref = (caller: Principal, identifier: string): ApiRef => ({ mode: caller.mode, identifier });

export async function listApisFor(deps: Pick<ApiDeps, 'apis'>, caller: Principal): Promise<Api[]> {
  authorizeApi(caller, 'read');
  return listApis(deps, caller.mode);
}

/** The API of this mode, or undefined (an API of the other mode is not there). */
export async function findApiFor(
  deps: Pick<ApiDeps, 'apis'>,
  caller: Principal,
  identifier: string,
): Promise<Api | undefined> {
  authorizeApi(caller, 'read');
  return deps.apis.findApi(ref(caller, identifier));
}

export async function createApiFor(
  deps: ApiDeps,
  caller: Principal,
  input: Omit<CreateApiInput, 'mode'>,
  actor: Actor,
): Promise<Api> {
  authorizeApi(caller, 'manage');
  return createApi(deps, { ...input, mode: caller.mode }, actor);
}

export async function updateApiFor(
  deps: ApiDeps,
  caller: Principal,
  identifier: string,
  input: UpdateApiInput,
  actor: Actor,
): Promise<Api> {
  authorizeApi(caller, 'manage');
  return updateApi(deps, ref(caller, identifier), input, actor);
}

export async function deleteApiFor(
  deps: ApiDeps,
  caller: Principal,
  identifier: string,
  force: boolean,
  actor: Actor,
): Promise<Api> {
  authorizeApi(caller, 'manage');
  return deleteApi(deps, ref(caller, identifier), force, actor);
}

/** The client the caller may update (a grant is a change to it), or not_found. */
async function grantable(deps: ApiDeps, caller: Principal, clientId: string): Promise<void> {
  authorize(caller, 'update');
  const client = await deps.clients.findById(clientId);
  if (!client) throw noSuchClient();
  authorize(caller, 'update', client);
}

export async function setGrantFor(
  deps: ApiDeps,
  caller: Principal,
  clientId: string,
  identifier: string,
  permissions: readonly string[],
  actor: Actor,
): Promise<Target> {
  await grantable(deps, caller, clientId);
  return setGrant(deps, clientId, ref(caller, identifier), permissions, actor);
}

export async function removeGrantFor(
  deps: ApiDeps,
  caller: Principal,
  clientId: string,
  identifier: string,
  actor: Actor,
): Promise<Target> {
  await grantable(deps, caller, clientId);
  return removeGrant(deps, clientId, ref(caller, identifier), actor);
}

/** The grants of a client the caller may read (the client is already authorised by its resolver). */
export async function grantsOfFor(
  deps: Pick<ApiDeps, 'apis'>,
  caller: Principal,
  client: { id: string; mode: Api['mode']; orgId: string | null },
): Promise<Target[]> {
  authorize(caller, 'read', client);
  return deps.apis.grantsOf(client.id);
}

export { getApi };
