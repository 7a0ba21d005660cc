import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Operator } from '../../src/domain/operator.js';
import { copyDatabase } from '../../src/infra/db/copy.js';
import { openPgStore } from '../../src/infra/db/pg/store.js';
import { openSqliteStore } from '../../src/infra/db/sqlite/store.js';
import { encrypt, loadMasterKey } from '../../src/infra/keys/master-key.js';
import { MasterKeySealer, TOTP_PURPOSE } from '../../src/infra/keys/sealer.js';
import { freshDatabase, TEST_MASTER_KEY } from '../support/pg.js';
import { tempDir } from '../support/process.js';

const T0 = Date.UTC(2026, 0, 1);
const TOTP_SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';

const operator = (over: Partial<Operator> = {}): Operator => ({
  id: 'op_copy_1',
  email: 'ada@example.com',
  role: 'admin',
  orgId: null,
  enabled: true,
  passwordHash: 'scrypt$hash',
  totpSecretSealed: null,
  totpEnabled: false,
  totpLastStep: 0,
  recoveryCodeHashes: [],
  createdAt: T0,
  updatedAt: T0,
  ...over,
});

/**
 * `tollgate db copy` and the panel's tables: operators (TOTP secrets sealed again for the
 * target's master key) and setup links move, clients keep their last use, sessions stay behind.
 */
describe('tollgate db copy: the panel tables', () => {
  it('moves operators, setup links and last use into PostgreSQL and back, not sessions', async () => {
    const path = join(tempDir(), 'tollgate.db');
    // The source runs on its key file; the target on TOLLGATE_MASTER_KEY: every sealed value is sealed again.
    const fileKey = loadMasterKey(undefined, path).key;
    const envKey = loadMasterKey(TEST_MASTER_KEY, path).key;
    const source = openSqliteStore(path);
    await source.keys.insertCurrent({
      kid: 'k1',
      mode: 'live',
      alg: 'ES256',
      publicJwk: '{}',
      privateJwkEnc: encrypt(fileKey, '{"kty":"EC"}'),
      current: true,
      createdAt: T0,
    });
    await source.clients.insert(
      {
        id: 'cl_live_copy',
        name: 'copy',
        mode: 'live',
        scopes: ['read'],
        orgId: 'org_1',
        allowedIps: [],
        enabled: true,
        secretGeneration: 1,
        secretHash: 'hash',
        previousSecretHash: null,
        graceUntil: null,
        createdAt: T0,
        updatedAt: T0,
        lastUsedAt: null,
        tokensPerMinute: null,
        burst: null,
      },
      () => [],
    );
    await source.clients.markUsed('cl_live_copy', T0 + 60_000);
    const enrolled = operator({
      orgId: 'org_1',
      totpSecretSealed: new MasterKeySealer(fileKey, TOTP_PURPOSE).seal(TOTP_SECRET),
      totpEnabled: true,
      totpLastStep: 42,
      recoveryCodeHashes: ['r1', 'r,"2}'],
    });
    await source.operators.insert(enrolled, () => []);
    await source.operators.insert(
      operator({ id: 'op_copy_2', email: 'bob@example.com', role: 'viewer', enabled: false, passwordHash: null }),
      () => [],
    );
    await source.operators.putSetupToken({
      hash: 'link',
      operatorId: 'op_copy_2',
      createdAt: T0,
      expiresAt: T0 + 86_400_000,
    });
    await source.operators.putSetupToken({
      hash: 'first',
      operatorId: null,
      createdAt: T0,
      expiresAt: T0 + 86_400_000,
    });
    await source.sessions.insert({
      idHash: 's1',
      operatorId: 'op_copy_1',
      createdAt: T0,
      lastSeenAt: T0,
      expiresAt: T0 + 3600_000,
    });
    await source.close();

    const url = await freshDatabase();
    const report = await copyDatabase(path, url, TEST_MASTER_KEY);
    expect(report.rows).toMatchObject({ clients: 1, operators: 2, setup_tokens: 2 });
    expect(report.rows.sessions).toBeUndefined();
    // The signing key and the TOTP secret.
    expect(report.resealed).toBe(2);

    const pg = await openPgStore(url, { migrate: false });
    try {
      expect((await pg.clients.findById('cl_live_copy'))?.lastUsedAt).toBe(T0 + 60_000);
      const moved = (await pg.operators.findById('op_copy_1'))!;
      expect({ ...moved, totpSecretSealed: null }).toEqual({ ...enrolled, totpSecretSealed: null });
      expect(new MasterKeySealer(envKey, TOTP_PURPOSE).open(moved.totpSecretSealed!)).toBe(TOTP_SECRET);
      expect((await pg.operators.list()).map((o) => [o.email, o.enabled, o.passwordHash])).toEqual([
        ['ada@example.com', true, 'scrypt$hash'],
        ['bob@example.com', false, null],
      ]);
      // Sessions are not copied: everyone signs in again.
      expect(await pg.sessions.find('s1')).toBeUndefined();
      expect(await pg.operators.takeSetupToken('link', T0)).toMatchObject({ operatorId: 'op_copy_2' });
    } finally {
      await pg.close();
    }

    // And back into a new SQLite file under the same key: nothing to seal again.
    const back = join(tempDir(), 'back.db');
    const returned = await copyDatabase(url, back, TEST_MASTER_KEY);
    expect(returned.rows).toMatchObject({ clients: 1, operators: 2, setup_tokens: 1 });
    expect(returned.resealed).toBe(0);
    const sqlite = openSqliteStore(back);
    try {
      const home = (await sqlite.operators.findById('op_copy_1'))!;
      expect({ ...home, totpSecretSealed: null }).toEqual({ ...enrolled, totpSecretSealed: null });
      expect(new MasterKeySealer(envKey, TOTP_PURPOSE).open(home.totpSecretSealed!)).toBe(TOTP_SECRET);
      expect((await sqlite.clients.findById('cl_live_copy'))?.lastUsedAt).toBe(T0 + 60_000);
      expect(await sqlite.operators.takeSetupToken('first', T0)).toMatchObject({ operatorId: null });
    } finally {
      await sqlite.close();
    }
  });
});
