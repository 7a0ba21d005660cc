import type Database from 'better-sqlite3';
import type { AuditAction, AuditEvent, AuditRecord } from '../../domain/audit.js';
import type { AuditLog } from '../../usecases/ports.js';
import type { Db } from './connection.js';

/**
 * One prepared INSERT into `audit_events`, for the audit log and for stores that must write an
 * event inside their own transaction (the lockout store, when a lock begins).
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

/** The audit trail in SQLite; reads are newest first, by the indexes on (client_id, at) and (at). */
export class SqliteAuditLog implements AuditLog {
  private readonly insert;
  private readonly all;
  private readonly byClient;

  constructor(db: Db) {
    const sqlite = db.$client;
    this.insert = prepareAuditInsert(sqlite);
    this.all = sqlite.prepare<[number], AuditRow>(`SELECT ${COLUMNS} FROM audit_events ORDER BY at DESC, id DESC LIMIT ?`);
    this.byClient = sqlite.prepare<[string, number], AuditRow>(
      `SELECT ${COLUMNS} FROM audit_events WHERE client_id = ? ORDER BY at DESC, id DESC LIMIT ?`,
    );
  }

  async record(event: AuditEvent): Promise<void> {
    this.insert(event);
  }

  async list(query: { clientId?: string; limit: number }): Promise<AuditRecord[]> {
    const rows = query.clientId === undefined ? this.all.all(query.limit) : this.byClient.all(query.clientId, query.limit);
    return rows.map(toRecord);
  }
}
