import { callerKey, type Principal } from '../../domain/access.js';
import { invalidField } from '../../domain/errors.js';
import type { Actor } from '../../domain/audit.js';
import type { Mode } from '../../domain/mode.js';
import type { AccessTokenClaims } from '../../domain/token.js';
import { rotateSecretFor } from './admin.js';
import { idempotently, requestHashOf, storedAnswer, type IdempotencyDeps } from '../idempotency.js';
import { rotateSecret, type AdminDeps, type RotatedSecret } from './manage.js';

export interface RotationRequest {
  /** The client to rotate; absent, the caller's own secret. */
  clientId?: string;
  graceSeconds: number;
  /** The `Idempotency-Key` header, if any. */
  key: string | undefined;
  actor: Actor;
}

/**
 * What a rotation asked, for its Idempotency-Key. A self-rotation is bound to the very token
 * that asked (its `jti`): that token dies with the rotation, and only it may fetch the answer
 * again (see `replaySelfRotation`).
 */
const rotationHash = (callerTokenId: string, req: Pick<RotationRequest, 'clientId' | 'graceSeconds'>): string =>
  req.clientId === undefined
    ? requestHashOf(['rotateClientSecret', 'self', callerTokenId, req.graceSeconds])
    : requestHashOf(['rotateClientSecret', req.clientId, req.graceSeconds]);

/**
 * Rotates the caller's own secret (any valid token may), or another client's (administration,
 * decided by `authorize`), at most once per Idempotency-Key: a lost answer can be asked for
 * again, so a client is never left without its only new secret.
 */
export async function rotateClientSecret(
  deps: AdminDeps & IdempotencyDeps,
  caller: (Principal & { kind: 'client'; tokenId: string }) | (Principal & { kind: 'operator' }),
  req: RotationRequest,
): Promise<RotatedSecret> {
  // A person has no secret of its own: it names the client.
  if (caller.kind === 'operator' && req.clientId === undefined) throw invalidField('clientId', 'is required');
  const rotate = () =>
    req.clientId === undefined && caller.kind === 'client'
      ? rotateSecret(deps, caller.clientId, req.graceSeconds, req.actor)
      : rotateSecretFor(deps, caller, req.clientId!, req.graceSeconds, req.actor);
  if (req.key === undefined) return rotate();
  const tokenId = caller.kind === 'client' ? caller.tokenId : callerKey(caller);
  return idempotently(
    deps,
    { callerId: callerKey(caller), key: req.key, requestHash: rotationHash(tokenId, req) },
    rotate,
  );
}

/**
 * A retried self-rotation arrives with the token its first attempt killed. When that token's
 * signature, issuer, audience and expiry are good, and this very token's rotation under this key
 * finished, moving the generation one step past the token's, the stored answer is returned once
 * more. Anything else: undefined, and the token is refused as usual.
 */
export async function replaySelfRotation(
  deps: IdempotencyDeps,
  claims: AccessTokenClaims,
  mode: Mode,
  req: { key: string; graceSeconds: number },
): Promise<RotatedSecret | undefined> {
  const answer = await storedAnswer<RotatedSecret>(deps, {
    callerId: claims.client_id,
    key: req.key,
    requestHash: rotationHash(claims.jti, { graceSeconds: req.graceSeconds }),
  });
  if (
    !answer ||
    answer.client.id !== claims.client_id ||
    answer.client.mode !== mode ||
    answer.generation !== claims.sgen + 1
  )
    return undefined;
  return answer;
}
