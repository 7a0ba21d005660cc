import { sql } from 'drizzle-orm';
import type { ApiPermission } from '../../../domain/api.js';
import { sqliteTable, text, integer, index, primaryKey, real, uniqueIndex } from 'drizzle-orm/sqlite-core';

/*
 * The SQLite tables. Each is stated here and in ../pg/schema.ts, column for column, and nowhere
 * else: the row codecs, db copy and the raw statements read their columns from these tables
 * (getTableColumns), and test/store/schema-parity.test.ts fails when the two schemas differ
 * beyond the type mappings it lists. JSON columns (`mode: 'json'`) are text holding JSON, read
 * and written through the column's own mapping.
 */

/** Clients. Scopes and allowlist are stored space-separated: they hold no spaces themselves. */
export const clients = sqliteTable('clients', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  mode: text('mode', { enum: ['live', 'test'] }).notNull(),
  scopes: text('scopes').notNull().default(''),
  orgId: text('org_id'),
  allowedIps: text('allowed_ips').notNull().default(''),
  enabled: integer('enabled', { mode: 'boolean' }).notNull().default(true),
  secretGeneration: integer('secret_generation').notNull().default(1),
  secretHash: text('secret_hash').notNull(),
  previousSecretHash: text('previous_secret_hash'),
  graceUntil: integer('grace_until'),
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull(),
  /** When a token was last issued to it (ClientStore.markUsed); null: never. Not audited. */
  lastUsedAt: integer('last_used_at'),
  /** Its token quota (spec §11): tokens a minute, null: none; and its burst, null: the rate. */
  tokensPerMinute: integer('tokens_per_minute'),
  burst: integer('burst'),
});

