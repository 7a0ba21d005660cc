import { hash } from 'node:crypto';
import type { JsonObject } from './jws.js';

/** What a verified signature leaves behind: the header and payload it vouched for, never the token. */
export interface VerifiedToken {
  header: JsonObject;
  payload: JsonObject;
}

export interface VerifiedCacheLimits {
  /** Tokens held at most; 0 turns the cache off. */
  maxEntries: number;
  /** Bytes (an estimate of what each entry holds in memory) held at most. */
  maxBytes: number;
}

/**
 * What one entry is counted as: the decoded header and payload as they came on the wire (their
 * base64url length, a fair upper bound of the JSON they parse to), the 32-byte key, and a fixed
 * allowance for the Map slot and the objects around them.
 */
export const ENTRY_OVERHEAD_BYTES = 256;

interface Entry extends VerifiedToken {
  bytes: number;
}

/**
 * Signatures already checked, so a token presented again costs a SHA-256 and a Map read instead
 * of an ECDSA verification (≈ 140 µs of CPU for ES256 here). Keyed by the SHA-256 of the token,
 * so the token itself is never held; bounded in entries and in bytes, least recently used out
 * first. Only what the signature vouches for is kept: every time-dependent and stateful check
 * (expiry, the key still being published, revocation, the client's generation, enabled state and
 * allowlist) is made again on every request by the verifier and the use case above it.
 */
export class VerifiedCache {
  private readonly entries = new Map<string, Entry>();
  private bytes = 0;

  constructor(private readonly limits: VerifiedCacheLimits) {}

  get enabled(): boolean {
    return this.limits.maxEntries > 0 && this.limits.maxBytes > 0;
  }

  /**
   * The cache key of a token: its SHA-256 as a 32-character binary string (no token text is
   * kept), by the one-shot `hash`, which costs two thirds of a createHash chain here.
   */
  static keyOf(token: string): string {
    return hash('sha256', token, 'binary');
  }

  get(key: string): VerifiedToken | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    // Most recently used last: Map keeps insertion order, so re-inserting moves it to the end.
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry;
  }

  /** `wireBytes`: the length of the token's header and payload parts as received. */
  set(key: string, token: VerifiedToken, wireBytes: number): void {
    if (!this.enabled) return;
    const bytes = wireBytes + key.length + ENTRY_OVERHEAD_BYTES;
    if (bytes > this.limits.maxBytes) return;
    this.delete(key);
    this.entries.set(key, { ...token, bytes });
    this.bytes += bytes;
    while (this.entries.size > this.limits.maxEntries || this.bytes > this.limits.maxBytes) {
      const oldest = this.entries.keys().next().value as string;
      this.delete(oldest);
    }
  }

  delete(key: string): void {
    const entry = this.entries.get(key);
    if (entry === undefined) return;
    this.entries.delete(key);
    this.bytes -= entry.bytes;
  }

  get size(): number {
    return this.entries.size;
  }

  /** The bytes the entries are counted as (see ENTRY_OVERHEAD_BYTES). */
  get byteSize(): number {
    return this.bytes;
  }
}
