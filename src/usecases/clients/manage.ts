import { auditEvent, SYSTEM, type Actor, type AuditEvent } from '../../domain/audit.js';
import {
  checkClientName,
  checkOrgId,
  disableEndsTokens,
  isSecretShape,
  toView,
  SECRET_MAX,
  SECRET_MIN,
  type Client,
  type ClientView,
} from '../../domain/client.js';
import { invalidField } from '../../domain/errors.js';
import { checkQuota, checkQuotaNumber } from '../../domain/quota.js';
import { noSuchClient } from '../../domain/access.js';
import { newClientId, newClientSecret } from '../../domain/ids.js';
import { normaliseAllowlist } from '../../domain/ip.js';
import type { Mode } from '../../domain/mode.js';
import { parseScopeString } from '../../domain/scopes.js';
import { hashGeneratedSecret, hashImportedSecret, isGeneratedShape } from '../../domain/secrets.js';
import type { ClientPatch, ClientStore, Clock, Random } from '../ports.js';

/** The client store also writes the audit trail: each change commits with its events. */
export interface AdminDeps {
  clients: ClientStore;
  clock: Clock;
  random: Random;
}

export interface CreateClientInput {
  name: string;
  mode: Mode;
  scopes?: string[];
  allowedIps?: string[];
  orgId?: string | null;
  /** An imported secret (10–255 printable characters); omitted, one is generated. */
  secret?: string;
}

export interface ClientWithSecret {
  client: ClientView;
  /** Shown exactly once. */
  clientSecret: string;
}

function checkImportedSecret(secret: string): void {
  if (!isSecretShape(secret)) {
    throw invalidField('secret', `must be ${SECRET_MIN}–${SECRET_MAX} printable ASCII characters (spaces allowed)`);
  }
  if (isGeneratedShape(secret)) throw invalidField('secret', 'must not take the shape of a generated secret');
}

/** Each entry is one scope: an entry holding a space is refused, never split into two. */
function checkScopes(scopes: string[]): string[] {
  if (scopes.some((s) => /\s/.test(s))) throw invalidField('scopes', 'entries must each be one scope, without spaces');
  return parseScopeString(scopes.join(' '), 'scopes');
}

const event = auditEvent;

/** Creates a client with a generated (or imported) secret, shown once; audited as `client.created`. */
export async function createClient(
  deps: AdminDeps,
  input: CreateClientInput,
  actor: Actor = SYSTEM,
): Promise<ClientWithSecret> {
  return (await makeClient(deps, input, actor, false))!;
}

/**
 * Creates the client only if there is no client at all, decided atomically by the store: of
 * several instances starting together on an empty database, one makes it. Undefined otherwise.
 */
export async function createFirstClient(
  deps: AdminDeps,
  input: CreateClientInput,
  actor: Actor = SYSTEM,
): Promise<ClientWithSecret | undefined> {
  return makeClient(deps, input, actor, true);
}

async function makeClient(
  deps: AdminDeps,
  input: CreateClientInput,
  actor: Actor,
  onlyFirst: boolean,
): Promise<ClientWithSecret | undefined> {
  const name = checkClientName(input.name);
  const scopes = checkScopes(input.scopes ?? []);
  const allowedIps = normaliseAllowlist(input.allowedIps ?? []);
  const orgId = input.orgId == null ? null : checkOrgId(input.orgId);
  let clientSecret: string;
  let secretHash: string;
  if (input.secret !== undefined) {
    checkImportedSecret(input.secret);
    clientSecret = input.secret;
    secretHash = await hashImportedSecret(clientSecret, deps.random.bytes(16));
  } else {
    clientSecret = newClientSecret(input.mode, deps.random.bytes(32));
    secretHash = hashGeneratedSecret(clientSecret);
  }
  const now = deps.clock.now();
  const client: Client = {
    id: newClientId(input.mode, deps.random.bytes(16)),
    name,
    mode: input.mode,
    scopes,
    orgId,
    allowedIps,
    enabled: true,
    secretGeneration: 1,
    secretHash,
    previousSecretHash: null,
    graceUntil: null,
    createdAt: now,
    updatedAt: now,
    lastUsedAt: null,
    tokensPerMinute: null,
    burst: null,
  };
  const created = event(actor, 'client.created', client.id, now, {
    name,
    mode: input.mode,
    scopes,
    allowedIps,
    orgId,
    secretSource: input.secret !== undefined ? 'imported' : 'generated',
  });
  if (onlyFirst) {
    if (!(await deps.clients.insertFirst(client, () => [created]))) return undefined;
  } else {
    await deps.clients.insert(client, () => [created]);
  }
  return { client: toView(client, now), clientSecret };
}

export async function getClient(deps: Pick<AdminDeps, 'clients' | 'clock'>, id: string): Promise<ClientView> {
  const client = await deps.clients.findById(id);
  if (!client) throw noSuchClient();
  return toView(client, deps.clock.now());
}

export async function listClients(
  deps: Pick<AdminDeps, 'clients' | 'clock'>,
  page: { limit: number; afterId?: string },
): Promise<ClientView[]> {
  const now = deps.clock.now();
  return (await deps.clients.list(page)).map((c) => toView(c, now));
}

export interface UpdateClientInput {
  name?: string;
  scopes?: string[];
  allowedIps?: string[];
  orgId?: string | null;
  enabled?: boolean;
  /** The quota (spec §11); null removes it (and its burst). */
  tokensPerMinute?: number | null;
  /** Tokens at once under the quota; null: as many as `tokensPerMinute`. */
  burst?: number | null;
}

/** The fields `client.updated` reports; `enabled` has events of its own. */
const UPDATED_FIELDS = ['name', 'scopes', 'allowedIps', 'orgId', 'tokensPerMinute', 'burst'] as const;

