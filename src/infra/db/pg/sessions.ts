import type { Operator, Session } from '../../../domain/operator.js';
import type { SessionStore } from '../../../usecases/ports.js';
import { guard, type Db } from './connection.js';
import { operatorSelect, sessionSelect, toOperator, toSession, type OperatorRow } from './operators.js';

const PURGE_BATCH = 1000;

/** The session's columns, then the operator's (named `o_…`), in one join on two primary keys. */
const FIND = `SELECT ${sessionSelect('s.')}, ${operatorSelect('o.', 'o_')}
  FROM sessions s JOIN operators o ON o.id = s.operator_id WHERE s.id_hash = $1`;

type FindRow = Session & { [K in keyof OperatorRow as `o_${K}`]: OperatorRow[K] };

/** Panel sessions in PostgreSQL, by the SHA-256 of the cookie; a session is read with its operator in one statement. */
export class PgSessionStore implements SessionStore {
  constructor(private readonly db: Db) {}

  async insert(s: Session): Promise<void> {
    await guard(() =>
      this.db.$client.query({
        name: 'tg_session_insert',
        text: 'INSERT INTO sessions (id_hash, operator_id, created_at, last_seen_at, expires_at) VALUES ($1, $2, $3, $4, $5)',
        values: [s.idHash, s.operatorId, s.createdAt, s.lastSeenAt, s.expiresAt],
      }),
    );
  }

  async find(idHash: string): Promise<{ session: Session; operator: Operator } | undefined> {
    const { rows } = await guard(() => this.db.$client.query<FindRow>({ name: 'tg_session_find', text: FIND, values: [idHash] }));
    const r = rows[0];
    if (!r) return undefined;
    const operator: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(r)) if (k.startsWith('o_')) operator[k.slice(2)] = v;
    return { session: toSession(r), operator: toOperator(operator as unknown as OperatorRow) };
  }

  async touch(idHash: string, lastSeenAt: number): Promise<void> {
    // The later of the two: a request that read the session earlier never moves the clock back.
    await guard(() =>
      this.db.$client.query({ name: 'tg_session_touch', text: 'UPDATE sessions SET last_seen_at = GREATEST(last_seen_at, $2) WHERE id_hash = $1', values: [idHash, lastSeenAt] }),
    );
  }

  async delete(idHash: string): Promise<void> {
    await guard(() => this.db.$client.query({ name: 'tg_session_delete', text: 'DELETE FROM sessions WHERE id_hash = $1', values: [idHash] }));
  }

  /** Drops one batch of sessions past their absolute end; returns how many went. */
  async purgeExpired(now: number): Promise<number> {
    const r = await guard(() =>
      this.db.$client.query(`DELETE FROM sessions WHERE id_hash IN (SELECT id_hash FROM sessions WHERE expires_at <= $1 LIMIT ${PURGE_BATCH})`, [now]),
    );
    return r.rowCount ?? 0;
  }
}
