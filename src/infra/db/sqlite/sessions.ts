import type { Operator, Session } from '../../../domain/operator.js';
import type { SessionStore } from '../../../usecases/ports.js';
import { whenFree } from './busy.js';
import type { Db } from './connection.js';
import { operatorColumns, sessionColumns, toOperator, type OperatorRow } from './operators.js';

const PURGE_BATCH = 1000;

/** The session's columns, then the operator's (prefixed `o_`), from one join. */
const FIND = `SELECT ${sessionColumns('s.')}, ${operatorColumns('o.')
  .split(', ')
  .map((c) => c.replace(/ AS (\w+)$/, ' AS o_$1'))
  .join(', ')}
  FROM sessions s JOIN operators o ON o.id = s.operator_id WHERE s.id_hash = ?`;

type FindRow = Session & { [K in keyof OperatorRow as `o_${K}`]: OperatorRow[K] };

/** Panel sessions in SQLite, by the SHA-256 of the cookie; a session is read with its operator in one statement. */
export class SqliteSessionStore implements SessionStore {
  private readonly insertStmt;
  private readonly findStmt;
  private readonly touchStmt;
  private readonly deleteStmt;
  private readonly purgeStmt;

  constructor(db: Db) {
    const sqlite = db.$client;
    this.insertStmt = sqlite.prepare<[string, string, number, number, number]>(
      'INSERT INTO sessions (id_hash, operator_id, created_at, last_seen_at, expires_at) VALUES (?, ?, ?, ?, ?)',
    );
    this.findStmt = sqlite.prepare<[string], FindRow>(FIND);
    // The later of the two: a request that read the session earlier never moves the clock back.
    this.touchStmt = sqlite.prepare<[number, string]>('UPDATE sessions SET last_seen_at = max(last_seen_at, ?) WHERE id_hash = ?');
    this.deleteStmt = sqlite.prepare<[string]>('DELETE FROM sessions WHERE id_hash = ?');
    this.purgeStmt = sqlite.prepare<[number]>(`DELETE FROM sessions WHERE rowid IN (SELECT rowid FROM sessions WHERE expires_at <= ? LIMIT ${PURGE_BATCH})`);
  }

  async insert(s: Session): Promise<void> {
    await whenFree(() => this.insertStmt.run(s.idHash, s.operatorId, s.createdAt, s.lastSeenAt, s.expiresAt));
  }

  async find(idHash: string): Promise<{ session: Session; operator: Operator } | undefined> {
    const r = this.findStmt.get(idHash);
    if (!r) return undefined;
    const operator: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(r)) if (k.startsWith('o_')) operator[k.slice(2)] = v;
    return {
      session: { idHash: r.idHash, operatorId: r.operatorId, createdAt: r.createdAt, lastSeenAt: r.lastSeenAt, expiresAt: r.expiresAt },
      operator: toOperator(operator as unknown as OperatorRow),
    };
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
