import { DomainError, invalidField } from './errors.js';

/*
 * Token quotas (spec §11): a client may be issued at most `tokensPerMinute` tokens a minute,
 * with up to `burst` at once. The rule is GCRA, the token bucket kept as one instant per client
 * (its "theoretical arrival time"), so a store can take a token in one atomic statement.
 */

/** The largest rate and burst a client may be given. */
export const MAX_TOKENS_PER_MINUTE = 1_000_000;

export interface Quota {
  tokensPerMinute: number;
  /** Tokens that may be issued at once after a quiet spell; null: `tokensPerMinute`. */
  burst: number | null;
}

/** The quota of a client: none unless `tokensPerMinute` is set. */
export const quotaOf = (client: { tokensPerMinute: number | null; burst: number | null }): Quota | null =>
  client.tokensPerMinute === null ? null : { tokensPerMinute: client.tokensPerMinute, burst: client.burst };

/** What a store needs to take a token: the spacing of tokens and how far ahead one may be taken. */
export interface QuotaRule {
  /** Milliseconds a token adds to the client's instant. */
  intervalMs: number;
  /** How far past now the instant may stand and a token still be given. */
  toleranceMs: number;
}

/**
 * The GCRA rule of a quota: `burst` tokens at once, then one every 60 000 / tokensPerMinute ms;
 * in any minute at most tokensPerMinute + burst − 1.
 */
export function quotaRule(quota: Quota): QuotaRule {
  const intervalMs = 60_000 / quota.tokensPerMinute;
  return { intervalMs, toleranceMs: ((quota.burst ?? quota.tokensPerMinute) - 1) * intervalMs };
}

/**
 * The GCRA decision, for stores that decide in code (and the reference the SQL follows): given
 * the stored instant (undefined: none, the bucket is full), the new instant when a token is
 * given, or the milliseconds to wait when none is.
 */
export function takeToken(
  instant: number | undefined,
  rule: QuotaRule,
  now: number,
): { granted: true; instant: number } | { granted: false; waitMs: number } {
  const from = Math.max(instant ?? now, now);
  if (from - now <= rule.toleranceMs) return { granted: true, instant: from + rule.intervalMs };
  return { granted: false, waitMs: from - now - rule.toleranceMs };
}

/** Checks one of a quota's numbers: a whole number from 1 to MAX_TOKENS_PER_MINUTE, or null. */
export function checkQuotaNumber(field: 'tokens_per_minute' | 'burst', n: number | null | undefined): void {
  if (n == null) return;
  if (!Number.isInteger(n) || n < 1 || n > MAX_TOKENS_PER_MINUTE)
    throw invalidField(field, `must be a whole number from 1 to ${MAX_TOKENS_PER_MINUTE}`);
}

/** Checks a quota as it will stand: its numbers, and no burst without a rate. */
export function checkQuota(tokensPerMinute: number | null, burst: number | null): void {
  checkQuotaNumber('tokens_per_minute', tokensPerMinute);
  checkQuotaNumber('burst', burst);
  if (burst !== null && tokensPerMinute === null)
    throw invalidField('burst', 'needs tokens_per_minute: a burst is part of a quota');
}

/** The answer over a quota: rate_limited with Retry-After, never a failed credential check. */
export const quotaExceeded = (waitMs: number, quota: Quota): DomainError =>
  new DomainError(
    'rate_limited',
    `The client's token quota (${quota.tokensPerMinute} per minute) is used up; try again later`,
    { retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)), reason: 'quota_exceeded' },
  );
