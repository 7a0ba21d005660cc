import { and, asc, eq, sql } from 'drizzle-orm';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import type { Mode } from '../../domain/mode.js';
import type { AccessTokenClaims } from '../../domain/token.js';
import type { Clock, TokenSigner } from '../../usecases/ports.js';
import type { KeySource, VerificationKey } from './verifier.js';
import type { Db } from '../db/connection.js';
import { signingKeys } from '../db/schema.js';
import { compactSigner, compactVerifier, type CompactSigner } from './jws.js';
import { decrypt, encrypt } from './master-key.js';

const CURRENT_KEY_CHECK_MS = 1000;

export const JWT_ALGS = ['ES256', 'RS256', 'EdDSA'] as const;
export type JwtAlg = (typeof JWT_ALGS)[number];

interface SigningKey {
  kid: string;
  signer: CompactSigner;
}

export interface PublicKeyInfo {
  kid: string;
  mode: Mode;
  alg: JwtAlg;
  current: boolean;
  createdAt: number;
  jwk: JWK;
}

/**
 * Signing keys per mode, held in memory, private halves encrypted at rest. A key made current
 * by another process (`tollgate keys rotate`) is picked up on the next signature: the current
 * kid is one indexed read, and only a change loads the key.
 */
export class KeyRing implements TokenSigner, KeySource {
  private readonly current = new Map<Mode, SigningKey>();
  private readonly verification = new Map<string, VerificationKey>();
  private readonly checkedAt = new Map<Mode, number>();
  private lastReload = -Infinity;
  private readonly currentKid;

  constructor(
    private readonly db: Db,
    private readonly masterKey: Buffer,
    private readonly alg: JwtAlg,
    private readonly clock: Clock,
  ) {
    this.currentKid = db
      .select({ kid: signingKeys.kid })
      .from(signingKeys)
      .where(and(eq(signingKeys.mode, sql.placeholder('mode')), eq(signingKeys.current, true)))
      .prepare();
  }

  /** Makes sure each mode has a current key of the configured algorithm; loads them. */
  async init(modes: readonly Mode[] = ['live', 'test']): Promise<void> {
    for (const mode of modes) {
      const row = this.currentRow(mode);
      if (!row || row.alg !== this.alg) await this.rotate(mode, row?.kid ?? null);
      await this.load(mode);
    }
    this.loadPublicKeys();
    this.lastReload = this.clock.now();
  }

  /**
   * Creates a new current key for the mode; the old one stays published for verification.
   * `onlyReplacing` (a kid, or null for none) makes it a no-op when another process got there first.
   */
  async rotate(mode: Mode, onlyReplacing?: string | null): Promise<PublicKeyInfo> {
    const { publicKey, privateKey } = await generateKeyPair(this.alg, { extractable: true });
    const publicJwk = await exportJWK(publicKey);
    const kid = await calculateJwkThumbprint(publicJwk);
    const sealed = encrypt(this.masterKey, JSON.stringify(await exportJWK(privateKey)));
    const now = this.clock.now();
    const jwk = { ...publicJwk, kid, alg: this.alg, use: 'sig' };
    const sqlite = this.db.$client;
    sqlite
      .transaction(() => {
        // Two processes starting together: only the first replaces the key it saw.
        if (onlyReplacing !== undefined && (this.currentRow(mode)?.kid ?? null) !== onlyReplacing) return;
        this.db.update(signingKeys).set({ current: false }).where(eq(signingKeys.mode, mode)).run();
        this.db
          .insert(signingKeys)
          .values({ kid, mode, alg: this.alg, publicJwk: JSON.stringify(jwk), privateJwkEnc: sealed, current: true, createdAt: now })
          .run();
      })
      .immediate();
    return { kid, mode, alg: this.alg, current: true, createdAt: now, jwk };
  }

  /**
   * The public key for a kid. An unknown kid reloads the published keys (a rotation by another
   * process), at most once a second, so made-up kids cannot drive reads.
   */
  async verificationKey(kid: string): Promise<VerificationKey | undefined> {
    const known = this.verification.get(kid);
    if (known) return known;
    const now = this.clock.now();
    if (now - this.lastReload < 1000) return undefined;
    this.lastReload = now;
    this.loadPublicKeys();
    return this.verification.get(kid);
  }

  private loadPublicKeys(): void {
    for (const k of this.publicKeys()) {
      if (!this.verification.has(k.kid)) this.verification.set(k.kid, { mode: k.mode, verifier: compactVerifier(k.jwk, k.alg) });
    }
  }

  async sign(mode: Mode, claims: AccessTokenClaims): Promise<string> {
    return (await this.keyFor(mode)).signer.sign(claims);
  }

  /** Every key of the mode, current first, for the JWKS and `keys list`. */
  publicKeys(mode?: Mode): PublicKeyInfo[] {
    const rows = this.db
      .select()
      .from(signingKeys)
      .where(mode ? eq(signingKeys.mode, mode) : undefined)
      .orderBy(asc(signingKeys.createdAt))
      .all();
    return rows
      .map((r) => ({ kid: r.kid, mode: r.mode, alg: r.alg as JwtAlg, current: r.current, createdAt: r.createdAt, jwk: JSON.parse(r.publicJwk) as JWK }))
      .sort((a, b) => Number(b.current) - Number(a.current));
  }

  private currentRow(mode: Mode) {
    return this.db.select().from(signingKeys).where(and(eq(signingKeys.mode, mode), eq(signingKeys.current, true))).get();
  }

  /**
   * The mode's current key. Whether another process made a new key current is asked at most
   * once a second: the old key stays published and valid, so a second of lag is harmless and
   * the hot path is spared a read per token.
   */
  private async keyFor(mode: Mode): Promise<SigningKey> {
    const cached = this.current.get(mode);
    const now = this.clock.now();
    if (cached && now - (this.checkedAt.get(mode) ?? -Infinity) < CURRENT_KEY_CHECK_MS) return cached;
    this.checkedAt.set(mode, now);
    const kid = this.currentKid.get({ mode })?.kid;
    if (cached && cached.kid === kid) return cached;
    return this.load(mode);
  }

  private async load(mode: Mode): Promise<SigningKey> {
    const row = this.currentRow(mode);
    if (!row) throw new Error(`No current signing key for ${mode} mode`);
    const privateJwk = JSON.parse(decrypt(this.masterKey, row.privateJwkEnc)) as JWK;
    const key: SigningKey = { kid: row.kid, signer: compactSigner(privateJwk, { alg: row.alg, typ: 'at+jwt', kid: row.kid }) };
    // A key we sign with is one we verify with, at once.
    if (!this.verification.has(row.kid)) {
      this.verification.set(row.kid, { mode, verifier: compactVerifier(JSON.parse(row.publicJwk) as JWK, row.alg) });
    }
    this.current.set(mode, key);
    return key;
  }
}
