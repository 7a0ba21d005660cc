import type { LockoutPolicy } from '../../domain/lockout.js';
import type { AuditLog } from './audit.js';
import type { ApiStore } from './apis.js';
import type { ClientStore } from './clients.js';
import type { IdempotencyStore } from './idempotency.js';
import type { SigningKeyStore } from './keys.js';
import type { LockoutStore } from './lockout.js';
import type { OperatorStore } from './operators.js';
import type { SessionStore } from './sessions.js';
import type { TokenStore } from './tokens.js';
import type { QuotaStore, UsageStore } from './usage.js';

/* Every storage port, opened together on one database. */

/** How long housekeeping keeps what it purges. */
export interface Retention {
  lockout: LockoutPolicy;
  auditRetentionDays: number;
  /** Usage rows are kept this many days past their hour (USAGE_RETENTION_DAYS). */
  usageRetentionDays: number;
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
  apis: ApiStore;
  lockout: LockoutStore;
  tokens: TokenStore;
  audit: AuditLog;
  idempotency: IdempotencyStore;
  keys: SigningKeyStore;
  operators: OperatorStore;
  sessions: SessionStore;
  usage: UsageStore;
  quotas: QuotaStore;
  /** Resolves when the database answers; rejects otherwise. */
  ping(): Promise<void>;
  /**
   * Housekeeping: drops expired refresh tokens, revocations of expired tokens, idempotency keys,
   * lockout counters whose window and lock are over, audit events past their retention, panel
   * sessions past their absolute end and expired setup links, usage rows past their retention,
   * quota instants already past (a full bucket needs no row), a batch at a time. Returns rows dropped.
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
