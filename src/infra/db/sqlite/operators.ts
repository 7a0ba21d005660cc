import type Database from 'better-sqlite3';
import type { AuditEvent } from '../../../domain/audit.js';
import type { Operator, OperatorRole } from '../../../domain/operator.js';
import type { OperatorAudit, OperatorPatch, OperatorStore, SetupToken } from '../../../usecases/ports.js';
import { prepareAuditInsert } from './audit.js';
import { whenFree } from './busy.js';
import type { Db } from './connection.js';

/*
 * The row mappers of the panel's tables, in one place: every read below (and the session store's
 * join) selects OPERATOR_COLUMNS / SESSION_COLUMNS under the domain's own names and maps through
 * toOperator.
 */

/** An operator's columns under the Operator's own names (prefix `o.` where joined). */
export const operatorColumns = (p = ''): string =>
  [
    `${p}id AS id`,
    `${p}email AS email`,
    `${p}role AS role`,
    `${p}org_id AS orgId`,
    `${p}enabled AS enabled`,
    `${p}password_hash AS passwordHash`,
    `${p}totp_secret_sealed AS totpSecretSealed`,
    `${p}totp_enabled AS totpEnabled`,
    `${p}totp_last_step AS totpLastStep`,
    `${p}recovery_code_hashes AS recoveryCodeHashes`,
    `${p}created_at AS createdAt`,
    `${p}updated_at AS updatedAt`,
  ].join(', ');

/** An operator row as SQLite returns it: booleans as 0/1, the recovery codes as JSON text. */
export interface OperatorRow {
  id: string;
  email: string;
  role: string;
  orgId: string | null;
  enabled: number;
  passwordHash: string | null;
  totpSecretSealed: string | null;
  totpEnabled: number;
  totpLastStep: number;
  recoveryCodeHashes: string;
  createdAt: number;
  updatedAt: number;
}

export function toOperator(r: OperatorRow): Operator {
  return {
    id: r.id,
    email: r.email,
    role: r.role as OperatorRole,
    orgId: r.orgId,
    enabled: r.enabled === 1,
    passwordHash: r.passwordHash,
    totpSecretSealed: r.totpSecretSealed,
    totpEnabled: r.totpEnabled === 1,
    totpLastStep: r.totpLastStep,
    recoveryCodeHashes: JSON.parse(r.recoveryCodeHashes) as string[],
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  };
}

/** An operator as bound to the INSERT below. */
const operatorParams = (o: Operator) => ({
  id: o.id,
  email: o.email,
  role: o.role,
  orgId: o.orgId,
  enabled: o.enabled ? 1 : 0,
  passwordHash: o.passwordHash,
  totpSecretSealed: o.totpSecretSealed,
  totpEnabled: o.totpEnabled ? 1 : 0,
  totpLastStep: o.totpLastStep,
  recoveryCodeHashes: JSON.stringify(o.recoveryCodeHashes),
  createdAt: o.createdAt,
  updatedAt: o.updatedAt,
});

/** A session's columns under the Session's own names (prefix `s.` where joined). */
export const sessionColumns = (p = ''): string =>
  [
    `${p}id_hash AS idHash`,
    `${p}operator_id AS operatorId`,
    `${p}created_at AS createdAt`,
    `${p}last_seen_at AS lastSeenAt`,
    `${p}expires_at AS expiresAt`,
  ].join(', ');



interface SetupTokenRow {
  hash: string;
  operatorId: string | null;
  createdAt: number;
  expiresAt: number;
}

const INSERT_OPERATOR = `INSERT INTO operators (id, email, role, org_id, enabled, password_hash, totp_secret_sealed, totp_enabled, totp_last_step, recovery_code_hashes, created_at, updated_at)
  VALUES (@id, @email, @role, @orgId, @enabled, @passwordHash, @totpSecretSealed, @totpEnabled, @totpLastStep, @recoveryCodeHashes, @createdAt, @updatedAt)`;

