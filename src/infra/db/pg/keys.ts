import { and, asc, eq, sql } from 'drizzle-orm';
import type { Mode } from '../../../domain/mode.js';
import type {
  KeyInsertAudit,
  KeyRemoval,
  KeyRemoveAudit,
  SigningKeyStore,
  StoredSigningKey,
} from '../../../usecases/ports.js';
import { insertAudit } from './audit.js';
import { guard, transaction, type Db } from './connection.js';
import { signingKeys } from './schema.js';
import { selectList } from '../rows.js';
import { rowInsert } from './columns.js';

const insertKey = rowInsert<StoredSigningKey>(signingKeys);

/** Advisory lock class for "who changes this mode's current key" (the mode is the second key). */
const KEY_LOCK_CLASS = 74_001;
const modeLock = (mode: Mode): number => (mode === 'live' ? 1 : 2);

/** A key row as node-postgres returns it: `bigint` arrives as text. */
type StoredRow = Omit<StoredSigningKey, 'createdAt'> & { createdAt: string | number };

/**
 * Signing keys in PostgreSQL; the private halves arrive sealed and are stored as given. Making a
 * key current holds the mode's advisory transaction lock, so of several instances starting (or
 * rotating) together each sees the key the previous one made; the partial unique index
 * `signing_keys_one_current` backs it.
 */
export class PgSigningKeyStore implements SigningKeyStore {
  private readonly currentStmt;

  constructor(private readonly db: Db) {
    const isCurrent = and(
      eq(signingKeys.mode, sql.placeholder('mode')),
      eq(signingKeys.alg, sql.placeholder('alg')),
      eq(signingKeys.current, true),
    );
    this.currentStmt = db.select().from(signingKeys).where(isCurrent).prepare('tg_key_current');
  }

  async currentKid(mode: Mode, alg: string): Promise<string | undefined> {
    return (await this.current(mode, alg))?.kid;
  }

  async current(mode: Mode, alg: string): Promise<StoredSigningKey | undefined> {
    const [row] = await guard(() => this.currentStmt.execute({ mode, alg }));
    return row;
  }

  async list(mode?: Mode): Promise<StoredSigningKey[]> {
    return guard(() =>
      this.db
        .select()
        .from(signingKeys)
        .where(mode ? eq(signingKeys.mode, mode) : undefined)
        .orderBy(asc(signingKeys.createdAt), asc(signingKeys.kid))
        .execute(),
    );
  }

  async insertCurrent(key: StoredSigningKey, onlyReplacing?: string | null, audit?: KeyInsertAudit): Promise<boolean> {
    return transaction(this.db, async (c) => {
      await c.query('SELECT pg_advisory_xact_lock($1, $2)', [KEY_LOCK_CLASS, modeLock(key.mode)]);
      const { rows } = await c.query<{ kid: string }>(
        'SELECT kid FROM signing_keys WHERE mode = $1 AND alg = $2 AND current',
        [key.mode, key.alg],
      );
      const replaced = rows[0]?.kid ?? null;
      if (onlyReplacing !== undefined && replaced !== onlyReplacing) return false;
      // One current key per mode and algorithm: another algorithm's current key stays current.
      await c.query('UPDATE signing_keys SET current = false WHERE mode = $1 AND alg = $2 AND current', [
        key.mode,
        key.alg,
      ]);
      await c.query(insertKey.text(), insertKey.values([{ ...key, current: true }]));
      if (audit) await insertAudit(c, audit({ ...key, current: true }, replaced));
      return true;
    });
  }

  async remove(kid: string, audit: KeyRemoveAudit): Promise<KeyRemoval> {
    return transaction(this.db, async (c) => {
      const { rows } = await c.query<{ mode: Mode }>('SELECT mode FROM signing_keys WHERE kid = $1', [kid]);
      if (!rows[0]) return { outcome: 'not_found' } as const;
      // The mode's key lock: a rotation cannot make this key current between the check and the delete.
      await c.query('SELECT pg_advisory_xact_lock($1, $2)', [KEY_LOCK_CLASS, modeLock(rows[0].mode)]);
      const lock = `SELECT ${selectList(signingKeys)} FROM signing_keys WHERE kid = $1 FOR UPDATE`;
      const locked = (await c.query<StoredRow>(lock, [kid])).rows[0];
      if (!locked) return { outcome: 'not_found' } as const;
      if (locked.current) return { outcome: 'current' } as const;
      await c.query('DELETE FROM signing_keys WHERE kid = $1', [kid]);
      const removed: StoredSigningKey = { ...locked, createdAt: Number(locked.createdAt) };
      await insertAudit(c, audit(removed));
      return { outcome: 'removed', key: removed } as const;
    });
  }
}
