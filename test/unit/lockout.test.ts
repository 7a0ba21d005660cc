import { describe, expect, it } from 'vitest';
import {
  afterFailure,
  lockoutKeyId,
  lockoutKeys,
  refreshLockoutKeys,
  retryAfterSeconds,
  settleLockout,
  type LockoutPolicy,
} from '../../src/domain/lockout.js';

const policy: LockoutPolicy = { maxFailures: 5, maxFailuresPerIp: 50, windowSeconds: 900, lockSeconds: 600 };
const T0 = Date.UTC(2026, 0, 1);

describe('lockoutKeys', () => {
  it('keys the pair by client id and address, and the address alone', () => {
    const k = lockoutKeys('cl_live_abc', '203.0.113.9');
    expect(k.pair).toEqual({ kind: 'pair', clientId: 'cl_live_abc', ip: '203.0.113.9' });
    expect(k.ip).toEqual({ kind: 'ip', ip: '203.0.113.9' });
    expect(lockoutKeyId(k.pair)).toContain('cl_live_abc');
    expect(lockoutKeyId(k.ip)).not.toContain('cl_live_abc');
    expect(lockoutKeyId(k.pair)).not.toBe(lockoutKeyId(k.ip));
  });

  it('gives different pairs to different clients on one address, and one ip key', () => {
    const a = lockoutKeys('cl_live_aaaaa', '10.0.0.1');
    const b = lockoutKeys('cl_live_bbbbb', '10.0.0.1');
    expect(lockoutKeyId(a.pair)).not.toBe(lockoutKeyId(b.pair));
    expect(lockoutKeyId(a.ip)).toBe(lockoutKeyId(b.ip));
  });

  it('files ids as earlier versions did, so counters survive an upgrade', () => {
    expect(lockoutKeyId(lockoutKeys('cl_live_abc', '10.0.0.1').pair)).toBe('pair cl_live_abc 10.0.0.1');
    expect(lockoutKeyId(lockoutKeys('cl_live_abc', '10.0.0.1').ip)).toBe('ip 10.0.0.1');
    expect(lockoutKeyId(refreshLockoutKeys('10.0.0.1').pair)).toBe('refresh 10.0.0.1');
  });

  it('never confuses a client id holding spaces with another pair', () => {
    const odd = lockoutKeyId(lockoutKeys('a 10.0.0.1', '10.0.0.2').pair);
    const plain = lockoutKeyId(lockoutKeys('a', '10.0.0.1').pair);
    expect(odd).not.toBe(plain);
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

describe('settleLockout', () => {
  const keys = lockoutKeys('cl_live_x', '198.51.100.1');
  const clean = { pair: undefined, ip: undefined };

  it('writes nothing for a success on a clean pair', () => {
    expect(settleLockout(keys, clean, true, T0, policy)).toEqual({
      verdict: { locked: false },
      writes: [],
      events: [],
      began: [],
    });
  });

  it('clears the pair, and only the pair, on a success after failures', () => {
    const d = settleLockout(
      keys,
      { pair: { failures: 2, windowStart: T0, lockedUntil: 0 }, ip: { failures: 2, windowStart: T0, lockedUntil: 0 } },
      true,
      T0,
      policy,
    );
    expect(d.verdict).toEqual({ locked: false });
    expect(d.writes).toEqual([{ key: keys.pair, id: lockoutKeyId(keys.pair), state: null }]);
  });

  it('advances both counters on a failure, without a lock below the limits', () => {
    const d = settleLockout(keys, clean, false, T0, policy);
    expect(d.writes.map((w) => [w.id, w.state])).toEqual([
      [lockoutKeyId(keys.pair), { failures: 1, windowStart: T0, lockedUntil: 0 }],
      [lockoutKeyId(keys.ip), { failures: 1, windowStart: T0, lockedUntil: 0 }],
    ]);
    expect(d.events).toEqual([]);
  });

  it('begins a pair lock at the limit, with its audit event', () => {
    const d = settleLockout(
      keys,
      { pair: { failures: 4, windowStart: T0, lockedUntil: 0 }, ip: undefined },
      false,
      T0 + 5,
      policy,
    );
    expect(d.verdict).toEqual({ locked: false });
    expect(d.began).toEqual(['pair']);
    expect(d.events).toEqual([
      {
        at: T0 + 5,
        actor: 'system:tollgate',
        action: 'lockout',
        clientId: 'cl_live_x',
        sourceIp: '198.51.100.1',
        detail: { kind: 'pair', lockedUntil: T0 + 5 + 600_000 },
      },
    ]);
  });

  it('refuses a locked key, right or wrong, and writes nothing', () => {
    const locked = { pair: undefined, ip: { failures: 50, windowStart: T0, lockedUntil: T0 + 10_000 } };
    for (const ok of [true, false]) {
      expect(settleLockout(keys, locked, ok, T0, policy)).toEqual({
        verdict: { locked: true, retryAfterSeconds: 10 },
        writes: [],
        events: [],
        began: [],
      });
    }
  });

  it('holds refresh guessing to the per-address limit', () => {
    const r = refreshLockoutKeys('198.51.100.2');
    const read = { pair: { failures: 4, windowStart: T0, lockedUntil: 0 }, ip: undefined };
    expect(settleLockout(r, read, false, T0, policy).began).toEqual([]);
    expect(settleLockout(r, { ...read, pair: { ...read.pair, failures: 49 } }, false, T0, policy).began).toEqual([
      'pair',
    ]);
  });
});
