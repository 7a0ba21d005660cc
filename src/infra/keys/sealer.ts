import { hkdfSync } from 'node:crypto';
import type { Sealer } from '../../usecases/ports.js';
import { decrypt, encrypt } from './master-key.js';

/**
 * AES-256-GCM under a key derived from the master key for one purpose alone (HKDF with its own
 * label), so a value sealed for one use never opens as another.
 */
export class MasterKeySealer implements Sealer {
  private readonly key: Buffer;

  constructor(masterKey: Buffer, purpose: string) {
    this.key = Buffer.from(hkdfSync('sha256', masterKey, 'tollgate', purpose, 32));
  }

  seal(plaintext: string): string {
    return encrypt(this.key, plaintext);
  }

  open(sealed: string): string {
    return decrypt(this.key, sealed);
  }
}

/** The purpose of the answers kept for idempotent retries (they hold client secrets). */
export const IDEMPOTENCY_PURPOSE = 'idempotency-result-encryption';
export const TOTP_PURPOSE = 'operator-totp-secret-encryption';
