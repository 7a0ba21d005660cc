import { describe, expect, it } from 'vitest';
import { pooledRandom } from '../../src/infra/system.js';

describe('pooled random bytes', () => {
  it('hands out values of the asked length, all different, across refills of the pool', () => {
    const random = pooledRandom(64);
    const seen = new Set<string>();
    for (let i = 0; i < 100; i++) {
      const b = random.bytes(16);
      expect(b).toHaveLength(16);
      seen.add(b.toString('hex'));
    }
    expect(seen.size).toBe(100);
  });

  it('gives each caller its own copy: changing one value changes no other', () => {
    const random = pooledRandom(64);
    const a = random.bytes(16);
    const before = Buffer.from(a);
    const b = random.bytes(16);
    b.fill(0xff);
    expect(a.equals(before)).toBe(true);
    expect(a.buffer === b.buffer && a.byteOffset === b.byteOffset).toBe(false);
  });

  it('serves a value larger than the pooled size straight from the CSPRNG', () => {
    const random = pooledRandom(64);
    expect(random.bytes(100)).toHaveLength(100);
    expect(random.bytes(60)).toHaveLength(60);
    expect(random.bytes(60)).toHaveLength(60);
  });

  it('is not all zeroes (the wiped pool is never what is handed out)', () => {
    const random = pooledRandom(32);
    for (let i = 0; i < 20; i++) expect(random.bytes(16).equals(Buffer.alloc(16))).toBe(false);
  });
});
