import type Database from 'better-sqlite3';
import type { AuditEvent } from '../../../domain/audit.js';
import type { Operator } from '../../../domain/operator.js';
import type { OperatorAudit, OperatorPatch, OperatorStore, SetupToken } from '../../../usecases/ports.js';
import { prepareAuditInsert } from './audit.js';
import { whenFree } from './busy.js';
import type { Db } from './connection.js';
import { columnsOf, operatorPatchRow, selectList, type OperatorRow, type SetupTokenRow } from '../rows.js';
import { insertSql, rowReader, rowWriter } from './columns.js';
import { operators, setupTokens } from './schema.js';

/** An operator's columns under its row's keys (prefix `o.` and a key prefix where joined). */
export const operatorColumns = (p = '', as = ''): string => selectList(operators, p, as);

/** An operator from its row as SQLite returns it: booleans and the recovery codes (JSON) mapped by their columns. */
export const toOperator = rowReader<OperatorRow>(operators);

/** An operator as bound to its INSERT (booleans 0/1, the recovery codes as JSON). */
const bindOperator = rowWriter<Operator>(operators);
const bindPatch = rowWriter<Partial<OperatorRow>>(operators);

/** The SET clause of an update (the patch's columns, always `updated_at`) and its parameters. */
function patchParams(patch: OperatorPatch, now: number): { set: string[]; params: Record<string, unknown> } {
  const row = operatorPatchRow(patch, now);
  const set = columnsOf(operators)
    .filter(([key]) => row[key as keyof OperatorRow] !== undefined)
    .map(([key, column]) => `${column.name} = @${key}`);
  return { set, params: bindPatch(row) };
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
    this.byId = sqlite.prepare<[string], unknown>(`SELECT ${operatorColumns()} FROM operators WHERE id = ?`);
    this.byEmail = sqlite.prepare<[string], unknown>(`SELECT ${operatorColumns()} FROM operators WHERE email = ?`);
    this.all = sqlite.prepare<[], unknown>(`SELECT ${operatorColumns()} FROM operators ORDER BY email`);
    this.countStmt = sqlite.prepare<[], number>('SELECT count(*) FROM operators').pluck();
    const insertOne = sqlite.prepare(`${insertSql(operators)} ON CONFLICT (email) DO NOTHING`);
    const audit = prepareAuditInsert(sqlite);
    const record = (events: readonly AuditEvent[]): void => {
      for (const e of events) audit(e);
    };
    const endSessions = sqlite.prepare<[string]>('DELETE FROM sessions WHERE operator_id = ?');
    this.insertTx = sqlite.transaction((operator: Operator, events: OperatorAudit): boolean => {
      // A taken email is no error: nothing is written, and the caller is told.
      if (insertOne.run(bindOperator(operator)).changes === 0) return false;
      record(events(undefined, toOperator(this.byId.get(operator.id)!)));
      return true;
    });
    // IMMEDIATE (below): the check and the insert hold the write lock together, across processes.
    const anyOperator = sqlite.prepare('SELECT 1 FROM operators LIMIT 1').pluck();
    this.insertFirstTx = sqlite.transaction((operator: Operator, events: OperatorAudit): boolean => {
      if (anyOperator.get() !== undefined) return false;
      insertOne.run(bindOperator(operator));
      record(events(undefined, toOperator(this.byId.get(operator.id)!)));
      return true;
    });
    this.updateTx = sqlite.transaction(
      (id: string, patch: OperatorPatch, now: number, events: OperatorAudit, end: boolean): Operator | undefined => {
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
        const after = toOperator(stmt.get({ ...params, id }));
        if (end) endSessions.run(id);
        record(events(toOperator(before), after));
        return after;
      },
    );
    this.advanceStmt = sqlite.prepare<[number, string, number]>(
      'UPDATE operators SET totp_last_step = ? WHERE id = ? AND totp_last_step < ?',
    );
    // One statement: the code is removed only where it is, so of two uses one changes the row.
    this.useRecoveryStmt = sqlite.prepare<{ id: string; hash: string }>(
      `UPDATE operators SET recovery_code_hashes = (SELECT json_group_array(value) FROM json_each(recovery_code_hashes)
       WHERE value <> @hash)
       WHERE id = @id AND EXISTS (SELECT 1 FROM json_each(recovery_code_hashes) WHERE value = @hash)`,
    );
    const dropTokensOf = sqlite.prepare<[string]>('DELETE FROM setup_tokens WHERE operator_id = ?');
    const insertToken = sqlite.prepare<[SetupToken]>(insertSql(setupTokens));
    this.putTokenTx = sqlite.transaction((t: SetupToken): void => {
      if (t.operatorId !== null) dropTokensOf.run(t.operatorId);
      insertToken.run(t);
    });
    this.takeTokenStmt = sqlite.prepare<[string, number], SetupTokenRow>(
      `DELETE FROM setup_tokens WHERE hash = ? AND expires_at > ? RETURNING ${selectList(setupTokens)}`,
    );
    this.purgeTokensStmt = sqlite.prepare<[number]>(
      `DELETE FROM setup_tokens WHERE rowid IN (SELECT rowid FROM setup_tokens WHERE expires_at <= ? LIMIT ` +
        `${PURGE_BATCH})`,
    );
  }

  async findById(id: string): Promise<Operator | undefined> {
    const row = this.byId.get(id) as object | undefined;
    return row && toOperator(row);
  }

  async findByEmail(email: string): Promise<Operator | undefined> {
    const row = this.byEmail.get(email) as object | undefined;
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

  update(
    id: string,
    patch: OperatorPatch,
    now: number,
    audit: OperatorAudit,
    opts: { endSessions?: boolean } = {},
  ): Promise<Operator | undefined> {
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
