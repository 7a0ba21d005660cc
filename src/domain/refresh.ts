import { createHash } from 'node:crypto';
import { acceptsGeneration, type Client } from './client.js';
import type { Mode } from './mode.js';

/** `rt_` + 256 bits base64url. @see RFC 6749 §10.10 (credential guessing) */
const REFRESH_SHAPE = /^rt_[A-Za-z0-9_-]{43}$/;

export const newRefreshToken = (random32: Buffer): string => `rt_${random32.toString('base64url')}`;
export const isRefreshTokenShape = (token: string): boolean => REFRESH_SHAPE.test(token);

/** Refresh tokens are 256-bit random values, so one SHA-256 is a safe way to store them. */
export const hashRefreshToken = (token: string): string =>
  createHash('sha256').update(token, 'utf8').digest('base64url');

/** A stored refresh token (seed 001), bound to client, mode, secret generation and scope. */
export interface RefreshRecord {
  /** SHA-256 of the token, base64url; the token itself is never stored. */
  hash: string;
  clientId: string;
  mode: Mode;
  generation: number;
  scopes: string[];
  /** The API the token is for (its identifier); null: the default API. */
  audience: string | null;
  expiresAt: number;
  createdAt: number;
}

/**
 * Is this refresh token good at `now` at an address of `mode`: unexpired, of that mode, its
 * client of that mode and enabled, and its secret generation still honoured. The refresh grant
 * and introspection both ask this one question.
 */
export function refreshTokenUsable(
  record: RefreshRecord,
  client: Client | undefined,
  mode: Mode,
  now: number,
): client is Client {
  return (
    client !== undefined &&
    record.expiresAt > now &&
    record.mode === mode &&
    client.mode === mode &&
    client.enabled &&
    acceptsGeneration(client, record.generation, now)
  );
}
