import type pg from 'pg';
import type { AuditEvent, AuditRecord } from '../../../domain/audit.js';
import type { AuditLog } from '../../../usecases/ports.js';
import { selectList, toAuditRecord, type AuditRow } from '../rows.js';
import { rowInsert } from './columns.js';
import { guard, transaction, type Db } from './connection.js';
import { auditEvents } from './schema.js';

/** Events as rows; the id is the identity column's to give. */
const insertEvents = rowInsert<AuditEvent>(auditEvents, ['id']);

/**
 * Writes audit events on the connection of the transaction that makes the change they describe
 * (client changes, and the lockout store when a lock begins): one multi-row INSERT.
 */
export async function insertAudit(c: pg.PoolClient, events: readonly AuditEvent[]): Promise<void> {
  if (events.length === 0) return;
  await c.query(insertEvents.text(events.length), insertEvents.values(events));
}

const COLUMNS = selectList(auditEvents);

/** The audit trail in PostgreSQL, read newest first by the indexes on (client_id, at) and (at). */
export class PgAuditLog implements AuditLog {
  constructor(private readonly db: Db) {}

  async list(query: { clientId?: string; limit: number }): Promise<AuditRecord[]> {
    const { rows } = await guard(() =>
      query.clientId === undefined
        ? this.db.$client.query<AuditRow>({
            name: 'tg_audit_all',
            text: `SELECT ${COLUMNS} FROM audit_events ORDER BY at DESC, id DESC LIMIT $1`,
            values: [query.limit],
          })
        : this.db.$client.query<AuditRow>({
            name: 'tg_audit_client',
            text: `SELECT ${COLUMNS} FROM audit_events WHERE client_id = $1 ORDER BY at DESC, id DESC LIMIT $2`,
            values: [query.clientId, query.limit],
          }),
    );
    return rows.map(toAuditRecord);
  }

  async record(events: readonly AuditEvent[]): Promise<void> {
    if (events.length > 0) await transaction(this.db, (c) => insertAudit(c, events));
  }
}
