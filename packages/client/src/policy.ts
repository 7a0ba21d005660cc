/** Defaults of the refresh-ahead policy, in seconds. */
export const DEFAULT_MARGIN_SECONDS = 30;
export const DEFAULT_JITTER_SECONDS = 60;

/** No token spends more than this share of its life inside the margin or the jitter window. */
const MAX_SHARE = 1 / 4;

export interface RefreshPolicy {
  /** A token is never handed out when less than this is left of its life. */
  marginMs: number;
  /** The refresh-ahead window before the margin, in which a random moment starts the refresh. */
  jitterMs: number;
}

/** When one token stops being handed out, and from when it is refreshed ahead. */
export interface Schedule {
  /** Expiry less the margin; `Infinity` for a token that does not expire. */
  usableUntil: number;
  /** From here on, a call still gets this token but starts a refresh in the background. */
  refreshFrom: number;
}

/**
 * The schedule of a token granted for `expiresIn` seconds to a request sent at `sentAt`.
 *
 * Expiry is counted from when the request was *sent*: the server started the clock somewhere
 * between sending and receiving, so counting from the answer could overstate the life by the
 * round trip (RFC 6749 §5.1 `expires_in` is relative to the response's generation).
 *
 * Margin and jitter are capped at a quarter of the lifetime each, so a short-lived token still
 * serves at least half its life. The jitter spreads the refreshes of many processes that started
 * together, so they do not all call the token endpoint in the same second.
 */
export function scheduleToken(
  sentAt: number,
  expiresIn: number | null,
  policy: RefreshPolicy,
  random: () => number,
): Schedule {
  if (expiresIn === null) return { usableUntil: Infinity, refreshFrom: Infinity };
  const lifetime = expiresIn * 1000;
  const margin = Math.min(policy.marginMs, lifetime * MAX_SHARE);
  const window = Math.min(policy.jitterMs, lifetime * MAX_SHARE);
  const usableUntil = sentAt + lifetime - margin;
  // random() is in [0, 1): the refresh starts somewhere in [usableUntil - window, usableUntil).
  return { usableUntil, refreshFrom: usableUntil - window * (1 - random()) };
}

/**
 * How long to leave the background refresh alone after it failed: a few seconds, and never so
 * long that the token's remaining usable time passes without a second try.
 */
export function backgroundRetryDelay(now: number, usableUntil: number): number {
  return Math.max(0, Math.min(5_000, (usableUntil - now) / 2));
}

/**
 * `Retry-After` as seconds: delta-seconds or an HTTP-date. Undefined when absent or unreadable.
 * @see RFC 9110 §10.2.3
 */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text);
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}