/** The SET clause of an update: the patched columns, always `updated_at`. */
function patchParams(patch: OperatorPatch, now: number): { set: string[]; params: Record<string, unknown> } {
  const set = ['updated_at = @now'];
  const params: Record<string, unknown> = { now };
  const add = (column: string, name: string, value: unknown): void => {
    set.push(`${column} = @${name}`);
    params[name] = value;
  };
  if (patch.role !== undefined) add('role', 'role', patch.role);
  if (patch.orgId !== undefined) add('org_id', 'orgId', patch.orgId);
  if (patch.enabled !== undefined) add('enabled', 'enabled', patch.enabled ? 1 : 0);
  if (patch.passwordHash !== undefined) add('password_hash', 'passwordHash', patch.passwordHash);
  if (patch.totpSecretSealed !== undefined) add('totp_secret_sealed', 'totpSecretSealed', patch.totpSecretSealed);
  if (patch.totpEnabled !== undefined) add('totp_enabled', 'totpEnabled', patch.totpEnabled ? 1 : 0);
  if (patch.recoveryCodeHashes !== undefined) add('recovery_code_hashes', 'recoveryCodeHashes', JSON.stringify(patch.recoveryCodeHashes));
  return { set, params };
}

const PURGE_BATCH = 1000;

/**
 * Operators and setup links in SQLite. Every write that changes an operator commits with its
 * audit events in one `BEGIN IMMEDIATE` transaction, retried off the event loop while busy; the
 * single-statement verbs (TOTP step, recovery code, taking a link) decide in their WHERE clause.
 */
export class SqliteOperatorStore implements OperatorStore {
  private readonly byId;
  private readonly byEmail;
  private readonly all;
  private readonly countStmt;
  private readonly insertTx;
  private readonly insertFirstTx;
  private readonly updateTx;
  private readonly advanceStmt;
  private readonly useRecoveryStmt;
  private readonly putTokenTx;
  private readonly takeTokenStmt;
  private readonly purgeTokensStmt;
  /** `UPDATE … SET` statements by their column list, prepared on first use. */
  private readonly updates = new Map<string, Database.Statement>();

