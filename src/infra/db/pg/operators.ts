import type pg from 'pg';
import type { Operator, OperatorRole, Session } from '../../../domain/operator.js';
import type { OperatorAudit, OperatorPatch, OperatorStore, SetupToken } from '../../../usecases/ports.js';
import { insertAudit } from './audit.js';
import { guard, transaction, type Db } from './connection.js';

/*
 * The row mappers of the panel's tables, in one place: every read below (and the session store's
 * join) selects operatorSelect / sessionSelect under the domain's own names and maps through
 * toOperator / toSession. Booleans, int8 (as numbers, see connection.ts) and text[] arrive typed.
 */

/** An operator's columns under the Operator's own names (prefix `o.` and a name prefix where joined). */
export const operatorSelect = (p = '', as = ''): string =>
  [
    `${p}id AS "${as}id"`,
    `${p}email AS "${as}email"`,
    `${p}role AS "${as}role"`,
    `${p}org_id AS "${as}orgId"`,
    `${p}enabled AS "${as}enabled"`,
    `${p}password_hash AS "${as}passwordHash"`,
    `${p}totp_secret_sealed AS "${as}totpSecretSealed"`,
    `${p}totp_enabled AS "${as}totpEnabled"`,
    `${p}totp_last_step AS "${as}totpLastStep"`,
    `${p}recovery_code_hashes AS "${as}recoveryCodeHashes"`,
    `${p}created_at AS "${as}createdAt"`,
    `${p}updated_at AS "${as}updatedAt"`,
  ].join(', ');

export type OperatorRow = Omit<Operator, 'role'> & { role: string };

export const toOperator = (r: OperatorRow): Operator => ({
  id: r.id,
  email: r.email,
  role: r.role as OperatorRole,
  orgId: r.orgId,
  enabled: r.enabled,
  passwordHash: r.passwordHash,
  totpSecretSealed: r.totpSecretSealed,
  totpEnabled: r.totpEnabled,
  totpLastStep: r.totpLastStep,
  recoveryCodeHashes: r.recoveryCodeHashes,
  createdAt: r.createdAt,
  updatedAt: r.updatedAt,
});

export const sessionSelect = (p = ''): string =>
  [
    `${p}id_hash AS "idHash"`,
    `${p}operator_id AS "operatorId"`,
    `${p}created_at AS "createdAt"`,
    `${p}last_seen_at AS "lastSeenAt"`,
    `${p}expires_at AS "expiresAt"`,
  ].join(', ');

export const toSession = (r: Session): Session => ({
  idHash: r.idHash,
  operatorId: r.operatorId,
  createdAt: r.createdAt,
  lastSeenAt: r.lastSeenAt,
  expiresAt: r.expiresAt,
});

const SETUP_SELECT = 'hash, operator_id AS "operatorId", created_at AS "createdAt", expires_at AS "expiresAt"';

const BY_ID = `SELECT ${operatorSelect()} FROM operators WHERE id = $1`;

const INSERT = `INSERT INTO operators (id, email, role, org_id, enabled, password_hash, totp_secret_sealed, totp_enabled, totp_last_step, recovery_code_hashes, created_at, updated_at)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::text[], $11, $12)`;

