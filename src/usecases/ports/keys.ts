import type { AuditEvent } from '../../domain/audit.js';
import type { Mode } from '../../domain/mode.js';
import type { JwtAlg } from '../../domain/token.js';

/* Signing keys: as stored, and as operators and the JWKS see them. */

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
  /** The current key of the mode for the algorithm: each algorithm in use has its own. */
  currentKid(mode: Mode, alg: string): Promise<string | undefined>;
  current(mode: Mode, alg: string): Promise<StoredSigningKey | undefined>;
  /** Every key (of the mode, when given), oldest first. Each running key ring reads it once a second. */
  list(mode?: Mode): Promise<StoredSigningKey[]>;
  /**
   * Makes `key` the only current key of its mode and algorithm, in one transaction. With
   * `onlyReplacing` (a kid, or null for none) nothing happens, and false is returned, unless that
   * mode and algorithm's current kid is still that one: of several processes starting together,
   * only the first replaces the key it saw.
   * With `audit`, its events commit in that transaction (an operator's `keys rotate`); a builder
   * that throws leaves nothing changed. Not called when nothing happens.
   */
  insertCurrent(key: StoredSigningKey, onlyReplacing?: string | null, audit?: KeyInsertAudit): Promise<boolean>;
  /**
   * Deletes a key that is no longer current, with its audit events, in one transaction. A
   * current key (of any algorithm) is refused (`current`) inside that transaction, so a rotation racing
   * the removal can never leave a mode without a key; an unknown kid is `not_found`. Refused,
   * nothing is written and the builder is not called.
   */
  remove(kid: string, audit: KeyRemoveAudit): Promise<KeyRemoval>;
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
   * Makes a new current key for the mode and algorithm (the deployment's `JWT_ALG` when not
   * given); the old one stays published. The audit events, built from the new key and the kid it
   * replaced, commit with it.
   */
  rotate(
    mode: Mode,
    audit?: (key: PublicKeyInfo, replacedKid: string | null) => readonly AuditEvent[],
    alg?: JwtAlg,
  ): Promise<PublicKeyInfo>;
  /**
   * Deletes a retired key, with its audit events: it leaves the JWKS at once, and every token
   * it signed stops verifying (in running servers within a second). A current key is refused.
   */
  remove(
    kid: string,
    audit: (key: PublicKeyInfo) => readonly AuditEvent[],
  ): Promise<{ outcome: 'removed'; key: PublicKeyInfo } | { outcome: 'current' | 'not_found' }>;
}
