import { checkCredentialShape, checkSourceAllowed, isSecretShape, type Client } from '../domain/client.js';
import { badCredentials, DomainError, isDomainError } from '../domain/errors.js';
import { lockoutKeys, lockoutWait, rateLimited, refuseIfLocked } from '../domain/lockout.js';
import type { Mode } from '../domain/mode.js';
import { isGeneratedShape, matchSecret } from '../domain/secrets.js';
import type { Target } from '../domain/api.js';
import type { Door } from '../domain/usage.js';
import type { UsageMeter } from './usage.js';
import type { ApiRef, Clock, ClientStore, LockoutStore, Random } from './ports.js';
import type { LockoutPolicy } from '../domain/lockout.js';

/** Everything a credential check needs. */
export interface CoreDeps {
  clients: ClientStore;
  lockout: LockoutStore;
  lockoutPolicy: LockoutPolicy;
  clock: Clock;
  random: Random;
  meter: UsageMeter;
}

export interface CredentialAttempt {
  /** The door asked, for the usage counts. */
  door: Door;
  /** The mode of the address called. */
  mode: Mode;
  clientId: string;
  clientSecret: string;
  /**
   * The secret exactly as sent, when it differs from `clientSecret` (HTTP Basic: many clients
   * send it raw instead of form-encoded). Either may match; the check still settles once.
   */
  rawSecret?: string;
  /** The resolved source address (socket peer, or the first untrusted X-Forwarded-For hop). */
  sourceIp: string;
}

export interface Authenticated {
  client: Client;
  /** The secret generation the presented secret belongs to (the previous one during a grace). */
  generation: number;
  /** The API asked for and the client's grant for it, when one was asked and both exist. */
  target?: Target | undefined;
}

/**
 * The credential check every door runs, in the order of spec §2:
 * 1 shape → 2 lockout → 3 client, secret, mode, enabled → 4 IP allowlist. (5, scope, is the
 * caller's: it depends on what is being asked for.)
 */
export async function authenticateClient(
  deps: CoreDeps,
  attempt: CredentialAttempt,
  target?: ApiRef,
): Promise<Authenticated> {
  // 1. Shape.
  checkCredentialShape('client_id', attempt.clientId);
  checkCredentialShape('client_secret', attempt.clientSecret);

  // 2. Lockout. The verdict below is settled atomically against the counters, which alone keeps
  // locked keys out. A slow (scrypt) check is also refused up front, so a locked attacker cannot
  // spend our CPU; a SHA-256 check costs less than that extra read.
  // The client and both counters come in one read (one round trip to a networked store).
  const keys = lockoutKeys(attempt.clientId, attempt.sourceIp);
  const presented = [attempt.clientSecret];
  if (attempt.rawSecret !== undefined && attempt.rawSecret !== attempt.clientSecret && isSecretShape(attempt.rawSecret))
    presented.push(attempt.rawSecret);
  const { client, lockout, target: found } = await deps.clients.findForCheck(attempt.clientId, keys, target);
  try {
    if (!presented.every(isGeneratedShape)) {
      const locked = lockoutWait(lockout, deps.clock.now());
      if (locked > 0) throw rateLimited(locked);
    }

    // 3. Client, secret, mode, enabled. An unknown id does the same hashing as a wrong secret.
    const now = deps.clock.now();
    const inGrace = client !== undefined && client.graceUntil !== null && now < client.graceUntil;
    const hashes = [client?.secretHash ?? null, inGrace ? client.previousSecretHash : null];
    // Every presented form is compared, the first match wins: the work depends only on what was sent.
    let slot = -1;
    for (const secret of presented) {
      const matched = await matchSecret(secret, hashes);
      if (slot === -1) slot = matched;
    }
    const failure = verdict(client, slot, attempt.mode);

    // The verdict is settled atomically: past the limit it turns into rate_limited, right or wrong.
    refuseIfLocked(
      await deps.lockout.settle(keys, failure === undefined, deps.clock.now(), deps.lockoutPolicy, lockout),
    );
    if (failure) throw failure;
    const known = client!;

    // 4. IP allowlist, after the secret so that the answer is no oracle to someone without it.
    checkSourceAllowed(known, attempt.sourceIp);
    // Slot 1 is the previous secret, only ever offered during a grace period.
    const generation = slot === 0 ? known.secretGeneration : known.secretGeneration - 1;
    return { client: known, generation, ...(target ? { target: found } : {}) };
  } catch (e) {
    // A failure counts in the usage of a client the store knows; a made-up id is no client's.
    if (client && isDomainError(e)) deps.meter.failed(client.id, attempt.door, e.code, deps.clock.now());
    throw e;
  }
}

function verdict(client: Client | undefined, slot: number, mode: Mode): DomainError | undefined {
  if (!client || slot === -1) return badCredentials();
  if (client.mode !== mode) {
    return new DomainError(
      'invalid_client',
      `Client is a ${client.mode}-mode client but this is the ${mode}-mode endpoint`,
      { reason: 'mode_mismatch' },
    );
  }
  if (!client.enabled) return new DomainError('invalid_client', 'Client is disabled', { reason: 'client_disabled' });
  return undefined;
}
