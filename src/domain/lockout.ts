import { actorLabel, SYSTEM, type AuditEvent } from './audit.js';
import { DomainError } from './errors.js';

/**
 * Lockout rules (spec §2 step 2). Failures are counted per (client id, source address) and per
 * source address across client ids; reaching either limit inside the window locks that key.
 * Every store settles a check through `settleLockout`: stores read the two counters under their
 * lock, write what it returns and commit its audit events with those rows; the rule lives here.
 */
export interface LockoutPolicy {
  maxFailures: number;
  maxFailuresPerIp: number;
  windowSeconds: number;
  lockSeconds: number;
}

/**
 * What one counter counts: failures of one presented client id (known or not) from one address,
 * refresh-token guesses from one address, or every failure from one address.
 */
export type LockoutKey =
  | { kind: 'pair'; clientId: string; ip: string }
  | { kind: 'operator'; email: string; ip: string }
  | { kind: 'refresh'; ip: string }
  | { kind: 'ip'; ip: string };

/** The two counters a check settles: its own, and its address's across client ids. */
export interface LockoutKeys {
  pair: LockoutKey;
  ip: { kind: 'ip'; ip: string };
}

/** Keys are built from the presented client id, known or not, so spraying ids is counted too. */
export const lockoutKeys = (clientId: string, ip: string): LockoutKeys => ({
  pair: { kind: 'pair', clientId, ip },
  ip: { kind: 'ip', ip },
});

/**
 * An operator's password is counted like a client secret: per (email as typed, address), so a
 * stranger elsewhere cannot lock the operator out, and in the address's counter shared with
 * client secrets, so spraying passwords and secrets from one address is one budget.
 */
export const operatorLockoutKeys = (email: string, ip: string): LockoutKeys => ({
  pair: { kind: 'operator', email, ip },
  ip: { kind: 'ip', ip },
});

/** Refresh-token guessing is counted per source address. */
export const refreshLockoutKeys = (ip: string): LockoutKeys => ({
  pair: { kind: 'refresh', ip },
  ip: { kind: 'ip', ip },
});

/**
 * The id a store files a counter under. Stores only compare ids, never parse them; the id of a
 * pair may hold spaces (the client id is whatever was presented), an address never does.
 */
export function lockoutKeyId(key: LockoutKey): string {
  switch (key.kind) {
    case 'pair':
      return `pair ${key.clientId} ${key.ip}`;
    case 'operator':
      return `operator ${key.email} ${key.ip}`;
    case 'refresh':
      return `refresh ${key.ip}`;
    case 'ip':
      return `ip ${key.ip}`;
  }
}

/**
 * The failures that lock a key. Refresh guesses are held to the per-address limit: clients
 * sharing a NAT address should not lock each other out with a few expired refresh tokens.
 */
const limitOf = (key: LockoutKey, policy: LockoutPolicy): number =>
  key.kind === 'pair' || key.kind === 'operator' ? policy.maxFailures : policy.maxFailuresPerIp;

export interface CounterState {
  failures: number;
  windowStart: number;
  lockedUntil: number;
}

/** The two counters of a check, as a store read them (undefined: no row). */
export interface LockoutRead {
  pair: CounterState | undefined;
  ip: CounterState | undefined;
}

/** Seconds until the key unlocks, or 0 when it is not locked. */
export const retryAfterSeconds = (state: CounterState | undefined, now: number): number =>
  state && state.lockedUntil > now ? Math.ceil((state.lockedUntil - now) / 1000) : 0;

/** Seconds until both counters of a check are unlocked (the longer wait), or 0. */
export const lockoutWait = (read: LockoutRead, now: number): number =>
  Math.max(retryAfterSeconds(read.pair, now), retryAfterSeconds(read.ip, now));

