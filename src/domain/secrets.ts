import { createHash, scrypt as scryptCb, timingSafeEqual, randomBytes, type ScryptOptions } from 'node:crypto';
import type { SecretHash } from './client.js';

/**
 * Generated secrets hold 256 bits from a CSPRNG, so one SHA-256 is all the stretching they need;
 * imported secrets (chosen by people) get scrypt.
 *
 * Timing rule: the work done depends only on the *shape of what was presented*, never on the
 * client looked up. A secret of the generated shape costs one SHA-256, anything else one scrypt,
 * whether the client exists, has a generated secret, an imported one, or is in a grace period.
 * Imported secrets may therefore not take the generated shape.
 */
const GENERATED_SHAPE = /^sk_(?:live|test)_[A-Za-z0-9_-]{43}$/;
export const isGeneratedShape = (secret: string): boolean => GENERATED_SHAPE.test(secret);

const SCRYPT_LOG_N = 15;
const SCRYPT_R = 8;
const SCRYPT_P = 1;
const SCRYPT_KEYLEN = 32;

function scrypt(secret: string, salt: Buffer, opts: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scryptCb(secret, salt, SCRYPT_KEYLEN, { ...opts, maxmem: 256 * opts.N! * opts.r! }, (err, key) =>
      err ? reject(err) : resolve(key),
    ),
  );
}

const sha256 = (secret: string): Buffer => createHash('sha256').update(secret, 'utf8').digest();

export function hashGeneratedSecret(secret: string): SecretHash {
  return `sha256$${sha256(secret).toString('base64url')}`;
}

export async function hashImportedSecret(secret: string, salt: Buffer = randomBytes(16)): Promise<SecretHash> {
  const key = await scrypt(secret, salt, { N: 2 ** SCRYPT_LOG_N, r: SCRYPT_R, p: SCRYPT_P });
  return `scrypt$${SCRYPT_LOG_N}$${SCRYPT_R}$${SCRYPT_P}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

interface ParsedScrypt {
  logN: number;
  r: number;
  p: number;
  salt: Buffer;
  key: Buffer;
}

function parseScrypt(hash: SecretHash): ParsedScrypt | undefined {
  const parts = hash.split('$');
  if (parts[0] !== 'scrypt' || parts.length !== 6) return undefined;
  return {
    logN: Number(parts[1]),
    r: Number(parts[2]),
    p: Number(parts[3]),
    salt: Buffer.from(parts[4]!, 'base64url'),
    key: Buffer.from(parts[5]!, 'base64url'),
  };
}

// Stand-ins compared against when a slot is empty, so every path does the same work.
const DUMMY_DIGEST = randomBytes(32);
const DUMMY_SCRYPT: ParsedScrypt = {
  logN: SCRYPT_LOG_N,
  r: SCRYPT_R,
  p: SCRYPT_P,
  salt: randomBytes(16),
  key: randomBytes(32),
};

const digestOf = (hash: SecretHash | null | undefined): Buffer | undefined =>
  hash?.startsWith('sha256$') ? Buffer.from(hash.slice(7), 'base64url') : undefined;

function equal(a: Buffer, b: Buffer | undefined): boolean {
  const other = b && b.length === a.length ? b : DUMMY_DIGEST;
  return timingSafeEqual(a, other) && other !== DUMMY_DIGEST;
}

/**
 * Whether a password (any shape) matches its scrypt hash; against a stand-in when there is no
 * hash, so an unknown account costs what a wrong password does.
 */
export async function matchesScrypt(presented: string, hash: SecretHash | null): Promise<boolean> {
  const params = (hash !== null && parseScrypt(hash)) || DUMMY_SCRYPT;
  const key = await scrypt(presented, params.salt, { N: 2 ** params.logN, r: params.r, p: params.p });
  return params !== DUMMY_SCRYPT && key.length === params.key.length && timingSafeEqual(key, params.key);
}

/**
 * Which of the candidate hashes (current, previous) the presented secret matches: its index, or
 * -1. Callers pass `[]`-like nulls for an unknown client so its cost equals a wrong secret's.
 */
export async function matchSecret(presented: string, candidates: readonly (SecretHash | null)[]): Promise<number> {
  if (isGeneratedShape(presented)) {
    const digest = sha256(presented);
    let found = -1;
    // No early exit: every slot is compared.
    candidates.forEach((c, i) => {
      if (equal(digest, digestOf(c)) && found === -1) found = i;
    });
    return found;
  }
  // At most one candidate is an scrypt hash (rotation always generates), so one scrypt runs.
  const index = candidates.findIndex((c) => c?.startsWith('scrypt$'));
  const params = (index >= 0 && parseScrypt(candidates[index]!)) || DUMMY_SCRYPT;
  const key = await scrypt(presented, params.salt, { N: 2 ** params.logN, r: params.r, p: params.p });
  return params !== DUMMY_SCRYPT && key.length === params.key.length && timingSafeEqual(key, params.key) ? index : -1;
}
