import { createHash } from 'node:crypto';

/** `rt_` + 256 bits base64url. @see RFC 6749 §10.10 (credential guessing) */
const REFRESH_SHAPE = /^rt_[A-Za-z0-9_-]{43}$/;

export const newRefreshToken = (random32: Buffer): string => `rt_${random32.toString('base64url')}`;
export const isRefreshTokenShape = (token: string): boolean => REFRESH_SHAPE.test(token);

/** Refresh tokens are 256-bit random values, so one SHA-256 is a safe way to store them. */
export const hashRefreshToken = (token: string): string => createHash('sha256').update(token, 'utf8').digest('base64url');

/** Lockout keys for refresh-token guessing: counted per source address. */
export const refreshLockoutKeys = (ip: string) => ({ pair: `refresh ${ip}`, ip: `ip ${ip}` });
