import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import type { Mode } from '../../domain/mode.js';
import type { AccessTokenClaims, JwtAlg } from '../../domain/token.js';
import type { AuditEvent } from '../../domain/audit.js';
import type {
  Clock,
  PublicKeyInfo,
  SigningKeys,
  SigningKeyStore,
  StoredSigningKey,
  TokenSigner,
} from '../../usecases/ports.js';
import type { KeySource, VerificationKey } from './verifier.js';
import { compactSigner, compactVerifier, type CompactSigner } from './jws.js';
import { decrypt, encrypt } from './master-key.js';

const CURRENT_KEY_CHECK_MS = 1000;
/** How often, at most, the published keys are read again: new kids appear, removed ones go. */
export const KEY_RELOAD_MS = 1000;

interface SigningKey {
  kid: string;
  signer: CompactSigner;
}

const publicInfo = (k: StoredSigningKey): PublicKeyInfo => ({
  kid: k.kid,
  mode: k.mode,
  alg: k.alg,
  current: k.current,
  createdAt: k.createdAt,
  jwk: JSON.parse(k.publicJwk) as Record<string, unknown>,
});

/** Current keys are held per mode and algorithm. */
const slot = (mode: Mode, alg: JwtAlg): string => `${mode}:${alg}`;

/**
 * Signing keys per mode and algorithm, held in memory above the key store, private halves sealed
 * at rest. The deployment's `JWT_ALG` has a current key in each mode from the start; another
 * algorithm gets one the first time a token is signed with it (an API with its own `alg`), and
 * every key of every algorithm is published in the JWKS. A key made current by another process (`tollgate keys rotate`,
 * another instance) is picked up on
 * the next signature after at most a second: the current kid is one indexed read, and only a
 * change loads the key. Verification keys are read again at most once a second too, so a key
 * removed by `tollgate keys retire` stops verifying tokens within that second.
 */
export class KeyRing implements TokenSigner, KeySource, SigningKeys {
  private readonly current = new Map<string, SigningKey>();
  private readonly verification = new Map<string, VerificationKey>();
  private readonly checkedAt = new Map<string, number>();
  private lastReload = -Infinity;

  constructor(
    private readonly store: SigningKeyStore,
    private readonly masterKey: Buffer,
    private readonly alg: JwtAlg,
    private readonly clock: Clock,
  ) {}

  /** Makes sure each mode has a current key of the configured algorithm; loads them. */
  async init(modes: readonly Mode[] = ['live', 'test']): Promise<void> {
    for (const mode of modes) {
      const row = await this.store.current(mode, this.alg);
      if (!row) await this.create(mode, this.alg, null);
      await this.load(mode, this.alg);
    }
    await this.loadPublicKeys();
    this.lastReload = this.clock.now();
  }

  /**
   * Creates a new current key for the mode; the old one stays published for verification. The
   * audit events commit with the new key.
   */
  rotate(
    mode: Mode,
    audit?: (key: PublicKeyInfo, replacedKid: string | null) => readonly AuditEvent[],
    alg: JwtAlg = this.alg,
  ): Promise<PublicKeyInfo> {
    return this.create(mode, alg, undefined, audit);
  }

  /**
   * Deletes a retired key from the store (a current one is refused there, atomically) and from
   * this ring at once; other processes drop it on their next reload, within a second.
   */
  async remove(
    kid: string,
    audit: (key: PublicKeyInfo) => readonly AuditEvent[],
  ): Promise<{ outcome: 'removed'; key: PublicKeyInfo } | { outcome: 'current' | 'not_found' }> {
    const removal = await this.store.remove(kid, (row) => audit(publicInfo(row)));
    if (removal.outcome !== 'removed') return removal;
    this.verification.delete(kid);
    return { outcome: 'removed', key: publicInfo(removal.key) };
  }

