import { describe, expect, it } from 'vitest';
import { quotaRule, takeToken, checkQuota, quotaExceeded } from '../../src/domain/quota.js';
import { cachingWarning, hourOf, usageBuckets, type UsageCount } from '../../src/domain/usage.js';
import { UsageCounter } from '../../src/usecases/usage.js';

const H0 = Date.UTC(2026, 11, 7, 10);
const row = (over: Partial<UsageCount>): UsageCount => ({
  clientId: 'cl_a',
  hour: H0,
  door: 'oauth2',
  kind: 'issued',
  count: 1,
  ...over,
});

describe('usage rows', () => {
  it('puts an instant in its UTC hour', () => {
    expect(hourOf(H0 + 59 * 60_000 + 59_999)).toBe(H0);
    expect(hourOf(H0 + 3_600_000)).toBe(H0 + 3_600_000);
  });

  it('sums per hour and door, failures by code, in order of start then door', () => {
    const buckets = usageBuckets(
      [
        row({ hour: H0 + 3_600_000, count: 2 }),
        row({ door: 'v1', count: 3 }),
        row({ kind: 'invalid_client', count: 4 }),
        row({ kind: 'invalid_client', count: 1, clientId: 'cl_a' }),
        row({ kind: 'checks', count: 7 }),
        row({ kind: 'issued', count: 5 }),
      ],
      'hour',
    );
    expect(buckets).toEqual([
      { start: H0, door: 'v1', issued: 3, failures: {}, checks: 0 },
      { start: H0, door: 'oauth2', issued: 5, failures: { invalid_client: 5 }, checks: 7 },
      { start: H0 + 3_600_000, door: 'oauth2', issued: 2, failures: {}, checks: 0 },
    ]);
  });

  it('sums hours into UTC days', () => {
    const day = Date.UTC(2026, 11, 7);
    const buckets = usageBuckets([row({ hour: day, count: 1 }), row({ hour: day + 23 * 3_600_000, count: 2 })], 'day');
    expect(buckets).toEqual([{ start: day, door: 'oauth2', issued: 3, failures: {}, checks: 0 }]);
  });
});

describe('the caching warning', () => {
  it('flags 3,600 tokens in an hour with a 1-hour lifetime', () => {
    expect(cachingWarning([row({ count: 3600 })], () => 3600)).toEqual({
      hour: H0,
      door: 'oauth2',
      issued: 3600,
      ttlSeconds: 3600,
    });
  });

  it('spares a client whose count its lifetime explains, or that asks for few', () => {
    // A 60 s lifetime needs 60 an hour per copy: 20 copies asking 1,000 times is no sign.
    expect(cachingWarning([row({ count: 1000 })], () => 60)).toBeNull();
    expect(cachingWarning([row({ count: 359 })], () => 3600)).toBeNull();
    expect(cachingWarning([row({ kind: 'checks', count: 99_999 })], () => 3600)).toBeNull();
  });

  it('names the busiest hour', () => {
    const w = cachingWarning([row({ count: 400 }), row({ hour: H0 + 3_600_000, count: 900 })], () => 3600);
    expect(w?.hour).toBe(H0 + 3_600_000);
    expect(w?.issued).toBe(900);
  });
});

describe('the quota rule (GCRA)', () => {
  it('gives burst tokens at once, then one per interval, and says how long to wait', () => {
    const rule = quotaRule({ tokensPerMinute: 60, burst: 3 });
    expect(rule).toEqual({ intervalMs: 1000, toleranceMs: 2000 });
    let instant: number | undefined;
    const now = 1_000_000;
    for (let i = 0; i < 3; i++) {
      const r = takeToken(instant, rule, now);
      expect(r.granted).toBe(true);
      if (r.granted) instant = r.instant;
    }
    expect(takeToken(instant, rule, now)).toEqual({ granted: false, waitMs: 1000 });
    expect(takeToken(instant, rule, now + 999).granted).toBe(false);
    expect(takeToken(instant, rule, now + 1000).granted).toBe(true);
  });

  it('defaults the burst to the rate: a full minute at once', () => {
    expect(quotaRule({ tokensPerMinute: 10, burst: null })).toEqual({ intervalMs: 6000, toleranceMs: 54_000 });
  });

  it('refuses quotas out of range, and a burst without a rate', () => {
    expect(() => checkQuota(0, null)).toThrow(/tokens_per_minute must be a whole number/);
    expect(() => checkQuota(1.5, null)).toThrow(/whole number/);
    expect(() => checkQuota(null, 5)).toThrow(/burst needs tokens_per_minute/);
    expect(() => checkQuota(10, 0)).toThrow(/burst must be/);
    expect(() => checkQuota(10, 20)).not.toThrow();
  });

  it('answers rate_limited with a whole-second Retry-After of at least 1', () => {
    const e = quotaExceeded(1, { tokensPerMinute: 60, burst: null });
    expect(e.code).toBe('rate_limited');
    expect(e.details).toMatchObject({ retryAfterSeconds: 1, reason: 'quota_exceeded' });
    expect(quotaExceeded(5001, { tokensPerMinute: 1, burst: null }).details.retryAfterSeconds).toBe(6);
  });
});

describe('the usage counter', () => {
  const store = () => {
    const written: UsageCount[][] = [];
    let fail = false;
    return {
      written,
      failNext: (f: boolean) => {
        fail = f;
      },
      add: async (counts: readonly UsageCount[]) => {
        if (fail) throw new Error('database is locked');
        written.push(counts.map((c) => ({ ...c })));
      },
    };
  };

  it('writes nothing per token, one batch per flush, counts summed per key', async () => {
    const s = store();
    const meter = new UsageCounter(s);
    meter.issued('cl_a', 'oauth2', H0 + 1);
    meter.issued('cl_a', 'oauth2', H0 + 2);
    meter.failed('cl_a', 'oauth2', 'invalid_client', H0 + 3);
    meter.checked('cl_a', 'common', H0 + 3_600_000);
    expect(s.written).toEqual([]);
    await meter.flush();
    expect(s.written).toHaveLength(1);
    expect(s.written[0]).toEqual([
      row({ count: 2 }),
      row({ kind: 'invalid_client', count: 1 }),
      row({ door: 'common', kind: 'checks', hour: H0 + 3_600_000, count: 1 }),
    ]);
    await meter.flush();
    expect(s.written).toHaveLength(1);
  });

  it('keeps the counts of a failed flush for the next one', async () => {
    const s = store();
    const meter = new UsageCounter(s);
    meter.issued('cl_a', 'v1', H0);
    s.failNext(true);
    await expect(meter.flush()).rejects.toThrow(/locked/);
    meter.issued('cl_a', 'v1', H0 + 5);
    s.failNext(false);
    await meter.flush();
    expect(s.written).toEqual([[row({ door: 'v1', count: 2 })]]);
  });

  it('holds a bounded number of keys while the store is lost, and counts what it drops', async () => {
    const s = store();
    const meter = new UsageCounter(s, 3);
    s.failNext(true);
    for (let i = 0; i < 5; i++) meter.issued(`cl_${i}`, 'v2', H0);
    meter.issued('cl_0', 'v2', H0);
    expect(meter.size).toBe(3);
    expect(meter.dropped).toBe(2);
    await expect(meter.flush()).rejects.toThrow();
    expect(meter.size).toBe(3);
    s.failNext(false);
    await meter.flush();
    expect(s.written[0]!.map((c) => [c.clientId, c.count])).toEqual([
      ['cl_0', 2],
      ['cl_1', 1],
      ['cl_2', 1],
    ]);
  });
});
