import { createHash } from 'node:crypto';
import type { OperatorPrincipal } from '../domain/access.js';
import { DomainError, invalidField } from '../domain/errors.js';
import { lockoutWait, operatorLockoutKeys, rateLimited, refuseIfLocked } from '../domain/lockout.js';
import type { Mode } from '../domain/mode.js';
import {
  badSignIn,
  normaliseEmail,
  PASSWORD_MAX,
  sessionAlive,
  sessionNeedsTouch,
  type Operator,
  type Session,
} from '../domain/operator.js';
import { matchesScrypt } from '../domain/secrets.js';
import { isTotpShape, recoveryCodeHash, totpStep } from '../domain/totp.js';
import type { LockoutPolicy } from '../domain/lockout.js';
import type { SessionPolicy } from '../domain/operator.js';
import type { Clock, LockoutStore, OperatorStore, Random, Sealer, SessionStore } from './ports.js';

/** The panel's settings, as the core needs them. */
export interface PanelSettings {
  /** Where setup links point (the live issuer). */
  issuer: string;
  requireTotpForAdmins: boolean;
  session: SessionPolicy;
}

/** What the developer panel's people need: their store, their sessions and the lockout core. */
export interface PanelDeps {
  operators: OperatorStore;
  sessions: SessionStore;
  lockout: LockoutStore;
  lockoutPolicy: LockoutPolicy;
  clock: Clock;
  random: Random;
  /** Seals TOTP secrets at rest (its own purpose, apart from idempotent answers). */
  totpSealer: Sealer;
  panel: PanelSettings;
}

/*
 * Panel sign-in and sessions (spec §7). A password is checked through the same lockout core and
 * counters as a client secret; a session is a server-side row found by the SHA-256 of an opaque
 * 256-bit cookie value, never by the value itself.
 */

export interface SignInAttempt {
  email: string;
  password: string;
  /** A TOTP code, or a recovery code, when the operator has enrolled. */
  code: string | null;
  sourceIp: string;
}

export type SignInOutcome =
  | { kind: 'signed-in'; cookieValue: string; session: Session; operator: Operator }
  /** The password was right; the second factor is needed. Nothing was counted or started. */
  | { kind: 'totp-required' };

const sessionHash = (value: string): string => createHash('sha256').update(value, 'utf8').digest('base64url');
const COOKIE_VALUE = /^[A-Za-z0-9_-]{43}$/;

/** A TOTP code (accepted once) or an unused recovery code (spent). */
async function secondFactorHolds(deps: PanelDeps, op: Operator, code: string, now: number): Promise<boolean> {
  if (op.totpSecretSealed === null) return false;
  if (isTotpShape(code)) {
    const step = totpStep(deps.totpSealer.open(op.totpSecretSealed), code, now);
    return step !== undefined && (await deps.operators.advanceTotpStep(op.id, step));
  }
  return deps.operators.useRecoveryCode(op.id, recoveryCodeHash(code));
}

export async function signIn(deps: PanelDeps, attempt: SignInAttempt): Promise<SignInOutcome> {
  const email = normaliseEmail(attempt.email);
  if (attempt.password.length === 0) throw invalidField('password', 'is required');
  if (attempt.password.length > PASSWORD_MAX)
    throw invalidField('password', `must be at most ${PASSWORD_MAX} characters`);
  const keys = operatorLockoutKeys(email, attempt.sourceIp);
  // Locked keys are refused before scrypt runs: a locked guesser cannot spend our CPU.
  const seen = await deps.lockout.read(keys);
  const wait = lockoutWait(seen, deps.clock.now());
  if (wait > 0) throw rateLimited(wait);
  const op = await deps.operators.findByEmail(email);
  // An unknown email does the same scrypt as a wrong password.
  const passwordHolds =
    (await matchesScrypt(attempt.password, op?.passwordHash ?? null)) && op !== undefined && op.enabled;
  const now = deps.clock.now();
  if (passwordHolds && op.totpEnabled && (attempt.code === null || attempt.code.trim() === ''))
    return { kind: 'totp-required' };
  const succeeded =
    passwordHolds && (!op.totpEnabled || (await secondFactorHolds(deps, op, attempt.code!.trim(), now)));
  refuseIfLocked(await deps.lockout.settle(keys, succeeded, now, deps.lockoutPolicy, seen));
  if (!succeeded) throw badSignIn();
  // Always a new id at sign-in: a session id planted before cannot be carried across it.
  const started = await startSession(deps, op.id, now, now + deps.panel.session.absoluteHours * 3_600_000);
  return { kind: 'signed-in', ...started, operator: op };
}

/** A new server-side session for the operator, ending at `expiresAt`; the cookie value is returned, never stored. */
export async function startSession(
  deps: Pick<PanelDeps, 'sessions' | 'random'>,
  operatorId: string,
  now: number,
  expiresAt: number,
): Promise<{ cookieValue: string; session: Session }> {
  const cookieValue = deps.random.bytes(32).toString('base64url');
  const session: Session = { idHash: sessionHash(cookieValue), operatorId, createdAt: now, lastSeenAt: now, expiresAt };
  await deps.sessions.insert(session);
  return { cookieValue, session };
}

/** PANEL_REQUIRE_TOTP=1 and an admin without TOTP: enrolment alone is open to them. */
export const mustEnrolTotp = (deps: Pick<PanelDeps, 'panel'>, op: Operator): boolean =>
  deps.panel.requireTotpForAdmins && op.role === 'admin' && !op.totpEnabled;

export const sessionEnded = (): DomainError =>
  new DomainError('invalid_token', 'Your session has ended; sign in again');

export interface LiveSession {
  session: Session;
  operator: Operator;
  principal: OperatorPrincipal;
}

/**
 * The session a cookie names, when it is alive and its operator enabled; undefined otherwise
 * (a dead session's row is dropped). Seen again, its idle clock restarts.
 */
export async function findSession(deps: PanelDeps, cookieValue: string, mode: Mode): Promise<LiveSession | undefined> {
  if (!COOKIE_VALUE.test(cookieValue)) return undefined;
  const idHash = sessionHash(cookieValue);
  const found = await deps.sessions.find(idHash);
  if (!found) return undefined;
  const now = deps.clock.now();
  const { session, operator } = found;
  if (!sessionAlive(session, now, deps.panel.session) || !operator.enabled) {
    await deps.sessions.delete(idHash);
    return undefined;
  }
  if (sessionNeedsTouch(session, now)) await deps.sessions.touch(idHash, now);
  const principal: OperatorPrincipal = {
    kind: 'operator',
    operatorId: operator.id,
    email: operator.email,
    role: operator.role,
    orgId: operator.orgId,
    mode,
    mustEnrolTotp: mustEnrolTotp(deps, operator),
  };
  return { session, operator, principal };
}

/** The operator a cookie proves, or `invalid_token` saying to sign in again. */
export async function sessionPrincipal(deps: PanelDeps, cookieValue: string, mode: Mode): Promise<OperatorPrincipal> {
  const live = await findSession(deps, cookieValue, mode);
  if (!live) throw sessionEnded();
  return live.principal;
}

/** Ends the session the cookie names, if any. */
export async function signOut(deps: PanelDeps, cookieValue: string): Promise<void> {
  if (COOKIE_VALUE.test(cookieValue)) await deps.sessions.delete(sessionHash(cookieValue));
}
