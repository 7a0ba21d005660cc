import type { Target } from '../../domain/api.js';
import type { AuditEvent } from '../../domain/audit.js';
import type { Client } from '../../domain/client.js';
import type { LockoutKeys, LockoutRead } from '../../domain/lockout.js';
import type { ApiRef } from './apis.js';

/* The client store: every write takes the audit events that describe it. */

export type ClientPatch = Partial<
  Pick<Client, 'name' | 'scopes' | 'allowedIps' | 'enabled' | 'orgId' | 'tokensPerMinute' | 'burst'>
> & {
  /**
   * Advance the secret generation (the secret itself stays) and end any grace, in the same
   * write: every token and refresh token issued before is dead for good.
   */
  endTokens?: true;
};

export interface SecretChange {
  secretHash: string;
  /** Keep the replaced secret (and its generation's tokens) alive until then; null ends it now. */
  graceUntil: number | null;
}

/**
 * A patch decided from the row as the writing transaction reads it (and locks it, on a networked
 * store): a change that depends on what is there now, such as a disable that ends tokens only
 * when the client was enabled, is judged without a race between the read and the write.
 */
export type PatchFor = (before: Client) => ClientPatch;

/** The audit events of an insert, from the row as it will be stored. */
export type InsertAudit = (client: Client) => readonly AuditEvent[];

/**
 * The audit events of an update, decided by the use case from the row as it was and as it is,
 * both read inside the writing transaction. Synchronous: it runs inside that transaction.
 */
export type UpdateAudit = (before: Client, after: Client) => readonly AuditEvent[];

/** The audit events of a rotation, from the rotated row (its new generation) inside the transaction. */
export type RotateAudit = (rotated: Client) => readonly AuditEvent[];

/** The audit events of a deletion, from the row as it was, read inside the deleting transaction. */
export type DeleteAudit = (deleted: Client) => readonly AuditEvent[];

/**
 * Client storage. Async so that a networked store (PostgreSQL) can stand behind it; every read
 * goes to the store, so a change made by another process is seen on the next request.
 *
 * Every write takes the audit events that describe it and commits them in the same transaction:
 * both are stored, or neither (a crash between two commits would leave a change nobody recorded).
 * The store only writes the events; what they say is the use case's choice. An event builder
 * that throws, or an event that cannot be written, leaves nothing changed.
 */
export interface ClientStore {
  findById(id: string): Promise<Client | undefined>;
  /**
   * What a credential check reads: the client (undefined when unknown) and its two lockout
   * counters as stored now, no lock, no write, in one read (one round trip on a networked store).
   * With `target`, the same read brings that API and the client's grant for it (undefined when
   * either is missing): naming an API costs no second round trip.
   */
  findForCheck(
    id: string,
    keys: LockoutKeys,
    target?: ApiRef,
  ): Promise<{ client: Client | undefined; lockout: LockoutRead; target?: Target | undefined }>;
  insert(client: Client, audit: InsertAudit): Promise<void>;
  /**
   * Inserts the client (with its audit events) only when there is no client at all, decided
   * atomically across processes; false, with nothing written, when there already is one.
   */
  insertFirst(client: Client, audit: InsertAudit): Promise<boolean>;
  /**
   * Undefined, with nothing written, when there is no such client. A `PatchFor` is called with
   * the row read inside the writing transaction; what it returns is written.
   */
  update(id: string, patch: ClientPatch | PatchFor, now: number, audit: UpdateAudit): Promise<Client | undefined>;
  /**
   * Replaces the secret and bumps the generation in one durable transaction; the replaced hash
   * becomes the previous one when there is a grace, read inside the same transaction.
   */
  rotateSecret(id: string, change: SecretChange, now: number, audit: RotateAudit): Promise<Client | undefined>;
  /**
   * Removes the client for good, with its audit events, its usage rows and its quota instant, in
   * one transaction; returns the row as it was. Undefined, with nothing written, when there is no
   * such client. Its tokens need no sweep: each names a client that no longer exists, which the Bearer check refuses.
   */
  delete(id: string, now: number, audit: DeleteAudit): Promise<Client | undefined>;
  /**
   * Clients in byte order of their ids, after `afterId` when given; only those of `orgId` when
   * given, and only those whose id or name contains `search` (case-insensitive, taken literally:
   * `%` and `_` are no wildcards) when given.
   */
  list(page: { limit: number; afterId?: string; orgId?: string; search?: string }): Promise<Client[]>;
  count(): Promise<number>;
  /**
   * Records that the client was used at `at` (a token issued): `lastUsedAt` becomes the later of
   * the two. No audit event, no generation change. Callers throttle it (once a minute per client).
   */
  markUsed(id: string, at: number): Promise<void>;
}
