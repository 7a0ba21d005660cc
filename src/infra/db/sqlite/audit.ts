import type Database from 'better-sqlite3';
import type { AuditAction, AuditEvent, AuditRecord } from '../../../domain/audit.js';
import type { AuditLog } from '../../../usecases/ports.js';
import type { Db } from './connection.js';

/**
 * One prepared INSERT into `audit_events`, for the stores that write events inside their own
 * transactions (client changes, and the lockout store when a lock begins).
 */
export function prepareAuditInsert(sqlite: Database.Database): (event: AuditEvent) => void {
  const insert = sqlite.prepare<[number, string, string, string | null, string | null, string]>(
    'INSERT INTO audit_events (at, actor, action, client_id, source_ip, detail) VALUES (?, ?, ?, ?, ?, ?)',
  );
  return (e) => void insert.run(e.at, e.actor, e.action, e.clientId, e.sourceIp, JSON.stringify(e.detail));
}

interface AuditRow {
  id: number;
  at: number;
  actor: string;
  action: string;
  clientId: string | null;
  sourceIp: string | null;
  detail: string;
}

const COLUMNS = 'id, at, actor, action, client_id AS clientId, source_ip AS sourceIp, detail';

const toRecord = (r: AuditRow): AuditRecord => ({
  ...r,
  action: r.action as AuditAction,
  detail: JSON.parse(r.detail) as Record<string, unknown>,
});

/**
 * The audit trail in SQLite, read; reads are newest first, by the indexes on (client_id, at) and
 * (at). Changes are written by the stores that make them (prepareAuditInsert); `record` writes the rest.
 */
export class SqliteAuditLog implements AuditLog {
  private readonly all;
  private readonly byClient;
  private readonly insertAll;

  constructor(db: Db) {
    const sqlite = db.$client;
    const insert = prepareAuditInsert(sqlite);
    this.insertAll = sqlite.transaction((events: readonly AuditEvent[]) => events.forEach(insert));
    this.all = sqlite.prepare<[number], AuditRow>(`SELECT ${COLUMNS} FROM audit_events ORDER BY at DESC, id DESC LIMIT ?`);
    this.byClient = sqlite.prepare<[string, number], AuditRow>(
      `SELECT ${COLUMNS} FROM audit_events WHERE client_id = ? ORDER BY at DESC, id DESC LIMIT ?`,
    );
  }

  async list(query: { clientId?: string; limit: number }): Promise<AuditRecord[]> {
    const rows = query.clientId === undefined ? this.all.all(query.limit) : this.byClient.all(query.clientId, query.limit);
    return rows.map(toRecord);
  }

  async record(events: readonly AuditEvent[]): Promise<void> {
    if (events.length > 0) this.insertAll(events);
  }
}
