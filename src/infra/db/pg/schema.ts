import type { ApiPermission } from '../../../domain/api.js';
import {
  bigint,
  boolean,
  customType,
  doublePrecision,
  index,
  jsonb,
  pgTable,
  primaryKey,
  text,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import { sql } from 'drizzle-orm';

/*
 * The PostgreSQL tables: ../sqlite/schema.ts's, column for column, in PostgreSQL's types. The
 * row codecs, db copy and the raw statements read their columns from these tables, and
 * test/store/schema-parity.test.ts fails when the two schemas differ beyond the type mappings it
 * lists (bigint for SQLite's integers, boolean, jsonb and text[] for its 0/1 and JSON text).
 */

/**
 * Text compared byte by byte (`COLLATE "C"`), whatever the database's locale: client ids are paged
 * by their prefix (`cl_live_` < `cl_test_`, `cl_live_C` < `cl_live_a`), exactly as SQLite and the
 * spec order them, and lockout keys are locked in one order every process agrees on.
 */
const byteText = customType<{ data: string; driverData: string }>({
  dataType: () => 'text COLLATE "C"',
});

/** Epoch milliseconds: past 2^31, so never `integer`; read back as JS numbers (exact below 2^53). */
const millis = (name: string) => bigint(name, { mode: 'number' });

/** Clients. Scopes and allowlist are stored space-separated, as in SQLite: they hold no spaces. */
export const clients = pgTable('clients', {
  id: byteText('id').primaryKey(),
  name: text('name').notNull(),
  mode: text('mode', { enum: ['live', 'test'] }).notNull(),
  scopes: text('scopes').notNull().default(''),
  orgId: text('org_id'),
  allowedIps: text('allowed_ips').notNull().default(''),
  enabled: boolean('enabled').notNull().default(true),
  secretGeneration: bigint('secret_generation', { mode: 'number' }).notNull().default(1),
  secretHash: text('secret_hash').notNull(),
  previousSecretHash: text('previous_secret_hash'),
  graceUntil: millis('grace_until'),
  createdAt: millis('created_at').notNull(),
  updatedAt: millis('updated_at').notNull(),
  /** When a token was last issued to it (ClientStore.markUsed); null: never. Not audited. */
  lastUsedAt: millis('last_used_at'),
  /** Its token quota (spec §11): tokens a minute, null: none; and its burst, null: the rate. */
  tokensPerMinute: bigint('tokens_per_minute', { mode: 'number' }),
  burst: bigint('burst', { mode: 'number' }),
});

/**
 * Signing keys per mode and algorithm; the private half is AES-256-GCM ciphertext under the
 * master key. The partial unique index is the last word on "one current key per mode and
 * algorithm", whatever races.
 */
export const signingKeys = pgTable(
  'signing_keys',
  {
    kid: text('kid').primaryKey(),
    mode: text('mode', { enum: ['live', 'test'] }).notNull(),
    alg: text('alg').notNull(),
    publicJwk: text('public_jwk').notNull(),
    privateJwkEnc: text('private_jwk_enc').notNull(),
    current: boolean('current').notNull().default(false),
    createdAt: millis('created_at').notNull(),
  },
  (t) => [uniqueIndex('signing_keys_one_current').on(t.mode, t.alg).where(sql`${t.current}`)],
);

/** Lockout counters (spec §2 step 2), one row per key that has failed recently. */
export const lockouts = pgTable('lockouts', {
  key: byteText('key').primaryKey(),
  failures: bigint('failures', { mode: 'number' }).notNull(),
  windowStart: millis('window_start').notNull(),
  lockedUntil: millis('locked_until').notNull().default(0),
});

/** oauth2 refresh tokens (seed 001): only the SHA-256 of the token is kept. */
export const refreshTokens = pgTable(
  'refresh_tokens',
  {
    hash: text('hash').primaryKey(),
    clientId: text('client_id').notNull(),
    mode: text('mode', { enum: ['live', 'test'] }).notNull(),
    generation: bigint('generation', { mode: 'number' }).notNull(),
    scope: text('scope').notNull(),
    /** The API the token is for (its identifier); null: the default API. */
    audience: text('audience'),
    expiresAt: millis('expires_at').notNull(),
    createdAt: millis('created_at').notNull(),
  },
  // Looked up by hash, purged by expiry; no index on client_id (see the SQLite schema).
  (t) => [index('refresh_tokens_expires_at').on(t.expiresAt)],
);

/** Revoked access tokens by `jti`, kept until the token would have expired anyway (null: never). */
export const revokedTokens = pgTable(
  'revoked_tokens',
  {
    jti: text('jti').primaryKey(),
    clientId: text('client_id').notNull(),
    expiresAt: millis('expires_at'),
    revokedAt: millis('revoked_at').notNull(),
  },
  (t) => [index('revoked_tokens_expires_at').on(t.expiresAt)],
);

/** Idempotency-Key records (sealed answers under the master key), as in SQLite. */
export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    callerId: text('caller_id').notNull(),
    key: text('key').notNull(),
    requestHash: text('request_hash').notNull(),
    resultEnc: text('result_enc'),
    createdAt: millis('created_at').notNull(),
    expiresAt: millis('expires_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.callerId, t.key] }), index('idempotency_keys_expires_at').on(t.expiresAt)],
);

/** The audit trail, append-only; `detail` names what changed, never a secret or a hash. */
export const auditEvents = pgTable(
  'audit_events',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
    at: millis('at').notNull(),
    actor: text('actor').notNull(),
    action: text('action').notNull(),
    clientId: text('client_id'),
    sourceIp: text('source_ip'),
    detail: jsonb('detail').$type<Record<string, unknown>>().notNull().default({}),
  },
  (t) => [index('audit_events_client_id_at').on(t.clientId, t.at), index('audit_events_at').on(t.at)],
);

