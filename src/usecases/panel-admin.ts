import { actorFor, authorize, authorizeKeyChange, authorizeOperatorChange, type Principal } from '../domain/access.js';
import { DomainError } from '../domain/errors.js';
import type { OperatorView } from '../domain/operator.js';
import {
  type KeyAdminDeps,
  type RetirementNotice,
  retireSigningKey,
  retirementNotice,
  rotateSigningKey,
  type TokenLifetimes,
} from './manage-keys.js';
import { createOperator, disableOperator, listOperators, resetOperator, type SetupLink } from './operators.js';
import type { PublicKeyInfo, SigningKeys } from './ports.js';
import type { PanelDeps } from './panel-sessions.js';

/** The operator list, for admins. */
export async function operatorsFor(deps: Pick<PanelDeps, 'operators'>, caller: Principal): Promise<OperatorView[]> {
  authorize(caller, 'operators');
  return listOperators(deps);
}

/** Every signing key of both modes (public halves), for admins and admin tokens. */
export async function signingKeysFor(deps: { keys: SigningKeys }, caller: Principal): Promise<PublicKeyInfo[]> {
  authorize(caller, 'keys');
  return deps.keys.publicKeys(caller.kind === 'client' ? caller.mode : undefined);
}

/** An invitation from the panel: the operator, and the one-time setup link `tollgate users create` prints. */
export async function inviteOperatorFor(
  deps: Pick<PanelDeps, 'operators' | 'clock' | 'random' | 'panel'>,
  caller: Principal,
  input: { email: string; role: string; orgId: string | null },
  sourceIp: string,
): Promise<{ operator: OperatorView; setup: SetupLink }> {
  authorize(caller, 'operators');
  const made = await createOperator(deps, input, actorFor(caller, sourceIp));
  // No password was given, so the core always made a link.
  if (!made.setup) throw new DomainError('server_error', 'No setup link was made');
  return { operator: made.operator, setup: made.setup };
}

type OperatorDeps = Pick<PanelDeps, 'operators' | 'clock' | 'random' | 'panel'>;

/** `tollgate users disable EMAIL` from the panel: an admin, never on themself. */
export async function disableOperatorFor(
  deps: OperatorDeps,
  caller: Principal,
  email: string,
  sourceIp: string,
): Promise<OperatorView> {
  const target = authorizeOperatorChange(caller, email);
  return disableOperator(deps, target, actorFor(caller, sourceIp));
}

/** `tollgate users reset EMAIL` from the panel: the operator and their new one-time setup link. */
export async function resetOperatorFor(
  deps: OperatorDeps,
  caller: Principal,
  email: string,
  sourceIp: string,
): Promise<{ operator: OperatorView; setup: SetupLink }> {
  const target = authorizeOperatorChange(caller, email);
  return resetOperator(deps, target, actorFor(caller, sourceIp));
}

/** `tollgate keys rotate --mode <the address's mode>`, for a deployment admin. */
export async function rotateSigningKeyFor(
  deps: KeyAdminDeps,
  caller: Principal,
  sourceIp: string,
): Promise<PublicKeyInfo> {
  authorizeKeyChange(caller);
  return rotateSigningKey(deps, caller.mode, actorFor(caller, sourceIp));
}

/**
 * What retiring a key of the address's mode would end (`keys retire` without `--yes`); a key of
 * the other mode is not there, the current key is refused.
 */
export async function retirementNoticeFor(
  deps: KeyAdminDeps,
  caller: Principal,
  kid: string,
  lifetimes: TokenLifetimes,
): Promise<RetirementNotice> {
  authorizeKeyChange(caller);
  if (!(await deps.keys.publicKeys(caller.mode)).some((k) => k.kid === kid))
    throw new DomainError('not_found', 'No such signing key');
  return retirementNotice(deps, kid, lifetimes);
}

/** `tollgate keys retire KID --yes`, for a deployment admin: the key as it was, with what its retirement ended. */
export async function retireSigningKeyFor(
  deps: KeyAdminDeps,
  caller: Principal,
  kid: string,
  lifetimes: TokenLifetimes,
  sourceIp: string,
): Promise<{ key: PublicKeyInfo; notice: RetirementNotice }> {
  const notice = await retirementNoticeFor(deps, caller, kid, lifetimes);
  const key = await retireSigningKey(deps, kid, actorFor(caller, sourceIp));
  return { key, notice };
}
