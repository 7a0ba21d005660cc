import type { LockoutKey } from './lockout.js';

/** Who did something: an operator at the CLI, a client through GraphQL, or Tollgate itself. */
export interface Actor {
  kind: 'cli' | 'graphql' | 'panel' | 'system';
  /** The operator's login name (cli) or email (panel), or the acting client's id. */
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
  'client.deleted',
  'client.scope_refused',
  'key.rotated',
  'key.retired',
  'lockout',
  'operator.created',
  'operator.setup',
  'operator.disabled',
  'operator.reset',
  'operator.totp_enrolled',
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
 * The audit event of a lock beginning on one counter. `slot` is the counter's place in the check:
 * `pair` (a client id and address, or refresh-token guessing from an address) or `ip` (an
 * address across client ids). The client id is the one presented, known or not.
 */
export function lockoutEvent(key: LockoutKey, slot: 'pair' | 'ip', lockedUntil: number, now: number): AuditEvent {
  return {
    at: now,
    actor: actorLabel(SYSTEM),
    action: 'lockout',
    clientId: key.kind === 'pair' ? key.clientId : null,
    sourceIp: key.ip,
    detail: {
      kind: slot,
      lockedUntil,
      ...(key.kind === 'refresh' ? { grant: 'refresh_token' } : {}),
      ...(key.kind === 'operator' ? { operator: key.email } : {}),
    },
  };
}

/** One audit event by `actor`; `clientId` names the client changed (null: none); `detail` never holds a secret or hash. */
export const auditEvent = (actor: Actor, action: AuditAction, clientId: string | null, at: number, detail: Record<string, unknown> = {}): AuditEvent => ({
  at,
  actor: actorLabel(actor),
  action,
  clientId,
  sourceIp: actorSourceIp(actor),
  detail,
});
