import { eq, sql, type SQL } from 'drizzle-orm';
import type Database from 'better-sqlite3';
import type { AuditEvent } from '../../../domain/audit.js';
import type { Client } from '../../../domain/client.js';
import { lockoutKeyId, type LockoutKeys, type LockoutRead } from '../../../domain/lockout.js';
import type { Target } from '../../../domain/api.js';
import type {
  ApiRef,
  ClientPatch,
  ClientStore,
  DeleteAudit,
  PatchFor,
  InsertAudit,
  RotateAudit,
  SecretChange,
  UpdateAudit,
} from '../../../usecases/ports.js';
import { TARGET_COLUMNS, targetFromArray, targetJoin } from './apis.js';
import { prepareAuditInsert } from './audit.js';
import { whenFree } from './busy.js';
import type { Db } from './connection.js';
import { clients, usageHours } from './schema.js';
import { arrayReader, columnNames } from './columns.js';
import { asciiLower, clientPatchRow, clientToRow, counterOf, patchAgainst, toClient, type ClientRow } from '../rows.js';

/** The client columns' SQL names, in the order `clientFromArray` reads them, for hot statements in plain SQL. */
export const CLIENT_COLUMNS: readonly string[] = columnNames(clients);

const clientRow = arrayReader<ClientRow>(clients);

/**
 * A client from a raw row selected as CLIENT_COLUMNS (better-sqlite3 `.raw(true)`). Each value
 * goes through its column's own driver mapping, so a new column is read like the others.
 */
export const clientFromArray = (r: readonly unknown[]): Client => toClient(clientRow(r));

type ListPage = { limit: number; afterId?: string; orgId?: string; search?: string };

/**
 * The list query for one combination of filters (8 in all, each prepared on first use). The
 * search is `instr` on `lower()`, so `%`, `_` and `\` are plain characters; ids are compared
 * in SQLite's BINARY collation, byte order.
 */
function listSql(page: ListPage): string {
  const where: string[] = [];
  if (page.afterId !== undefined) where.push('id > @afterId');
  if (page.orgId !== undefined) where.push('org_id = @orgId');
  if (page.search !== undefined) where.push('(instr(lower(id), @search) > 0 OR instr(lower(name), @search) > 0)');
  return (
    `SELECT ${CLIENT_COLUMNS.join(', ')} FROM clients${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ` +
    `ORDER BY id LIMIT @limit`
  );
}

/** A row's new values: the patch's columns, and the generation bump when it ends tokens. */
function patchToSet(patch: ClientPatch, now: number): { [K in keyof ClientRow]?: ClientRow[K] | SQL } {
  const set = clientPatchRow(patch, now);
  return patch.endTokens ? { ...set, secretGeneration: sql.raw('"secret_generation" + 1') } : set;
}

/**
 * Clients in SQLite. The hot-path read is prepared once; nothing is cached between requests.
 * Every write commits with its audit events in one `BEGIN IMMEDIATE` transaction (synchronous=FULL),
 * so a crash never leaves a change without its audit row, nor a row for a change that did not happen.
 */
export class SqliteClientStore implements ClientStore {
  private readonly byId;
  private readonly forCheck;
  private readonly forCheckTarget;
  private readonly insertTx;
  private readonly insertFirstTx;
  private readonly updateTx;
  private readonly rotateTx;
  private readonly deleteTx;
  private readonly markUsedStmt;
  private readonly listStmts = new Map<string, Database.Statement<Record<string, unknown>, unknown[]>>();