/** The counter after one more failure at `now`: a stale window starts over. */
export function afterFailure(
  state: CounterState | undefined,
  now: number,
  limit: number,
  policy: LockoutPolicy,
): CounterState {
  const fresh = !state || now - state.windowStart >= policy.windowSeconds * 1000;
  const failures = fresh ? 1 : state.failures + 1;
  const windowStart = fresh ? now : state.windowStart;
  const lockedUntil = failures >= limit ? now + policy.lockSeconds * 1000 : 0;
  return { failures, windowStart, lockedUntil };
}

export type LockoutVerdict = { locked: false } | { locked: true; retryAfterSeconds: number };

/** One counter row to write: its new state, or null to delete it. */
export interface CounterWrite {
  key: LockoutKey;
  id: string;
  state: CounterState | null;
}

/** What settling one check decides, from the counters as read. */
export interface LockoutDecision {
  verdict: LockoutVerdict;
  /** Rows to write, in the order given; none for a success on a clean pair or a refusal. */
  writes: CounterWrite[];
  /** Audit events of the locks that begin, to commit with the writes. */
  events: AuditEvent[];
  /** Which counters began a lock (for metrics, once committed). */
  began: Array<'pair' | 'ip'>;
}

const UNLOCKED: LockoutVerdict = { locked: false };

/**
 * Settles one credential check against its two counters as read under the store's lock. A
 * locked key refuses the check, right or wrong; a success clears the pair; a failure advances
 * both counters, and a counter reaching its limit begins a lock (audited).
 */
export function settleLockout(
  keys: LockoutKeys,
  read: LockoutRead,
  succeeded: boolean,
  now: number,
  policy: LockoutPolicy,
): LockoutDecision {
  const wait = lockoutWait(read, now);
  if (wait > 0) return { verdict: { locked: true, retryAfterSeconds: wait }, writes: [], events: [], began: [] };
  if (succeeded) {
    const writes = read.pair ? [{ key: keys.pair, id: lockoutKeyId(keys.pair), state: null }] : [];
    return { verdict: UNLOCKED, writes, events: [], began: [] };
  }
  // Neither key is locked here (wait is 0), so a lock in the new state is one that begins.
  const pair = afterFailure(read.pair, now, limitOf(keys.pair, policy), policy);
  const ip = afterFailure(read.ip, now, limitOf(keys.ip, policy), policy);
  const decision: LockoutDecision = {
    verdict: UNLOCKED,
    writes: [
      { key: keys.pair, id: lockoutKeyId(keys.pair), state: pair },
      { key: keys.ip, id: lockoutKeyId(keys.ip), state: ip },
    ],
    events: [],
    began: [],
  };
  for (const [slot, key, state] of [
    ['pair', keys.pair, pair],
    ['ip', keys.ip, ip],
  ] as const) {
    if (state.lockedUntil === 0) continue;
    decision.events.push(lockoutEvent(key, slot, state.lockedUntil, now));
    decision.began.push(slot);
  }
  return decision;
}

/** The one refusal of a locked key. */
export const rateLimited = (retryAfterSeconds: number): DomainError =>
  new DomainError('rate_limited', 'Too many failed attempts; try again later', { retryAfterSeconds });

/** Throws `rate_limited` for a locked verdict. */
export function refuseIfLocked(verdict: LockoutVerdict): void {
  if (verdict.locked) throw rateLimited(verdict.retryAfterSeconds);
}

/**
 * The audit event of a lock beginning on one counter. `slot` is the counter's place in the check:
 * `pair` (a client id and address, or refresh-token guessing from an address) or `ip` (an
 * address across client ids). The client id is the one presented, known or not.
 */
export function lockoutEvent(key: LockoutKey, slot: 'pair' | 'ip', lockedUntil: number, now: number): AuditEvent {
  return {
    at: now,
    actor: actorLabel(SYSTEM),
    action: 'lockout',
    clientId: key.kind === 'pair' ? key.clientId : null,
    sourceIp: key.ip,
    detail: {
      kind: slot,
      lockedUntil,
      ...(key.kind === 'refresh' ? { grant: 'refresh_token' } : {}),
      ...(key.kind === 'operator' ? { operator: key.email } : {}),
    },
  };
}
