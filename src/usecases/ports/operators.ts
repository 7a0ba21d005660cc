import type { AuditEvent } from '../../domain/audit.js';
import type { Operator } from '../../domain/operator.js';

/* Panel operators and their setup links. */

/** What an operator update may change. */
export type OperatorPatch = Partial<
  Pick<
    Operator,
    'role' | 'orgId' | 'enabled' | 'passwordHash' | 'totpSecretSealed' | 'totpEnabled' | 'recoveryCodeHashes'
  >
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
  update(
    id: string,
    patch: OperatorPatch,
    now: number,
    audit: OperatorAudit,
    opts?: { endSessions?: boolean },
  ): Promise<Operator | undefined>;
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
