import { noSuchClient } from '../../domain/access.js';
import {
  checkApiAlg,
  checkApiIdentifier,
  checkApiName,
  checkApiTtl,
  checkGrantPermissions,
  checkPermissions,
  noSuchApi,
  type Api,
  type ApiPermission,
  type Grant,
  type Target,
} from '../../domain/api.js';
import { auditEvent, SYSTEM, type Actor } from '../../domain/audit.js';
import { DomainError, invalidField } from '../../domain/errors.js';
import type { Mode } from '../../domain/mode.js';
import type { TokenSettings } from '../../domain/token.js';
import type { ApiPatch, ApiRef, ApiStore, ClientStore, Clock, Random } from '../ports.js';

/** What managing APIs and grants needs; each store write commits its audit events with it. */
export interface ApiDeps {
  apis: ApiStore;
  clients: ClientStore;
  clock: Clock;
  random: Random;
  tokens: TokenSettings;
}

export interface CreateApiInput {
  identifier: string;
  name: string;
  mode: Mode;
  permissions: ApiPermission[];
  tokenTtlSeconds?: number | null;
  alg?: string | null;
}

export interface UpdateApiInput {
  name?: string;
  permissions?: ApiPermission[];
  /** null clears the cap. */
  tokenTtlSeconds?: number | null;
}

const names = (permissions: readonly ApiPermission[]): string[] => permissions.map((p) => p.name);

/** What the audit trail says of an API: never more than its public description. */
const described = (api: Api): Record<string, unknown> => ({
  identifier: api.identifier,
  mode: api.mode,
  name: api.name,
  permissions: names(api.permissions),
  tokenTtlSeconds: api.tokenTtlSeconds,
  alg: api.alg,
});

/**
 * Creates an API of a mode; audited as `api.created`. Its identifier must be new in the mode and
 * must not be the default API's, whose grant is each client's own scopes.
 */
export async function createApi(deps: ApiDeps, input: CreateApiInput, actor: Actor = SYSTEM): Promise<Api> {
  const identifier = checkApiIdentifier(input.identifier);
  if (identifier === deps.tokens.audience(input.mode)) {
    throw invalidField('identifier', "is the default API's: its permissions are each client's own scopes");
  }
  const now = deps.clock.now();
  const api: Api = {
    id: `api_${deps.random.bytes(12).toString('base64url')}`,
    identifier,
    name: checkApiName(input.name),
    mode: input.mode,
    permissions: checkPermissions(input.permissions),
    tokenTtlSeconds: input.tokenTtlSeconds == null ? null : checkApiTtl(input.tokenTtlSeconds),
    alg: input.alg == null ? null : checkApiAlg(input.alg),
    createdAt: now,
    updatedAt: now,
  };
  const inserted = await deps.apis.insertApi(api, (row) => [
    auditEvent(actor, 'api.created', null, now, described(row)),
  ]);
  if (!inserted) throw invalidField('identifier', `is already an API of ${input.mode} mode`);
  return api;
}

export async function getApi(deps: Pick<ApiDeps, 'apis'>, ref: ApiRef): Promise<Api> {
  const api = await deps.apis.findApi(ref);
  if (!api) throw noSuchApi();
  return api;
}

export const listApis = (deps: Pick<ApiDeps, 'apis'>, mode?: Mode): Promise<Api[]> => deps.apis.listApis(mode);

/**
 * Changes an API's name, permissions or lifetime cap; audited as `api.updated` with before and
 * after, judged on the row read in the writing transaction. A permission taken away ends, at
 * Tollgate's own endpoints, every token that carries it; grants keep the name but no longer give it.
 */
