import { and, asc, eq, sql } from 'drizzle-orm';
import type { Mode } from '../../../domain/mode.js';
import type { AuditEvent } from '../../../domain/audit.js';
import type {
  KeyInsertAudit,
  KeyRemoval,
  KeyRemoveAudit,
  SigningKeyStore,
  StoredSigningKey,
} from '../../../usecases/ports.js';
import { prepareAuditInsert } from './audit.js';
import { whenFree } from './busy.js';
import type { Db } from './connection.js';
import { signingKeys } from './schema.js';

/**
 * Signing keys in SQLite; the private halves arrive sealed and are stored as given. Writes run in
 * `BEGIN IMMEDIATE` transactions with their audit events, retried off the event loop while busy.
 */
export class SqliteSigningKeyStore implements SigningKeyStore {
  private readonly currentKidStmt;
  private readonly currentStmt;
  private readonly allStmt;
  private readonly insertTx;
  private readonly removeTx;

  constructor(private readonly db: Db) {
    const isCurrent = and(
      eq(signingKeys.mode, sql.placeholder('mode')),
      eq(signingKeys.alg, sql.placeholder('alg')),
      eq(signingKeys.current, true),
    );
    this.currentKidStmt = db.select({ kid: signingKeys.kid }).from(signingKeys).where(isCurrent).prepare();
    this.currentStmt = db.select().from(signingKeys).where(isCurrent).prepare();
    // Read by every running key ring once a second (to drop removed keys): prepared once.
    this.allStmt = db.select().from(signingKeys).orderBy(asc(signingKeys.createdAt)).prepare();
    const byKid = db
      .select()
      .from(signingKeys)
      .where(eq(signingKeys.kid, sql.placeholder('kid')))
      .prepare();
    const audit = prepareAuditInsert(db.$client);
    const record = (events: readonly AuditEvent[]): void => {
      for (const e of events) audit(e);
    };
    this.insertTx = db.$client.transaction(
      (
        key: StoredSigningKey,
        onlyReplacing: string | null | undefined,
        events: KeyInsertAudit | undefined,
      ): boolean => {
        const replaced = this.currentStmt.get({ mode: key.mode, alg: key.alg })?.kid ?? null;
        if (onlyReplacing !== undefined && replaced !== onlyReplacing) return false;
        // One current key per mode and algorithm: another algorithm's current key stays current.
        this.db
          .update(signingKeys)
          .set({ current: false })
          .where(and(eq(signingKeys.mode, key.mode), eq(signingKeys.alg, key.alg)))
          .run();
        this.db
          .insert(signingKeys)
          .values({ ...key, current: true })
          .run();
        if (events) record(events({ ...key, current: true }, replaced));
        return true;
      },
    );
    this.removeTx = db.$client.transaction((kid: string, events: KeyRemoveAudit): KeyRemoval => {
      // Read and refused in the transaction: a rotation cannot slip between the check and the delete.
      const row = byKid.get({ kid });
      if (!row) return { outcome: 'not_found' };
      if (row.current) return { outcome: 'current' };
      this.db.delete(signingKeys).where(eq(signingKeys.kid, kid)).run();
      record(events(row));
      return { outcome: 'removed', key: row };
    });
  }

  async currentKid(mode: Mode, alg: string): Promise<string | undefined> {
    return this.currentKidStmt.get({ mode, alg })?.kid;
  }

  async current(mode: Mode, alg: string): Promise<StoredSigningKey | undefined> {
    return this.currentStmt.get({ mode, alg });
  }

  async list(mode?: Mode): Promise<StoredSigningKey[]> {
    if (mode === undefined) return this.allStmt.all();
    return this.db
      .select()
      .from(signingKeys)
      .where(eq(signingKeys.mode, mode))
      .orderBy(asc(signingKeys.createdAt))
      .all();
  }

  insertCurrent(key: StoredSigningKey, onlyReplacing?: string | null, audit?: KeyInsertAudit): Promise<boolean> {
    return whenFree(() => this.insertTx.immediate(key, onlyReplacing, audit));
  }

  remove(kid: string, audit: KeyRemoveAudit): Promise<KeyRemoval> {
    return whenFree(() => this.removeTx.immediate(kid, audit));
  }
}
