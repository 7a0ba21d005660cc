import { beforeAll, describe, expect, it } from 'vitest';
import { hashGeneratedSecret, hashImportedSecret, isGeneratedShape, matchSecret } from '../../src/domain/secrets.js';

const BODY = 'A'.repeat(21) + 'b-_9'.repeat(5) + 'z2'; // 43 base64url characters
const generated = (mode: 'live' | 'test', body = BODY): string => `sk_${mode}_${body}`;

describe('isGeneratedShape', () => {
  it('accepts sk_live_/sk_test_ followed by 43 base64url characters', () => {
    expect(BODY).toHaveLength(43);
    expect(isGeneratedShape(generated('live'))).toBe(true);
    expect(isGeneratedShape(generated('test'))).toBe(true);
  });

  it.each([
    ['42 characters', `sk_live_${'a'.repeat(42)}`],
    ['44 characters', `sk_live_${'a'.repeat(44)}`],
    ['an unknown mode', `sk_prod_${'a'.repeat(43)}`],
    ['no prefix', 'a'.repeat(51)],
    ['a non-base64url character', `sk_live_${'a'.repeat(42)}+`],
    ['base64 padding', `sk_live_${'a'.repeat(42)}=`],
    ['a trailing newline', `sk_live_${'a'.repeat(43)}\n`],
    ['a human password', 'correct horse battery staple'],
  ])('rejects %s', (_label, value) => {
    expect(isGeneratedShape(value)).toBe(false);
  });
});

describe('generated secrets (SHA-256)', () => {
  it('hashes deterministically to a sha256$ string that does not contain the secret', () => {
    const secret = generated('live');
    const hash = hashGeneratedSecret(secret);
    expect(hash).toMatch(/^sha256\$[A-Za-z0-9_-]{43}$/);
    expect(hashGeneratedSecret(secret)).toBe(hash);
    expect(hash).not.toContain(BODY);
    expect(hashGeneratedSecret(generated('test'))).not.toBe(hash);
  });

  it('round-trips through matchSecret: the current slot is index 0', async () => {
    const secret = generated('live');
    expect(await matchSecret(secret, [hashGeneratedSecret(secret), null])).toBe(0);
  });

  it('returns index 1 when the secret matches the previous slot', async () => {
    const oldSecret = generated('live');
    const newSecret = generated('live', 'N'.repeat(43));
    const candidates = [hashGeneratedSecret(newSecret), hashGeneratedSecret(oldSecret)];
    expect(await matchSecret(oldSecret, candidates)).toBe(1);
    expect(await matchSecret(newSecret, candidates)).toBe(0);
  });

  it('returns -1 for a wrong secret of the generated shape', async () => {
    const stored = hashGeneratedSecret(generated('live'));
    expect(await matchSecret(generated('live', 'x'.repeat(43)), [stored, null])).toBe(-1);
  });

  it('never matches null slots (unknown client)', async () => {
    expect(await matchSecret(generated('live'), [null, null])).toBe(-1);
    expect(await matchSecret(generated('live'), [])).toBe(-1);
  });

  it('does not match a generated secret against a malformed stored hash', async () => {
    expect(await matchSecret(generated('live'), ['sha256$', 'sha256$short', 'plain-text'])).toBe(-1);
  });
});

describe('imported secrets (scrypt)', () => {
  const imported = 'my-imported-secret-42';
  let scryptHash: string;

  beforeAll(async () => {
    scryptHash = await hashImportedSecret(imported, Buffer.alloc(16, 7));
  });

  it('stores scrypt parameters, salt and key, never the secret', () => {
    expect(scryptHash).toMatch(/^scrypt\$15\$8\$1\$[A-Za-z0-9_-]+\$[A-Za-z0-9_-]+$/);
    expect(scryptHash).not.toContain(imported);
    expect(scryptHash.split('$')[4]).toBe(Buffer.alloc(16, 7).toString('base64url'));
  });

  it('matches the right imported secret', async () => {
    expect(await matchSecret(imported, [scryptHash, null])).toBe(0);
  });

  it('does not match a wrong imported secret', async () => {
    expect(await matchSecret('my-imported-secret-43', [scryptHash, null])).toBe(-1);
  });

  it('finds an imported secret kept in the previous slot during a grace', async () => {
    expect(await matchSecret(imported, [hashGeneratedSecret(generated('live')), scryptHash])).toBe(1);
  });

  it('returns -1 for an unknown client (all-null candidates) with a non-generated secret', async () => {
    expect(await matchSecret(imported, [null, null])).toBe(-1);
  });
});
