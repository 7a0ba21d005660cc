import { actorLabel, actorSourceIp, SYSTEM, type Actor, type AuditAction, type AuditEvent } from '../domain/audit.js';
import { DomainError } from '../domain/errors.js';
import type { Mode } from '../domain/mode.js';
import type { Clock, PublicKeyInfo, SigningKeys } from './ports.js';

export interface KeyAdminDeps {
  keys: SigningKeys;
  clock: Clock;
}

/** How long the tokens of each door live, in seconds; `common` null: they never expire. */
export interface TokenLifetimes {
  v1: number;
  v2: number;
  graphql: number;
  oauth2Access: number;
  common: number | null;
}

/** A key event: no client, and `detail` names the key, never its private half. */
const keyEvent = (actor: Actor, action: AuditAction, at: number, detail: Record<string, unknown>): AuditEvent => ({
  at,
  actor: actorLabel(actor),
  action,
  clientId: null,
  sourceIp: actorSourceIp(actor),
  detail,
});

const noSuchKey = (): DomainError => new DomainError('not_found', 'No such signing key');

const currentKeyRefused = (key: PublicKeyInfo): DomainError =>
  new DomainError(
    'invalid_request',
    `key ${key.kid} is the current ${key.mode} key and signs every new ${key.mode} token: it cannot be retired. ` +
      `Run \`tollgate keys rotate --mode ${key.mode}\` first; it can be retired after that.`,
  );

/**
 * Makes a new current signing key for the mode; the old one stays published, so every token it
 * signed stays good. Audited as `key.rotated` (kid, mode, algorithm, the kid it replaced) in the
 * transaction that makes the key current.
 */
export async function rotateSigningKey(deps: KeyAdminDeps, mode: Mode, actor: Actor = SYSTEM): Promise<PublicKeyInfo> {
  // Timed as the key's creation, so the trail and `keys list` agree.
  return deps.keys.rotate(mode, (key, replaced) => [
    keyEvent(actor, 'key.rotated', key.createdAt, { kid: key.kid, mode: key.mode, alg: key.alg, replaced }),
  ]);
}

/** What retiring a key would kill: the span in which it signed, and how long those tokens live. */
export interface RetirementNotice {
  key: PublicKeyInfo;
  /** When it became its mode's current key. */
  signedFrom: number;
  /** When the next key replaced it. */
  signedUntil: number;
  /** The kid that replaced it. */
  replacedBy: string;
  /** Every door's tokens that expire, at most this many seconds after issue. */
  longestExpiringTtl: number;
  /** When the last token with an expiry it signed expires (or expired). */
  expiringTokensDeadAt: number;
  /** Whether common-door tokens never expire: then every one it signed is still good until it goes. */
  commonTokensNeverExpire: boolean;
}

/**
 * What `keys retire` tells the operator before it removes a key: every token signed by it dies
 * with it. Tokens are not stored, so the notice names the span in which the key signed (from
 * its creation to its successor's) and the lifetimes: tokens with an expiry die only if still
 * alive, common-door tokens without one (the default) die however old. A current key is refused.
 */
export async function retirementNotice(
  deps: KeyAdminDeps,
  kid: string,
  lifetimes: TokenLifetimes,
): Promise<RetirementNotice> {
  const all = await deps.keys.publicKeys();
  const key = all.find((k) => k.kid === kid);
  if (!key) throw noSuchKey();
  if (key.current) throw currentKeyRefused(key);
  const successor = all
    .filter((k) => k.mode === key.mode && k.kid !== kid && k.createdAt >= key.createdAt)
    .sort((a, b) => a.createdAt - b.createdAt)[0];
  const signedUntil = successor?.createdAt ?? key.createdAt;
  const expiring = [
    lifetimes.v1,
    lifetimes.v2,
    lifetimes.graphql,
    lifetimes.oauth2Access,
    ...(lifetimes.common === null ? [] : [lifetimes.common]),
  ];
  const longestExpiringTtl = Math.max(...expiring);
  return {
    key,
    signedFrom: key.createdAt,
    signedUntil,
    replacedBy: successor?.kid ?? '(unknown)',
    longestExpiringTtl,
    expiringTokensDeadAt: signedUntil + longestExpiringTtl * 1000,
    commonTokensNeverExpire: lifetimes.common === null,
  };
}

/**
 * Deletes a retired signing key: it leaves the JWKS at once, and every token it signed is refused
 * (by running servers within a second). The current key of a mode is refused, inside the deleting
 * transaction. Audited as `key.retired` (kid, mode, algorithm) in that transaction.
 */
export async function retireSigningKey(deps: KeyAdminDeps, kid: string, actor: Actor = SYSTEM): Promise<PublicKeyInfo> {
  const now = deps.clock.now();
  const removal = await deps.keys.remove(kid, (key) => [
    keyEvent(actor, 'key.retired', now, { kid: key.kid, mode: key.mode, alg: key.alg }),
  ]);
  if (removal.outcome === 'removed') return removal.key;
  if (removal.outcome === 'not_found') throw noSuchKey();
  const key = (await deps.keys.publicKeys()).find((k) => k.kid === kid);
  throw key ? currentKeyRefused(key) : noSuchKey();
}
