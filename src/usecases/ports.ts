import type { AuditEvent, AuditRecord } from '../domain/audit.js';
import type { Client } from '../domain/client.js';
import type { Mode } from '../domain/mode.js';
import type { AccessTokenClaims, TokenSettings } from '../domain/token.js';
import type { LockoutKeys, LockoutPolicy } from '../domain/lockout.js';

/** Time, passed in so tests run on a fixed clock. Epoch milliseconds. */
export interface Clock {
  now(): number;
}

/** Randomness from a CSPRNG, passed in like time. */
export interface Random {
  bytes(length: number): Buffer;
}

export type ClientPatch = Partial<Pick<Client, 'name' | 'scopes' | 'allowedIps' | 'enabled' | 'orgId'>>;

export interface SecretChange {
  secretHash: string;
  /** Keep the replaced secret (and its generation's tokens) alive until then; null ends it now. */
  graceUntil: number | null;
}

/**
 * The audit events of an update, decided by the use case from the row as it was and as it is,
 * both read inside the writing transaction. Synchronous: it runs inside that transaction.
 */
export type UpdateAudit = (before: Client, after: Client) => readonly AuditEvent[];

/** The audit events of a rotation, from the rotated row (its new generation) inside the transaction. */
export type RotateAudit = (rotated: Client) => readonly AuditEvent[];

/**
 * Client storage. Async so that a networked store (PostgreSQL) can stand behind it; every read
 * goes to the store, so a change made by another process is seen on the next request.
 *
 * Every write takes the audit events that describe it and commits them in the same transaction:
 * both are stored, or neither (a crash between two commits would leave a change nobody recorded).
 * The store only writes the events; what they say is the use case's choice.
 */
export interface ClientStore {
  findById(id: string): Promise<Client | undefined>;
  insert(client: Client, events: readonly AuditEvent[]): Promise<void>;
  /** Undefined, with nothing written, when there is no such client. */
  update(id: string, patch: ClientPatch, now: number, audit: UpdateAudit): Promise<Client | undefined>;
  /**
   * Replaces the secret and bumps the generation in one durable transaction; the replaced hash
   * becomes the previous one when there is a grace, read inside the same transaction.
   */
  rotateSecret(id: string, change: SecretChange, now: number, audit: RotateAudit): Promise<Client | undefined>;
  list(page: { limit: number; afterId?: string }): Promise<Client[]>;
  count(): Promise<number>;
}

/** Signs access tokens with the mode's current key. */
export interface TokenSigner {
  sign(mode: Mode, claims: AccessTokenClaims): Promise<string>;
}

/** Everything a credential check needs. */
export interface CoreDeps {
  clients: ClientStore;
  lockout: LockoutStore;
  lockoutPolicy: LockoutPolicy;
  clock: Clock;
  random: Random;
}

export interface IssueDeps extends CoreDeps {
  signer: TokenSigner;
  tokens: TokenSettings;
  tokenStore: TokenStore;
}

/** Checks an access token's signature, `typ`, issuer, audience and expiry; nothing stateful. */
export interface TokenVerifier {
  /** The claims, or a DomainError `invalid_token` saying what is wrong (never quoting the token). */
  verify(token: string, mode: Mode): Promise<AccessTokenClaims>;
}

/** Every port: what the doors hand to the use cases. */
export interface Deps extends IssueDeps {
  verifier: TokenVerifier;
  audit: AuditLog;
}

/**
 * The audit trail: client changes and lockouts, append-only. Both are written by the store that
 * makes the change, inside its transaction: client changes by the ClientStore, lockouts by the
 * lockout store when a lock begins.
 */
export interface AuditLog {
  record(event: AuditEvent): Promise<void>;
  /** Newest first; only `clientId`'s events when given. */
  list(query: { clientId?: string; limit: number }): Promise<AuditRecord[]>;
}

export interface RefreshRecord {
  /** SHA-256 of the token, base64url; the token itself is never stored. */
  hash: string;
  clientId: string;
  mode: Mode;
  generation: number;
  scopes: string[];
  expiresAt: number;
  createdAt: number;
}

/** Token state: revocations and refresh tokens. Access tokens themselves are never stored. */
export interface TokenStore {
  /** The client a token names and whether its `jti` is revoked, in one indexed read. */
  bearerState(clientId: string, jti: string): Promise<{ client: Client | undefined; revoked: boolean }>;
  /** `expiresAt` null: a token without `exp`, revoked for good. */
  revokeAccessToken(jti: string, clientId: string, expiresAt: number | null, now: number): Promise<void>;
  saveRefreshToken(record: RefreshRecord): Promise<void>;
  findRefreshToken(hash: string): Promise<RefreshRecord | undefined>;
  deleteRefreshToken(hash: string): Promise<void>;
  /** Drops expired refresh tokens and revocations of expired tokens, a batch at a time. */
  purgeExpired(now: number): Promise<number>;
}

/** The outcome of settling one credential check against the lockout counters. */
export type SettleResult = { locked: false } | { locked: true; retryAfterSeconds: number };

/**
 * Lockout counters. `settle` is atomic across requests and processes: it re-reads the counters,
 * refuses when locked, and otherwise records the outcome, so parallel wrong attempts never get
 * more verdicts than the limit.
 */
export interface LockoutStore {
  /** Seconds until the keys unlock (the longest), or 0. A read: costs no write. */
  peek(keys: LockoutKeys, now: number): Promise<number>;
  settle(keys: LockoutKeys, succeeded: boolean, now: number, policy: LockoutPolicy): Promise<SettleResult>;
}
