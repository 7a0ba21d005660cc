import type { Operator, Session } from '../../../domain/operator.js';
import type { SessionStore } from '../../../usecases/ports.js';
import { guard, type Db } from './connection.js';
import { keysOf, rowPicker, selectList, type SessionRow } from '../rows.js';
import { rowInsert } from './columns.js';
import { operatorSelect, toOperator } from './operators.js';
import { operators, sessions } from './schema.js';

const PURGE_BATCH = 1000;

/** The session's columns, then the operator's (named `o_…`), in one join on two primary keys. */
const FIND = `SELECT ${selectList(sessions, 's.')}, ${operatorSelect('o.', 'o_')}
  FROM sessions s JOIN operators o ON o.id = s.operator_id WHERE s.id_hash = $1`;

const toSession = rowPicker<SessionRow>(keysOf(sessions));
/** The operator's part of the join's row, under its own keys. */
const OPERATOR_KEYS = keysOf(operators).map((k) => [`o_${k}`, k] as const);

const insertSession = rowInsert<Session>(sessions);

/** Panel sessions in PostgreSQL, by the SHA-256 of the cookie; a session is read with its operator in one statement. */
export class PgSessionStore implements SessionStore {
  constructor(private readonly db: Db) {}

  async insert(s: Session): Promise<void> {
    await guard(() =>
      this.db.$client.query({
        name: 'tg_session_insert',
        text: insertSession.text(),
        values: insertSession.values([s]),
      }),
    );
  }

  async find(idHash: string): Promise<{ session: Session; operator: Operator } | undefined> {
    const { rows } = await guard(() =>
      this.db.$client.query<Record<string, unknown>>({ name: 'tg_session_find', text: FIND, values: [idHash] }),
    );
    const r = rows[0];
    if (!r) return undefined;
    const operator: Record<string, unknown> = {};
    for (const [as, k] of OPERATOR_KEYS) operator[k] = r[as];
    return { session: toSession(r), operator: toOperator(operator) };
  }

  async touch(idHash: string, lastSeenAt: number): Promise<void> {
    // The later of the two: a request that read the session earlier never moves the clock back.
    await guard(() =>
      this.db.$client.query({
        name: 'tg_session_touch',
        text: 'UPDATE sessions SET last_seen_at = GREATEST(last_seen_at, $2) WHERE id_hash = $1',
        values: [idHash, lastSeenAt],
      }),
    );
  }

  async delete(idHash: string): Promise<void> {
    await guard(() =>
      this.db.$client.query({
        name: 'tg_session_delete',
        text: 'DELETE FROM sessions WHERE id_hash = $1',
        values: [idHash],
      }),
    );
  }

  /** Drops one batch of sessions past their absolute end; returns how many went. */
  async purgeExpired(now: number): Promise<number> {
    const r = await guard(() =>
      this.db.$client.query(
        `DELETE FROM sessions WHERE id_hash IN (SELECT id_hash FROM sessions WHERE expires_at <= $1 LIMIT ` +
          `${PURGE_BATCH})`,
        [now],
      ),
    );
    return r.rowCount ?? 0;
  }
}
