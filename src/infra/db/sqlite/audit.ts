import type Database from 'better-sqlite3';
import type { AuditEvent, AuditRecord } from '../../../domain/audit.js';
import type { AuditLog } from '../../../usecases/ports.js';
import { selectList, toAuditRecord, type AuditRow } from '../rows.js';
import { insertSql, rowReader, rowWriter } from './columns.js';
import type { Db } from './connection.js';
import { auditEvents } from './schema.js';

/** An event as bound to the INSERT (its detail as JSON text); the id is SQLite's to give. */
const bindEvent = rowWriter<AuditEvent>(auditEvents);

/**
 * One prepared INSERT into `audit_events`, for the stores that write events inside their own
 * transactions (client changes, and the lockout store when a lock begins).
 */
export function prepareAuditInsert(sqlite: Database.Database): (event: AuditEvent) => void {
  const insert = sqlite.prepare<[Record<string, unknown>]>(insertSql(auditEvents, ['id']));
  return (e) => void insert.run(bindEvent(e));
}

const COLUMNS = selectList(auditEvents);

/** A record from its row, the detail parsed (the column is JSON). */
const readRow = rowReader<AuditRow>(auditEvents);
const toRecord = (selected: unknown): AuditRecord => toAuditRecord(readRow(selected));

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
    this.all = sqlite.prepare<[number], unknown>(
      `SELECT ${COLUMNS} FROM audit_events ORDER BY at DESC, id DESC LIMIT ?`,
    );
    this.byClient = sqlite.prepare<[string, number], unknown>(
      `SELECT ${COLUMNS} FROM audit_events WHERE client_id = ? ORDER BY at DESC, id DESC LIMIT ?`,
    );
  }

  async list(query: { clientId?: string; limit: number }): Promise<AuditRecord[]> {
    const rows =
      query.clientId === undefined ? this.all.all(query.limit) : this.byClient.all(query.clientId, query.limit);
    return rows.map(toRecord);
  }

  async record(events: readonly AuditEvent[]): Promise<void> {
    if (events.length > 0) this.insertAll(events);
  }
}
