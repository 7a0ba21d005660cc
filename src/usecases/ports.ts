import type { AuditEvent, AuditRecord } from '../domain/audit.js';
import type { Client } from '../domain/client.js';
import type { LockoutKeys, LockoutPolicy, LockoutRead, LockoutVerdict } from '../domain/lockout.js';
import type { Mode } from '../domain/mode.js';
import type { Operator, Session, SessionPolicy } from '../domain/operator.js';
import type { RefreshRecord } from '../domain/refresh.js';
import type { AccessTokenClaims, TokenSettings } from '../domain/token.js';

/** Time, passed in so tests run on a fixed clock. Epoch milliseconds. */
export interface Clock {
  now(): number;
}

/** Randomness from a CSPRNG, passed in like time. */
export interface Random {
  bytes(length: number): Buffer;
}

export type ClientPatch = Partial<Pick<Client, 'name' | 'scopes' | 'allowedIps' | 'enabled' | 'orgId'>> & {
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
   */
  findForCheck(id: string, keys: LockoutKeys): Promise<{ client: Client | undefined; lockout: LockoutRead }>;
  insert(client: Client, audit: InsertAudit): Promise<void>;
  /**
   * Inserts the client (with its audit events) only when there is no client at all, decided
   * atomically across processes; false, with nothing written, when there already is one.
   */
  insertFirst(client: Client, audit: InsertAudit): Promise<boolean>;
  /** Undefined, with nothing written, when there is no such client. */
  update(id: string, patch: ClientPatch, now: number, audit: UpdateAudit): Promise<Client | undefined>;
  /**
   * Replaces the secret and bumps the generation in one durable transaction; the replaced hash
   * becomes the previous one when there is a grace, read inside the same transaction.
   */
  rotateSecret(id: string, change: SecretChange, now: number, audit: RotateAudit): Promise<Client | undefined>;
  /**
   * Removes the client for good, with its audit events, in one transaction; returns the row as it
   * was. Undefined, with nothing written, when there is no such client. Its tokens need no
   * sweep: each names a client that no longer exists, which the Bearer check refuses.
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

/**
 * Lockout counters. `settle` is atomic across requests and processes: it reads both counters
 * under the store's lock, lets `settleLockout` (src/domain/lockout.ts) decide, writes the rows it
 * returns and commits the audit events of the locks that begin with them, so parallel wrong
 * attempts never get more verdicts than the limit.
 */
export interface LockoutStore {
  /** The two counters as stored now: a read, no lock, no write. */
  read(keys: LockoutKeys): Promise<LockoutRead>;
  /**
   * `seen`: the counters as the caller already read them (findForCheck), for the fast path only: a
   * decision that writes nothing on them stands (as it would on a fresh read an instant earlier);
   * anything to write is decided again under the lock.
   */
  settle(keys: LockoutKeys, succeeded: boolean, now: number, policy: LockoutPolicy, seen?: LockoutRead): Promise<LockoutVerdict>;
}

/** Token state: revocations and refresh tokens. Access tokens themselves are never stored. */
export interface TokenStore {
  /** The client a token names and whether its `jti` is revoked, in one indexed read. */
  bearerState(clientId: string, jti: string): Promise<{ client: Client | undefined; revoked: boolean }>;
  /** `expiresAt` null: a token without `exp`, revoked for good. Revoking twice is one revocation. */
  revokeAccessToken(jti: string, clientId: string, expiresAt: number | null, now: number): Promise<void>;
  /** Resolves once the row is durable (within the store's documented trade-off). */
  saveRefreshToken(record: RefreshRecord): Promise<void>;
  findRefreshToken(hash: string): Promise<RefreshRecord | undefined>;
  deleteRefreshToken(hash: string): Promise<void>;
}

/**
 * The audit trail. Changes are written by the stores that make them, inside their transactions:
 * client changes by the ClientStore, lockouts by the LockoutStore when a lock begins. `record`
 * is for events that describe no change (a refused attempt worth seeing).
 */
export interface AuditLog {
  /** Newest first; only `clientId`'s events when given. */
  list(query: { clientId?: string; limit: number }): Promise<AuditRecord[]>;
  /** Appends events that go with no other write, durably, in one transaction. */
  record(events: readonly AuditEvent[]): Promise<void>;
}

/** What is stored under (caller, key): still running, or the finished answer, sealed. */
export type StoredIdempotency = { state: 'pending'; requestHash: string } | { state: 'done'; requestHash: string; sealed: string };

/**
 * Idempotency keys, scoped by the calling client. `claim` is atomic across processes: of two
 * requests racing on one key, exactly one gets `claimed`; the other sees the record. The store
 * keeps answers as the sealed text it is given and never sees a secret.
 */
export interface IdempotencyStore {
  /** Claims the key for a new request, or returns the unexpired record already there. */
  claim(callerId: string, key: string, requestHash: string, now: number, expiresAt: number): Promise<{ state: 'claimed' } | StoredIdempotency>;
  /** Stores the sealed answer of a claimed key. */
  complete(callerId: string, key: string, sealed: string): Promise<void>;
  /** Frees a claimed key whose request failed, so it can be retried with a corrected input. */
  release(callerId: string, key: string): Promise<void>;
}

/** A signing key as stored: the private half sealed under the master key. */
export interface StoredSigningKey {
  kid: string;
  mode: Mode;
  alg: string;
  /** The public JWK, as JSON. */
  publicJwk: string;
  /** The private JWK, as JSON sealed with AES-256-GCM under the master key. */
  privateJwkEnc: string;
  current: boolean;
  createdAt: number;
}

/**
 * The audit events of a key made current, from the key and the kid it replaces (null: none),
 * read inside the writing transaction. Never put `privateJwkEnc` in an event.
 */
export type KeyInsertAudit = (key: StoredSigningKey, replacedKid: string | null) => readonly AuditEvent[];

/** The audit events of a key's removal, from the row as it was, read inside the transaction. */
export type KeyRemoveAudit = (removed: StoredSigningKey) => readonly AuditEvent[];

/** What `remove` did: removed the key, or refused because it is its mode's current key or unknown. */
export type KeyRemoval = { outcome: 'removed'; key: StoredSigningKey } | { outcome: 'current' | 'not_found' };

/**
 * Signing keys. Reads are async; the key ring above keeps the keys in memory. Writes that take
 * audit events commit them in the same transaction, as the ClientStore does.
 */
export interface SigningKeyStore {
  currentKid(mode: Mode): Promise<string | undefined>;
  current(mode: Mode): Promise<StoredSigningKey | undefined>;
  /** Every key (of the mode, when given), oldest first. Each running key ring reads it once a second. */
  list(mode?: Mode): Promise<StoredSigningKey[]>;
  /**
   * Makes `key` its mode's only current key, in one transaction. With `onlyReplacing` (a kid, or
   * null for none) nothing happens, and false is returned, unless the current kid is still that
   * one: of several processes starting together, only the first replaces the key it saw.
   * With `audit`, its events commit in that transaction (an operator's `keys rotate`); a builder
   * that throws leaves nothing changed. Not called when nothing happens.
   */
  insertCurrent(key: StoredSigningKey, onlyReplacing?: string | null, audit?: KeyInsertAudit): Promise<boolean>;
  /**
   * Deletes a key that is no longer current, with its audit events, in one transaction. The
   * current key of a mode is refused (`current`) inside that transaction, so a rotation racing
   * the removal can never leave a mode without a key; an unknown kid is `not_found`. Refused,
   * nothing is written and the builder is not called.
   */
  remove(kid: string, audit: KeyRemoveAudit): Promise<KeyRemoval>;
}

/** What an operator update may change. */
export type OperatorPatch = Partial<
  Pick<Operator, 'role' | 'orgId' | 'enabled' | 'passwordHash' | 'totpSecretSealed' | 'totpEnabled' | 'recoveryCodeHashes'>
>;

/** The audit events of an operator change, from the row as it was and as it is, inside the transaction. */
export type OperatorAudit = (before: Operator | undefined, after: Operator) => readonly AuditEvent[];

/** A one-time setup link, stored by the SHA-256 of its token. `operatorId` null: the first admin's. */
export interface SetupToken {
  hash: string;
  operatorId: string | null;
  createdAt: number;
  expiresAt: number;
}

/**
 * Operators of the developer panel and their setup links. Writes take their audit events and
 * commit them in the same transaction, as the ClientStore does.
 */
export interface OperatorStore {
  findById(id: string): Promise<Operator | undefined>;
  /** By the stored (lower-cased) email. */
  findByEmail(email: string): Promise<Operator | undefined>;
  /** Every operator, by email. */
  list(): Promise<Operator[]>;
  count(): Promise<number>;
  /** False, with nothing written, when the email is taken. */
  insert(operator: Operator, audit: OperatorAudit): Promise<boolean>;
  /** Inserts only when there is no operator at all, decided atomically across processes. */
  insertFirst(operator: Operator, audit: OperatorAudit): Promise<boolean>;
  /**
   * Changes an operator; with `endSessions`, every session of theirs is deleted in the same
   * transaction (a disable, a reset, a new password). Undefined when there is no such operator.
   */
  update(id: string, patch: OperatorPatch, now: number, audit: OperatorAudit, opts?: { endSessions?: boolean }): Promise<Operator | undefined>;
  /**
   * Accepts a TOTP time step only when it is later than the last accepted one, atomically, so a
   * code is good once across requests and instances (RFC 6238 §5.2).
   */
  advanceTotpStep(id: string, step: number): Promise<boolean>;
  /** Removes one unused recovery code by its hash, atomically: true when it was there. */
  useRecoveryCode(id: string, codeHash: string): Promise<boolean>;
  /** Stores a setup link; for an operator, the links issued before stop working. */
  putSetupToken(token: SetupToken): Promise<void>;
  /** Takes a live link: returns and deletes it in one step; undefined when unknown or expired. */
  takeSetupToken(hash: string, now: number): Promise<SetupToken | undefined>;
}

/** Panel sessions, server-side. The cookie's value is never stored, only its SHA-256. */
export interface SessionStore {
  insert(session: Session): Promise<void>;
  /** The session and its operator in one read; undefined when unknown. */
  find(idHash: string): Promise<{ session: Session; operator: Operator } | undefined>;
  /** Restarts the idle clock. */
  touch(idHash: string, lastSeenAt: number): Promise<void>;
  /** Ends one session; ending an unknown one is not an error. */
  delete(idHash: string): Promise<void>;
}

/** How long housekeeping keeps what it purges. */
export interface Retention {
  lockout: LockoutPolicy;
  auditRetentionDays: number;
}

/** What `backup` made. */
export interface BackupResult {
  file: string;
  pages: number;
  integrity: string;
}

/**
 * Every storage port, opened together on one database by the store factory (the composition
 * root picks which). Nothing above src/infra knows which database stands behind it.
 */
export interface Store {
  clients: ClientStore;
  lockout: LockoutStore;
  tokens: TokenStore;
  audit: AuditLog;
  idempotency: IdempotencyStore;
  keys: SigningKeyStore;
  operators: OperatorStore;
  sessions: SessionStore;
  /** Resolves when the database answers; rejects otherwise. */
  ping(): Promise<void>;
  /**
   * Housekeeping: drops expired refresh tokens, revocations of expired tokens, idempotency keys,
   * lockout counters whose window and lock are over, audit events past their retention, panel
   * sessions past their absolute end and expired setup links, a batch at a time. Returns rows dropped.
   */
  purgeExpired(now: number, retention: Retention): Promise<number>;
  /**
   * A consistent, self-contained copy of the database in `file` (one file, nothing beside it),
   * creating missing folders or saying which cannot be made and why; refused where the store
   * cannot.
   */
  backup(file: string): Promise<BackupResult>;
  /** Commits what is queued (refresh rows), then closes. */
  close(): Promise<void>;
}

/** Signs access tokens with the mode's current key. */
export interface TokenSigner {
  sign(mode: Mode, claims: AccessTokenClaims): Promise<string>;
}

/** Checks an access token's signature, `typ`, issuer, audience and expiry; nothing stateful. */
export interface TokenVerifier {
  /** The claims, or a DomainError `invalid_token` saying what is wrong (never quoting the token). */
  verify(token: string, mode: Mode): Promise<AccessTokenClaims>;
}

/** A published signing key. */
export interface PublicKeyInfo {
  kid: string;
  mode: Mode;
  alg: string;
  current: boolean;
  createdAt: number;
  jwk: Record<string, unknown>;
}

/** The signing keys as operators and the JWKS see them. */
export interface SigningKeys {
  /** Every key of the mode (or of both), current first. */
  publicKeys(mode?: Mode): Promise<PublicKeyInfo[]>;
  /**
   * Makes a new current key for the mode; the old one stays published. The audit events, built
   * from the new key and the kid it replaced, commit with it.
   */
  rotate(mode: Mode, audit?: (key: PublicKeyInfo, replacedKid: string | null) => readonly AuditEvent[]): Promise<PublicKeyInfo>;
  /**
   * Deletes a retired key, with its audit events: it leaves the JWKS at once, and every token
   * it signed stops verifying (in running servers within a second). A current key is refused.
   */
  remove(kid: string, audit: (key: PublicKeyInfo) => readonly AuditEvent[]): Promise<{ outcome: 'removed'; key: PublicKeyInfo } | { outcome: 'current' | 'not_found' }>;
}

/** Seals and opens values stored at rest (answers kept for idempotent retries hold secrets). */
export interface Sealer {
  seal(plaintext: string): string;
  /** Throws when the text was not sealed by this sealer's key. */
  open(sealed: string): string;
}

/** Everything a credential check needs. */
export interface CoreDeps {
  clients: ClientStore;
  lockout: LockoutStore;
  lockoutPolicy: LockoutPolicy;
  clock: Clock;
  random: Random;
}

/** Notes that a client was used (a token issued to it); cheap, never fails the caller. */
export interface UsageRecorder {
  used(clientId: string, at: number): void;
}

export interface IssueDeps extends CoreDeps {
  signer: TokenSigner;
  usage: UsageRecorder;
  tokens: TokenSettings;
  tokenStore: TokenStore;
}

/** The panel's settings, as the core needs them. */
export interface PanelSettings {
  /** Where setup links point (the live issuer). */
  issuer: string;
  requireTotpForAdmins: boolean;
  session: SessionPolicy;
}

/** What the developer panel's people need: their store, their sessions and the lockout core. */
export interface PanelDeps {
  operators: OperatorStore;
  sessions: SessionStore;
  lockout: LockoutStore;
  lockoutPolicy: LockoutPolicy;
  clock: Clock;
  random: Random;
  /** Seals TOTP secrets at rest (its own purpose, apart from idempotent answers). */
  totpSealer: Sealer;
  panel: PanelSettings;
}

/** Every port: what the doors hand to the use cases. */
export interface Deps extends IssueDeps, PanelDeps {
  verifier: TokenVerifier;
  audit: AuditLog;
  idempotency: IdempotencyStore;
  sealer: Sealer;
  keys: SigningKeys;
}