export async function updateApi(
  deps: ApiDeps,
  ref: ApiRef,
  input: UpdateApiInput,
  actor: Actor = SYSTEM,
): Promise<Api> {
  const patch: ApiPatch = {};
  if (input.name !== undefined) patch.name = checkApiName(input.name);
  if (input.permissions !== undefined) patch.permissions = checkPermissions(input.permissions);
  if (input.tokenTtlSeconds !== undefined)
    patch.tokenTtlSeconds = input.tokenTtlSeconds === null ? null : checkApiTtl(input.tokenTtlSeconds);
  const now = deps.clock.now();
  const updated = await deps.apis.updateApi(ref, patch, now, (before, after) => {
    const [b, a] = [described(before), described(after)];
    const changed = Object.keys(a).filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]));
    const descriptions = JSON.stringify(before.permissions) !== JSON.stringify(after.permissions);
    if (changed.length === 0 && !descriptions) return [];
    const pick = (o: Record<string, unknown>) => Object.fromEntries(changed.map((k) => [k, o[k]]));
    return [
      auditEvent(actor, 'api.updated', null, now, {
        identifier: after.identifier,
        mode: after.mode,
        before: pick(b),
        after: pick(a),
      }),
    ];
  });
  if (!updated) throw noSuchApi();
  return updated;
}

/**
 * Deletes an API; refused while clients hold grants for it unless `force`, which removes them in
 * the same transaction. Audited as `api.deleted` (with the clients whose grants went). Its tokens
 * die on their next use at Tollgate's own endpoints.
 */
export async function deleteApi(deps: ApiDeps, ref: ApiRef, force: boolean, actor: Actor = SYSTEM): Promise<Api> {
  const now = deps.clock.now();
  const result = await deps.apis.deleteApi(ref, force, (api, grants) => [
    auditEvent(actor, 'api.deleted', null, now, { ...described(api), grantsRemoved: grants.map((g) => g.clientId) }),
  ]);
  if (result.outcome === 'not_found') throw noSuchApi();
  if (result.outcome === 'has_grants') {
    throw new DomainError(
      'invalid_request',
      `The API has ${result.grants} grant${result.grants === 1 ? '' : 's'}: remove them first, or force the deletion`,
      {
        field: 'force',
      },
    );
  }
  return result.api;
}

/** The API and the client, both of the same mode, or not_found for either. */
async function apiAndClient(deps: ApiDeps, clientId: string, ref: ApiRef): Promise<Api> {
  const client = await deps.clients.findById(clientId);
  if (!client || client.mode !== ref.mode) throw noSuchClient();
  return getApi(deps, ref);
}

/**
 * Sets what a client may ask for at an API (replacing any earlier grant); audited as `grant.set`
 * with before and after. Permissions taken away end the tokens that carry them.
 */
export async function setGrant(
  deps: ApiDeps,
  clientId: string,
  ref: ApiRef,
  permissions: readonly string[],
  actor: Actor = SYSTEM,
): Promise<Target> {
  const api = await apiAndClient(deps, clientId, ref);
  const granted = checkGrantPermissions(api, permissions);
  const now = deps.clock.now();
  const grant: Grant = { clientId, apiId: api.id, permissions: granted, createdAt: now, updatedAt: now };
  const stored = await deps.apis.setGrant(grant, (before, after) => {
    if (before && JSON.stringify(before.permissions) === JSON.stringify(after.permissions)) return [];
    return [
      auditEvent(actor, 'grant.set', clientId, now, {
        api: api.identifier,
        before: before?.permissions ?? null,
        after: after.permissions,
      }),
    ];
  });
  return { api, grant: stored };
}

/** Removes a client's grant for an API; audited as `grant.removed`. Its tokens for that API die. */
export async function removeGrant(
  deps: ApiDeps,
  clientId: string,
  ref: ApiRef,
  actor: Actor = SYSTEM,
): Promise<Target> {
  const api = await apiAndClient(deps, clientId, ref);
  const now = deps.clock.now();
  const removed = await deps.apis.removeGrant(clientId, api.id, (grant) => [
    auditEvent(actor, 'grant.removed', clientId, now, { api: api.identifier, before: grant.permissions }),
  ]);
  if (!removed) throw new DomainError('not_found', 'The client holds no grant for this API');
  return { api, grant: removed };
}

/** A client's grants, with their APIs. */
export async function grantsOf(deps: ApiDeps, clientId: string): Promise<Target[]> {
  const client = await deps.clients.findById(clientId);
  if (!client) throw noSuchClient();
  return deps.apis.grantsOf(clientId);
}
