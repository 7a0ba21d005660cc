import { auditEvent } from '../domain/audit.js';
import { DomainError, invalidField } from '../domain/errors.js';
import { lockoutWait, operatorLockoutKeys, rateLimited, refuseIfLocked } from '../domain/lockout.js';
import type { Mode } from '../domain/mode.js';
import { checkPasswordShape, PASSWORD_MAX, type Session } from '../domain/operator.js';
import { hashImportedSecret, matchesScrypt } from '../domain/secrets.js';
import { findSession, sessionEnded, startSession, type PanelDeps } from './panel-sessions.js';

export interface PasswordChange {
  currentPassword: string;
  newPassword: string;
}

const wrongCurrent = (): DomainError =>
  new DomainError('invalid_request', 'currentPassword is not your current password', { field: 'currentPassword' });

/**
 * The signed-in operator changes their password (issue 29, item 11). The current password is
 * checked through the lockout core on the same counters as sign-in, so guesses here and at
 * sign-in are one budget; a wrong one is a bad field, not a sign-out. The new password follows
 * the setup rules. Every session of the operator ends with the change (in its transaction, with
 * the `operator.password_changed` row), and the caller gets a new session in place of theirs:
 * a new id after a credential change, ending when the old one would have.
 * @see OWASP Session Management Cheat Sheet, "Renew the Session ID After Any Privilege Level Change"
 */
export async function changePassword(
  deps: PanelDeps,
  cookieValue: string,
  mode: Mode,
  input: PasswordChange,
  sourceIp: string,
): Promise<{ cookieValue: string; session: Session }> {
  const live = await findSession(deps, cookieValue, mode);
  if (!live) throw sessionEnded();
  if (live.principal.mustEnrolTotp) throw new DomainError('access_denied', 'Set up two-step sign-in (TOTP) first');
  if (input.currentPassword.length === 0) throw invalidField('currentPassword', 'is required');
  if (input.currentPassword.length > PASSWORD_MAX) throw wrongCurrent();
  // Checked before the current password, so a too-short new one costs no attempt.
  checkPasswordShape(input.newPassword, 'newPassword');
  const op = live.operator;
  const keys = operatorLockoutKeys(op.email, sourceIp);
  const seen = await deps.lockout.read(keys);
  const wait = lockoutWait(seen, deps.clock.now());
  if (wait > 0) throw rateLimited(wait);
  const holds = await matchesScrypt(input.currentPassword, op.passwordHash);
  const now = deps.clock.now();
  refuseIfLocked(await deps.lockout.settle(keys, holds, now, deps.lockoutPolicy, seen));
  if (!holds) throw wrongCurrent();
  const passwordHash = await hashImportedSecret(input.newPassword, deps.random.bytes(16));
  const actor = { kind: 'panel', id: op.email, sourceIp } as const;
  const done = await deps.operators.update(
    op.id,
    { passwordHash },
    now,
    (_b, o) => [auditEvent(actor, 'operator.password_changed', null, now, { operator: o.email })],
    { endSessions: true },
  );
  if (!done) throw sessionEnded();
  return startSession(deps, op.id, now, live.session.expiresAt);
}
