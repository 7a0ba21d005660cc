import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

/**
 * scripts/test-deps.sh, the first step of `npm test`: quiet when the machine has everything,
 * and one line per missing piece, with the package that installs it, when it does not.
 */
function run(env: Record<string, string>) {
  return spawnSync('bash', ['scripts/test-deps.sh'], {
    encoding: 'utf8',
    env: { ...process.env, TOLLGATE_TESTS: '', TEST_DEPS_REPORT_ONLY: '1', ...env },
  });
}

describe('scripts/test-deps.sh', () => {
  it('passes quietly on a machine that has every piece (this one: the suite needs them)', () => {
    const out = run({});
    expect(out.stderr).toBe('');
    expect(out.status).toBe(0);
  });

  it('names a missing piece and the package that installs it, and stops the suite', () => {
    const out = run({ CHROMIUM_PATH: '/nonexistent/chromium' });
    expect(out.status).toBe(1);
    expect(out.stderr).toContain('missing Chromium at /nonexistent/chromium');
    expect(out.stderr).toContain('apt-get install -y chromium');
    expect(out.stderr.match(/^ {2}missing /gm)).toHaveLength(1);
  });

  it('needs nothing for npm run test:fast', () => {
    expect(run({ TOLLGATE_TESTS: 'fast', CHROMIUM_PATH: '/nonexistent/chromium' }).status).toBe(0);
  });
});
