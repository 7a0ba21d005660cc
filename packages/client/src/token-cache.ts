import { createHash } from 'node:crypto';
import type { TokenErrorCode } from './errors.js';
import type { Schedule } from './policy.js';

/** A granted token and its schedule. */
export interface CachedToken extends Schedule {
  accessToken: string;
  /** oauth2 only: spent before the secret when this token needs replacing (seed 001). */
  refreshToken?: string;
}

/** What the cache knows about one (token URL, client, API, scope). */
export interface Slot {
  token?: CachedToken;
  /** The one request in flight for this key: concurrent callers share it (single-flight). */
  inflight?: Promise<CachedToken>;
  /** The server said when to come back (`Retry-After` on a 429 or 503); no request before then. */
  blocked?: { until: number; code: TokenErrorCode; status: number | undefined };
  /** After a failed refresh-ahead, the next one waits until this moment. */
  backgroundAfter?: number;
}

export interface SlotKey {
  tokenUrl: string;
  dialect: string;
  clientId: string;
  /** The API's identifier; `''` for the default API (a source that names none). */
  audience: string;
  /** Normalised: sorted, without repeats, space-separated. */
  scope: string;
  clientSecret: string;
}

/**
 * Tokens by token URL, client, API and scope. Shared by every {@link TokenSource} given the same cache
 * (by default one per process), so sources built per request still make one token request.
 *
 * The key holds a digest of the secret, never the secret: two sources naming the same client with
 * different secrets (one of them stale after a rotation) must not share a token, and a cache
 * that is logged or inspected must not show the secret.
 */
export class TokenCache {
  readonly #slots = new Map<string, Slot>();

  static key(k: SlotKey): string {
    const secretDigest = createHash('sha256').update(k.clientSecret, 'utf8').digest('base64url');
    return JSON.stringify([k.tokenUrl, k.dialect, k.clientId, k.audience, k.scope, secretDigest]);
  }

  slot(key: string): Slot {
    let slot = this.#slots.get(key);
    if (!slot) {
      slot = {};
      this.#slots.set(key, slot);
    }
    return slot;
  }

  /** Forgets every token (for instance after the process learns its secret was rotated). */
  clear(): void {
    this.#slots.clear();
  }

  get size(): number {
    return this.#slots.size;
  }
}

/** The process-wide cache every {@link TokenSource} uses unless given its own. */
export const sharedTokenCache = new TokenCache();
