import { createHash, KeyObject } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { compactVerifier, type CompactVerifier } from '../../src/infra/keys/jws.js';
import { JwtVerifier, type KeySource, type VerificationKey } from '../../src/infra/keys/verifier.js';
import { LastUsedRecorder } from '../../src/usecases/last-used.js';
import { UsageCounter } from '../../src/usecases/usage.js';
import { MasterKeySealer } from '../../src/infra/keys/sealer.js';
import type { LockoutPolicy } from '../../src/domain/lockout.js';
import type { AuditEvent } from '../../src/domain/audit.js';
import type { Mode } from '../../src/domain/mode.js';
import type { AccessTokenClaims, TokenSettings } from '../../src/domain/token.js';
import type { Clock, PublicKeyInfo, Random, SigningKeys, TokenSigner } from '../../src/usecases/ports.js';
import type { Deps } from '../../src/usecases/deps.js';
import {
  MemoryAuditLog,
  type MemoryClientStore,
  type MemoryIdempotencyStore,
  type MemoryLockoutStore,
  type MemoryOperatorStore,
  type MemorySessionStore,
  MemoryStore,
  type MemoryTokenStore,
} from './memory-store.js';

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
      createHash('sha256')
        .update(`seed-${this.n++}`)
        .digest()
        .copy(out, off);
    }
    return out;
  }
}

interface MemoryKey {
  privateKey: CryptoKey;
  verifier: CompactVerifier;
  publicJwk: JWK;
  kid: string;
  createdAt: number;
}

/**
 * A real ES256 signer with in-memory keys, one current per mode (kids `live-1`, `test-1`, then
 * `live-2` after a rotation…); also the verifier's key source and the keys as operators see them.
 */
export class MemorySigner implements TokenSigner, KeySource, SigningKeys {
  private readonly retired: MemoryKey[] = [];
  private constructor(
    readonly keys: Record<Mode, MemoryKey>,
    private readonly audit: MemoryAuditLog,
  ) {}

  private static async make(kid: string): Promise<MemoryKey> {
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    return {
      privateKey,
      verifier: compactVerifier(KeyObject.from(publicKey), 'ES256'),
      publicJwk: await exportJWK(publicKey),
      kid,
      createdAt: Date.UTC(2026, 0, 1),
    };
  }

  /** Key events (rotate and remove with an audit builder) land in `audit`, as a store would put them. */
  static async create(audit: MemoryAuditLog = new MemoryAuditLog()): Promise<MemorySigner> {
    return new MemorySigner(
      { live: await MemorySigner.make('live-1'), test: await MemorySigner.make('test-1') },
      audit,
    );
  }

  async sign(mode: Mode, claims: AccessTokenClaims): Promise<string> {
    const k = this.keys[mode];
    return new SignJWT(claims).setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: k.kid }).sign(k.privateKey);
  }

  async verificationKey(kid: string): Promise<VerificationKey | undefined> {
    const mode = (['live', 'test'] as const).find((m) => this.keys[m].kid === kid);
    if (mode) return { mode, verifier: this.keys[mode].verifier };
    const old = this.retired.find((k) => k.kid === kid);
    return old && { mode: old.kid.startsWith('live') ? 'live' : 'test', verifier: old.verifier };
  }

  private info(mode: Mode, k: MemoryKey, current: boolean): PublicKeyInfo {
    return {
      kid: k.kid,
      mode,
      alg: 'ES256',
      current,
      createdAt: k.createdAt,
      jwk: { ...k.publicJwk, kid: k.kid, alg: 'ES256', use: 'sig' },
    };
  }

  async publicKeys(mode?: Mode): Promise<PublicKeyInfo[]> {
    const modes = mode ? [mode] : (['live', 'test'] as const);
    return [
      ...modes.map((m) => this.info(m, this.keys[m], true)),
      ...this.retired
        .filter((k) => modes.some((m) => k.kid.startsWith(m)))
        .map((k) => this.info(k.kid.startsWith('live') ? 'live' : 'test', k, false)),
    ];
  }

  async rotate(
    mode: Mode,
    audit?: (key: PublicKeyInfo, replacedKid: string | null) => readonly AuditEvent[],
  ): Promise<PublicKeyInfo> {
    const next = await MemorySigner.make(`${mode}-${Number(this.keys[mode].kid.split('-')[1]) + 1}`);
    const info = this.info(mode, next, true);
    const events = audit ? audit(info, this.keys[mode].kid) : [];
    this.retired.push(this.keys[mode]);
    this.keys[mode] = next;
    this.audit.append(events);
    return info;
  }

  async remove(
    kid: string,
    audit: (key: PublicKeyInfo) => readonly AuditEvent[],
  ): Promise<{ outcome: 'removed'; key: PublicKeyInfo } | { outcome: 'current' | 'not_found' }> {
    if (this.keys.live.kid === kid || this.keys.test.kid === kid) return { outcome: 'current' };
    const i = this.retired.findIndex((k) => k.kid === kid);
    if (i < 0) return { outcome: 'not_found' };
    const key = this.info(kid.startsWith('live') ? 'live' : 'test', this.retired[i]!, false);
    const events = audit(key);
    this.retired.splice(i, 1);
    this.audit.append(events);
    return { outcome: 'removed', key };
  }
}

export const DEFAULT_POLICY: LockoutPolicy = {
  maxFailures: 5,
  maxFailuresPerIp: 50,
  windowSeconds: 900,
  lockSeconds: 900,
};

export const TEST_TOKENS: TokenSettings = {
  issuer: (mode) => (mode === 'live' ? 'https://issuer.example' : 'https://issuer.example/test'),
  audience: (mode) => (mode === 'live' ? 'https://issuer.example' : 'https://issuer.example/test'),
};

export interface FakeDeps extends Deps {
  clients: MemoryClientStore;
  tokenStore: MemoryTokenStore;
  lockout: MemoryLockoutStore;
  audit: MemoryAuditLog;
  idempotency: MemoryIdempotencyStore;
  /** The panel's stores, on the same memory store (its audit trail included). */
  operators: MemoryOperatorStore;
  sessions: MemorySessionStore;
  clock: FixedClock;
  signer: MemorySigner;
  store: MemoryStore;
}

/** Every port of the core on the in-memory store, a fixed clock and seeded randomness. */
export async function fakeDeps(policy: LockoutPolicy = DEFAULT_POLICY): Promise<FakeDeps> {
  const store = new MemoryStore();
  const clock = new FixedClock();
  const signer = await MemorySigner.create(store.audit);
  return {
    store,
    clients: store.clients,
    apis: store.apis,
    tokenStore: store.tokens,
    lockout: store.lockout,
    audit: store.audit,
    idempotency: store.idempotency,
    operators: store.operators,
    sessions: store.sessions,
    sealer: new MasterKeySealer(Buffer.alloc(32, 7), 'test'),
    totpSealer: new MasterKeySealer(Buffer.alloc(32, 7), 'totp'),
    panel: {
      issuer: 'https://issuer.example',
      requireTotpForAdmins: false,
      session: { idleMinutes: 30, absoluteHours: 12 },
    },
    usage: new LastUsedRecorder(store.clients),
    meter: new UsageCounter(store.usage),
    usageStore: store.usage,
    quotas: store.quotas,
    keys: signer,
    lockoutPolicy: policy,
    clock,
    random: new SeededRandom(),
    signer,
    verifier: new JwtVerifier(signer, TEST_TOKENS, clock),
    tokens: TEST_TOKENS,
  };
}
