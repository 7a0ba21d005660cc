import { DomainError, invalidField } from './errors.js';

/**
 * Operators: the people who sign in to the developer panel (spec §7), apart from clients.
 * `admin` sees every client of both modes, the operator list and the signing keys; `developer`
 * the clients of its organisation; `viewer` reads what a developer can, changes nothing and never
 * receives a secret.
 */
export const OPERATOR_ROLES = ['admin', 'developer', 'viewer'] as const;
export type OperatorRole = (typeof OPERATOR_ROLES)[number];

export interface Operator {
  id: string;
  /** Lower-cased at the edge; unique. */
  email: string;
  role: OperatorRole;
  orgId: string | null;
  enabled: boolean;
  /** scrypt; null until the operator has followed a setup link. */
  passwordHash: string | null;
  /** The TOTP secret (base32), sealed under the master key; null when not enrolled. */
  totpSecretSealed: string | null;
  /** Whether the enrolment was confirmed with a code; an unconfirmed secret is not asked for. */
  totpEnabled: boolean;
  /** The last accepted TOTP time step: a code is good once (RFC 6238 §5.2). */
  totpLastStep: number;
  /** SHA-256 of each unused recovery code. */
  recoveryCodeHashes: string[];
  createdAt: number;
  updatedAt: number;
}

/** What anyone may be shown of an operator. */
export type OperatorView = Pick<Operator, 'id' | 'email' | 'role' | 'orgId' | 'enabled' | 'totpEnabled' | 'createdAt'>;

export const toOperatorView = (o: Operator): OperatorView => ({
  id: o.id,
  email: o.email,
  role: o.role,
  orgId: o.orgId,
  enabled: o.enabled,
  totpEnabled: o.totpEnabled,
  createdAt: o.createdAt,
});

export const PASSWORD_MIN = 12;
/** scrypt reads all of it: a bound keeps one sign-in from costing more than another. */
export const PASSWORD_MAX = 1024;
export const EMAIL_MAX = 254;

/** A one-time setup link lives this long (issue 15: 24 hours). */
export const SETUP_TTL_MS = 24 * 60 * 60 * 1000;

// One @, no spaces or control characters, a dot in the domain: enough to catch typos without
// refusing real addresses (RFC 5321's full grammar is not what people type).
const EMAIL = /^[^\s@\x00-\x1f\x7f]+@[^\s@\x00-\x1f\x7f]+\.[^\s@\x00-\x1f\x7f]+$/;

/** The email as stored and compared: trimmed, lower-cased; refused when it is no address. */
export function normaliseEmail(email: string, field = 'email'): string {
  const e = email.trim().toLowerCase();
  if (e.length === 0) throw invalidField(field, 'is required');
  if (e.length > EMAIL_MAX || !EMAIL.test(e)) throw invalidField(field, 'is not an email address');
  return e;
}

export function checkPasswordShape(password: string, field = 'password'): void {
  if (password.length < PASSWORD_MIN) throw invalidField(field, `must be at least ${PASSWORD_MIN} characters`);
  if (password.length > PASSWORD_MAX) throw invalidField(field, `must be at most ${PASSWORD_MAX} characters`);
}

export function parseRole(role: string, field = 'role'): OperatorRole {
  const r = role.trim().toLowerCase();
  if (!(OPERATOR_ROLES as readonly string[]).includes(r))
    throw invalidField(field, `must be one of ${OPERATOR_ROLES.join(', ')}`);
  return r as OperatorRole;
}

/** Session lifetimes (spec §7): an idle timeout and an absolute one, whichever comes first. */
export interface SessionPolicy {
  idleMinutes: number;
  absoluteHours: number;
}

export interface Session {
  /** SHA-256 of the cookie's value: the store never holds the value itself. */
  idHash: string;
  operatorId: string;
  createdAt: number;
  lastSeenAt: number;
  /** The absolute end, fixed at sign-in. */
  expiresAt: number;
}

/** Whether a session is still alive at `now`. */
export const sessionAlive = (s: Session, now: number, policy: SessionPolicy): boolean =>
  now < s.expiresAt && now - s.lastSeenAt < policy.idleMinutes * 60_000;

/** Seen again: the idle clock restarts, written at most once a minute per session. */
export const sessionNeedsTouch = (s: Session, now: number): boolean => now - s.lastSeenAt >= 60_000;

/** One refusal for every way a sign-in fails, so it tells nothing about which accounts exist. */
export const badSignIn = (): DomainError =>
  new DomainError('invalid_client', 'Wrong email, password or code', { reason: 'bad_credentials' });
