import type { OperatorPrincipal } from '../domain/access.js';
import { auditEvent } from '../domain/audit.js';
import { DomainError, invalidField } from '../domain/errors.js';
import { newRecoveryCodes, newTotpSecret, recoveryCodeHash, totpStep } from '../domain/totp.js';
import type { PanelDeps } from './panel-sessions.js';

/*
 * Optional TOTP for operators (spec §7), enrolled in the panel: a secret is offered, and only a
 * code from it turns it on, with recovery codes shown once. Changing an enrolled authenticator
 * goes through `tollgate users reset`.
 */

async function me(deps: PanelDeps, caller: OperatorPrincipal) {
  const op = await deps.operators.findById(caller.operatorId);
  if (!op) throw new DomainError('invalid_token', 'Your session has ended; sign in again');
  return op;
}

const alreadyOn = (): DomainError =>
  new DomainError('invalid_request', 'Two-step sign-in is already on; an admin can reset your account to change it');

export async function beginTotpEnrolment(
  deps: PanelDeps,
  caller: OperatorPrincipal,
): Promise<{ secret: string; uri: string }> {
  const op = await me(deps, caller);
  if (op.totpEnabled) throw alreadyOn();
  const offered = newTotpSecret(deps.random.bytes(20), op.email);
  await deps.operators.update(
    op.id,
    { totpSecretSealed: deps.totpSealer.seal(offered.secret) },
    deps.clock.now(),
    () => [],
  );
  return offered;
}

export async function confirmTotpEnrolment(
  deps: PanelDeps,
  caller: OperatorPrincipal,
  code: string,
  sourceIp: string,
): Promise<{ recoveryCodes: string[] }> {
  const op = await me(deps, caller);
  if (op.totpEnabled) throw alreadyOn();
  if (op.totpSecretSealed === null)
    throw new DomainError('invalid_request', 'Start the set-up first', { field: 'code' });
  const now = deps.clock.now();
  const step = totpStep(deps.totpSealer.open(op.totpSecretSealed), code.trim(), now);
  if (step === undefined || !(await deps.operators.advanceTotpStep(op.id, step)))
    throw invalidField('code', 'does not match: check the authenticator and the clock, then try the next code');
  const recoveryCodes = newRecoveryCodes((n) => deps.random.bytes(n));
  const actor = { kind: 'panel', id: op.email, sourceIp } as const;
  await deps.operators.update(
    op.id,
    { totpEnabled: true, recoveryCodeHashes: recoveryCodes.map(recoveryCodeHash) },
    now,
    (_b, o) => [auditEvent(actor, 'operator.totp_enrolled', null, now, { operator: o.email })],
  );
  return { recoveryCodes };
}
