import { lockoutKeys, type LockoutPolicy } from '../../src/domain/lockout.js';
import { TABLES } from '../../src/infra/db/copy.js';
import type { SqliteStore } from '../../src/infra/db/sqlite/store.js';
import type { Store } from '../../src/usecases/ports.js';
import { encrypt } from '../../src/infra/keys/master-key.js';
import { IDEMPOTENCY_PURPOSE, MasterKeySealer, TOTP_PURPOSE } from '../../src/infra/keys/sealer.js';

const T0 = Date.UTC(2026, 0, 1);
const POLICY: LockoutPolicy = { maxFailures: 5, maxFailuresPerIp: 50, windowSeconds: 900, lockSeconds: 900 };

/**
 * A row (or two) in every table, written through the store's own ports, with the values a copy
 * could get wrong: booleans both ways, nulls, JSON with quotes and nesting, lists with odd
 * characters, times past 2^31, sealed values under `masterKey`.
 */
export async function fillEveryTable(store: Store, masterKey: Buffer): Promise<void> {
  const base = {
    mode: 'live' as const,
    orgId: null,
    enabled: true,
    secretGeneration: 3,
    secretHash: 'hash',
    previousSecretHash: null,
    graceUntil: null,
    createdAt: T0,
    updatedAt: T0,
    lastUsedAt: null,
    tokensPerMinute: null,
    burst: null,
  };
  await store.clients.insert(
    {
      ...base,
      id: 'cl_live_a',
      name: 'a',
      scopes: ['read', 'write'],
      allowedIps: ['192.0.2.0/24'],
      tokensPerMinute: 7,
      burst: 3,
    },
    (c) => [
      {
        at: T0,
        actor: 'cli:fixture',
        action: 'client.created',
        clientId: c.id,
        sourceIp: '192.0.2.1',
        detail: { scopes: ['r"1', { deep: null }] },
      },
    ],
  );
  await store.clients.insert(
    {
      ...base,
      id: 'cl_test_b',
      name: 'b',
      mode: 'test',
      scopes: [],
      allowedIps: [],
      enabled: false,
      orgId: 'org_1',
      graceUntil: T0 * 2,
    },
    () => [],
  );
  await store.clients.markUsed('cl_live_a', T0 + 1);
  await store.keys.insertCurrent({
    kid: 'k1',
    mode: 'live',
    alg: 'ES256',
    publicJwk: '{"kty":"EC"}',
    privateJwkEnc: encrypt(masterKey, '{}'),
    current: true,
    createdAt: T0,
  });
  await store.keys.insertCurrent({
    kid: 'k2',
    mode: 'live',
    alg: 'ES256',
    publicJwk: '{}',
    privateJwkEnc: encrypt(masterKey, '{}'),
    current: true,
    createdAt: T0 + 1,
  });
  await store.tokens.revokeAccessToken('jti-1', 'cl_live_a', null, T0);
  await store.tokens.revokeAccessToken('jti-2', 'cl_live_a', T0 + 5, T0);
  await store.tokens.saveRefreshToken({
    hash: 'rt1',
    clientId: 'cl_live_a',
    mode: 'live',
    generation: 3,
    scopes: ['read'],
    audience: null,
    expiresAt: T0 + 9,
    createdAt: T0,
  });
  await store.tokens.saveRefreshToken({
    hash: 'rt2',
    clientId: 'cl_live_a',
    mode: 'live',
    generation: 3,
    scopes: ['a'],
    audience: 'https://api.example.com/',
    expiresAt: T0 + 9,
    createdAt: T0,
  });
  const api = {
    id: 'api_1',
    identifier: 'https://api.example.com/',
    name: 'API "one"',
    mode: 'live' as const,
    permissions: [
      { name: 'a', description: 'Reads "a"' },
      { name: 'b', description: '' },
    ],
    tokenTtlSeconds: 300,
    alg: 'RS256' as const,
    createdAt: T0,
    updatedAt: T0 + 1,
  };
  await store.apis.insertApi(api, () => []);
  await store.apis.insertApi(
    { ...api, id: 'api_2', mode: 'test', permissions: [], tokenTtlSeconds: null, alg: null },
    () => [],
  );
  await store.apis.setGrant(
    { clientId: 'cl_live_a', apiId: 'api_1', permissions: ['a', 'b'], createdAt: T0, updatedAt: T0 + 2 },
    () => [],
  );
  await store.lockout.settle(lockoutKeys('cl_live_a', '192.0.2.9'), false, T0, POLICY);
  await store.idempotency.claim('cl_live_a', 'key-1', 'request-hash', T0, T0 + 86_400_000);
  await store.idempotency.claim('cl_live_a', 'key-2', 'request-hash', T0, T0 + 86_400_000);
  await store.idempotency.complete(
    'cl_live_a',
    'key-2',
    new MasterKeySealer(masterKey, IDEMPOTENCY_PURPOSE).seal('{"secret":"s"}'),
  );
  await store.audit.record([
    { at: T0 + 2, actor: 'system:tollgate', action: 'lockout', clientId: null, sourceIp: null, detail: {} },
  ]);
  const operator = {
    role: 'admin' as const,
    orgId: null,
    enabled: true,
    passwordHash: null,
    totpSecretSealed: null,
    totpEnabled: false,
    totpLastStep: 0,
    recoveryCodeHashes: [],
    createdAt: T0,
    updatedAt: T0,
  };
  await store.operators.insert({ ...operator, id: 'op_1', email: 'ada@example.com' }, () => []);
  await store.operators.insert(
    {
      ...operator,
      id: 'op_2',
      email: 'bob@example.com',
      role: 'viewer',
      enabled: false,
      passwordHash: 'scrypt$x',
      totpSecretSealed: new MasterKeySealer(masterKey, TOTP_PURPOSE).seal('JBSWY3DPEHPK3PXP'),
      totpEnabled: true,
      totpLastStep: 42,
      recoveryCodeHashes: ['r1', 'r,"2}'],
    },
    () => [],
  );
  await store.operators.putSetupToken({ hash: 'link', operatorId: 'op_2', createdAt: T0, expiresAt: T0 + 86_400_000 });
  await store.operators.putSetupToken({ hash: 'first', operatorId: null, createdAt: T0, expiresAt: T0 + 86_400_000 });
  await store.usage.add([
    { clientId: 'cl_live_a', hour: T0, door: 'v1', kind: 'issued', count: 3 },
    { clientId: 'cl_live_a', hour: T0, door: 'oauth2', kind: 'invalid_client', count: 1 },
    // A deleted client's rows stay until retention drops them.
    { clientId: 'cl_live_gone', hour: T0 + 3_600_000, door: 'graphql', kind: 'checks', count: 2 ** 40 },
  ]);
  // 7 a minute: a fractional interval (8571.428… ms), so the instant is no whole number.
  await store.quotas.take('cl_live_a', { intervalMs: 60_000 / 7, toleranceMs: 2 * (60_000 / 7) }, T0);
  await store.sessions.insert({
    idHash: 's1',
    operatorId: 'op_1',
    createdAt: T0,
    lastSeenAt: T0,
    expiresAt: T0 + 3_600_000,
  });
}

/** Every copied table of a SQLite store as stored (raw values, in key order), by table name. */
export function dumpCopiedTables(store: SqliteStore): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  for (const t of TABLES) {
    out[t.name] = store.db.$client
      .prepare(`SELECT * FROM ${t.name} ORDER BY ${t.keyColumns.map((c) => `"${c}"`).join(', ')}`)
      .all();
  }
  return out;
}
