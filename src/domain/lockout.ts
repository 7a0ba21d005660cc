/**
 * Lockout rules (spec §2 step 2). Failures are counted per (client id, source address) and per
 * source address across client ids; reaching either limit inside the window locks that key.
 */
export interface LockoutPolicy {
  maxFailures: number;
  maxFailuresPerIp: number;
  windowSeconds: number;
  lockSeconds: number;
}

export interface LockoutKeys {
  pair: string;
  ip: string;
}

/** Keys are built from the presented client id, known or not, so spraying ids is counted too. */
export const lockoutKeys = (clientId: string, ip: string): LockoutKeys => ({
  pair: `pair ${clientId} ${ip}`,
  ip: `ip ${ip}`,
});

export interface CounterState {
  failures: number;
  windowStart: number;
  lockedUntil: number;
}

/** Seconds until the key unlocks, or 0 when it is not locked. */
export const retryAfterSeconds = (state: CounterState | undefined, now: number): number =>
  state && state.lockedUntil > now ? Math.ceil((state.lockedUntil - now) / 1000) : 0;

/** The counter after one more failure at `now`: a stale window starts over. */
export function afterFailure(state: CounterState | undefined, now: number, limit: number, policy: LockoutPolicy): CounterState {
  const fresh = !state || now - state.windowStart >= policy.windowSeconds * 1000;
  const failures = fresh ? 1 : state.failures + 1;
  const windowStart = fresh ? now : state.windowStart;
  const lockedUntil = failures >= limit ? now + policy.lockSeconds * 1000 : 0;
  return { failures, windowStart, lockedUntil };
}
