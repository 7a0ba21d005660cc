import type pg from 'pg';
import type { AuditAction, AuditEvent, AuditRecord } from '../../../domain/audit.js';
import type { AuditLog } from '../../../usecases/ports.js';
import { guard, transaction, type Db } from './connection.js';

/**
 * Writes audit events on the connection of the transaction that makes the change they describe
 * (client changes, and the lockout store when a lock begins): one multi-row INSERT.
 */
export async function insertAudit(c: pg.PoolClient, events: readonly AuditEvent[]): Promise<void> {
  if (events.length === 0) return;
  const values: unknown[] = [];
  const rows = events.map((e, i) => {
    values.push(e.at, e.actor, e.action, e.clientId, e.sourceIp, JSON.stringify(e.detail));
    const p = i * 6;
    return `($${p + 1}, $${p + 2}, $${p + 3}, $${p + 4}, $${p + 5}, $${p + 6}::jsonb)`;
  });
  await c.query(`INSERT INTO audit_events (at, actor, action, client_id, source_ip, detail) VALUES ${rows.join(', ')}`, values);
}

interface AuditRow {
  id: number;
  at: number;
  actor: string;
  action: string;
  clientId: string | null;
  sourceIp: string | null;
  detail: Record<string, unknown>;
}

const COLUMNS = 'id, at, actor, action, client_id AS "clientId", source_ip AS "sourceIp", detail';

/** The audit trail in PostgreSQL, read newest first by the indexes on (client_id, at) and (at). */
export class PgAuditLog implements AuditLog {
  constructor(private readonly db: Db) {}

  async list(query: { clientId?: string; limit: number }): Promise<AuditRecord[]> {
    const { rows } = await guard(() =>
      query.clientId === undefined
        ? this.db.$client.query<AuditRow>({ name: 'tg_audit_all', text: `SELECT ${COLUMNS} FROM audit_events ORDER BY at DESC, id DESC LIMIT $1`, values: [query.limit] })
        : this.db.$client.query<AuditRow>({
            name: 'tg_audit_client',
            text: `SELECT ${COLUMNS} FROM audit_events WHERE client_id = $1 ORDER BY at DESC, id DESC LIMIT $2`,
            values: [query.clientId, query.limit],
          }),
    );
    return rows.map((r) => ({ ...r, action: r.action as AuditAction }));
  }

  async record(events: readonly AuditEvent[]): Promise<void> {
    if (events.length > 0) await transaction(this.db, (c) => insertAudit(c, events));
  }
}
