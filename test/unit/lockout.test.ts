import { describe, expect, it } from 'vitest';
import { afterFailure, lockoutKeys, retryAfterSeconds, type LockoutPolicy } from '../../src/domain/lockout.js';

const policy: LockoutPolicy = { maxFailures: 5, maxFailuresPerIp: 50, windowSeconds: 900, lockSeconds: 600 };
const T0 = Date.UTC(2026, 0, 1);

describe('lockoutKeys', () => {
  it('keys the pair by client id and address, and the address alone', () => {
    const k = lockoutKeys('cl_live_abc', '203.0.113.9');
    expect(k.pair).toContain('cl_live_abc');
    expect(k.pair).toContain('203.0.113.9');
    expect(k.ip).toContain('203.0.113.9');
    expect(k.ip).not.toContain('cl_live_abc');
    expect(k.pair).not.toBe(k.ip);
  });

  it('gives different pairs to different clients on one address, and one ip key', () => {
    const a = lockoutKeys('cl_live_aaaaa', '10.0.0.1');
    const b = lockoutKeys('cl_live_bbbbb', '10.0.0.1');
    expect(a.pair).not.toBe(b.pair);
    expect(a.ip).toBe(b.ip);
  });
});

describe('afterFailure', () => {
  it('starts a window at the first failure', () => {
    expect(afterFailure(undefined, T0, 5, policy)).toEqual({ failures: 1, windowStart: T0, lockedUntil: 0 });
  });

  it('counts inside the window, keeping its start', () => {
    const s = afterFailure({ failures: 2, windowStart: T0, lockedUntil: 0 }, T0 + 60_000, 5, policy);
    expect(s).toEqual({ failures: 3, windowStart: T0, lockedUntil: 0 });
  });

  it('keeps counting one millisecond before the window ends', () => {
    const s = afterFailure({ failures: 3, windowStart: T0, lockedUntil: 0 }, T0 + 900_000 - 1, 5, policy);
    expect(s.failures).toBe(4);
    expect(s.windowStart).toBe(T0);
  });

  it('restarts a stale window once it has run its length', () => {
    const s = afterFailure({ failures: 4, windowStart: T0, lockedUntil: 0 }, T0 + 900_000, 5, policy);
    expect(s).toEqual({ failures: 1, windowStart: T0 + 900_000, lockedUntil: 0 });
  });

  it('locks for lockSeconds when the count reaches the limit', () => {
    const now = T0 + 30_000;
    const s = afterFailure({ failures: 4, windowStart: T0, lockedUntil: 0 }, now, 5, policy);
    expect(s.failures).toBe(5);
    expect(s.lockedUntil).toBe(now + 600_000);
  });

  it('does not lock below the limit', () => {
    expect(afterFailure({ failures: 3, windowStart: T0, lockedUntil: 0 }, T0 + 1, 5, policy).lockedUntil).toBe(0);
  });

  it('uses the limit it is given (the per-address limit differs from the pair limit)', () => {
    const s = afterFailure({ failures: 4, windowStart: T0, lockedUntil: 0 }, T0 + 1, 50, policy);
    expect(s.failures).toBe(5);
    expect(s.lockedUntil).toBe(0);
  });

  it('locks at once with a limit of 1', () => {
    expect(afterFailure(undefined, T0, 1, policy).lockedUntil).toBe(T0 + 600_000);
  });
});

describe('retryAfterSeconds', () => {
  it('is 0 without a counter', () => {
    expect(retryAfterSeconds(undefined, T0)).toBe(0);
  });

  it('is 0 for an unlocked counter or a lock that has ended', () => {
    expect(retryAfterSeconds({ failures: 2, windowStart: T0, lockedUntil: 0 }, T0)).toBe(0);
    expect(retryAfterSeconds({ failures: 5, windowStart: T0, lockedUntil: T0 }, T0)).toBe(0);
    expect(retryAfterSeconds({ failures: 5, windowStart: T0, lockedUntil: T0 }, T0 + 5)).toBe(0);
  });

  it('gives whole seconds, rounding up', () => {
    const state = { failures: 5, windowStart: T0, lockedUntil: T0 + 900_000 };
    expect(retryAfterSeconds(state, T0)).toBe(900);
    expect(retryAfterSeconds(state, T0 + 1)).toBe(900);
    expect(retryAfterSeconds(state, T0 + 898_500)).toBe(2);
    expect(retryAfterSeconds(state, T0 + 899_999)).toBe(1);
  });
});
