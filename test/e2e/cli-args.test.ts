import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { normaliseArgs } from '../../src/cli/main.js';
import { cli, tempDir } from '../support/process.js';

/** A kid is a base64url thumbprint: one in 64 begins with "-", and must still be an operand. */
describe('tollgate keys retire with a kid that begins with "-"', () => {
  const kid = `-${'A'.repeat(42)}`;

  it('moves such a kid behind "--", after the options', async () => {
    expect(normaliseArgs(['node', 'tollgate', 'keys', 'retire', kid, '--yes'])).toEqual([
      'node',
      'tollgate',
      'keys',
      'retire',
      '--yes',
      '--',
      kid,
    ]);
    expect(normaliseArgs(['node', 'tollgate', 'keys', 'retire', '--json', kid])).toEqual([
      'node',
      'tollgate',
      'keys',
      'retire',
      '--json',
      '--',
      kid,
    ]);
    expect(normaliseArgs(['node', 'tollgate', 'keys', 'retire', 'A'.repeat(43)])).toEqual([
      'node',
      'tollgate',
      'keys',
      'retire',
      'A'.repeat(43),
    ]);
  });

  it('reaches the command through the real bin: the key is looked up, not taken for an option', async () => {
    const r = await cli(['keys', 'retire', kid, '--yes'], { DATABASE_PATH: join(tempDir(), 'tollgate.db') });
    expect(r.stderr).not.toContain('unknown option');
    expect([r.status, r.stderr]).toEqual([1, 'tollgate: No such signing key\n']);
  }, 60_000);
});
