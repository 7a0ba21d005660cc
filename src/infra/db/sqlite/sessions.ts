import type { Operator, Session } from '../../../domain/operator.js';
import type { SessionStore } from '../../../usecases/ports.js';
import { whenFree } from './busy.js';
import type { Db } from './connection.js';
import { rowPicker, selectList, keysOf, type SessionRow } from '../rows.js';
import { insertSql } from './columns.js';
import { operatorColumns, toOperator } from './operators.js';
import { sessions } from './schema.js';

const PURGE_BATCH = 1000;

/** The session's columns, then the operator's (named `o_…`), from one join. */
const FIND = `SELECT ${selectList(sessions, 's.')}, ${operatorColumns('o.', 'o_')}
  FROM sessions s JOIN operators o ON o.id = s.operator_id WHERE s.id_hash = ?`;

const sessionOf = rowPicker<SessionRow>(keysOf(sessions));

/** Panel sessions in SQLite, by the SHA-256 of the cookie; a session is read with its operator in one statement. */
export class SqliteSessionStore implements SessionStore {
  private readonly insertStmt;
  private readonly findStmt;
  private readonly touchStmt;
  private readonly deleteStmt;
  private readonly purgeStmt;

  constructor(db: Db) {
    const sqlite = db.$client;
    this.insertStmt = sqlite.prepare<[Session]>(insertSql(sessions));
    this.findStmt = sqlite.prepare<[string], Record<string, unknown>>(FIND);
    // The later of the two: a request that read the session earlier never moves the clock back.
    this.touchStmt = sqlite.prepare<[number, string]>(
      'UPDATE sessions SET last_seen_at = max(last_seen_at, ?) WHERE id_hash = ?',
    );
    this.deleteStmt = sqlite.prepare<[string]>('DELETE FROM sessions WHERE id_hash = ?');
    this.purgeStmt = sqlite.prepare<[number]>(
      `DELETE FROM sessions WHERE rowid IN (SELECT rowid FROM sessions WHERE expires_at <= ? LIMIT ${PURGE_BATCH})`,
    );
  }

  async insert(s: Session): Promise<void> {
    await whenFree(() => this.insertStmt.run(s));
  }

  async find(idHash: string): Promise<{ session: Session; operator: Operator } | undefined> {
    const r = this.findStmt.get(idHash);
    if (!r) return undefined;
    const operator: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(r)) if (k.startsWith('o_')) operator[k.slice(2)] = v;
    return { session: sessionOf(r), operator: toOperator(operator) };
  }

  async touch(idHash: string, lastSeenAt: number): Promise<void> {
    await whenFree(() => this.touchStmt.run(lastSeenAt, idHash));
  }

  async delete(idHash: string): Promise<void> {
    await whenFree(() => this.deleteStmt.run(idHash));
  }

  /** Drops one batch of sessions past their absolute end; returns how many went. */
  purgeExpired(now: number): number {
    return this.purgeStmt.run(now).changes;
  }
}