const insertValues = (o: Operator): unknown[] => [
  o.id,
  o.email,
  o.role,
  o.orgId,
  o.enabled,
  o.passwordHash,
  o.totpSecretSealed,
  o.totpEnabled,
  o.totpLastStep,
  o.recoveryCodeHashes,
  o.createdAt,
  o.updatedAt,
];

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
    const { rows } = await guard(() => this.db.$client.query<OperatorRow>({ name: 'tg_operator_by_id', text: BY_ID, values: [id] }));
    return rows[0] && toOperator(rows[0]);
  }

  async findByEmail(email: string): Promise<Operator | undefined> {
    const { rows } = await guard(() =>
      this.db.$client.query<OperatorRow>({ name: 'tg_operator_by_email', text: `SELECT ${operatorSelect()} FROM operators WHERE email = $1`, values: [email] }),
    );
    return rows[0] && toOperator(rows[0]);
  }

  async list(): Promise<Operator[]> {
    // Byte order of emails (the column is COLLATE "C"), as SQLite lists them.
    const { rows } = await guard(() => this.db.$client.query<OperatorRow>({ name: 'tg_operator_list', text: `SELECT ${operatorSelect()} FROM operators ORDER BY email` }));
    return rows.map(toOperator);
  }

  async count(): Promise<number> {
    const { rows } = await guard(() => this.db.$client.query<{ n: number }>('SELECT count(*)::int AS n FROM operators'));
    return rows[0]!.n;
  }

  async insert(operator: Operator, audit: OperatorAudit): Promise<boolean> {
    return transaction(this.db, async (c) => {
      // A taken email is no error: the unique index decides, even against a racing insert.
      const { rows } = await c.query<OperatorRow>(`${INSERT} ON CONFLICT (email) DO NOTHING RETURNING ${operatorSelect()}`, insertValues(operator));
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
      const { rows } = await c.query<OperatorRow>(`${INSERT} RETURNING ${operatorSelect()}`, insertValues(operator));
      await insertAudit(c, audit(undefined, toOperator(rows[0]!)));
      return true;
    });
  }

  async update(id: string, patch: OperatorPatch, now: number, audit: OperatorAudit, opts: { endSessions?: boolean } = {}): Promise<Operator | undefined> {
    return transaction(this.db, async (c: pg.PoolClient) => {
      // The row as it was, locked, so the events describe exactly the change that commits.
      const before = (await c.query<OperatorRow>(`${BY_ID} FOR UPDATE`, [id])).rows[0];
      if (!before) return undefined;
      const set: string[] = ['updated_at = $2'];
      const values: unknown[] = [id, now];
      const add = (column: string, value: unknown, cast = ''): void => {
        values.push(value);
        set.push(`${column} = $${values.length}${cast}`);
      };
      if (patch.role !== undefined) add('role', patch.role);
      if (patch.orgId !== undefined) add('org_id', patch.orgId);
      if (patch.enabled !== undefined) add('enabled', patch.enabled);
      if (patch.passwordHash !== undefined) add('password_hash', patch.passwordHash);
      if (patch.totpSecretSealed !== undefined) add('totp_secret_sealed', patch.totpSecretSealed);
      if (patch.totpEnabled !== undefined) add('totp_enabled', patch.totpEnabled);
      if (patch.recoveryCodeHashes !== undefined) add('recovery_code_hashes', patch.recoveryCodeHashes, '::text[]');
      const after = toOperator((await c.query<OperatorRow>(`UPDATE operators SET ${set.join(', ')} WHERE id = $1 RETURNING ${operatorSelect()}`, values)).rows[0]!);
      if (opts.endSessions) await c.query('DELETE FROM sessions WHERE operator_id = $1', [id]);
      await insertAudit(c, audit(toOperator(before), after));
      return after;
    });
  }

  async advanceTotpStep(id: string, step: number): Promise<boolean> {
    const r = await guard(() =>
      this.db.$client.query({ name: 'tg_operator_totp_step', text: 'UPDATE operators SET totp_last_step = $2 WHERE id = $1 AND totp_last_step < $2', values: [id, step] }),
    );
    return r.rowCount === 1;
  }

  async useRecoveryCode(id: string, codeHash: string): Promise<boolean> {
    const r = await guard(() =>
      this.db.$client.query({
        name: 'tg_operator_recovery_code',
        text: 'UPDATE operators SET recovery_code_hashes = array_remove(recovery_code_hashes, $2::text) WHERE id = $1 AND $2::text = ANY (recovery_code_hashes)',
        values: [id, codeHash],
      }),
    );
    return r.rowCount === 1;
  }

  async putSetupToken(token: SetupToken): Promise<void> {
    await transaction(this.db, async (c) => {
      if (token.operatorId !== null) await c.query('DELETE FROM setup_tokens WHERE operator_id = $1', [token.operatorId]);
      await c.query('INSERT INTO setup_tokens (hash, operator_id, created_at, expires_at) VALUES ($1, $2, $3, $4)', [token.hash, token.operatorId, token.createdAt, token.expiresAt]);
    });
  }

  async takeSetupToken(hash: string, now: number): Promise<SetupToken | undefined> {
    const { rows } = await guard(() =>
      this.db.$client.query<SetupToken>({
        name: 'tg_setup_take',
        text: `DELETE FROM setup_tokens WHERE hash = $1 AND expires_at > $2 RETURNING ${SETUP_SELECT}`,
        values: [hash, now],
      }),
    );
    return rows[0];
  }

  /** Drops one batch of expired setup links; returns how many went. */
  async purgeExpired(now: number): Promise<number> {
    const r = await guard(() =>
      this.db.$client.query(`DELETE FROM setup_tokens WHERE hash IN (SELECT hash FROM setup_tokens WHERE expires_at <= $1 LIMIT ${PURGE_BATCH})`, [now]),
    );
    return r.rowCount ?? 0;
  }
}
