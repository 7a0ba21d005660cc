import { authorize, type Principal } from '../domain/access.js';
import type { OperatorView } from '../domain/operator.js';
import { listOperators } from './operators.js';
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
