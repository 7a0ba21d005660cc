import { createHash, KeyObject } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { compactVerifier, type CompactVerifier } from '../../src/infra/keys/jws.js';
import { JwtVerifier, type KeySource, type VerificationKey } from '../../src/infra/keys/verifier.js';
import { lockoutEvent, type AuditEvent, type AuditRecord } from '../../src/domain/audit.js';
import type { Client } from '../../src/domain/client.js';
import { afterFailure, retryAfterSeconds, type CounterState, type LockoutKeys, type LockoutPolicy } from '../../src/domain/lockout.js';
import type { Mode } from '../../src/domain/mode.js';
import type { AccessTokenClaims, TokenSettings } from '../../src/domain/token.js';
import type {
  AuditLog,
  ClientPatch,
  ClientStore,
  Clock,
  Deps,
  LockoutStore,
  Random,
  RefreshRecord,
  RotateAudit,
  SecretChange,
  SettleResult,
  TokenSigner,
  TokenStore,
  UpdateAudit,
} from '../../src/usecases/ports.js';

/** A clock that only moves when told to. */
export class FixedClock implements Clock {
  constructor(public ms = Date.UTC(2026, 0, 1)) {}
  now(): number {
    return this.ms;
  }
  advance(seconds: number): void {
    this.ms += seconds * 1000;
  }
}

/** Deterministic bytes: a counter hashed, so every call differs and runs repeat exactly. */
export class SeededRandom implements Random {
  private n = 0;
  bytes(length: number): Buffer {
    const out = Buffer.alloc(length);
    for (let off = 0; off < length; off += 32) {
      createHash('sha256').update(`seed-${this.n++}`).digest().copy(out, off);
    }
    return out;
  }
}

/**
 * Clients in a map. Like the SQLite store, each write and its audit events land together: the
 * new row and the events are built first, then both are stored, so a throwing event builder
 * leaves nothing behind.
 */
export class InMemoryClientStore implements ClientStore {
  readonly rows = new Map<string, Client>();
  /** With an audit log, each write's events are recorded there, as the SQLite store does. */
  constructor(private readonly audit?: InMemoryAuditLog) {}

  async findById(id: string): Promise<Client | undefined> {
    const c = this.rows.get(id);
    return c && structuredClone(c);
  }
  async insert(client: Client, events: readonly AuditEvent[]): Promise<void> {
    if (this.rows.has(client.id)) throw new Error('duplicate id');
    this.commit(structuredClone(client), events);
  }
  async update(id: string, patch: ClientPatch, now: number, audit: UpdateAudit): Promise<Client | undefined> {
    const before = this.rows.get(id);
    if (!before) return undefined;
    const after: Client = { ...structuredClone(before), ...structuredClone(patch), updatedAt: now };
    this.commit(after, audit(structuredClone(before), structuredClone(after)));
    return structuredClone(after);
  }
  async rotateSecret(id: string, change: SecretChange, now: number, audit: RotateAudit): Promise<Client | undefined> {
    const c = this.rows.get(id);
    if (!c) return undefined;
    const rotated: Client = {
      ...structuredClone(c),
      previousSecretHash: change.graceUntil === null ? null : c.secretHash,
      secretHash: change.secretHash,
      graceUntil: change.graceUntil,
      secretGeneration: c.secretGeneration + 1,
      updatedAt: now,
    };
    this.commit(rotated, audit(structuredClone(rotated)));
    return structuredClone(rotated);
  }
  private commit(row: Client, events: readonly AuditEvent[]): void {
    this.rows.set(row.id, row);
    for (const e of events) this.audit?.recordNow(e);
  }
  async list(page: { limit: number; afterId?: string }): Promise<Client[]> {
    return [...this.rows.values()]
      .filter((c) => page.afterId === undefined || c.id > page.afterId)
      .sort((a, b) => (a.id < b.id ? -1 : 1))
      .slice(0, page.limit)
      .map((c) => structuredClone(c));
  }
  async count(): Promise<number> {
    return this.rows.size;
  }
}

/** The audit trail in an array, oldest first; `list` answers newest first like the SQLite log. */
export class InMemoryAuditLog implements AuditLog {
  readonly events: AuditRecord[] = [];

  async record(event: AuditEvent): Promise<void> {
    this.recordNow(event);
  }
  /** Synchronous, for the fake stores that write their events with their change. */
  recordNow(event: AuditEvent): void {
    this.events.push(structuredClone({ ...event, id: this.events.length + 1 }));
  }
  async list(query: { clientId?: string; limit: number }): Promise<AuditRecord[]> {
    return this.events
      .filter((e) => query.clientId === undefined || e.clientId === query.clientId)
      .sort((a, b) => b.at - a.at || b.id - a.id)
      .slice(0, query.limit)
      .map((e) => structuredClone(e));
  }
}

/** The same rules as the SQLite store, in a map; single-threaded, so trivially atomic. */
export class InMemoryLockoutStore implements LockoutStore {
  readonly rows = new Map<string, CounterState>();
  /** With an audit log, a lock that begins is recorded there, as the SQLite store does. */
  constructor(private readonly audit?: InMemoryAuditLog) {}

