import type pg from 'pg';
import type { Operator } from '../../../domain/operator.js';
import type { OperatorAudit, OperatorPatch, OperatorStore, SetupToken } from '../../../usecases/ports.js';
import { insertAudit } from './audit.js';
import { guard, transaction, type Db } from './connection.js';
import { keysOf, operatorPatchRow, rowPicker, selectList, type OperatorRow } from '../rows.js';
import { rowInsert, setClause } from './columns.js';
import { operators, setupTokens } from './schema.js';

/** An operator's columns under its row's keys (prefix `o.` and a key prefix where joined). */
export const operatorSelect = (p = '', as = ''): string => selectList(operators, p, as);

/** An operator from a row that holds its columns: booleans, int8 (as numbers) and text[] arrive typed. */
export const toOperator = rowPicker<OperatorRow>(keysOf(operators));

const BY_ID = `SELECT ${operatorSelect()} FROM operators WHERE id = $1`;

const insertOperator = rowInsert<Operator>(operators);
const insertSetupToken = rowInsert<SetupToken>(setupTokens);

/** Advisory lock class of the first operator (the clients' first-start lock is 74_002). */
const FIRST_OPERATOR_LOCK = 74_003;

const PURGE_BATCH = 1000;

/**
 * Operators and setup links in PostgreSQL. Every write that changes an operator commits with its
 * audit events in one transaction; the verbs that must be good once (a TOTP step, a recovery code,
 * a setup link) are one conditional statement each, decided under the row lock, so of racing
 * requests on any number of instances exactly one wins.
 */
export class PgOperatorStore implements OperatorStore {
  constructor(private readonly db: Db) {}

  async findById(id: string): Promise<Operator | undefined> {
    const { rows } = await guard(() =>
      this.db.$client.query<OperatorRow>({ name: 'tg_operator_by_id', text: BY_ID, values: [id] }),
    );
    return rows[0] && toOperator(rows[0]);
  }

  async findByEmail(email: string): Promise<Operator | undefined> {
    const { rows } = await guard(() =>
      this.db.$client.query<OperatorRow>({
        name: 'tg_operator_by_email',
        text: `SELECT ${operatorSelect()} FROM operators WHERE email = $1`,
        values: [email],
      }),
    );
    return rows[0] && toOperator(rows[0]);
  }

  async list(): Promise<Operator[]> {
    // Byte order of emails (the column is COLLATE "C"), as SQLite lists them.
    const { rows } = await guard(() =>
      this.db.$client.query<OperatorRow>({
        name: 'tg_operator_list',
        text: `SELECT ${operatorSelect()} FROM operators ORDER BY email`,
      }),
    );
    return rows.map(toOperator);
  }

  async count(): Promise<number> {
    const { rows } = await guard(() =>
      this.db.$client.query<{ n: number }>('SELECT count(*)::int AS n FROM operators'),
    );
    return rows[0]!.n;
  }

  async insert(operator: Operator, audit: OperatorAudit): Promise<boolean> {
    return transaction(this.db, async (c) => {
      // A taken email is no error: the unique index decides, even against a racing insert.
      const insert = `${insertOperator.text()} ON CONFLICT (email) DO NOTHING RETURNING ${operatorSelect()}`;
      const { rows } = await c.query<OperatorRow>(insert, insertOperator.values([operator]));
      if (!rows[0]) return false;
      await insertAudit(c, audit(undefined, toOperator(rows[0])));
      return true;
    });
  }

  async insertFirst(operator: Operator, audit: OperatorAudit): Promise<boolean> {
    return transaction(this.db, async (c) => {
      // Every first-operator insert takes this lock, so the check below sees any that committed before.
      await c.query('SELECT pg_advisory_xact_lock($1, 0)', [FIRST_OPERATOR_LOCK]);
      if ((await c.query('SELECT 1 FROM operators LIMIT 1')).rowCount) return false;
      const insert = `${insertOperator.text()} RETURNING ${operatorSelect()}`;
      const { rows } = await c.query<OperatorRow>(insert, insertOperator.values([operator]));
      await insertAudit(c, audit(undefined, toOperator(rows[0]!)));
      return true;
    });
  }

  async update(
    id: string,
    patch: OperatorPatch,
    now: number,
    audit: OperatorAudit,
    opts: { endSessions?: boolean } = {},
  ): Promise<Operator | undefined> {
    return transaction(this.db, async (c: pg.PoolClient) => {
      // The row as it was, locked, so the events describe exactly the change that commits.
      const before = (await c.query<OperatorRow>(`${BY_ID} FOR UPDATE`, [id])).rows[0];
      if (!before) return undefined;
      const values: unknown[] = [id];
      const set = setClause(operators, operatorPatchRow(patch, now), values);
      const after = toOperator(
        (
          await c.query<OperatorRow>(
            `UPDATE operators SET ${set.join(', ')} WHERE id = $1 RETURNING ${operatorSelect()}`,
            values,
          )
        ).rows[0]!,
      );
      if (opts.endSessions) await c.query('DELETE FROM sessions WHERE operator_id = $1', [id]);
      await insertAudit(c, audit(toOperator(before), after));
      return after;
    });
  }

  async advanceTotpStep(id: string, step: number): Promise<boolean> {
    const r = await guard(() =>
      this.db.$client.query({
        name: 'tg_operator_totp_step',
        text: 'UPDATE operators SET totp_last_step = $2 WHERE id = $1 AND totp_last_step < $2',
        values: [id, step],
      }),
    );
    return r.rowCount === 1;
  }

  async useRecoveryCode(id: string, codeHash: string): Promise<boolean> {
    const r = await guard(() =>
      this.db.$client.query({
        name: 'tg_operator_recovery_code',
        text:
          'UPDATE operators SET recovery_code_hashes = array_remove(recovery_code_hashes, $2::text) WHERE id = ' +
          '$1 AND $2::text = ANY (recovery_code_hashes)',
        values: [id, codeHash],
      }),
    );
    return r.rowCount === 1;
  }

  async putSetupToken(token: SetupToken): Promise<void> {
    await transaction(this.db, async (c) => {
      if (token.operatorId !== null)
        await c.query('DELETE FROM setup_tokens WHERE operator_id = $1', [token.operatorId]);
      await c.query(insertSetupToken.text(), insertSetupToken.values([token]));
    });
  }

  async takeSetupToken(hash: string, now: number): Promise<SetupToken | undefined> {
    const { rows } = await guard(() =>
      this.db.$client.query<SetupToken>({
        name: 'tg_setup_take',
        text: `DELETE FROM setup_tokens WHERE hash = $1 AND expires_at > $2 RETURNING ${selectList(setupTokens)}`,
        values: [hash, now],
      }),
    );
    return rows[0];
  }

  /** Drops one batch of expired setup links; returns how many went. */
  async purgeExpired(now: number): Promise<number> {
    const r = await guard(() =>
      this.db.$client.query(
        `DELETE FROM setup_tokens WHERE hash IN (SELECT hash FROM setup_tokens WHERE expires_at <= $1 LIMIT ` +
          `${PURGE_BATCH})`,
        [now],
      ),
    );
    return r.rowCount ?? 0;
  }
}
