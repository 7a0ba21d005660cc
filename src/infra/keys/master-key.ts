import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

export interface MasterKeySource {
  key: Buffer;
  /** Where the key came from, for the start-up log: never the key itself. */
  origin: string;
}

/**
 * The key that encrypts private signing keys at rest: from `TOLLGATE_MASTER_KEY` (any string of
 * 32+ characters, stretched with HKDF), or else from a 0600 key file beside the database, created
 * on first use.
 */
export function loadMasterKey(envValue: string | undefined, databasePath: string): MasterKeySource {
  if (envValue !== undefined && envValue !== '') {
    return { key: derive(Buffer.from(envValue, 'utf8')), origin: 'TOLLGATE_MASTER_KEY' };
  }
  const file = databasePath === ':memory:' ? undefined : join(dirname(resolve(databasePath)), 'tollgate.master.key');
  if (!file) return { key: randomBytes(32), origin: 'an ephemeral key (in-memory database)' };
  try {
    return { key: derive(Buffer.from(readFileSync(file, 'utf8').trim(), 'base64url')), origin: `key file ${file}` };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  try {
    // 'wx': when two processes start at once, exactly one creates the file.
    writeFileSync(file, randomBytes(32).toString('base64url') + '\n', { mode: 0o600, flag: 'wx' });
    chmodSync(file, 0o600);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
  return {
    key: derive(Buffer.from(readFileSync(file, 'utf8').trim(), 'base64url')),
    origin: `new key file ${file} (mode 0600)`,
  };
}

const derive = (material: Buffer): Buffer =>
  Buffer.from(hkdfSync('sha256', material, 'tollgate', 'signing-key-encryption', 32));

/** AES-256-GCM: `v1.<iv>.<ciphertext>.<tag>`, base64url parts. */
export function encrypt(key: Buffer, plaintext: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return ['v1', iv, body, cipher.getAuthTag()]
    .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
    .join('.');
}

export function decrypt(key: Buffer, sealed: string): string {
  const [version, iv, body, tag] = sealed.split('.');
  if (version !== 'v1' || !iv || !body || !tag) throw new Error('Unrecognised encrypted key format');
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  try {
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
  } catch {
    throw new Error(
      'Cannot decrypt data sealed under the master key: the master key does not match the one it was sealed with',
    );
  }
}