  async peek(keys: LockoutKeys, now: number): Promise<number> {
    return Math.max(retryAfterSeconds(this.rows.get(keys.pair), now), retryAfterSeconds(this.rows.get(keys.ip), now));
  }
  async settle(keys: LockoutKeys, succeeded: boolean, now: number, policy: LockoutPolicy): Promise<SettleResult> {
    const wait = await this.peek(keys, now);
    if (wait > 0) return { locked: true, retryAfterSeconds: wait };
    if (succeeded) {
      this.rows.delete(keys.pair);
      return { locked: false };
    }
    const pair = afterFailure(this.rows.get(keys.pair), now, policy.maxFailures, policy);
    const ip = afterFailure(this.rows.get(keys.ip), now, policy.maxFailuresPerIp, policy);
    this.rows.set(keys.pair, pair);
    this.rows.set(keys.ip, ip);
    if (pair.lockedUntil > 0) await this.audit?.record(lockoutEvent(keys.pair, 'pair', pair.lockedUntil, now));
    if (ip.lockedUntil > 0) await this.audit?.record(lockoutEvent(keys.ip, 'ip', ip.lockedUntil, now));
    return { locked: false };
  }
}

export class InMemoryTokenStore implements TokenStore {
  readonly revoked = new Map<string, number | null>();
  readonly refresh = new Map<string, RefreshRecord>();
  constructor(private readonly clients: InMemoryClientStore) {}

  async bearerState(clientId: string, jti: string) {
    return { client: await this.clients.findById(clientId), revoked: this.revoked.has(jti) };
  }
  async revokeAccessToken(jti: string, _clientId: string, expiresAt: number | null, _now?: number): Promise<void> {
    this.revoked.set(jti, expiresAt);
  }
  async saveRefreshToken(r: RefreshRecord): Promise<void> {
    this.refresh.set(r.hash, structuredClone(r));
  }
  async findRefreshToken(hash: string): Promise<RefreshRecord | undefined> {
    const r = this.refresh.get(hash);
    return r && structuredClone(r);
  }
  async deleteRefreshToken(hash: string): Promise<void> {
    this.refresh.delete(hash);
  }
  async purgeExpired(now: number): Promise<number> {
    let n = 0;
    for (const [h, r] of this.refresh) if (r.expiresAt <= now && this.refresh.delete(h)) n++;
    for (const [j, exp] of this.revoked) if (exp !== null && exp <= now && this.revoked.delete(j)) n++;
    return n;
  }
}

/** A real ES256 signer with in-memory keys, one per mode; also the verifier's key source. */
export class MemorySigner implements TokenSigner, KeySource {
  private constructor(readonly keys: Record<Mode, { privateKey: CryptoKey; verifier: CompactVerifier; publicJwk: JWK; kid: string }>) {}

  static async create(): Promise<MemorySigner> {
    const make = async (kid: string) => {
      const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
      return { privateKey, verifier: compactVerifier(KeyObject.from(publicKey), 'ES256'), publicJwk: await exportJWK(publicKey), kid };
    };
    return new MemorySigner({ live: await make('live-1'), test: await make('test-1') });
  }

  async sign(mode: Mode, claims: AccessTokenClaims): Promise<string> {
    const k = this.keys[mode];
    return new SignJWT(claims).setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: k.kid }).sign(k.privateKey);
  }

  async verificationKey(kid: string): Promise<VerificationKey | undefined> {
    const mode = (['live', 'test'] as const).find((m) => this.keys[m].kid === kid);
    return mode && { mode, verifier: this.keys[mode].verifier };
  }
}

export const DEFAULT_POLICY: LockoutPolicy = { maxFailures: 5, maxFailuresPerIp: 50, windowSeconds: 900, lockSeconds: 900 };

export const TEST_TOKENS: TokenSettings = {
  issuer: (mode) => (mode === 'live' ? 'https://issuer.example' : 'https://issuer.example/test'),
  audience: (mode) => (mode === 'live' ? 'https://issuer.example' : 'https://issuer.example/test'),
};

export interface FakeDeps extends Deps {
  clients: InMemoryClientStore;
  tokenStore: InMemoryTokenStore;
  lockout: InMemoryLockoutStore;
  audit: InMemoryAuditLog;
  clock: FixedClock;
  signer: MemorySigner;
}

export async function fakeDeps(policy: LockoutPolicy = DEFAULT_POLICY): Promise<FakeDeps> {
  const audit = new InMemoryAuditLog();
  const clients = new InMemoryClientStore(audit);
  const clock = new FixedClock();
  const signer = await MemorySigner.create();
  return {
    clients,
    tokenStore: new InMemoryTokenStore(clients),
    lockout: new InMemoryLockoutStore(audit),
    audit,
    lockoutPolicy: policy,
    clock,
    random: new SeededRandom(),
    signer,
    verifier: new JwtVerifier(signer, TEST_TOKENS, clock),
    tokens: TEST_TOKENS,
  };
}