/**
 * Operators of the developer panel (spec §7). `email` is stored lower-cased, unique, and compared
 * byte by byte so the list is in the same order as SQLite's; the recovery codes are a text array
 * of SHA-256 hashes (one is removed by a single conditional UPDATE); the TOTP secret is sealed.
 */
export const operators = pgTable(
  'operators',
  {
    id: text('id').primaryKey(),
    email: byteText('email').notNull(),
    role: text('role', { enum: ['admin', 'developer', 'viewer'] }).notNull(),
    orgId: text('org_id'),
    enabled: boolean('enabled').notNull().default(true),
    passwordHash: text('password_hash'),
    totpSecretSealed: text('totp_secret_sealed'),
    totpEnabled: boolean('totp_enabled').notNull().default(false),
    totpLastStep: bigint('totp_last_step', { mode: 'number' }).notNull().default(0),
    recoveryCodeHashes: text('recovery_code_hashes').array().notNull().default(sql`'{}'::text[]`),
    createdAt: millis('created_at').notNull(),
    updatedAt: millis('updated_at').notNull(),
  },
  (t) => [uniqueIndex('operators_email').on(t.email)],
);

/** Panel sessions, by the SHA-256 of the cookie's value; deleted with their operator. */
export const sessions = pgTable(
  'sessions',
  {
    idHash: text('id_hash').primaryKey(),
    operatorId: text('operator_id')
      .notNull()
      .references(() => operators.id, { onDelete: 'cascade' }),
    createdAt: millis('created_at').notNull(),
    lastSeenAt: millis('last_seen_at').notNull(),
    expiresAt: millis('expires_at').notNull(),
  },
  (t) => [index('sessions_operator_id').on(t.operatorId), index('sessions_expires_at').on(t.expiresAt)],
);

/** One-time setup links by the SHA-256 of their token; `operator_id` null: the first admin's link. */
export const setupTokens = pgTable(
  'setup_tokens',
  {
    hash: text('hash').primaryKey(),
    operatorId: text('operator_id').references(() => operators.id, { onDelete: 'cascade' }),
    createdAt: millis('created_at').notNull(),
    expiresAt: millis('expires_at').notNull(),
  },
  (t) => [index('setup_tokens_operator_id').on(t.operatorId), index('setup_tokens_expires_at').on(t.expiresAt)],
);

/** APIs (resource servers, spec §8), as in SQLite; the permissions are a JSON array. */
export const apis = pgTable(
  'apis',
  {
    id: text('id').primaryKey(),
    identifier: byteText('identifier').notNull(),
    mode: text('mode', { enum: ['live', 'test'] }).notNull(),
    name: text('name').notNull(),
    permissions: jsonb('permissions').$type<ApiPermission[]>().notNull().default([]),
    tokenTtlSeconds: bigint('token_ttl_seconds', { mode: 'number' }),
    alg: text('alg'),
    createdAt: millis('created_at').notNull(),
    updatedAt: millis('updated_at').notNull(),
  },
  (t) => [uniqueIndex('apis_mode_identifier').on(t.mode, t.identifier)],
);

/** Grants, as in SQLite: they go with their client or their API. */
export const grants = pgTable(
  'grants',
  {
    clientId: byteText('client_id')
      .notNull()
      .references(() => clients.id, { onDelete: 'cascade' }),
    apiId: text('api_id')
      .notNull()
      .references(() => apis.id, { onDelete: 'cascade' }),
    permissions: text('permissions').notNull().default(''),
    createdAt: millis('created_at').notNull(),
    updatedAt: millis('updated_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.clientId, t.apiId] }), index('grants_api_id').on(t.apiId)],
);

/**
 * Usage (spec §11): counts per client, UTC hour (epoch ms of its start), door and kind, summed
 * into their row by each flush. No foreign key: a flush may race a client's deletion, and the
 * deletion removes the rows it finds; stragglers go with retention (the index on hour).
 */
export const usageHours = pgTable(
  'usage_hours',
  {
    clientId: byteText('client_id').notNull(),
    hour: millis('hour').notNull(),
    door: byteText('door').notNull(),
    kind: byteText('kind').notNull(),
    count: bigint('count', { mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.clientId, t.hour, t.door, t.kind] }), index('usage_hours_hour').on(t.hour)],
);

/**
 * Token quotas (spec §11): each client's GCRA instant (epoch ms, fractional: a token's interval
 * need not be whole). No row: the bucket is full. It goes with its client.
 */
export const quotaBuckets = pgTable('quota_buckets', {
  clientId: byteText('client_id')
    .primaryKey()
    .references(() => clients.id, { onDelete: 'cascade' }),
  instant: doublePrecision('instant').notNull(),
});
