import type { Api, Grant, Target } from '../../domain/api.js';
import type { AuditEvent } from '../../domain/audit.js';
import type { Mode } from '../../domain/mode.js';

/* APIs (resource servers) and grants: every write takes the audit events that describe it. */

/** Names an API the way a token request does: the identifier, within the mode of the address. */
export interface ApiRef {
  mode: Mode;
  identifier: string;
}

export type ApiPatch = Partial<Pick<Api, 'name' | 'permissions' | 'tokenTtlSeconds'>>;

/** What `deleteApi` did: deleted it (with its grants when forced), or refused. */
export type ApiDeletion =
  | { outcome: 'deleted'; api: Api; grants: Grant[] }
  | { outcome: 'not_found' }
  | { outcome: 'has_grants'; grants: number };

/**
 * API and grant storage. Like the client store, every write commits its audit events in the same
 * transaction, and the builders run inside it on the rows as they were and as they are.
 */
export interface ApiStore {
  /** The APIs of the mode (or both), by identifier. */
  listApis(mode?: Mode): Promise<Api[]>;
  findApi(ref: ApiRef): Promise<Api | undefined>;
  /** False, with nothing written, when the mode already has an API of that identifier. */
  insertApi(api: Api, audit: (api: Api) => readonly AuditEvent[]): Promise<boolean>;
  updateApi(
    ref: ApiRef,
    patch: ApiPatch,
    now: number,
    audit: (before: Api, after: Api) => readonly AuditEvent[],
  ): Promise<Api | undefined>;
  /** Refused while grants exist unless `force`, which deletes them with the API. */
  deleteApi(
    ref: ApiRef,
    force: boolean,
    audit: (api: Api, grants: readonly Grant[]) => readonly AuditEvent[],
  ): Promise<ApiDeletion>;
  /** A client's grants, with their APIs, by API identifier. */
  grantsOf(clientId: string): Promise<Target[]>;
  /** The grants for an API, by client id. */
  grantsFor(apiId: string): Promise<Grant[]>;
  /** The API and the client's grant for it, if both exist (the refresh grant reads this). */
  target(clientId: string, ref: ApiRef): Promise<Target | undefined>;
  /** Creates or replaces the grant; `before` is undefined when there was none. */
  setGrant(grant: Grant, audit: (before: Grant | undefined, after: Grant) => readonly AuditEvent[]): Promise<Grant>;
  /** Undefined, with nothing written, when there was no such grant. */
  removeGrant(
    clientId: string,
    apiId: string,
    audit: (removed: Grant) => readonly AuditEvent[],
  ): Promise<Grant | undefined>;
}