  constructor(db: Db) {
    const sqlite = db.$client;
    this.byId = sqlite.prepare<[string], OperatorRow>(`SELECT ${operatorColumns()} FROM operators WHERE id = ?`);
    this.byEmail = sqlite.prepare<[string], OperatorRow>(`SELECT ${operatorColumns()} FROM operators WHERE email = ?`);
    this.all = sqlite.prepare<[], OperatorRow>(`SELECT ${operatorColumns()} FROM operators ORDER BY email`);
    this.countStmt = sqlite.prepare<[], number>('SELECT count(*) FROM operators').pluck();
    const insertOne = sqlite.prepare(`${INSERT_OPERATOR} ON CONFLICT (email) DO NOTHING`);
    const audit = prepareAuditInsert(sqlite);
    const record = (events: readonly AuditEvent[]): void => {
      for (const e of events) audit(e);
    };
    const endSessions = sqlite.prepare<[string]>('DELETE FROM sessions WHERE operator_id = ?');
    this.insertTx = sqlite.transaction((operator: Operator, events: OperatorAudit): boolean => {
      // A taken email is no error: nothing is written, and the caller is told.
      if (insertOne.run(operatorParams(operator)).changes === 0) return false;
      record(events(undefined, toOperator(this.byId.get(operator.id)!)));
      return true;
    });
    // IMMEDIATE (below): the check and the insert hold the write lock together, across processes.
    const anyOperator = sqlite.prepare('SELECT 1 FROM operators LIMIT 1').pluck();
    this.insertFirstTx = sqlite.transaction((operator: Operator, events: OperatorAudit): boolean => {
      if (anyOperator.get() !== undefined) return false;
      insertOne.run(operatorParams(operator));
      record(events(undefined, toOperator(this.byId.get(operator.id)!)));
      return true;
    });
    this.updateTx = sqlite.transaction((id: string, patch: OperatorPatch, now: number, events: OperatorAudit, end: boolean): Operator | undefined => {
      // Read in the transaction, so the events describe exactly the change that commits.
      const before = this.byId.get(id);
      if (!before) return undefined;
      const { set, params } = patchParams(patch, now);
      const key = set.join(', ');
      let stmt = this.updates.get(key);
      if (!stmt) {
        stmt = sqlite.prepare(`UPDATE operators SET ${key} WHERE id = @id RETURNING ${operatorColumns()}`);
        this.updates.set(key, stmt);
      }
      const after = toOperator(stmt.get({ ...params, id }) as OperatorRow);
      if (end) endSessions.run(id);
      record(events(toOperator(before), after));
      return after;
    });
    this.advanceStmt = sqlite.prepare<[number, string, number]>('UPDATE operators SET totp_last_step = ? WHERE id = ? AND totp_last_step < ?');
    // One statement: the code is removed only where it is, so of two uses one changes the row.
    this.useRecoveryStmt = sqlite.prepare<{ id: string; hash: string }>(
      `UPDATE operators SET recovery_code_hashes = (SELECT json_group_array(value) FROM json_each(recovery_code_hashes) WHERE value <> @hash)
       WHERE id = @id AND EXISTS (SELECT 1 FROM json_each(recovery_code_hashes) WHERE value = @hash)`,
    );
    const dropTokensOf = sqlite.prepare<[string]>('DELETE FROM setup_tokens WHERE operator_id = ?');
    const insertToken = sqlite.prepare<[string, string | null, number, number]>('INSERT INTO setup_tokens (hash, operator_id, created_at, expires_at) VALUES (?, ?, ?, ?)');
    this.putTokenTx = sqlite.transaction((t: SetupToken): void => {
      if (t.operatorId !== null) dropTokensOf.run(t.operatorId);
      insertToken.run(t.hash, t.operatorId, t.createdAt, t.expiresAt);
    });
    this.takeTokenStmt = sqlite.prepare<[string, number], SetupTokenRow>(
      'DELETE FROM setup_tokens WHERE hash = ? AND expires_at > ? RETURNING hash, operator_id AS operatorId, created_at AS createdAt, expires_at AS expiresAt',
    );
    this.purgeTokensStmt = sqlite.prepare<[number]>(
      `DELETE FROM setup_tokens WHERE rowid IN (SELECT rowid FROM setup_tokens WHERE expires_at <= ? LIMIT ${PURGE_BATCH})`,
    );
  }

  async findById(id: string): Promise<Operator | undefined> {
    const row = this.byId.get(id);
    return row && toOperator(row);
  }

  async findByEmail(email: string): Promise<Operator | undefined> {
    const row = this.byEmail.get(email);
    return row && toOperator(row);
  }

  async list(): Promise<Operator[]> {
    return this.all.all().map(toOperator);
  }

  async count(): Promise<number> {
    return this.countStmt.get()!;
  }

  insert(operator: Operator, audit: OperatorAudit): Promise<boolean> {
    return whenFree(() => this.insertTx.immediate(operator, audit));
  }

  insertFirst(operator: Operator, audit: OperatorAudit): Promise<boolean> {
    return whenFree(() => this.insertFirstTx.immediate(operator, audit));
  }

  update(id: string, patch: OperatorPatch, now: number, audit: OperatorAudit, opts: { endSessions?: boolean } = {}): Promise<Operator | undefined> {
    return whenFree(() => this.updateTx.immediate(id, patch, now, audit, opts.endSessions === true));
  }

  async advanceTotpStep(id: string, step: number): Promise<boolean> {
    return (await whenFree(() => this.advanceStmt.run(step, id, step))).changes === 1;
  }

  async useRecoveryCode(id: string, codeHash: string): Promise<boolean> {
    return (await whenFree(() => this.useRecoveryStmt.run({ id, hash: codeHash }))).changes === 1;
  }

  async putSetupToken(token: SetupToken): Promise<void> {
    await whenFree(() => this.putTokenTx.immediate(token));
  }

  async takeSetupToken(hash: string, now: number): Promise<SetupToken | undefined> {
    return whenFree(() => this.takeTokenStmt.get(hash, now));
  }

  /** Drops one batch of expired setup links; returns how many went. */
  purgeExpired(now: number): number {
    return this.purgeTokensStmt.run(now).changes;
  }
}