  constructor(private readonly db: Db) {
    const sqlite = db.$client;
    // The hottest read of all (every issuance): plain prepared SQL returning an array.
    this.byId = sqlite
      .prepare<[string], unknown[]>(`SELECT ${CLIENT_COLUMNS.join(', ')} FROM clients WHERE id = ?`)
      .raw(true);
    // A credential check's read: both lockout counters, then the client's columns, in one statement.
    this.forCheck = sqlite
      .prepare<[string, string, string], unknown[]>(
        `SELECT p.failures, p.window_start, p.locked_until, i.failures, i.window_start, i.locked_until,
           ${CLIENT_COLUMNS.map((c) => `c.${c}`).join(', ')}
         FROM (SELECT 1) LEFT JOIN lockouts p ON p.key = ? LEFT JOIN lockouts i ON i.key = ?
          LEFT JOIN clients c ON c.id = ?`,
      )
      .raw(true);
    // The same read for a token request naming an API: its grant comes with the client.
    this.forCheckTarget = sqlite
      .prepare<Record<string, string>, unknown[]>(
        `SELECT p.failures, p.window_start, p.locked_until, i.failures, i.window_start, i.locked_until,
           ${CLIENT_COLUMNS.map((c) => `c.${c}`).join(', ')},
           ${TARGET_COLUMNS.join(', ')}
         FROM (SELECT 1) LEFT JOIN lockouts p ON p.key = @pair LEFT JOIN lockouts i ON i.key = @ip
          LEFT JOIN clients c ON c.id = @id
         ${targetJoin('@id')}`,
      )
      .raw(true);
    // The later of the two: a slower process's older time never moves it back.
    this.markUsedStmt = sqlite.prepare<[number, string]>(
      'UPDATE clients SET last_used_at = max(coalesce(last_used_at, 0), ?) WHERE id = ?',
    );
    const audit = prepareAuditInsert(sqlite);
    const record = (events: readonly AuditEvent[]): void => {
      for (const e of events) audit(e);
    };
    this.insertTx = sqlite.transaction((client: Client, events: InsertAudit): void => {
      this.db.insert(clients).values(clientToRow(client)).run();
      record(events(client));
    });
    // IMMEDIATE (below): the count and the insert hold the write lock together, across processes.
    const anyClient = sqlite.prepare('SELECT 1 FROM clients LIMIT 1').pluck();
    this.insertFirstTx = sqlite.transaction((client: Client, events: InsertAudit): boolean => {
      if (anyClient.get() !== undefined) return false;
      this.db.insert(clients).values(clientToRow(client)).run();
      record(events(client));
      return true;
    });
    this.updateTx = sqlite.transaction(
      (id: string, patch: ClientPatch | PatchFor, now: number, events: UpdateAudit): Client | undefined => {
        // Read in the transaction, so the patch and the events judge exactly the row that changes.
        const row = this.byId.get(id);
        if (!row) return undefined;
        const before = clientFromArray(row);
        const set = patchToSet(patchAgainst(patch, before), now);
        const after = toClient(this.db.update(clients).set(set).where(eq(clients.id, id)).returning().get()!);
        record(events(before, after));
        return after;
      },
    );
    this.rotateTx = sqlite.transaction(
      (id: string, change: SecretChange, now: number, events: RotateAudit): Client | undefined => {
        // One statement, so the generation bump and the new hash go together; the previous hash is
        // read by the UPDATE itself.
        const row = this.db
          .update(clients)
          .set({
            previousSecretHash: change.graceUntil === null ? null : sql.raw('"secret_hash"'),
            secretHash: change.secretHash,
            graceUntil: change.graceUntil,
            secretGeneration: sql.raw('"secret_generation" + 1'),
            updatedAt: now,
          })
          .where(eq(clients.id, id))
          .returning()
          .get();
        if (!row) return undefined;
        const rotated = toClient(row);
        record(events(rotated));
        return rotated;
      },
    );
    this.deleteTx = sqlite.transaction((id: string, events: DeleteAudit): Client | undefined => {
      const row = this.db.delete(clients).where(eq(clients.id, id)).returning().get();
      if (!row) return undefined;
      // Its usage goes with it (no foreign key there: see the table); its quota row cascades.
      this.db.delete(usageHours).where(eq(usageHours.clientId, id)).run();
      const deleted = toClient(row);
      record(events(deleted));
      return deleted;
    });
  }

  async findById(id: string): Promise<Client | undefined> {
    const row = this.byId.get(id);
    return row ? clientFromArray(row) : undefined;
  }

  async findForCheck(
    id: string,
    keys: LockoutKeys,
    target?: ApiRef,
  ): Promise<{ client: Client | undefined; lockout: LockoutRead; target?: Target | undefined }> {
    const pair = lockoutKeyId(keys.pair);
    const ip = lockoutKeyId(keys.ip);
    const r = (
      target === undefined
        ? this.forCheck.get(pair, ip, id)
        : this.forCheckTarget.get({ pair, ip, id, targetMode: target.mode, targetIdentifier: target.identifier })
    )! as Array<number | null>;
    const client = r.slice(6, 6 + CLIENT_COLUMNS.length);
    return {
      client: client[0] === null ? undefined : clientFromArray(client),
      lockout: { pair: counterOf(r[0]!, r[1]!, r[2]!), ip: counterOf(r[3]!, r[4]!, r[5]!) },
      ...(target === undefined ? {} : { target: targetFromArray(r.slice(6 + CLIENT_COLUMNS.length)) }),
    };
  }

  insert(client: Client, audit: InsertAudit): Promise<void> {
    return whenFree(() => this.insertTx.immediate(client, audit));
  }

  insertFirst(client: Client, audit: InsertAudit): Promise<boolean> {
    return whenFree(() => this.insertFirstTx.immediate(client, audit));
  }

  update(id: string, patch: ClientPatch | PatchFor, now: number, audit: UpdateAudit): Promise<Client | undefined> {
    return whenFree(() => this.updateTx.immediate(id, patch, now, audit));
  }

  rotateSecret(id: string, change: SecretChange, now: number, audit: RotateAudit): Promise<Client | undefined> {
    return whenFree(() => this.rotateTx.immediate(id, change, now, audit));
  }

  delete(id: string, _now: number, audit: DeleteAudit): Promise<Client | undefined> {
    return whenFree(() => this.deleteTx.immediate(id, audit));
  }

  async list(page: ListPage): Promise<Client[]> {
    const shape = `${+(page.afterId !== undefined)}${+(page.orgId !== undefined)}${+(page.search !== undefined)}`;
    let stmt = this.listStmts.get(shape);
    if (!stmt) {
      stmt = this.db.$client.prepare<Record<string, unknown>, unknown[]>(listSql(page)).raw(true);
      this.listStmts.set(shape, stmt);
    }
    const params: Record<string, unknown> = { limit: page.limit };
    if (page.afterId !== undefined) params.afterId = page.afterId;
    if (page.orgId !== undefined) params.orgId = page.orgId;
    if (page.search !== undefined) params.search = asciiLower(page.search);
    return stmt.all(params).map(clientFromArray);
  }

  async count(): Promise<number> {
    return this.db.$count(clients);
  }

  async markUsed(id: string, at: number): Promise<void> {
    await whenFree(() => this.markUsedStmt.run(at, id));
  }
}