  /**
   * `onlyReplacing` (a kid, or null for none) makes it a no-op when another process got there
   * first: several processes starting together on one database create one key per mode.
   */
  private async create(
    mode: Mode,
    alg: JwtAlg,
    onlyReplacing?: string | null,
    audit?: (key: PublicKeyInfo, replacedKid: string | null) => readonly AuditEvent[],
  ): Promise<PublicKeyInfo> {
    const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
    const publicJwk = await exportJWK(publicKey);
    const kid = await calculateJwkThumbprint(publicJwk);
    const key: StoredSigningKey = {
      kid,
      mode,
      alg,
      publicJwk: JSON.stringify({ ...publicJwk, kid, alg, use: 'sig' }),
      privateJwkEnc: encrypt(this.masterKey, JSON.stringify(await exportJWK(privateKey))),
      current: true,
      createdAt: this.clock.now(),
    };
    await this.store.insertCurrent(key, onlyReplacing, audit && ((row, replaced) => audit(publicInfo(row), replaced)));
    return publicInfo(key);
  }

  /**
   * The public key for a kid. The published keys are read again at most once a second, whatever
   * the kids asked for (so made-up kids cannot drive reads): a key rotated in by another process
   * is found, and one removed by another process (`keys retire`) stops verifying, within a second.
   */
  async verificationKey(kid: string): Promise<VerificationKey | undefined> {
    const now = this.clock.now();
    if (now - this.lastReload >= KEY_RELOAD_MS) {
      this.lastReload = now;
      await this.loadPublicKeys();
    }
    return this.verification.get(kid);
  }

  /** Mirrors the store: new keys are added (each verifier made once), removed ones dropped. */
  private async loadPublicKeys(): Promise<void> {
    const rows = await this.store.list();
    const stored = new Set(rows.map((k) => k.kid));
    for (const kid of this.verification.keys()) if (!stored.has(kid)) this.verification.delete(kid);
    for (const k of rows) this.remember(k);
  }

  private remember(k: StoredSigningKey): void {
    if (!this.verification.has(k.kid)) {
      this.verification.set(k.kid, { mode: k.mode, verifier: compactVerifier(JSON.parse(k.publicJwk) as JWK, k.alg) });
    }
  }

  async sign(mode: Mode, claims: AccessTokenClaims, alg: JwtAlg = this.alg): Promise<string> {
    return (await this.keyFor(mode, alg)).signer.sign(claims);
  }

  /** Every key of the mode (or both), current first, read from the store: for the JWKS and `keys list`. */
  async publicKeys(mode?: Mode): Promise<PublicKeyInfo[]> {
    return (await this.store.list(mode)).map(publicInfo).sort((a, b) => Number(b.current) - Number(a.current));
  }

  /**
   * The mode's current key. Whether another process made a new key current is asked at most
   * once a second: the old key stays published and valid, so a second of lag is harmless and
   * the hot path is spared a read per token.
   */
  private async keyFor(mode: Mode, alg: JwtAlg): Promise<SigningKey> {
    const at = slot(mode, alg);
    const cached = this.current.get(at);
    const now = this.clock.now();
    if (cached && now - (this.checkedAt.get(at) ?? -Infinity) < CURRENT_KEY_CHECK_MS) return cached;
    this.checkedAt.set(at, now);
    const kid = await this.store.currentKid(mode, alg);
    if (cached && cached.kid === kid) return cached;
    // The first token of an algorithm not yet in use: of processes racing here, one key is made.
    if (kid === undefined) await this.create(mode, alg, null);
    return this.load(mode, alg);
  }

  private async load(mode: Mode, alg: JwtAlg): Promise<SigningKey> {
    const row = await this.store.current(mode, alg);
    if (!row) throw new Error(`No current ${alg} signing key for ${mode} mode`);
    const privateJwk = JSON.parse(decrypt(this.masterKey, row.privateJwkEnc)) as JWK;
    const key: SigningKey = {
      kid: row.kid,
      signer: compactSigner(privateJwk, { alg: row.alg, typ: 'at+jwt', kid: row.kid }),
    };
    // A key we sign with is one we verify with, at once.
    this.remember(row);
    this.current.set(slot(mode, alg), key);
    return key;
  }
}
