/** Who did something: an operator at the CLI, a client through GraphQL, or Tollgate itself. */
export interface Actor {
  kind: 'cli' | 'graphql' | 'system';
  /** The operator's login name, or the acting client's id. */
  id: string;
  sourceIp?: string;
}

export const SYSTEM: Actor = { kind: 'system', id: 'tollgate' };

export const AUDIT_ACTIONS = [
  'client.created',
  'client.updated',
  'client.rotated',
  'client.disabled',
  'client.enabled',
  'lockout',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export interface AuditEvent {
  at: number;
  actor: string;
  action: AuditAction;
  clientId: string | null;
  sourceIp: string | null;
  /** What changed, never a secret. */
  detail: Record<string, unknown>;
}

export const actorLabel = (a: Actor): string => `${a.kind}:${a.id}`;

/** An event as stored, with its row id (which also orders events recorded in one millisecond). */
export interface AuditRecord extends AuditEvent {
  id: number;
}

/** The event's source address: where the actor called from (none for the CLI and Tollgate itself). */
export const actorSourceIp = (a: Actor): string | null => a.sourceIp ?? null;

/**
 * What a lockout counter key names (the shapes of `lockoutKeys` and `refreshLockoutKeys`):
 * `pair <clientId> <ip>`, `refresh <ip>` or `ip <ip>`. The client id is the one presented, known
 * or not; it may hold spaces, the address never does.
 */
export function lockoutKeySubject(key: string): { clientId: string | null; sourceIp: string | null; refresh: boolean } {
  const space = key.indexOf(' ');
  const kind = space < 0 ? key : key.slice(0, space);
  const rest = space < 0 ? '' : key.slice(space + 1);
  if (kind === 'pair') {
    const last = rest.lastIndexOf(' ');
    return last < 0 ? { clientId: null, sourceIp: rest || null, refresh: false } : { clientId: rest.slice(0, last), sourceIp: rest.slice(last + 1), refresh: false };
  }
  return { clientId: null, sourceIp: rest || null, refresh: kind === 'refresh' };
}

/**
 * The audit event of a lock beginning on one counter key. `kind` is the key's slot: `pair` (a
 * client id and address, or refresh-token guessing from an address) or `ip` (an address across
 * client ids).
 */
export function lockoutEvent(key: string, kind: 'pair' | 'ip', lockedUntil: number, now: number): AuditEvent {
  const subject = lockoutKeySubject(key);
  return {
    at: now,
    actor: actorLabel(SYSTEM),
    action: 'lockout',
    clientId: subject.clientId,
    sourceIp: subject.sourceIp,
    detail: { kind, lockedUntil, ...(subject.refresh ? { grant: 'refresh_token' } : {}) },
  };
}
