import { and, asc, eq, sql } from 'drizzle-orm';
import type { Mode } from '../../../domain/mode.js';
import type { SigningKeyStore, StoredSigningKey } from '../../../usecases/ports.js';
import { whenFree } from './busy.js';
import type { Db } from './connection.js';
import { signingKeys } from './schema.js';

/** Signing keys in SQLite; the private halves arrive sealed and are stored as given. */
export class SqliteSigningKeyStore implements SigningKeyStore {
  private readonly currentKidStmt;
  private readonly currentStmt;
  private readonly insertTx;

  constructor(private readonly db: Db) {
    const isCurrent = and(eq(signingKeys.mode, sql.placeholder('mode')), eq(signingKeys.current, true));
    this.currentKidStmt = db.select({ kid: signingKeys.kid }).from(signingKeys).where(isCurrent).prepare();
    this.currentStmt = db.select().from(signingKeys).where(isCurrent).prepare();
    this.insertTx = db.$client.transaction((key: StoredSigningKey, onlyReplacing: string | null | undefined): boolean => {
      if (onlyReplacing !== undefined && (this.currentStmt.get({ mode: key.mode })?.kid ?? null) !== onlyReplacing) return false;
      this.db.update(signingKeys).set({ current: false }).where(eq(signingKeys.mode, key.mode)).run();
      this.db.insert(signingKeys).values({ ...key, current: true }).run();
      return true;
    });
  }

  async currentKid(mode: Mode): Promise<string | undefined> {
    return this.currentKidStmt.get({ mode })?.kid;
  }

  async current(mode: Mode): Promise<StoredSigningKey | undefined> {
    return this.currentStmt.get({ mode });
  }

  async list(mode?: Mode): Promise<StoredSigningKey[]> {
    return this.db
      .select()
      .from(signingKeys)
      .where(mode ? eq(signingKeys.mode, mode) : undefined)
      .orderBy(asc(signingKeys.createdAt))
      .all();
  }

  insertCurrent(key: StoredSigningKey, onlyReplacing?: string | null): Promise<boolean> {
    return whenFree(() => this.insertTx.immediate(key, onlyReplacing));
  }
}