const sameValue = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/** What an update really changed, as audit events; none when nothing did. */
function updateEvents(actor: Actor, id: string, at: number, before: Client, after: Client): AuditEvent[] {
  const events: AuditEvent[] = [];
  const fields = UPDATED_FIELDS.filter((f) => !sameValue(before[f], after[f]));
  if (fields.length > 0) {
    events.push(
      event(actor, 'client.updated', id, at, { fields, ...Object.fromEntries(fields.map((f) => [f, after[f]])) }),
    );
  }
  if (before.enabled !== after.enabled)
    events.push(event(actor, after.enabled ? 'client.enabled' : 'client.disabled', id, at));
  return events;
}

/**
 * Changes a client's settings. Audited by what really changed, judged against the row read in
 * the writing transaction and committed with it: `client.disabled` / `client.enabled` when the
 * flag flips, `client.updated` (changed field names and new values) for the rest; a call that
 * changes nothing records nothing. Disable and enable are idempotent: on a client already so,
 * the answer is the client as it is, with no generation bump and no audit event.
 */
export async function updateClient(
  deps: AdminDeps,
  id: string,
  input: UpdateClientInput,
  actor: Actor = SYSTEM,
  /** Judges the change inside the writing transaction; a throw leaves the client as it was. */
  allowed?: (before: Client, after: Client) => void,
): Promise<ClientView> {
  const patch: ClientPatch = {};
  if (input.name !== undefined) patch.name = checkClientName(input.name);
  if (input.scopes !== undefined) patch.scopes = checkScopes(input.scopes);
  if (input.allowedIps !== undefined) patch.allowedIps = normaliseAllowlist(input.allowedIps);
  if (input.orgId !== undefined) patch.orgId = input.orgId === null ? null : checkOrgId(input.orgId);
  if (input.enabled !== undefined) patch.enabled = input.enabled;
  if (input.tokensPerMinute !== undefined) patch.tokensPerMinute = input.tokensPerMinute;
  if (input.burst !== undefined) patch.burst = input.burst;
  // Removing the quota removes its burst with it.
  if (input.tokensPerMinute === null && input.burst === undefined) patch.burst = null;
  checkQuotaNumber('tokens_per_minute', input.tokensPerMinute);
  checkQuotaNumber('burst', input.burst);
  // Disable means dead: the tokens issued so far must not come back with an enable, non-expiring
  // ones included, so a disable of an enabled client also advances the generation they are bound
  // to. Judged on the row the writing transaction reads: two disables at once bump it once.
  const patchFor = (before: Client): ClientPatch => {
    // A burst alone belongs to the quota the client has: judged on the row being written.
    if (patch.tokensPerMinute !== undefined || patch.burst !== undefined)
      checkQuota(
        patch.tokensPerMinute === undefined ? before.tokensPerMinute : patch.tokensPerMinute,
        patch.burst ?? null,
      );
    return disableEndsTokens(before, input.enabled) ? { ...patch, endTokens: true } : patch;
  };
  const now = deps.clock.now();
  const updated = await deps.clients.update(id, patchFor, now, (before, after) => {
    allowed?.(before, after);
    return updateEvents(actor, id, now, before, after);
  });
  if (!updated) throw noSuchClient();
  return toView(updated, now);
}

export interface RotatedSecret {
  client: ClientView;
  clientSecret: string;
  generation: number;
}

/** The longest grace a rotation may keep the old secret alive. */
export const MAX_GRACE_SECONDS = 30 * 24 * 3600;

/**
 * Replaces a client's secret and bumps its generation in one durable transaction: every token
 * of an older generation dies on its next use, unless a grace keeps the previous one until then.
 * Audited as `client.rotated` (new generation and grace, never the secret) in that transaction.
 */
export async function rotateSecret(
  deps: AdminDeps,
  id: string,
  graceSeconds = 0,
  actor: Actor = SYSTEM,
): Promise<RotatedSecret> {
  if (!Number.isInteger(graceSeconds) || graceSeconds < 0 || graceSeconds > MAX_GRACE_SECONDS) {
    throw invalidField('grace', `must be a whole number of seconds from 0 to ${MAX_GRACE_SECONDS}`);
  }
  const current = await deps.clients.findById(id);
  if (!current) throw noSuchClient();
  const clientSecret = newClientSecret(current.mode, deps.random.bytes(32));
  const now = deps.clock.now();
  const rotated = await deps.clients.rotateSecret(
    id,
    { secretHash: hashGeneratedSecret(clientSecret), graceUntil: graceSeconds > 0 ? now + graceSeconds * 1000 : null },
    now,
    (row) => [event(actor, 'client.rotated', id, now, { generation: row.secretGeneration, graceSeconds })],
  );
  if (!rotated) throw noSuchClient();
  return { client: toView(rotated, now), clientSecret, generation: rotated.secretGeneration };
}

/**
 * Deletes a client for good, named by its exact id. Audited as `client.deleted` (its name, mode
 * and generation as they were) in the deleting transaction. Its access tokens die at once: each
 * names a client that no longer exists, which the Bearer check refuses; its refresh tokens find
 * no client either. Earlier audit events stay.
 */
export async function deleteClient(deps: AdminDeps, id: string, actor: Actor = SYSTEM): Promise<ClientView> {
  const now = deps.clock.now();
  const deleted = await deps.clients.delete(id, now, (row) => [
    event(actor, 'client.deleted', id, now, { name: row.name, mode: row.mode, secretGeneration: row.secretGeneration }),
  ]);
  if (!deleted) throw noSuchClient();
  return toView(deleted, now);
}
