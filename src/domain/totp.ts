import { createHash } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';

/**
 * Time-based one-time passwords for operators (RFC 6238: SHA-1, 6 digits, 30 s steps, what every
 * authenticator app reads from an otpauth:// URI), and the recovery codes that stand in for a
 * lost authenticator.
 */
const PERIOD_SECONDS = 30;
const DIGITS = 6;
/** One step either side: a phone clock a little off, or a code typed as it turned. */
const WINDOW = 1;

const totpOf = (base32: string, label = ''): TOTP =>
  new TOTP({
    issuer: 'Tollgate',
    label,
    algorithm: 'SHA1',
    digits: DIGITS,
    period: PERIOD_SECONDS,
    secret: Secret.fromBase32(base32),
  });

/** A new secret (160 bits, RFC 4226 §4's recommendation) as base32, and its otpauth:// URI. */
export function newTotpSecret(random20: Buffer, email: string): { secret: string; uri: string } {
  const secret = new Secret({ buffer: new Uint8Array(random20).buffer }).base32;
  return { secret, uri: totpOf(secret, email).toString() };
}

export const isTotpShape = (code: string): boolean => /^\d{6}$/.test(code);

/**
 * The time step the code belongs to, or undefined when it fits no step in the window. The caller
 * accepts a step once (RFC 6238 §5.2: a code must not be accepted twice).
 */
export function totpStep(base32: string, code: string, nowMs: number): number | undefined {
  if (!isTotpShape(code)) return undefined;
  const delta = totpOf(base32).validate({ token: code, timestamp: nowMs, window: WINDOW });
  return delta === null ? undefined : Math.floor(nowMs / 1000 / PERIOD_SECONDS) + delta;
}

/** The code for a step (for tests and for the CLI's checks, never sent anywhere). */
export const totpCode = (base32: string, nowMs: number): string => totpOf(base32).generate({ timestamp: nowMs });

const RECOVERY_ALPHABET = 'abcdefghijkmnpqrstuvwxyz23456789';
export const RECOVERY_CODE_COUNT = 10;

/** Ten codes of 10 characters from a 32-letter alphabet (50 bits each), shown once as `xxxxx-xxxxx`. */
export function newRecoveryCodes(random: (n: number) => Buffer): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    const chars = [...random(10)].map((b) => RECOVERY_ALPHABET[b % 32]).join('');
    return `${chars.slice(0, 5)}-${chars.slice(5)}`;
  });
}

/** How a recovery code is stored and looked up: typed with or without the dash, in any case. */
export function recoveryCodeHash(code: string): string {
  const canonical = code.trim().toLowerCase().replace(/[\s-]/g, '');
  return createHash('sha256').update(canonical, 'utf8').digest('base64url');
}