/** Signing keys per mode; the private half is AES-256-GCM ciphertext under the master key. */
export const signingKeys = sqliteTable(
  'signing_keys',
  {
    kid: text('kid').primaryKey(),
    mode: text('mode', { enum: ['live', 'test'] }).notNull(),
    alg: text('alg').notNull(),
    publicJwk: text('public_jwk').notNull(),
    privateJwkEnc: text('private_jwk_enc').notNull(),
    current: integer('current', { mode: 'boolean' }).notNull().default(false),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [index('signing_keys_mode_current').on(t.mode, t.current)],
);

/** Lockout counters (spec §2 step 2), one row per key that has failed recently. */
export const lockouts = sqliteTable('lockouts', {
  key: text('key').primaryKey(),
  failures: integer('failures').notNull(),
  windowStart: integer('window_start').notNull(),
  lockedUntil: integer('locked_until').notNull().default(0),
});

/** oauth2 refresh tokens (seed 001): only the SHA-256 of the token is kept. */
export const refreshTokens = sqliteTable(
  'refresh_tokens',
  {
    hash: text('hash').primaryKey(),
    clientId: text('client_id').notNull(),
    mode: text('mode', { enum: ['live', 'test'] }).notNull(),
    generation: integer('generation').notNull(),
    scope: text('scope').notNull(),
    /** The API the token is for (its identifier); null: the default API. */
    audience: text('audience'),
    expiresAt: integer('expires_at').notNull(),
    createdAt: integer('created_at').notNull(),
  },
  // Looked up by hash, purged by expiry. No index on client_id: no query reads by client (a
  // rotation kills a client's refresh tokens through their generation), and every index is one
  // more b-tree write on each oauth2 issuance.
  (t) => [index('refresh_tokens_expires_at').on(t.expiresAt)],
);

/** Revoked access tokens by `jti`, kept until the token would have expired anyway (null: never). */
export const revokedTokens = sqliteTable(
  'revoked_tokens',
  {
    jti: text('jti').primaryKey(),
    clientId: text('client_id').notNull(),
    expiresAt: integer('expires_at'),
    revokedAt: integer('revoked_at').notNull(),
  },
  (t) => [index('revoked_tokens_expires_at').on(t.expiresAt)],
);

/**
 * Idempotency-Key records of the GraphQL `createClient` mutation, scoped by the calling client.
 * The stored answer holds the new client's secret, so it is AES-256-GCM ciphertext under (a key
 * derived from) the master key; `result_enc` is null while the first request is still running.
 * Rows expire 24 h after creation.
 */
export const idempotencyKeys = sqliteTable(
  'idempotency_keys',
  {
    callerId: text('caller_id').notNull(),
    key: text('key').notNull(),
    requestHash: text('request_hash').notNull(),
    resultEnc: text('result_enc'),
    createdAt: integer('created_at').notNull(),
    expiresAt: integer('expires_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.callerId, t.key] }), index('idempotency_keys_expires_at').on(t.expiresAt)],
);

/**
 * The audit trail: who changed a client, and when a lockout began. Append-only; `detail` is JSON
 * naming what changed, never a secret or a hash. `actor` is `cli:<login>`, `graphql:<client id>`
 * or `system:tollgate`.
 */
export const auditEvents = sqliteTable(
  'audit_events',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    at: integer('at').notNull(),
    actor: text('actor').notNull(),
    action: text('action').notNull(),
    clientId: text('client_id'),
    sourceIp: text('source_ip'),
    detail: text('detail', { mode: 'json' }).$type<Record<string, unknown>>().notNull().default({}),
  },
  (t) => [index('audit_events_client_id_at').on(t.clientId, t.at), index('audit_events_at').on(t.at)],
);

/**
 * Operators of the developer panel (spec §7). `email` is stored lower-cased and is unique; the
 * recovery codes are a JSON array of SHA-256 hashes; the TOTP secret is sealed under the master key.
 */
export const operators = sqliteTable(
  'operators',
  {
    id: text('id').primaryKey(),
    email: text('email').notNull(),
    role: text('role', { enum: ['admin', 'developer', 'viewer'] }).notNull(),
    orgId: text('org_id'),
    enabled: integer('enabled', { mode: 'boolean' }).notNull().default(true),
    passwordHash: text('password_hash'),
    totpSecretSealed: text('totp_secret_sealed'),
    totpEnabled: integer('totp_enabled', { mode: 'boolean' }).notNull().default(false),
    totpLastStep: integer('totp_last_step').notNull().default(0),
    recoveryCodeHashes: text('recovery_code_hashes', { mode: 'json' }).$type<string[]>().notNull().default(sql`'[]'`),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [uniqueIndex('operators_email').on(t.email)],
);

/**
 * Panel sessions, by the SHA-256 of the cookie's value (never the value). Deleted with their
 * operator; purged once past their absolute end.
 */
export const sessions = sqliteTable(
  'sessions',
  {
    idHash: text('id_hash').primaryKey(),
    operatorId: text('operator_id')
      .notNull()
      .references(() => operators.id, { onDelete: 'cascade' }),
    createdAt: integer('created_at').notNull(),
    lastSeenAt: integer('last_seen_at').notNull(),
    expiresAt: integer('expires_at').notNull(),
  },
  (t) => [index('sessions_operator_id').on(t.operatorId), index('sessions_expires_at').on(t.expiresAt)],
);

/** One-time setup links by the SHA-256 of their token; `operator_id` null: the first admin's link. */
export const setupTokens = sqliteTable(
  'setup_tokens',
  {
    hash: text('hash').primaryKey(),
    operatorId: text('operator_id').references(() => operators.id, { onDelete: 'cascade' }),
    createdAt: integer('created_at').notNull(),
    expiresAt: integer('expires_at').notNull(),
  },
  (t) => [index('setup_tokens_operator_id').on(t.operatorId), index('setup_tokens_expires_at').on(t.expiresAt)],
);

/**
 * APIs (resource servers, spec §8): the identifier is a token's `aud`, unique per mode. The
 * permissions are a JSON array of `{name, description}`; `alg` null signs with `JWT_ALG`.
 */
export const apis = sqliteTable(
  'apis',
  {
    id: text('id').primaryKey(),
    identifier: text('identifier').notNull(),
    mode: text('mode', { enum: ['live', 'test'] }).notNull(),
    name: text('name').notNull(),
    permissions: text('permissions', { mode: 'json' }).$type<ApiPermission[]>().notNull().default([]),
    tokenTtlSeconds: integer('token_ttl_seconds'),
    alg: text('alg'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [uniqueIndex('apis_mode_identifier').on(t.mode, t.identifier)],
);

/**
 * Grants: what a client may ask for at an API, permissions space-separated. They go with their
 * client or their API (ON DELETE CASCADE).
 */
export const grants = sqliteTable(
  'grants',
  {
    clientId: text('client_id')
      .notNull()
      .references(() => clients.id, { onDelete: 'cascade' }),
    apiId: text('api_id')
      .notNull()
      .references(() => apis.id, { onDelete: 'cascade' }),
    permissions: text('permissions').notNull().default(''),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.clientId, t.apiId] }), index('grants_api_id').on(t.apiId)],
);

/**
 * Usage (spec §11): counts per client, UTC hour (epoch ms of its start), door and kind, summed
 * into their row by each flush. No foreign key: a flush may race a client's deletion, and the
 * deletion removes the rows it finds; stragglers go with retention (the index on hour).
 */
export const usageHours = sqliteTable(
  'usage_hours',
  {
    clientId: text('client_id').notNull(),
    hour: integer('hour').notNull(),
    door: text('door').notNull(),
    kind: text('kind').notNull(),
    count: integer('count').notNull(),
  },
  (t) => [primaryKey({ columns: [t.clientId, t.hour, t.door, t.kind] }), index('usage_hours_hour').on(t.hour)],
);

/**
 * Token quotas (spec §11): each client's GCRA instant (epoch ms, fractional: a token's interval
 * need not be whole). No row: the bucket is full. It goes with its client.
 */
export const quotaBuckets = sqliteTable('quota_buckets', {
  clientId: text('client_id')
    .primaryKey()
    .references(() => clients.id, { onDelete: 'cascade' }),
  instant: real('instant').notNull(),
});
